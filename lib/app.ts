import { App } from 'aws-cdk-lib';
import { AccountBaselineStack } from './baseline/account-baseline-stack';
import { accountBaselines, accountKey, ENVIRONMENTS, EnvironmentInput, validateAll } from './config';
import { environmentsFromJsonFile } from './config/json-file';
import { enableNag } from './nag';
import { SecretsStack, stackName } from './stack';

/**
 * Builds the app: every environment by default, or only the one named by `-c env=<name>`, each with the account
 * baseline it uses (lib/baseline: one per account, deployed before its environments). The environments are
 * lib/config/environments.ts, or the JSON file named by `-c config=<file>`. Config is validated before any construct
 * exists, so a bad value fails synth with the environment, field and problem. Returns the environment stacks; the
 * baselines are in `app` (accountBaselineStacks).
 */
export function buildApp(app: App, environments?: readonly EnvironmentInput[]): SecretsStack[] {
  const file = app.node.tryGetContext('config') as string | undefined;
  const source = environments ?? (file !== undefined ? environmentsFromJsonFile(file) : ENVIRONMENTS);
  const configs = validateAll(source);
  const only = app.node.tryGetContext('env') as string | undefined;
  if (only !== undefined && !configs.some((c) => c.envName === only)) {
    throw new Error(`Unknown environment "${only}" in -c env=${only}: known environments are ${configs.map((c) => c.envName).join(', ')}`);
  }
  enableNag(app);
  const selected = configs.filter((c) => only === undefined || c.envName === only);
  const baselines = accountBaselines(configs)
    .filter((b) => selected.some((c) => b.envNames.includes(c.envName)))
    .map((config) => new AccountBaselineStack(app, config.stackName, { config }));
  return selected.map((config) => {
    const stack = new SecretsStack(app, stackName(config), { config });
    // Deploy order only (`cdk deploy --all` deploys the baseline first); nothing is exported or imported.
    const baseline = baselines.find((b) => b.config.appName === config.appName && b.config.envNames.includes(config.envName));
    if (baseline) stack.addStackDependency(baseline, `the trail log group of ${accountKey(config)} (audit.trail.mode "baseline")`);
    return stack;
  });
}

/** The account baseline stacks buildApp added to the app. */
export function accountBaselineStacks(app: App): AccountBaselineStack[] {
  return app.node.children.filter((c): c is AccountBaselineStack => c instanceof AccountBaselineStack);
}
