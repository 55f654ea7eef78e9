import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { ENVIRONMENTS, metricsNamespace, type EnvironmentConfig } from '../../lib/config';
import { resolveEnvironment } from '../../lib/config/resolve';
import { accountFilters, cisFilters, secretReadFilters, secretsFilters, trailMetricsNamespace } from '../../lib/observability/metric-filters';
import { observabilityNames } from '../../lib/observability/names';
import { APP_CONTEXT, buildObservabilityStack, type ObservabilityTestStack } from './monitoring.test-stack';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

// `create` mode: the environment owns its account's trail (an account that holds this environment only).
// Placeholders resolved as SecretsStack resolves them (pseudo parameters for the agnostic dev).
const resolved = (c: EnvironmentConfig) =>
  resolveEnvironment(c, new Stack(new App(), 'Resolve', { env: c.account ? { account: c.account, region: c.region } : undefined }));
const built = ENVIRONMENTS.map((shipped) => {
  const config: EnvironmentConfig = resolved({ ...shipped, audit: { ...shipped.audit, trail: { mode: 'create' } } });
  const s = buildObservabilityStack(config);
  return { config, s, template: Template.fromStack(s.stack) };
});

function resources(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);
}

function ref(s: ObservabilityTestStack, c: { node: { defaultChild?: unknown } } | undefined): string {
  return s.stack.getLogicalId(c?.node.defaultChild as never);
}

describe.each(built.map((b) => [b.config.envName, b] as const))('audit trail of %s (synthesized template)', (_env, { config, s, template }) => {
  const opsKeyId = s.stack.getLogicalId(s.opsKey.node.defaultChild as never);
  const names = observabilityNames(config);

  it('creates a multi-region trail with global service events and log-file validation, encrypted with the ops key, to S3 and CloudWatch Logs', () => {
    template.resourceCountIs('AWS::CloudTrail::Trail', 1);
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: names.trailName,
      IsLogging: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      KMSKeyId: { 'Fn::GetAtt': [opsKeyId, 'Arn'] },
      S3BucketName: { Ref: ref(s, s.audit.bucket) },
      CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
    });
    const [, trail] = resources(template, 'AWS::CloudTrail::Trail')[0];
    expect(trail.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/TrailBucketPolicy/), expect.stringMatching(/TrailLogDeliveryPolicy/)]));
  });

  it('keeps trail files in a KMS-encrypted, versioned, TLS-only, non-public bucket with server access logs and the configured lifecycle', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [opsKeyId, 'Arn'] } } },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: { Ref: ref(s, s.audit.accessLogBucket) }, LogFilePrefix: 'trail-bucket/' },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            Status: 'Enabled',
            Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: config.audit.transitionToGlacierDays }],
            ExpirationInDays: config.audit.expireAfterDays,
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: config.audit.expireAfterDays })] },
    });
    // Retained in every environment: a versioned bucket with objects cannot be deleted by CloudFormation, and
    // emptying it at destroy would erase audit evidence.
    for (const [, b] of resources(template, 'AWS::S3::Bucket')) expect(b).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('lets only this trail write to the bucket (aws:SourceArn on both CloudTrail statements) and denies non-TLS access', () => {
    const [, policy] = resources(template, 'AWS::S3::BucketPolicy').find(([, p]) => JSON.stringify(p).includes('CloudTrailWrite')) as [string, Resource];
    const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    const cloudTrail = statements.filter((st) => JSON.stringify(st.Principal).includes('cloudtrail.amazonaws.com'));
    expect(cloudTrail.map((st) => st.Sid).sort()).toEqual(['CloudTrailAclCheck', 'CloudTrailWrite']);
    for (const st of cloudTrail) expect(JSON.stringify(st.Condition)).toContain(`trail/${names.trailName}`);
    expect(statements).toEqual(expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]));
  });

  it('delivers to a log group with the configured retention on the ops key; the delivery role may only write its streams', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: names.trailLogGroupName,
      RetentionInDays: config.logRetentionDays,
      KmsKeyId: { 'Fn::GetAtt': [opsKeyId, 'Arn'] },
    });
    const [, policy] = resources(template, 'AWS::IAM::ManagedPolicy')[0];
    const doc = policy.Properties.PolicyDocument as { Statement: { Action: string[]; Resource: unknown }[] };
    expect(doc.Statement).toHaveLength(1);
    expect(doc.Statement[0].Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(JSON.stringify(doc.Statement[0].Resource)).toContain(`log-group:${names.trailLogGroupName}:log-stream:*`);
  });

  it('puts every filter of lib/observability/metric-filters.ts on the trail log group with its exact pattern, and an alarm with an action on each security filter', () => {
    const specs = [...accountFilters(''), ...secretsFilters(config), ...secretReadFilters(config)];
    // 4 CIS + 2 account-wide + 3 of this environment + 7 secret reads.
    expect(specs).toHaveLength(16);
    // + 5: the environment-scoped filters and the heartbeat of lib/observability/environment-filters.ts (issue #11), on the same log group.
    template.resourceCountIs('AWS::Logs::MetricFilter', specs.length + 5);
    for (const spec of specs) {
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        FilterPattern: s.stack.resolve(spec.pattern),
        MetricTransformations: [
          { MetricNamespace: trailMetricsNamespace(metricsNamespace(config), config.envName), MetricName: spec.metricName, MetricValue: '1', DefaultValue: 0 },
        ],
      });
    }
    expect(s.audit.alarms.map((a) => (a.node.defaultChild as unknown as { alarmName: string }).alarmName.replace(`${names.namePrefix}`, '')).sort()).toEqual([
      'BreakGlassRoleUsed',
      'CloudTrailConfigChanges',
      'DeletedSecretAccess',
      'IamPolicyChanges',
      'KmsKeyDisabledOrScheduledForDeletion',
      'KmsKeyPolicyChangedOrRotationDisabled',
      'SecretPolicyChangedOrSecretDeleted',
      'SecretsAccessDenied',
      'UnauthorizedApiCalls',
    ]);
    for (const a of s.audit.alarms) {
      const props = a.node.defaultChild as { alarmActions?: unknown[]; datapointsToAlarm?: number; treatMissingData?: string };
      expect(props.alarmActions).toHaveLength(1);
      expect(props.datapointsToAlarm).toBe(1);
      expect(props.treatMissingData).toBe('notBreaching');
    }
  });

  it('adds to the ops key policy the CloudTrail statements with aws:SourceArn and the cloudtrail encryption context, and CloudWatch Logs with the logs context', () => {
    const [, key] = resources(template, 'AWS::KMS::Key')[0];
    const statements = (key.Properties.KeyPolicy as { Statement: { Sid?: string; Principal: unknown; Condition?: Record<string, Record<string, unknown>> }[] })
      .Statement;
    const bySid = (sid: string) => statements.find((st) => st.Sid === sid);
    const encrypt = bySid('TrailLogFileEncryptionByCloudTrail');
    expect(encrypt?.Principal).toEqual({ Service: 'cloudtrail.amazonaws.com' });
    expect(JSON.stringify(encrypt?.Condition?.StringEquals['aws:SourceArn'])).toContain(`:trail/${names.trailName}`);
    expect(JSON.stringify(encrypt?.Condition?.StringLike['kms:EncryptionContext:aws:cloudtrail:arn'])).toContain(':cloudtrail:*:');
    expect(JSON.stringify(bySid('TrailDescribeKeyByCloudTrail')?.Condition)).toContain(`:trail/${names.trailName}`);
    const logsStatement = bySid('LogGroupEncryptionByCloudWatchLogs');
    expect(JSON.stringify(logsStatement?.Principal)).toMatch(/logs\..*amazonaws\.com/);
    expect(JSON.stringify(logsStatement?.Condition?.ArnLike['kms:EncryptionContext:aws:logs:arn'])).toContain(':log-group:*');
  });
});

describe('audit trail with an existing trail (synthesized template)', () => {
  const base = ENVIRONMENTS.find((e) => e.envName === 'staging') as EnvironmentConfig;

  it('with an organisation trail in another account: creates no trail and no filters, and warns where the filters and alarms must live', () => {
    const config: EnvironmentConfig = { ...base, audit: { ...base.audit, trail: { mode: 'existing', organizationTrailAccount: '999999999999' } } };
    const s = buildObservabilityStack(config);
    const template = Template.fromStack(s.stack);
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    template.resourceCountIs('AWS::Logs::MetricFilter', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(s.audit.logGroup).toBeUndefined();
    Annotations.fromStack(s.stack).hasWarning('/Observability-staging/Audit', Match.stringLikeRegexp('999999999999.*docs/dashboard.md'));
    // No CloudTrail statements in the ops key policy: this stack owns no trail.
    expect(JSON.stringify(template.toJSON())).not.toContain('TrailLogFileEncryptionByCloudTrail');
    // The monitoring still works without the trail sections.
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it("with the account baseline (the shipped mode): creates no trail, bucket or account-wide filter; adds only its own filters to the baseline's log group, found by name", () => {
    const config = base;
    expect(config.audit.trail.mode).toBe('baseline');
    const s = buildObservabilityStack(config);
    const template = Template.fromStack(s.stack);
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    // 3 secrets filters + 7 secret reads + 5 environment-scoped filters and the heartbeat, on the baseline's log group.
    template.resourceCountIs('AWS::Logs::MetricFilter', 15);
    template.allResourcesProperties('AWS::Logs::MetricFilter', { LogGroupName: '/aws/cloudtrail/gaara-store-account-audit' });
    const json = JSON.stringify(template.toJSON());
    const metricNames = resources(template, 'AWS::Logs::MetricFilter').map(
      ([, f]) => (f.Properties.MetricTransformations as { MetricName: string }[])[0].MetricName,
    );
    const alarmNames = resources(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName);
    for (const id of [
      'UnauthorizedApiCalls',
      'KmsKeyDisabledOrScheduledForDeletion',
      'IamPolicyChanges',
      'CloudTrailConfigChanges',
      'AttemptsToAccessDeletedSecrets',
      'KmsKeyPolicyChangedOrRotationDisabled',
    ]) {
      expect(metricNames).not.toContain(id);
      expect(alarmNames).not.toContain(`gaara-store-staging-${id}`);
    }
    expect(alarmNames).not.toContain('gaara-store-staging-DeletedSecretAccess');
    expect(json).not.toContain('TrailLogFileEncryptionByCloudTrail');
    expect(json).not.toContain('Fn::ImportValue');
    // The dashboard still graphs the account-wide metrics, read from the baseline's namespace.
    expect(s.audit.metrics.UnauthorizedApiCalls.namespace).toBe('GaaraStore/Secrets/Trail/account');
  });

  it('with an existing trail log group in this account: adds the secrets filters (not the CIS ones) to it', () => {
    const config: EnvironmentConfig = { ...base, audit: { ...base.audit, trail: { mode: 'existing', logGroupName: 'aws-controltower/CloudTrailLogs' } } };
    const s = buildObservabilityStack(config);
    const template = Template.fromStack(s.stack);
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    // + 5: the environment-scoped filters and the heartbeat of lib/observability/environment-filters.ts (issue #11), on the same log group.
    template.resourceCountIs('AWS::Logs::MetricFilter', secretsFilters(config).length + secretReadFilters(config).length + 5);
    template.allResourcesProperties('AWS::Logs::MetricFilter', { LogGroupName: 'aws-controltower/CloudTrailLogs' });
    for (const cis of cisFilters()) expect(JSON.stringify(template.toJSON())).not.toContain(cis.metricName);
  });
});

describe('cdk-nag (AwsSolutions and NIST 800-53 rev 5) on the observability constructs', () => {
  const ours = /\/(Audit|AlarmTopic|Monitoring)\//;

  it.each(built.map((b) => [b.config.envName, b] as const))('%s: no unacknowledged finding on the audit trail, topic and monitoring', (_env, { s }) => {
    const all = [new AwsSolutionsChecks(), new NIST80053R5Checks()].flatMap((pack) =>
      pack.validateScope(s.app).violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)),
    );
    // The scan did run: the test stand-in functions (not ours) have findings.
    expect(all.some((f) => f.includes('/Rotator-database/'))).toBe(true);
    expect(all.filter((f) => ours.test(f))).toEqual([]);
  });

  it('canary: the same checks do report a bucket without encryption settings, logging or TLS enforcement', () => {
    const app = new App({ context: APP_CONTEXT });
    const stack = new Stack(app, 'NagCanary');
    new s3.Bucket(stack, 'Bad');
    const violations = new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName);
    expect(violations).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });
});
