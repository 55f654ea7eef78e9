import { SecretShapeError } from '../../contracts/errors';
import { optionalBoolean, optionalString, parseJsonObject, requiredPort, requiredString } from '../../contracts/fields';
import type { RedisSecret } from '../../contracts/redis';
import { RotationError } from '../rotation/errors';
import type { RedisEndpoint } from './connection';

const SHAPE = 'redis admin';

/**
 * The admin credential named by `adminarn`: {username, password} plus optional host/port/tls (e.g. the primary
 * endpoint); missing ones come from the rotated secret.
 */
export function parseAdminCredential(secretString: string, rotated: RedisSecret, secretName: string): RedisEndpoint {
  try {
    const obj = parseJsonObject(SHAPE, secretString);
    return {
      username: requiredString(SHAPE, obj, 'username'),
      password: requiredString(SHAPE, obj, 'password'),
      host: optionalString(SHAPE, obj, 'host') ?? rotated.host,
      port: obj.port === undefined || obj.port === null ? rotated.port : requiredPort(SHAPE, obj, 'port'),
      tls: optionalBoolean(SHAPE, obj, 'tls') ?? rotated.tls,
    };
  } catch (e) {
    if (e instanceof SecretShapeError) {
      throw new RotationError('BadSecretShape', `secret ${secretName}: the admin secret named by "adminarn": ${e.message}`);
    }
    throw e;
  }
}
