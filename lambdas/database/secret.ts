/**
 * Reading and building `database-url` values for the rotator: contract errors become classified RotationErrors
 * naming the version and field, and every new value is built whole (url included). The comparison with the
 * configured target is target.ts.
 */
import { buildDatabaseUrl, DatabaseSecret, engineFamily, parseDatabaseSecret, stripUndefined } from '../../contracts/database';
import { isPlaceholder, parseJsonObject } from '../../contracts/fields';
import { parseAs } from '../rotation/errors';

/** A stored database-url version, parsed by the contract; `which` names it in errors (AWSCURRENT, AWSPENDING...). */
export function parseVersion(secretString: string, which: string): DatabaseSecret {
  return parseAs(`${which} value`, () => parseDatabaseSecret(secretString));
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
