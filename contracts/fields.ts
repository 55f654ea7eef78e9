import { SecretShapeError } from './errors';

/** Field readers shared by every parser. Each names the field on failure and never echoes the value. */
export type JsonObject = Record<string, unknown>;

export function parseJsonObject(shape: string, input: unknown): JsonObject {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw new SecretShapeError(shape, '(root)', 'is not valid JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SecretShapeError(shape, '(root)', 'must be a JSON object');
  }
  return value as JsonObject;
}

/** `path` is how the field is named in the message when it is nested (e.g. `previous[2].key`). */
export function requiredString(shape: string, obj: JsonObject, field: string, path: string = field): string {
  const value = obj[field];
  if (value === undefined || value === null) throw new SecretShapeError(shape, path, 'is missing');
  if (typeof value !== 'string') throw new SecretShapeError(shape, path, 'must be a string');
  if (value.length === 0) throw new SecretShapeError(shape, path, 'must not be empty');
  return value;
}

export function optionalString(shape: string, obj: JsonObject, field: string): string | undefined {
  if (obj[field] === undefined || obj[field] === null) return undefined;
  return requiredString(shape, obj, field);
}

export function requiredPort(shape: string, obj: JsonObject, field: string): number {
  const raw = obj[field];
  if (raw === undefined || raw === null) throw new SecretShapeError(shape, field, 'is missing');
  // RDS secrets created by some tools store the port as a string.
  const port = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SecretShapeError(shape, field, 'must be an integer port between 1 and 65535');
  }
  return port;
}

export function optionalBoolean(shape: string, obj: JsonObject, field: string): boolean | undefined {
  const raw = obj[field];
  if (raw === undefined || raw === null) return undefined;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new SecretShapeError(shape, field, 'must be true or false');
}

export function requireSchema(shape: string, obj: JsonObject, supported: number): void {
  if (obj.schema === undefined) return; // values written before versioning are read as schema 1
  if (obj.schema !== supported) {
    throw new SecretShapeError(shape, 'schema', `must be ${supported} (this code reads schema ${supported} only)`);
  }
}

/** A value still holding its placeholder (`{"placeholder": true}`) is refused, with why it has no value yet. */
export function refusePlaceholder(shape: string, obj: JsonObject, why: string): void {
  if (obj.placeholder === true) throw new SecretShapeError(shape, 'placeholder', `is set: ${why}`);
}

export function isPlaceholder(input: unknown): boolean {
  try {
    return parseJsonObject('any', input).placeholder === true;
  } catch {
    return false;
  }
}

/**
 * The fields of `obj` that a contract does not know. Parsers keep them (`{...unknownFields, ...known}`) so a
 * rotation carries them into the next version, as the AWS templates do (`proxyHost`, a ring's `owner`...).
 * Known fields keep their strict validation and always win.
 */
export function unknownFields(obj: JsonObject, known: readonly string[]): JsonObject {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !known.includes(k)));
}
