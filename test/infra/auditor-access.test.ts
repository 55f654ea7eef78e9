/**
 * Issue #10 item 6: the auditor can run the dashboard and the runbook's read-only steps and read the audit trail for
 * its whole retention, and still reads no secret value (staging template, statements written out). The shipped
 * staging reads the trail through the account baseline (`audit.trail.mode: "baseline"`): its files through the
 * baseline's trail-reader role (test/infra/account-baseline.test.ts), its log group and status from this policy.
 * A `create`-mode staging owns the trail, and this policy reads its files too.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { ENVIRONMENTS, type EnvironmentConfig } from '../../lib/config';
import { synthBaselines } from '../support/synth-baseline';
import { resourcesOf, statement, synthAll } from '../support/synth';

// With cdk.json's flags (as `cdk synth`): ARNs of this region-bound stack spell the partition (enablePartitionLiterals)
// and each statement's resources are sorted (minimizePolicies).

const staging = ENVIRONMENTS.find((e) => e.envName === 'staging')!;
const createMode = (c: EnvironmentConfig): EnvironmentConfig => ({ ...c, audit: { ...c.audit, trail: { mode: 'create' } } });
const baselineApp = synthAll([staging]);
const [{ template: baselineTemplate }] = baselineApp.results;
const [{ template: createTemplate }] = synthAll([createMode(staging)]).results;

const id = (template: Template, prefix: string, type = 'AWS::IAM::Role') => Object.keys(template.findResources(type)).find((k) => k.startsWith(prefix))!;
const getAtt = (template: Template, prefix: string, type: string) => ({ 'Fn::GetAtt': [id(template, prefix, type), 'Arn'] });
const auditorAccess = (template: Template) => resourcesOf(template, 'AWS::IAM::ManagedPolicy').find(([k]) => k.startsWith('AuditorAccessPolicy'))![1];

describe('auditor read access (staging, audit.trail.mode "baseline")', () => {
  const template = baselineTemplate;
  const policy = auditorAccess(template);
  const statements = policy.Properties.PolicyDocument.Statement;
  const at = (prefix: string, type: string) => getAtt(template, prefix, type);

  it('is attached to the auditor role only', () => {
    expect(policy.Properties.Roles).toEqual([{ Ref: id(template, 'AccessAuditorRole') }]);
  });

  it("has no S3 statement and no decrypt: the trail's files are read through the baseline's trail-reader role", () => {
    expect(statements.map((s: { Sid: string }) => s.Sid)).toEqual([
      'QueryTrailAndFunctionLogs',
      'LogsInsightsResultsAndLogGroupNames',
      'ReadDashboard',
      'ReadAlarmsOfThisEnvironment',
      'ReadMetrics',
      'LookupTrailEvents',
      'ListKeyGrants',
      'ReadTrailStatus',
    ]);
    for (const s of statements) for (const a of [s.Action].flat()) expect(a).not.toMatch(/^s3:|^kms:Decrypt$/);
  });

  it("runs Logs Insights on the baseline's trail log group (by name) and the function log groups", () => {
    expect(statement(statements, 'QueryTrailAndFunctionLogs')).toEqual({
      Sid: 'QueryTrailAndFunctionLogs',
      Effect: 'Allow',
      Action: ['logs:DescribeLogStreams', 'logs:FilterLogEvents', 'logs:GetLogEvents', 'logs:StartLiveTail', 'logs:StartQuery'],
      Resource: [
        'arn:aws:logs:eu-west-1:222222222222:log-group:/aws/cloudtrail/gaara-store-account-audit:*',
        at('DatabaseRotationRotatorLogGroup', 'AWS::Logs::LogGroup'),
        at('KeyRingRotationRotatorLogGroup', 'AWS::Logs::LogGroup'),
        at('RedisRotationRotatorLogGroup', 'AWS::Logs::LogGroup'),
        at('SecretAgeLogGroup', 'AWS::Logs::LogGroup'),
      ],
    });
    expect(statement(statements, 'LogsInsightsResultsAndLogGroupNames')).toEqual({
      Sid: 'LogsInsightsResultsAndLogGroupNames',
      Effect: 'Allow',
      Action: ['logs:DescribeLogGroups', 'logs:DescribeQueries', 'logs:GetQueryResults', 'logs:StopQuery'],
      Resource: '*',
    });
  });

  it("opens the dashboard, reads this environment's alarms and every metric, CloudTrail event history and the keys' grants", () => {
    expect(statement(statements, 'ReadDashboard')).toMatchObject({
      Action: 'cloudwatch:GetDashboard',
      Resource: 'arn:aws:cloudwatch::222222222222:dashboard/gaara-store-staging-secrets',
    });
    expect(statement(statements, 'ReadAlarmsOfThisEnvironment')).toMatchObject({
      Action: ['cloudwatch:DescribeAlarmHistory', 'cloudwatch:DescribeAlarms'],
      Resource: 'arn:aws:cloudwatch:eu-west-1:222222222222:alarm:gaara-store-staging-*',
    });
    expect(statement(statements, 'ReadMetrics')).toMatchObject({
      Action: ['cloudwatch:GetMetricData', 'cloudwatch:GetMetricStatistics', 'cloudwatch:ListDashboards', 'cloudwatch:ListMetrics'],
      Resource: '*',
    });
    expect(statement(statements, 'LookupTrailEvents')).toMatchObject({ Action: ['cloudtrail:DescribeTrails', 'cloudtrail:LookupEvents'], Resource: '*' });
    expect(statement(statements, 'ListKeyGrants')).toMatchObject({
      Action: 'kms:ListGrants',
      Resource: [at('KeysDataKey', 'AWS::KMS::Key'), at('KeysOpsKey', 'AWS::KMS::Key'), at('KeysSecretsKey', 'AWS::KMS::Key')],
    });
  });

  it('reads the status of the account baseline\'s trail (the runbook\'s "trail went quiet" step)', () => {
    expect(statement(statements, 'ReadTrailStatus')).toEqual({
      Sid: 'ReadTrailStatus',
      Effect: 'Allow',
      Action: ['cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus'],
      Resource: 'arn:aws:cloudtrail:eu-west-1:222222222222:trail/gaara-store-account-audit',
    });
  });

  it('grants no secret value and no write: every action is a read', () => {
    expectReadsOnly(statements);
  });
});

describe('auditor read access (staging, audit.trail.mode "create")', () => {
  const template = createTemplate;
  const policy = auditorAccess(template);
  const statements = policy.Properties.PolicyDocument.Statement;
  const at = (prefix: string, type: string) => getAtt(template, prefix, type);

  it("reads the trail's files in S3, decrypting them only through S3 and only with CloudTrail's encryption context", () => {
    expect(statements.slice(0, 3)).toEqual([
      { Sid: 'ListTrailBucket', Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket'], Resource: at('AuditTrailBucket', 'AWS::S3::Bucket') },
      {
        Sid: 'ReadTrailLogFiles',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [at('AuditTrailBucket', 'AWS::S3::Bucket'), '/AWSLogs/222222222222/*']] },
      },
      {
        Sid: 'DecryptTrailLogFilesThroughS3',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: at('KeysOpsKey', 'AWS::KMS::Key'),
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'arn:aws:cloudtrail:*:222222222222:trail/*' },
        },
      },
    ]);
  });

  it('runs Logs Insights and reads the trail and function log groups (dashboard widgets, runbook queries and tails)', () => {
    expect(statement(statements, 'QueryTrailAndFunctionLogs')).toEqual({
      Sid: 'QueryTrailAndFunctionLogs',
      Effect: 'Allow',
      Action: ['logs:DescribeLogStreams', 'logs:FilterLogEvents', 'logs:GetLogEvents', 'logs:StartLiveTail', 'logs:StartQuery'],
      Resource: [
        at('AuditTrailLogGroup', 'AWS::Logs::LogGroup'),
        at('DatabaseRotationRotatorLogGroup', 'AWS::Logs::LogGroup'),
        at('KeyRingRotationRotatorLogGroup', 'AWS::Logs::LogGroup'),
        at('RedisRotationRotatorLogGroup', 'AWS::Logs::LogGroup'),
        at('SecretAgeLogGroup', 'AWS::Logs::LogGroup'),
      ],
    });
    expect(statement(statements, 'LogsInsightsResultsAndLogGroupNames')).toEqual({
      Sid: 'LogsInsightsResultsAndLogGroupNames',
      Effect: 'Allow',
      Action: ['logs:DescribeLogGroups', 'logs:DescribeQueries', 'logs:GetQueryResults', 'logs:StopQuery'],
      Resource: '*',
    });
  });

  it("opens the dashboard, reads this environment's alarms and every metric, CloudTrail event history and the keys' grants", () => {
    expect(statements.slice(5).map((s: { Sid: string }) => s.Sid)).toEqual([
      'ReadDashboard',
      'ReadAlarmsOfThisEnvironment',
      'ReadMetrics',
      'LookupTrailEvents',
      'ListKeyGrants',
      'ReadTrailStatus',
    ]);
    expect(statement(statements, 'ReadDashboard')).toMatchObject({
      Action: 'cloudwatch:GetDashboard',
      Resource: 'arn:aws:cloudwatch::222222222222:dashboard/gaara-store-staging-secrets',
    });
    expect(statement(statements, 'ReadAlarmsOfThisEnvironment')).toMatchObject({
      Action: ['cloudwatch:DescribeAlarmHistory', 'cloudwatch:DescribeAlarms'],
      Resource: 'arn:aws:cloudwatch:eu-west-1:222222222222:alarm:gaara-store-staging-*',
    });
    expect(statement(statements, 'ReadMetrics')).toMatchObject({
      Action: ['cloudwatch:GetMetricData', 'cloudwatch:GetMetricStatistics', 'cloudwatch:ListDashboards', 'cloudwatch:ListMetrics'],
      Resource: '*',
    });
    expect(statement(statements, 'LookupTrailEvents')).toMatchObject({ Action: ['cloudtrail:DescribeTrails', 'cloudtrail:LookupEvents'], Resource: '*' });
    expect(statement(statements, 'ListKeyGrants')).toMatchObject({
      Action: 'kms:ListGrants',
      Resource: [at('KeysDataKey', 'AWS::KMS::Key'), at('KeysOpsKey', 'AWS::KMS::Key'), at('KeysSecretsKey', 'AWS::KMS::Key')],
    });
    expect(statement(statements, 'ReadTrailStatus')).toMatchObject({
      Action: ['cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus'],
      Resource: 'arn:aws:cloudtrail:eu-west-1:222222222222:trail/gaara-store-staging-audit',
    });
  });

  it('grants no secret value and no write: every action is a read', () => {
    expectReadsOnly(statements);
  });
});

function expectReadsOnly(statements: { Effect: string; Action: string | string[] }[]) {
  for (const s of statements) {
    expect(s.Effect).toBe('Allow');
    for (const a of [s.Action].flat())
      expect(a).toMatch(
        /^(s3:(Get|List)|kms:(Decrypt|ListGrants)$|logs:(Describe|Filter|Get|Start|Stop)|cloudwatch:(Get|List|Describe)|cloudtrail:(Lookup|Describe|Get))/,
      );
    expect(JSON.stringify(s)).not.toMatch(/secretsmanager|GenerateDataKey|KeysSecretsKey[0-9A-F]{8}", "Arn"\]\}, *"Condition/);
  }
}

describe('the trail stays readable for its whole retention', () => {
  it("files move to Glacier Instant Retrieval (read with a plain GetObject, no restore), and expire at the configured age (staging's account baseline)", () => {
    const [baseline] = synthBaselines(baselineApp.app);
    expect(baseline.stack.stackName).toBe('gaara-store-account-baseline-222222222222');
    const [, bucket] = resourcesOf(baseline.template, 'AWS::S3::Bucket').find(([k]) => k.startsWith('AuditTrailBucket'))!;
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual([
      {
        Id: 'GlacierInstantRetrievalThenExpire',
        Status: 'Enabled',
        Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }],
        ExpirationInDays: 400,
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
      },
    ]);
  });
});
