/**
 * What every command needs: the environment config (same loader and validation as `cdk synth`), the secrets of the
 * environment (from contracts/ catalog), an AWS client with the SDK's normal credential chain, and role names.
 * Imports no aws-cdk-lib: lib/config is plain data and validation.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CATALOG, type CatalogEntry, type SecretName, secretId } from '../contracts/catalog';
import { ConfigError, ENVIRONMENTS, type EnvironmentConfig, type EnvironmentInput, rotationDays, validateEnvironment } from '../lib/config';
import { environmentsFromJsonFile } from '../lib/config/json-file';
import { awsClient } from './aws';
import { CliError, EXIT } from './errors';

export interface GlobalOptions {
  env?: string;
  app?: string;
  region?: string;
  profile?: string;
  config?: string;
  json?: boolean;
}

export interface EnvSecret {
  entry: CatalogEntry;
  name: SecretName;
  /** `<app>/<env>/<name>` */
  id: string;
  /** Effective rotation period / maximum age (config overrides catalog), as the stack gives the age function. */
  maxAgeDays: number;
}

export interface Context {
  opts: GlobalOptions;
  config: EnvironmentConfig;
  app: string;
  env: string;
  region: string | undefined;
  secrets: EnvSecret[];
  sm: SecretsManagerClient;
  operatorRole: string;
  breakGlassRole: string;
}

/** Reads --config with the loader `cdk synth -c config=…` uses (lib/config/json-file.ts); each entry is validated like synth. */
function loadConfigFile(path: string): EnvironmentInput[] {
  try {
    return environmentsFromJsonFile(path);
  } catch (e) {
    const problem = e instanceof ConfigError ? `${e.problems.join('; ')}` : (e as Error).message.replace(/^-c config=[^:]*: /, '');
    throw new CliError(EXIT.config, `--config ${path}: ${problem}`);
  }
}

export function loadEnvironment(opts: GlobalOptions): EnvironmentConfig {
  const envs: EnvironmentInput[] = opts.config ? loadConfigFile(opts.config) : [...ENVIRONMENTS];
  const names = envs.map((e) => e.envName);
  if (!opts.env) throw new CliError(EXIT.usage, `--env is required: one of ${names.join(', ')}`);
  const found = envs.find((e) => e.envName === opts.env);
  if (!found)
    throw new CliError(
      EXIT.config,
      `unknown environment "${opts.env}": known environments are ${names.join(', ')}${opts.config ? ` (from ${opts.config})` : ' (lib/config; pass --config FILE for another file)'}`,
    );
  try {
    return validateEnvironment(found);
  } catch (e) {
    if (e instanceof ConfigError)
      throw new CliError(EXIT.config, `environment "${opts.env}" is invalid (the same check fails cdk synth): ${e.problems.join('; ')}`);
    throw e;
  }
}

/** Role names follow the stack: `<app>-<env>-operator` (to be added to the stack) and the configured break-glass role. */
export function createContext(opts: GlobalOptions): Context {
  const config = loadEnvironment(opts);
  const app = opts.app ?? config.appName;
  const env = config.envName;
  const region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? config.region;
  if (!region) throw new CliError(EXIT.usage, `no AWS region for environment "${env}" (its config has none): pass --region or set AWS_REGION`);
  const secrets = CATALOG.map((entry) => ({ entry, name: entry.name, id: secretId(app, env, entry.name), maxAgeDays: rotationDays(config, entry) }));
  const sm = awsClient({ region, opts }, SecretsManagerClient);
  return {
    opts,
    config,
    app,
    env,
    region,
    secrets,
    sm,
    operatorRole: `the operator role (${app}-${env}-operator)`,
    breakGlassRole: `the break-glass role (${config.breakGlassRoleArn.replace(/^.*:role\//, '')})`,
  };
}

/** A secret by catalog name (`jwt-secret`) or full name (`gaara-store/dev/jwt-secret`). */
export function findSecret(ctx: Context, name: string): EnvSecret {
  const s = ctx.secrets.find((x) => x.name === name || x.id === name);
  if (!s) throw new CliError(EXIT.notFound, `unknown secret "${name}" in ${ctx.app}/${ctx.env}: one of ${ctx.secrets.map((x) => x.name).join(', ')}`);
  return s;
}
