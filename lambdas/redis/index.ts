import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { awsClientSettings } from '../rotation/aws-clients';
import { createRotationHandler } from '../rotation/handler';
import { passwordPolicyFromEnv } from '../rotation/password';
import { createRedisRotator } from './rotator';
import { redisTargetFromEnv } from './target-config';

/**
 * Rotates redis-password with two live passwords (ACL SETUSER through the admin credential, or ElastiCache
 * ModifyUser). Env: REDIS_HOST/PORT/USERNAME/TLS and REDIS_ADMIN_SECRET_ARN or REDIS_ELASTICACHE_USER_ID (the only
 * target and credential it will use), PASSWORD_LENGTH,
 * PASSWORD_EXCLUDE_CHARACTERS, APP_ENVIRONMENT, METRICS_NAMESPACE; NODE_EXTRA_CA_CERTS for a private CA.
 */
export const handler = createRotationHandler(
  createRedisRotator({
    target: redisTargetFromEnv(),
    passwordPolicy: passwordPolicyFromEnv(),
    elastiCache: () => new ElastiCacheClient(awsClientSettings({ requestTimeout: 10_000 })),
  }),
);
