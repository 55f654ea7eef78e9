/**
 * What the stack configured the Redis rotator for (REDIS_*, defined in contracts/function-env.ts): the trust
 * anchor. Every value the rotator reads (the rotated secret's versions and the admin secret) is compared with it
 * before any connection, and connections go to the configured host, port and TLS mode only.
 */
import { readEnv, REDIS_ROTATOR_ENV, RedisRotatorEnv } from '../../contracts/function-env';

/**
 * `adminSecretArn`: self-managed Redis, the only credential that may run ACL SETUSER; `elastiCacheUserId`: the
 * only ElastiCache user whose passwords the function changes. Exactly one of them.
 */
export type RedisTarget = Omit<RedisRotatorEnv, 'adminSecretArn' | 'elastiCacheUserId'> & { adminSecretArn?: string; elastiCacheUserId?: string };

/** Reads and validates REDIS_*; a malformed or missing one fails at cold start naming the variable. */
export function redisTargetFromEnv(env: Record<string, string | undefined> = process.env): RedisTarget {
  const { adminSecretArn, elastiCacheUserId, ...target } = readEnv(REDIS_ROTATOR_ENV, env);
  return { ...target, ...(adminSecretArn ? { adminSecretArn } : {}), ...(elastiCacheUserId ? { elastiCacheUserId } : {}) };
}
