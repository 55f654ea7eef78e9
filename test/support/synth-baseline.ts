import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { accountBaselineStacks } from '../../lib/app';
import type { AccountBaselineStack } from '../../lib/baseline/account-baseline-stack';
import type { AccountBaselineConfig } from '../../lib/config';

export interface SynthesizedBaseline {
  config: AccountBaselineConfig;
  stack: AccountBaselineStack;
  template: Template;
}

/**
 * The account baseline stacks of an app built by lib/app.ts (for example the `app` synthAll returns), with their
 * templates: buildApp adds one per account whose environments use `audit.trail.mode: "baseline"`.
 */
export function synthBaselines(app: App): SynthesizedBaseline[] {
  return accountBaselineStacks(app).map((stack) => ({ config: stack.config, stack, template: Template.fromStack(stack) }));
}
