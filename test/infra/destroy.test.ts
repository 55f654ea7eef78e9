/**
 * `cdk destroy` of a non-production environment must end in DELETE_COMPLETE: nothing CloudFormation cannot delete
 * is left with DeletionPolicy Delete. Versioned buckets with objects cannot be deleted, and emptying the audit
 * buckets at destroy would erase audit evidence, so they (and the ops key that encrypts their files) are retained.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { accountBaselineStacks } from '../../lib/app';
import { ENVIRONMENTS, type EnvironmentConfig } from '../../lib/config';
import { resourcesOf, synthAll } from '../support/synth';

const { app, results } = synthAll();
// The trail's buckets live in the account baseline (issue #10 item 10), or in an environment in `create` mode.
const dev = ENVIRONMENTS.find((e) => e.envName === 'dev') as EnvironmentConfig;
const [devCreate] = synthAll([{ ...dev, audit: { ...dev.audit, trail: { mode: 'create' } } }]).results;
const owners = [
  ...accountBaselineStacks(app)
    .filter((b) => !b.config.production)
    .map((b) => [b.stackName, Template.fromStack(b)] as const),
  ['dev in create mode', devCreate.template] as const,
];

describe.each(owners)('cdk destroy of the trail owner %s', (_name, template) => {
  it('retains the trail bucket and its access-log bucket (never emptied by a stack deletion)', () => {
    const buckets = resourcesOf(template, 'AWS::S3::Bucket');
    expect(buckets.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['AuditAccessLogBucket', 'AuditTrailBucket']);
    for (const [, b] of buckets) expect(b).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('has no custom resource that empties buckets', () => {
    expect(JSON.stringify(template.toJSON())).not.toMatch(/AutoDeleteObjects/);
  });
});

describe('cdk destroy of the account baselines of dev and staging', () => {
  it('retains only the trail key and the two buckets', () => {
    for (const b of accountBaselineStacks(app).filter((s) => !s.config.production)) {
      const resources = Object.values(Template.fromStack(b).toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>);
      expect(
        resources
          .filter((r) => r.DeletionPolicy === 'Retain')
          .map((r) => r.Type)
          .sort(),
      ).toEqual(['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::S3::Bucket']);
    }
  });
});

describe.each(results.filter((r) => r.config.envName !== 'prod').map((r) => [r.config.envName, r] as const))('cdk destroy of %s', (_env, { template }) => {
  it('has no bucket: the trail is in the account baseline', () => {
    expect(resourcesOf(template, 'AWS::S3::Bucket')).toEqual([]);
  });

  it('has no custom resource that empties buckets', () => {
    expect(JSON.stringify(template.toJSON())).not.toMatch(/AutoDeleteObjects/);
  });

  it('retains the ops key (the retained trail files stay readable); deletes the secrets and data keys after 30 days', () => {
    const keys = Object.fromEntries(
      resourcesOf(template, 'AWS::KMS::Key').map(([id, k]) => [id.replace(/[0-9A-F]{8}$/, ''), [k.DeletionPolicy, k.Properties.PendingWindowInDays]]),
    );
    expect(keys).toEqual({ KeysSecretsKey: ['Delete', 30], KeysDataKey: ['Delete', 30], KeysOpsKey: ['Retain', 30] });
  });

  it('deletes everything else (secrets, log groups): DeletionPolicy Delete or none', () => {
    const resources = Object.entries(template.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>);
    const retained = resources
      .filter(([, r]) => r.DeletionPolicy === 'Retain')
      .map(([, r]) => r.Type)
      .sort();
    expect(retained).toEqual(['AWS::KMS::Key']);
  });
});
