import type { ExpectedRedisTarget } from './rotator';

/**
 * REDIS_HOST / REDIS_PORT / REDIS_USERNAME / REDIS_TLS: the Redis target the stack configured this function for.
 * Unset ones are not checked; a malformed one fails at cold start naming the variable.
 */
export function expectedTargetFromEnv(env: Record<string, string | undefined> = process.env): ExpectedRedisTarget {
  const target: ExpectedRedisTarget = {};
  if (env.REDIS_HOST) target.host = env.REDIS_HOST;
  if (env.REDIS_USERNAME) target.username = env.REDIS_USERNAME;
  if (env.REDIS_PORT) {
    const port = Number(env.REDIS_PORT);
    if (!/^\d+$/.test(env.REDIS_PORT) || port < 1 || port > 65535) throw new Error('REDIS_PORT must be an integer port between 1 and 65535');
    target.port = port;
  }
  if (env.REDIS_TLS) {
    if (env.REDIS_TLS !== 'true' && env.REDIS_TLS !== 'false') throw new Error('REDIS_TLS must be "true" or "false"');
    target.tls = env.REDIS_TLS === 'true';
  }
  return target;
}
