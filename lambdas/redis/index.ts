import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { createRotationHandler } from '../rotation/handler';
import { passwordPolicyFromEnv } from '../rotation/password';
import { createRedisRotator } from './rotator';
import { expectedTargetFromEnv } from './target-config';

/**
 * Rotates redis-password with two live passwords (ACL SETUSER through the admin credential, or ElastiCache
 * ModifyUser). Env: REDIS_HOST/PORT/USERNAME/TLS (the only target it will touch), PASSWORD_LENGTH,
 * PASSWORD_EXCLUDE_CHARACTERS, APP_ENVIRONMENT, METRICS_NAMESPACE; NODE_EXTRA_CA_CERTS for a private CA.
 */
export const handler = createRotationHandler(
  createRedisRotator({
    expected: expectedTargetFromEnv(),
    passwordPolicy: passwordPolicyFromEnv(),
    elastiCache: () => new ElastiCacheClient({ maxAttempts: 3, requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 } }),
  }),
);
