import { App } from 'aws-cdk-lib';
import { ENVIRONMENTS, EnvironmentConfig, validateAll } from './config';
import { environmentsFromJsonFile } from './config/json-file';
import { enableNag } from './nag';
import { SecretsStack, stackName } from './stack';

/**
 * Builds the app: every environment by default, or only the one named by `-c env=<name>`. The environments are
 * lib/config/environments.ts, or the JSON file named by `-c config=<file>`. Config is validated before any construct
 * exists, so a bad value fails synth with the environment, field and problem.
 */
export function buildApp(app: App, environments?: readonly EnvironmentConfig[]): SecretsStack[] {
  const file = app.node.tryGetContext('config') as string | undefined;
  const source = environments ?? (file !== undefined ? environmentsFromJsonFile(file) : ENVIRONMENTS);
  const configs = validateAll(source);
  const only = app.node.tryGetContext('env') as string | undefined;
  if (only !== undefined && !configs.some((c) => c.envName === only)) {
    throw new Error(`Unknown environment "${only}" in -c env=${only}: known environments are ${configs.map((c) => c.envName).join(', ')}`);
  }
  enableNag(app);
  return configs
    .filter((c) => only === undefined || c.envName === only)
    .map((config) => new SecretsStack(app, stackName(config), { config }));
}
