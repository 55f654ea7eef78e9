import { optionalBoolean, optionalString, parseJsonObject, requiredPort, requiredString } from '../../contracts/fields';
import { parseAs, RotationError } from '../rotation/errors';
import type { RedisEndpoint } from './connection';
import type { RedisTarget } from './target-config';

const SHAPE = 'redis admin';

const mismatch = (field: string, variable: string, problem = 'does not match the Redis target this function is configured for') =>
  new RotationError('TargetMismatch', `the admin secret (REDIS_ADMIN_SECRET_ARN) field "${field}" ${problem} (${variable}); nothing was changed`);

/**
 * The admin credential: {username, password}, and optionally host/port/tls, which must then name the
 * configured target: the admin password goes to the configured endpoint only, over the configured TLS.
 */
export function parseAdminCredential(secretString: string, target: RedisTarget): RedisEndpoint {
  const admin = parseAs('the admin secret (REDIS_ADMIN_SECRET_ARN)', () => {
    const obj = parseJsonObject(SHAPE, secretString);
    return {
      username: requiredString(SHAPE, obj, 'username'),
      password: requiredString(SHAPE, obj, 'password'),
      host: optionalString(SHAPE, obj, 'host'),
      port: obj.port === undefined || obj.port === null ? undefined : requiredPort(SHAPE, obj, 'port'),
      tls: optionalBoolean(SHAPE, obj, 'tls'),
    };
  });
  if (admin.host !== undefined && admin.host.toLowerCase() !== target.host.toLowerCase()) throw mismatch('host', 'REDIS_HOST');
  if (admin.port !== undefined && admin.port !== target.port) throw mismatch('port', 'REDIS_PORT');
  if (target.tls && admin.tls === false) throw mismatch('tls', 'REDIS_TLS', 'asks for plaintext but the function is configured for verified TLS');
  return { host: target.host, port: target.port, tls: target.tls, username: admin.username, password: admin.password };
}
