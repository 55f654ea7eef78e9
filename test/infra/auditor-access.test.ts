/**
 * Issue #10 item 6: the auditor can run the dashboard and the runbook's read-only steps and read the audit trail for
 * its whole retention, and still reads no secret value (staging template, statements written out).
 */
import { ENVIRONMENTS } from '../../lib/config';
import { resourcesOf, statement, synthAll } from '../support/synth';

const staging = ENVIRONMENTS.find((e) => e.envName === 'staging')!;
const [{ template }] = synthAll([staging]).results;
const policies = resourcesOf(template, 'AWS::IAM::ManagedPolicy');
const id = (prefix: string, type = 'AWS::IAM::Role') => Object.keys(template.findResources(type)).find((k) => k.startsWith(prefix))!;
const partitionJoin = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });
const getAtt = (prefix: string, type: string) => ({ 'Fn::GetAtt': [id(prefix, type), 'Arn'] });

describe('auditor read access (staging)', () => {
  const [, auditorAccess] = policies.find(([k]) => k.startsWith('AuditorAccessPolicy'))!;
  const statements = auditorAccess.Properties.PolicyDocument.Statement;

  it('is attached to the auditor role only', () => {
    expect(auditorAccess.Properties.Roles).toEqual([{ Ref: id('AccessAuditorRole') }]);
  });

  it('reads the trail\'s files in S3, decrypting them only through S3 and only with CloudTrail\'s encryption context', () => {
    expect(statements.slice(0, 3)).toEqual([
      { Sid: 'ListTrailBucket', Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket'], Resource: getAtt('AuditTrailBucket', 'AWS::S3::Bucket') },
      {
        Sid: 'ReadTrailLogFiles',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [getAtt('AuditTrailBucket', 'AWS::S3::Bucket'), '/AWSLogs/222222222222/*']] },
      },
      {
        Sid: 'DecryptTrailLogFilesThroughS3',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: getAtt('KeysOpsKey', 'AWS::KMS::Key'),
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': partitionJoin(':cloudtrail:*:222222222222:trail/*') },
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
        getAtt('AuditTrailLogGroup', 'AWS::Logs::LogGroup'),
        getAtt('DatabaseRotationRotatorLogGroup', 'AWS::Logs::LogGroup'),
        getAtt('RedisRotationRotatorLogGroup', 'AWS::Logs::LogGroup'),
        getAtt('KeyRingRotationRotatorLogGroup', 'AWS::Logs::LogGroup'),
        getAtt('SecretAgeLogGroup', 'AWS::Logs::LogGroup'),
      ],
    });
    expect(statement(statements, 'LogsInsightsResultsAndLogGroupNames')).toEqual({
      Sid: 'LogsInsightsResultsAndLogGroupNames',
      Effect: 'Allow',
      Action: ['logs:DescribeLogGroups', 'logs:DescribeQueries', 'logs:GetQueryResults', 'logs:StopQuery'],
      Resource: '*',
    });
  });

  it('opens the dashboard, reads this environment\'s alarms and every metric, CloudTrail event history and the keys\' grants', () => {
    expect(statements.slice(5).map((s: { Sid: string }) => s.Sid)).toEqual(['ReadDashboard', 'ReadAlarmsOfThisEnvironment', 'ReadMetrics', 'LookupTrailEvents', 'ListKeyGrants', 'ReadTrailStatus']);
    expect(statement(statements, 'ReadDashboard')).toMatchObject({ Action: 'cloudwatch:GetDashboard', Resource: partitionJoin(':cloudwatch::222222222222:dashboard/gaara-store-staging-secrets') });
    expect(statement(statements, 'ReadAlarmsOfThisEnvironment')).toMatchObject({
      Action: ['cloudwatch:DescribeAlarmHistory', 'cloudwatch:DescribeAlarms'],
      Resource: partitionJoin(':cloudwatch:eu-west-1:222222222222:alarm:gaara-store-staging-*'),
    });
    expect(statement(statements, 'ReadMetrics')).toMatchObject({
      Action: ['cloudwatch:GetMetricData', 'cloudwatch:GetMetricStatistics', 'cloudwatch:ListDashboards', 'cloudwatch:ListMetrics'],
      Resource: '*',
    });
    expect(statement(statements, 'LookupTrailEvents')).toMatchObject({ Action: ['cloudtrail:DescribeTrails', 'cloudtrail:LookupEvents'], Resource: '*' });
    expect(statement(statements, 'ListKeyGrants')).toMatchObject({
      Action: 'kms:ListGrants',
      Resource: [getAtt('KeysSecretsKey', 'AWS::KMS::Key'), getAtt('KeysDataKey', 'AWS::KMS::Key'), getAtt('KeysOpsKey', 'AWS::KMS::Key')],
    });
    expect(statement(statements, 'ReadTrailStatus')).toMatchObject({
      Action: ['cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus'],
      Resource: partitionJoin(':cloudtrail:eu-west-1:222222222222:trail/gaara-store-staging-audit'),
    });
  });

  it('grants no secret value and no write: every action is a read', () => {
    for (const s of statements) {
      expect(s.Effect).toBe('Allow');
      for (const a of [s.Action].flat()) expect(a).toMatch(/^(s3:(Get|List)|kms:(Decrypt|ListGrants)$|logs:(Describe|Filter|Get|Start|Stop)|cloudwatch:(Get|List|Describe)|cloudtrail:(Lookup|Describe|Get))/);
      expect(JSON.stringify(s)).not.toMatch(/secretsmanager|GenerateDataKey|KeysSecretsKey[0-9A-F]{8}", "Arn"\]\}, *"Condition/);
    }
  });
});

describe('the trail stays readable for its whole retention', () => {
  it('files move to Glacier Instant Retrieval (read with a plain GetObject, no restore), and expire at the configured age', () => {
    const [, bucket] = resourcesOf(template, 'AWS::S3::Bucket').find(([k]) => k.startsWith('AuditTrailBucket'))!;
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
