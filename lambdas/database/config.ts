/**
 * What the stack configured this function for (env DB_*). Used to refuse a secret that points elsewhere and to
 * build the first value when AWSCURRENT is still the deploy-time placeholder (alternating users).
 */
import { DATABASE_ENGINES, DatabaseEngine } from '../../contracts/database';
import { RotationError } from '../rotation/errors';
import type { Env } from '../rotation/observability';

export const STRATEGIES = ['single-user', 'alternating-users', 'dual-password'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface DatabaseTarget {
  engine?: DatabaseEngine;
  host?: string;
  port?: number;
  dbname?: string;
  /** The base user (alternating users alternate it with `<username>_clone`). */
  username?: string;
  /** false: plaintext allowed (a dev database without TLS); true or unset: TLS verified. */
  tls?: boolean;
  strategy?: Strategy;
  /** Master secret ARN for alternating users when the placeholder does not carry `masterarn`. */
  masterSecretArn?: string;
}

/** The environment variable that configures a target field. */
export const envVarOf = (field: 'engine' | 'host' | 'port' | 'dbname' | 'username'): string => `DB_${field === 'dbname' ? 'NAME' : field.toUpperCase()}`;

const bad = (variable: string, problem: string) => new RotationError('BadSecretShape', `configuration: environment variable ${variable} ${problem}`);

export function databaseTargetFromEnv(env: Env = process.env): DatabaseTarget {
  const target: DatabaseTarget = {};
  const engine = env.DB_ENGINE;
  if (engine) {
    if (!(DATABASE_ENGINES as readonly string[]).includes(engine)) {
      throw new RotationError('UnsupportedEngine', `configuration: environment variable DB_ENGINE is not a supported engine (supported: ${DATABASE_ENGINES.join(', ')})`);
    }
    target.engine = engine as DatabaseEngine;
  }
  if (env.DB_HOST) target.host = env.DB_HOST;
  if (env.DB_PORT) {
    const port = Number(env.DB_PORT);
    if (!/^\d+$/.test(env.DB_PORT) || port < 1 || port > 65535) throw bad('DB_PORT', 'must be a port number');
    target.port = port;
  }
  if (env.DB_NAME) target.dbname = env.DB_NAME;
  if (env.DB_USERNAME) target.username = env.DB_USERNAME;
  if (env.DB_TLS) {
    if (env.DB_TLS !== 'true' && env.DB_TLS !== 'false') throw bad('DB_TLS', 'must be true or false');
    target.tls = env.DB_TLS === 'true';
  }
  if (env.DB_STRATEGY) {
    if (!(STRATEGIES as readonly string[]).includes(env.DB_STRATEGY)) throw bad('DB_STRATEGY', `must be one of ${STRATEGIES.join(', ')}`);
    target.strategy = env.DB_STRATEGY as Strategy;
  }
  if (env.DB_MASTER_SECRET_ARN) {
    if (!env.DB_MASTER_SECRET_ARN.startsWith('arn:')) throw bad('DB_MASTER_SECRET_ARN', 'must be a secret ARN');
    target.masterSecretArn = env.DB_MASTER_SECRET_ARN;
  }
  return target;
}
