/**
 * Bundle entry of the Redis rotator for a self-managed Redis user (REDIS_ADMIN_SECRET_ARN: ACL SETUSER through
 * the admin credential). Env: REDIS_HOST/PORT/USERNAME/TLS, REDIS_ADMIN_SECRET_ARN, PASSWORD_LENGTH,
 * PASSWORD_EXCLUDE_CHARACTERS, APP_ENVIRONMENT, METRICS_NAMESPACE; NODE_EXTRA_CA_CERTS for a private CA.
 */
import { redisRotationHandler } from './handler';

export const handler = redisRotationHandler();
