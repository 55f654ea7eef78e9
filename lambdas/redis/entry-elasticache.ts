/** Bundle entry of the Redis rotator for an ElastiCache RBAC user (REDIS_ELASTICACHE_USER_ID: ModifyUser with two passwords). */
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { awsClientSettings } from '../rotation/aws-clients';
import { elastiCachePasswords } from './elasticache-strategy';
import { redisRotationHandler } from './handler';

export const handler = redisRotationHandler(elastiCachePasswords(() => new ElastiCacheClient(awsClientSettings({ requestTimeout: 10_000 }))));
