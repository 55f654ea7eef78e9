import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { buildApp } from '../../lib/app';
import { nagPacks } from '../../lib/nag';
import { synthAll } from '../support/synth';

function violationsOf(app: App): { ruleName: string; resources: string[] }[] {
  return nagPacks().flatMap((pack) =>
    pack.validateScope(app).violations.map((v) => ({
      ruleName: v.ruleName,
      resources: v.violatingResources.map((r) => `${r.templatePath}#${r.resourceLogicalId}`),
    })),
  );
}

describe('cdk-nag (AwsSolutions + NIST 800-53 rev 5)', () => {
  it('finds nothing unacknowledged in any environment', () => {
    const { app } = synthAll();
    expect(violationsOf(app)).toEqual([]);
  });

  it('canary: the same check fails when a bad resource is added', () => {
    const { app } = synthAll();
    const bad = new Stack(app, 'CanaryStack');
    new iam.ManagedPolicy(bad, 'AdminEverything', {
      statements: [new iam.PolicyStatement({ actions: ['*'], resources: ['*'] })],
    });
    new s3.Bucket(bad, 'UnencryptedBucket', { enforceSSL: false });
    const rules = violationsOf(app).map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-IAM5[Action::*]', 'AwsSolutions-S1', 'AwsSolutions-S10']));
    expect(rules.some((r) => r.startsWith('NIST.800.53.R5-IAMPolicyNoStatementsWithAdminAccess'))).toBe(true);
  });

  const freshApp = () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    buildApp(app);
    return app;
  };

  it('synth of every environment passes the packs as policy validation', () => {
    expect(() => freshApp().synth()).not.toThrow();
  });

  it('synth itself fails on an unacknowledged finding (the packs run on every synth)', () => {
    const app = freshApp();
    new s3.Bucket(new Stack(app, 'CanaryStack'), 'UnencryptedBucket');
    expect(() => app.synth()).toThrow(/AwsSolutions-S10/);
  });
});
