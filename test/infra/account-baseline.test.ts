/**
 * Issue #10 item 10: account-level resources exist once per account. Two environments in one account get one
 * account baseline (one multi-region trail, one set of verbatim CIS filters and alarms) and none of their own;
 * environments find the baseline's log group by name, with no cross-stack export.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { accountBaselineStacks, buildApp } from '../../lib/app';
import { ENVIRONMENTS, validateAll, type EnvironmentConfig } from '../../lib/config';
import {
  CIS_CLOUDTRAIL_CONFIG_CHANGES,
  CIS_IAM_POLICY_CHANGES,
  CIS_KMS_DISABLE_OR_DELETE,
  CIS_UNAUTHORIZED_API_CALLS,
} from '../../lib/observability/metric-filters';
import { resourcesOf } from '../support/synth';

const staging = ENVIRONMENTS.find((e) => e.envName === 'staging') as EnvironmentConfig;
// A second environment in staging's account.
const qa: EnvironmentConfig = { ...staging, envName: 'qa', alarmEmail: 'qa-alerts@example.com', audit: { ...staging.audit, expireAfterDays: 731 } };
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const environments = buildApp(app, [staging, qa]);
const baselines = accountBaselineStacks(app);
const count = (t: Template, type: string) => resourcesOf(t, type).length;

describe('two environments in one account', () => {
  const baseline = Template.fromStack(baselines[0]);

  it('get exactly one baseline, holding the only trail of the account, and deploy after it', () => {
    expect(baselines.map((b) => b.stackName)).toEqual(['gaara-store-account-baseline-222222222222']);
    expect(count(baseline, 'AWS::CloudTrail::Trail')).toBe(1);
    baseline.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: 'gaara-store-account-audit',
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
    });
    for (const env of environments) {
      const t = Template.fromStack(env);
      expect([count(t, 'AWS::CloudTrail::Trail'), count(t, 'AWS::S3::Bucket')]).toEqual([0, 0]);
      expect(env.dependencies.map((d) => d.stackName)).toEqual(['gaara-store-account-baseline-222222222222']);
      expect(JSON.stringify(t.toJSON())).not.toContain('Fn::ImportValue');
    }
  });

  it('the baseline holds the verbatim CIS filters and the two account-wide filters, each alarmed once on its topic', () => {
    const filters = resourcesOf(baseline, 'AWS::Logs::MetricFilter').map(([, f]) => [f.Properties.FilterName, f.Properties.FilterPattern]);
    expect(filters.sort()).toEqual(
      [
        ['gaara-store-account-CloudTrailConfigChanges', CIS_CLOUDTRAIL_CONFIG_CHANGES],
        ['gaara-store-account-DeletedSecretAccess', '{ $.eventName = "GetSecretValue" && $.errorMessage = "*secret because it was marked for deletion*" }'],
        ['gaara-store-account-IamPolicyChanges', CIS_IAM_POLICY_CHANGES],
        ['gaara-store-account-KmsKeyDisabledOrScheduledForDeletion', CIS_KMS_DISABLE_OR_DELETE],
        [
          'gaara-store-account-KmsKeyPolicyChangedOrRotationDisabled',
          '{ ($.eventSource = "kms.amazonaws.com") && (($.eventName = "PutKeyPolicy") || ($.eventName = "DisableKeyRotation")) }',
        ],
        ['gaara-store-account-UnauthorizedApiCalls', CIS_UNAUTHORIZED_API_CALLS],
      ].sort(),
    );
    // The CIS patterns as Security Hub matches them, written out here rather than taken from the constants alone.
    expect(CIS_UNAUTHORIZED_API_CALLS).toBe('{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}');
    const [topicId] = resourcesOf(baseline, 'AWS::SNS::Topic')[0];
    const alarms = resourcesOf(baseline, 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(6);
    for (const [, a] of alarms) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(a.Properties.Namespace).toBe('GaaraStore/Secrets/Trail/account');
    }
    // Both environments' recipients are told.
    expect(
      resourcesOf(baseline, 'AWS::SNS::Subscription')
        .map(([, s]) => s.Properties.Endpoint)
        .sort(),
    ).toEqual(['qa-alerts@example.com', 'security-alerts+staging@example.com']);
  });

  it('each environment keeps only its own alarms (44 each, none of the 6 account-wide) and filters on the baseline log group', () => {
    for (const env of environments) {
      const t = Template.fromStack(env);
      const names = resourcesOf(t, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName as string);
      expect(names).toHaveLength(44);
      expect(names.every((n) => n.startsWith(`gaara-store-${env.config.envName}-`))).toBe(true);
      t.allResourcesProperties('AWS::Logs::MetricFilter', { LogGroupName: '/aws/cloudtrail/gaara-store-account-audit' });
    }
  });

  it('keeps the trail for the longest retention of the account and lets the trail-reader role, assumed by the auditors, read it', () => {
    baseline.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          {
            Id: 'GlacierInstantRetrievalThenExpire',
            Status: 'Enabled',
            ExpirationInDays: 731,
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
            Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }],
          },
        ],
      },
    });
    baseline.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'gaara-store-account-trail-reader',
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:role/gaara-store-security-auditor' } }],
      },
    });
    const [, key] = resourcesOf(baseline, 'AWS::KMS::Key')[0];
    const decrypt = key.Properties.KeyPolicy.Statement.find((s: { Sid: string }) => s.Sid === 'TrailLogFileDecryptByAuditors');
    // The trail reader decrypts the trail's files only through S3, only with CloudTrail's encryption context.
    expect(decrypt).toEqual({
      Sid: 'TrailLogFileDecryptByAuditors',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^TrailReaderRole[0-9A-F]{8}$/), 'Arn'] } },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:CallerAccount': '222222222222', 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
        StringLike: {
          'kms:EncryptionContext:aws:cloudtrail:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:*:222222222222:trail/*']] },
        },
      },
    });
    expect(key).toMatchObject({ DeletionPolicy: 'Retain' });
  });
});

describe('config of environments sharing an account', () => {
  it('refuses two environments of one account that each create a trail, naming the environment and field', () => {
    const create = (c: EnvironmentConfig): EnvironmentConfig => ({ ...c, audit: { ...c.audit, trail: { mode: 'create' } } });
    expect(() => validateAll([create(staging), qa])).toThrow(
      'audit.trail.mode: "create" makes a second multi-region trail and duplicate CIS alarms in an account shared by staging, qa (environments of account 222222222222); use "baseline" (one account baseline for all of them)',
    );
    expect(() => validateAll([create(staging)])).not.toThrow();
  });

  it('refuses environments of one baseline in different regions (its log group is regional)', () => {
    expect(() => validateAll([staging, { ...qa, region: 'us-east-1' }])).toThrow('Invalid configuration for environment "qa"');
  });

  it('the shipped environments make three baselines: one per account, the agnostic dev one included', () => {
    const shipped = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    buildApp(shipped);
    expect(accountBaselineStacks(shipped).map((b) => [b.stackName, b.config.envNames])).toEqual([
      ['gaara-store-account-baseline', ['dev']],
      ['gaara-store-account-baseline-222222222222', ['staging']],
      ['gaara-store-account-baseline-333333333333', ['prod']],
    ]);
  });
});
