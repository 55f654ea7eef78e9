/**
 * The Redis rotator's Lambda handler, configured from REDIS_*, with what its bundle entry carries: the ACL entry
 * has no ElastiCache client, the ElastiCache entry has it.
 */
import { createRotationHandler, RotationHandler } from '../rotation/handler';
import { passwordPolicyFromEnv } from '../rotation/password';
import type { ElastiCachePasswords } from './elasticache-strategy';
import { createRedisRotator } from './rotator';
import { redisTargetFromEnv } from './target-config';

export function redisRotationHandler(elastiCache?: ElastiCachePasswords): RotationHandler {
  return createRotationHandler(
    createRedisRotator({ target: redisTargetFromEnv(), passwordPolicy: passwordPolicyFromEnv(), ...(elastiCache ? { elastiCache } : {}) }),
  );
}
