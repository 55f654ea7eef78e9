/**
 * Reading and building `database-url` values for the rotator: contract errors become classified RotationErrors
 * naming the version and field, and every new value is built whole (url included). The comparison with the
 * configured target is target.ts.
 */
import { SecretShapeError } from '../../contracts/errors';
import { buildDatabaseUrl, DatabaseSecret, engineFamily, parseDatabaseSecret, stripUndefined } from '../../contracts/database';
import { isPlaceholder, parseJsonObject } from '../../contracts/fields';
import { RotationError } from '../rotation/errors';

export function parseVersion(secretString: string, secretName: string, which: string): DatabaseSecret {
  try {
    return parseDatabaseSecret(secretString);
  } catch (e) {
    if (e instanceof SecretShapeError) {
      const errorClass = e.field === 'placeholder' ? 'Placeholder' : e.field === 'engine' ? 'UnsupportedEngine' : 'BadSecretShape';
      throw new RotationError(errorClass, `secret ${secretName}: ${which} value: ${e.message}`);
    }
    throw e;
  }
}

export { isPlaceholder };

/** `masterarn` carried by a placeholder (it may be seeded with it), if any. */
export function placeholderMasterArn(secretString: string): string | undefined {
  const value = parseJsonObject('database-url', secretString).masterarn;
  return typeof value === 'string' && value.startsWith('arn:') ? value : undefined;
}

export function withPassword(base: Omit<DatabaseSecret, 'url' | 'password'>, password: string, username = base.username): DatabaseSecret {
  const value = stripUndefined({ ...base, username, password });
  return { ...value, schema: 1, url: buildDatabaseUrl(value) };
}

export const sameFamily = (a: DatabaseSecret, b: { engine: DatabaseSecret['engine'] }) => engineFamily(a.engine) === engineFamily(b.engine);
