/**
 * What the stack configured the Redis rotator for (REDIS_*): the trust anchor. Every value the rotator reads (the
 * rotated secret's versions and the admin secret) is compared with it before any connection, and connections go
 * to the configured host, port and TLS mode only.
 */
import { RotationError } from '../rotation/errors';

export interface RedisTarget {
  host: string;
  port: number;
  username: string;
  tls: boolean;
  /** Self-managed Redis: the admin secret (REDIS_ADMIN_SECRET_ARN), the only credential that may run ACL SETUSER. */
  adminSecretArn?: string;
  /** ElastiCache RBAC user id (REDIS_ELASTICACHE_USER_ID), the only user whose passwords the function changes. */
  elastiCacheUserId?: string;
}

const bad = (variable: string, problem: string) => new RotationError('BadSecretShape', `configuration: environment variable ${variable} ${problem}`);

/** Reads and validates REDIS_*; a malformed or missing one fails at cold start naming the variable. */
export function redisTargetFromEnv(env: Record<string, string | undefined> = process.env): RedisTarget {
  const missing = ['REDIS_HOST', 'REDIS_PORT', 'REDIS_USERNAME', 'REDIS_TLS'].filter((v) => !env[v]);
  if (missing.length > 0) throw bad(missing.join(', '), `${missing.length === 1 ? 'is' : 'are'} not set: the rotator only touches the Redis user it is configured for`);
  const rawPort = env.REDIS_PORT as string;
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port < 1 || port > 65535) throw bad('REDIS_PORT', 'must be an integer port between 1 and 65535');
  if (env.REDIS_TLS !== 'true' && env.REDIS_TLS !== 'false') throw bad('REDIS_TLS', 'must be "true" or "false"');
  const admin = env.REDIS_ADMIN_SECRET_ARN || undefined;
  const userId = env.REDIS_ELASTICACHE_USER_ID || undefined;
  if ((admin === undefined) === (userId === undefined)) throw bad('REDIS_ADMIN_SECRET_ARN or REDIS_ELASTICACHE_USER_ID', 'must be set, exactly one of them');
  if (admin !== undefined && !admin.startsWith('arn:')) throw bad('REDIS_ADMIN_SECRET_ARN', 'must be a secret ARN');
  return {
    host: env.REDIS_HOST as string,
    port,
    username: env.REDIS_USERNAME as string,
    tls: env.REDIS_TLS === 'true',
    ...(admin ? { adminSecretArn: admin } : {}),
    ...(userId ? { elastiCacheUserId: userId } : {}),
  };
}
