/**
 * Reading and building `database-url` values for the rotator: contract errors become classified RotationErrors
 * naming the version and field, a secret that points somewhere the function was not configured for is refused,
 * and every new value is built whole (url included).
 */
import { SecretShapeError } from '../../contracts/errors';
import { buildDatabaseUrl, DatabaseSecret, engineFamily, parseDatabaseSecret, stripUndefined } from '../../contracts/database';
import { isPlaceholder, parseJsonObject } from '../../contracts/fields';
import { RotationError } from '../rotation/errors';
import { DatabaseTarget, envVarOf } from './config';
import type { DbEndpoint } from './driver';

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

export const endpointOf = (s: DatabaseSecret): DbEndpoint =>
  stripUndefined({ engine: s.engine, host: s.host, port: s.port, username: s.username, password: s.password, dbname: s.dbname, ssl: s.ssl });

const CHECKED = ['engine', 'host', 'port', 'dbname'] as const;

/** Refuses a value whose target differs from the configured one, or that asks for plaintext where TLS is configured. */
export function checkTarget(value: DatabaseSecret, target: DatabaseTarget, secretName: string, which: string): void {
  for (const field of CHECKED) {
    const want = target[field];
    if (want !== undefined && value[field] !== want) {
      throw new RotationError('InvalidState', `secret ${secretName}: ${which} field "${field}" does not match the database this function is configured for (${envVarOf(field)})`);
    }
  }
  if (target.tls === true && value.ssl === false) {
    throw new RotationError('InvalidState', `secret ${secretName}: ${which} asks for plaintext ("ssl": false) but the function is configured for TLS (DB_TLS=true)`);
  }
}

/** Only the password (and with alternating users the user name) may differ between two versions. */
export function checkSameTarget(a: DatabaseSecret, b: DatabaseSecret, secretName: string, what: string, fields: readonly (keyof DatabaseSecret)[]): void {
  for (const field of fields) {
    if (a[field] !== b[field]) throw new RotationError('InvalidState', `secret ${secretName}: ${what}: field "${String(field)}" differs`);
  }
}

export const sameFamily = (a: DatabaseSecret, b: { engine: DatabaseSecret['engine'] }) => engineFamily(a.engine) === engineFamily(b.engine);
