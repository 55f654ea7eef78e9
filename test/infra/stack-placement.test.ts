/**
 * Where a stack deploys (stackPlacement, lib/config/resolve.ts): an account-bound config in its account and region
 * with its termination protection, a config without an account anywhere. The environment stacks are pinned by
 * secrets.test.ts and agnostic-env.test.ts; the account baselines here.
 */
import { App } from 'aws-cdk-lib';
import { accountBaselineStacks, buildApp } from '../../lib/app';
import { stackPlacement } from '../../lib/config/resolve';

describe('stackPlacement', () => {
  it('places an account-bound config in its account and region, with termination protection as configured', () => {
    expect(stackPlacement({ account: '333333333333', region: 'eu-west-1', terminationProtection: true })).toEqual({
      env: { account: '333333333333', region: 'eu-west-1' },
      terminationProtection: true,
    });
  });

  it('leaves a config without an account environment-agnostic', () => {
    expect(stackPlacement({ terminationProtection: false })).toEqual({ env: undefined, terminationProtection: false });
  });
});

describe('the account baselines of the shipped environments', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  buildApp(app);

  it("deploy to their environments' account and region with their termination protection; the agnostic one anywhere", () => {
    expect(accountBaselineStacks(app).map((b) => [b.stackName, b.environment, b.terminationProtection])).toEqual([
      ['gaara-store-account-baseline', 'aws://unknown-account/unknown-region', false],
      ['gaara-store-account-baseline-222222222222', 'aws://222222222222/eu-west-1', false],
      ['gaara-store-account-baseline-333333333333', 'aws://333333333333/eu-west-1', true],
    ]);
  });
});
