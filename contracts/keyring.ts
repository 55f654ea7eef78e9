import { SecretShapeError } from './errors';
import { JsonObject, parseJsonObject, refusePlaceholder, requiredString, requireSchema, unknownFields } from './fields';

export interface RingKey {
  kid: string;
  /** base64url key material */
  key: string;
  createdAt: string;
}

export interface RetiredKey extends RingKey {
  retiredAt: string;
}

export interface KeyRing {
  schema: 1;
  current: RingKey;
  previous: RetiredKey[];
}

export const DEFAULT_KEY_BYTES = 32;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function parseRingKey(shape: string, obj: unknown, path: string, retired: boolean, minKeyBytes: number): RetiredKey | RingKey {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new SecretShapeError(shape, path, 'must be an object');
  }
  const o = obj as JsonObject;
  const field = (name: string) => requiredString(shape, o, name, `${path}.${name}`);
  const kid = field('kid');
  const key = field('key');
  if (!BASE64URL.test(key)) throw new SecretShapeError(shape, `${path}.key`, 'must be base64url');
  if (Buffer.from(key, 'base64url').length < minKeyBytes) {
    throw new SecretShapeError(shape, `${path}.key`, `must hold at least ${minKeyBytes} bytes`);
  }
  const createdAt = field('createdAt');
  if (Number.isNaN(Date.parse(createdAt))) throw new SecretShapeError(shape, `${path}.createdAt`, 'must be an ISO-8601 date');
  // A key's own fields the contract does not know (`alg`...) stay with the key; retiredAt is always re-read.
  const extra = unknownFields(o, ['kid', 'key', 'createdAt', 'retiredAt']);
  if (!retired) return { ...extra, kid, key, createdAt };
  const retiredAt = field('retiredAt');
  if (Number.isNaN(Date.parse(retiredAt))) throw new SecretShapeError(shape, `${path}.retiredAt`, 'must be an ISO-8601 date');
  return { ...extra, kid, key, createdAt, retiredAt };
}

export interface KeyRingParseOptions {
  /** Name used in messages, e.g. `jwt-secret`. */
  shape?: string;
  minKeyBytes?: number;
  /** The catalog's bound on the number of previous keys. */
  maxPrevious?: number;
}

export function parseKeyRing(input: unknown, options: KeyRingParseOptions = {}): KeyRing {
  const shape = options.shape ?? 'key ring';
  const minKeyBytes = options.minKeyBytes ?? DEFAULT_KEY_BYTES;
  const obj = parseJsonObject(shape, input);
  refusePlaceholder(shape, obj, 'the ring has not been created yet (the first rotation creates it)');
  if (obj.schema === undefined) throw new SecretShapeError(shape, 'schema', 'is missing');
  requireSchema(shape, obj, 1);
  const current = parseRingKey(shape, obj.current, 'current', false, minKeyBytes) as RingKey;
  if (!Array.isArray(obj.previous)) throw new SecretShapeError(shape, 'previous', 'must be an array');
  const previous = obj.previous.map((p, i) => parseRingKey(shape, p, `previous[${i}]`, true, minKeyBytes) as RetiredKey);
  if (options.maxPrevious !== undefined && previous.length > options.maxPrevious) {
    throw new SecretShapeError(shape, 'previous', `holds more than the ${options.maxPrevious} keys allowed`);
  }
  const seen = new Set<string>();
  [current, ...previous].forEach((k, i) => {
    if (seen.has(k.kid)) throw new SecretShapeError(shape, i === 0 ? 'current.kid' : `previous[${i - 1}].kid`, 'is not unique in the ring');
    seen.add(k.kid);
  });
  return { ...unknownFields(obj, ['schema', 'current', 'previous']), schema: 1, current, previous };
}

/** Every key that may still verify or decrypt, current first. */
export function ringKeys(ring: KeyRing): RingKey[] {
  return [ring.current, ...ring.previous];
}
