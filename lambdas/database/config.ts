/**
 * What the stack configured this function for (env DB_*): the trust anchor. Every secret value is compared with
 * it before any connection (target.ts), and the first value of alternating users is built from it.
 */
import { DATABASE_ENGINES, DatabaseEngine } from '../../contracts/database';
import { RotationError } from '../rotation/errors';
import type { Env } from '../rotation/observability';

export const STRATEGIES = ['single-user', 'alternating-users', 'dual-password'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface DatabaseTarget {
  engine: DatabaseEngine;
  host: string;
  port: number;
  dbname: string;
  /** The base user (alternating users alternate it with `<username>_clone`). */
  username: string;
  /** false: plaintext allowed (a dev database without TLS); true: TLS verified, and no secret can turn it off. */
  tls: boolean;
  strategy: Strategy;
  /** The master secret (alternating users): the only one the function will log in with to change another user. */
  masterSecretArn?: string;
}

export type TargetField = 'engine' | 'host' | 'port' | 'dbname' | 'username' | 'tls' | 'strategy' | 'masterarn';

const ENV_VAR: Record<TargetField, string> = {
  engine: 'DB_ENGINE',
  host: 'DB_HOST',
  port: 'DB_PORT',
  dbname: 'DB_NAME',
  username: 'DB_USERNAME',
  tls: 'DB_TLS',
  strategy: 'DB_STRATEGY',
  masterarn: 'DB_MASTER_SECRET_ARN',
};

/** The environment variable that configures a target field. */
export const envVarOf = (field: TargetField): string => ENV_VAR[field];

const bad = (variable: string, problem: string) => new RotationError('BadSecretShape', `configuration: environment variable ${variable} ${problem}`);

/** Reads and validates DB_*; every required variable must be set (a function without them trusts nothing). */
export function databaseTargetFromEnv(env: Env = process.env): DatabaseTarget {
  const missing = (['engine', 'host', 'port', 'dbname', 'username', 'tls', 'strategy'] as const).map(envVarOf).filter((v) => !env[v]);
  if (missing.length > 0) throw bad(missing.join(', '), `${missing.length === 1 ? 'is' : 'are'} not set: the rotator only touches the database it is configured for`);
  const engine = env.DB_ENGINE as string;
  if (!(DATABASE_ENGINES as readonly string[]).includes(engine)) {
    throw new RotationError('UnsupportedEngine', `configuration: environment variable DB_ENGINE is not a supported engine (supported: ${DATABASE_ENGINES.join(', ')})`);
  }
  const rawPort = env.DB_PORT as string;
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port < 1 || port > 65535) throw bad('DB_PORT', 'must be a port number');
  if (env.DB_TLS !== 'true' && env.DB_TLS !== 'false') throw bad('DB_TLS', 'must be true or false');
  const strategy = env.DB_STRATEGY as string;
  if (!(STRATEGIES as readonly string[]).includes(strategy)) throw bad('DB_STRATEGY', `must be one of ${STRATEGIES.join(', ')}`);
  const master = env.DB_MASTER_SECRET_ARN;
  if (master !== undefined && master !== '' && !master.startsWith('arn:')) throw bad('DB_MASTER_SECRET_ARN', 'must be a secret ARN');
  if (strategy === 'alternating-users' && !master) throw bad('DB_MASTER_SECRET_ARN', 'is not set: alternating users need the master secret ARN');
  return {
    engine: engine as DatabaseEngine,
    host: env.DB_HOST as string,
    port,
    dbname: env.DB_NAME as string,
    username: env.DB_USERNAME as string,
    tls: env.DB_TLS === 'true',
    strategy: strategy as Strategy,
    ...(master ? { masterSecretArn: master } : {}),
  };
}
