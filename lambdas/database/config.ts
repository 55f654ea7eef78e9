/**
 * What the stack configured this function for (env DB_*, defined in contracts/function-env.ts): the trust anchor.
 * Every secret value is compared with it before any connection (target.ts), and the first value of alternating
 * users is built from it.
 */
import { DATABASE_ROTATOR_ENV, DATABASE_STRATEGIES, DatabaseRotatorEnv, DatabaseStrategyName, readEnv } from '../../contracts/function-env';
import type { Env } from '../rotation/observability';

export const STRATEGIES = DATABASE_STRATEGIES;
export type Strategy = DatabaseStrategyName;

/** The configured database; `masterSecretArn` is the only master credential the function will use. */
export type DatabaseTarget = Omit<DatabaseRotatorEnv, 'masterSecretArn'> & { masterSecretArn?: string };

export type TargetField = 'engine' | 'host' | 'port' | 'dbname' | 'username' | 'tls' | 'strategy' | 'masterarn';

/** The environment variable that configures a target field. */
export const envVarOf = (field: TargetField): string => DATABASE_ROTATOR_ENV.variables[field === 'masterarn' ? 'masterSecretArn' : field].name;

/** Reads and validates DB_*; every required variable must be set (a function without them trusts nothing). */
export function databaseTargetFromEnv(env: Env = process.env): DatabaseTarget {
  const { masterSecretArn, ...target } = readEnv(DATABASE_ROTATOR_ENV, env);
  return masterSecretArn ? { ...target, masterSecretArn } : target;
}
