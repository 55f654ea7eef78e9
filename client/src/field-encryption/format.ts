/**
 * The gf1 field format (docs/field-encryption.md):
 *   text   = "gf1." + base64url(bytes)            (no padding; canonical encoding required)
 *   bytes  = version(1)=0x01 | suite(1)=0x01 | edkLength(2, BE) | edk | salt(16) | iv(12) | commitment(32) | ciphertext | tag(16)
 * Everything before the ciphertext is the header; header + canonical(context) is the GCM additional data.
 */
import { FieldDecryptionError, FieldEncryptionError } from '../errors';

export const PREFIX = 'gf1.';
export const VERSION = 0x01;
/** AES-256-GCM, keys derived with HKDF-SHA256, 32-byte key commitment. */
export const SUITE_AES256GCM_HKDF_SHA256_COMMIT = 0x01;
export const SALT_BYTES = 16;
export const IV_BYTES = 12;
export const COMMITMENT_BYTES = 32;
export const TAG_BYTES = 16;
const FIXED_BYTES = 4 + SALT_BYTES + IV_BYTES + COMMITMENT_BYTES + TAG_BYTES;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export interface FieldMessage {
  edk: Buffer;
  salt: Buffer;
  iv: Buffer;
  commitment: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
  /** version..commitment: authenticated as part of the additional data. */
  header: Buffer;
}

export function buildHeader(edk: Buffer, salt: Buffer, iv: Buffer, commitment: Buffer): Buffer {
  if (edk.length === 0 || edk.length > 0xffff) throw new FieldEncryptionError('encrypted data key must be 1..65535 bytes');
  const head = Buffer.alloc(4);
  head.writeUInt8(VERSION, 0);
  head.writeUInt8(SUITE_AES256GCM_HKDF_SHA256_COMMIT, 1);
  head.writeUInt16BE(edk.length, 2);
  return Buffer.concat([head, edk, salt, iv, commitment]);
}

export function encodeMessage(header: Buffer, ciphertext: Buffer, tag: Buffer): string {
  return PREFIX + Buffer.concat([header, ciphertext, tag]).toString('base64url');
}

export function decodeMessage(text: string): FieldMessage {
  if (typeof text !== 'string' || !text.startsWith(PREFIX)) throw new FieldDecryptionError('not a gf1 field ciphertext (missing "gf1." prefix)');
  const body = text.slice(PREFIX.length);
  if (!BASE64URL.test(body)) throw new FieldDecryptionError('gf1 field ciphertext is not base64url');
  const bytes = Buffer.from(body, 'base64url');
  // Node ignores unused trailing bits: demand the canonical spelling so every text change is a byte change.
  if (bytes.toString('base64url') !== body) throw new FieldDecryptionError('gf1 field ciphertext is not canonical base64url');
  if (bytes.length < FIXED_BYTES + 1) throw new FieldDecryptionError('gf1 field ciphertext is truncated');
  if (bytes[0] !== VERSION) throw new FieldDecryptionError(`gf1 field ciphertext has unsupported version ${bytes[0]}`);
  if (bytes[1] !== SUITE_AES256GCM_HKDF_SHA256_COMMIT) throw new FieldDecryptionError(`gf1 field ciphertext has unsupported suite ${bytes[1]}`);
  const edkLength = bytes.readUInt16BE(2);
  if (edkLength === 0 || bytes.length < FIXED_BYTES + edkLength) throw new FieldDecryptionError('gf1 field ciphertext is truncated');
  let at = 4;
  const take = (n: number) => bytes.subarray(at, (at += n));
  const edk = take(edkLength);
  const salt = take(SALT_BYTES);
  const iv = take(IV_BYTES);
  const commitment = take(COMMITMENT_BYTES);
  const header = bytes.subarray(0, at);
  const ciphertext = bytes.subarray(at, bytes.length - TAG_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  return { edk, salt, iv, commitment, ciphertext, tag, header };
}

/**
 * The field formats this client reads, by prefix. A value is "in a field format" when its prefix matches and it
 * decodes structurally (prefix, canonical base64url, version, suite, lengths); it may still fail to decrypt.
 * A new format (e.g. a compact one) adds an entry here; the migration and re-keying recognize it through this list.
 */
export interface FieldFormat {
  name: string;
  prefix: string;
  /** Throws FieldDecryptionError when the text is not a well-formed value of this format. */
  decode: (text: string) => unknown;
  /** A stable id of the (encrypted) data key the value is under, to group values by key without KMS. */
  dataKeyOf: (text: string) => string;
}

export const FIELD_FORMATS: readonly FieldFormat[] = [
  { name: 'gf1', prefix: PREFIX, decode: decodeMessage, dataKeyOf: (text) => decodeMessage(text).edk.toString('base64') },
];

/** The name of the field format `text` is in, or undefined for anything else (plaintext, or a malformed look-alike). */
export function fieldFormatOf(text: unknown): string | undefined {
  return recognizedFormat(text)?.name;
}

export function recognizedFormat(text: unknown): FieldFormat | undefined {
  if (typeof text !== 'string') return undefined;
  for (const format of FIELD_FORMATS) {
    if (!text.startsWith(format.prefix)) continue;
    try {
      format.decode(text);
      return format;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Fields that identify where a value lives; table and column are required. All values are strings. */
export interface FieldContext {
  table: string;
  column: string;
  [key: string]: string;
}

/**
 * Canonical bytes of the full context: count(2) then, sorted by key, keyLength(2) key valueLength(2) value (UTF-8).
 * Length prefixes keep {a:"bc"} and {ab:"c"} apart.
 */
export function canonicalContext(context: Record<string, string>): Buffer {
  const entries = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length > 0xffff) throw new FieldEncryptionError('context has too many entries');
  const parts: Buffer[] = [u16(entries.length)];
  for (const [key, value] of entries) {
    if (typeof value !== 'string') throw new FieldEncryptionError(`context field "${key}" must be a string`);
    const k = Buffer.from(key, 'utf8');
    const v = Buffer.from(value, 'utf8');
    if (k.length === 0 || k.length > 0xffff || v.length > 0xffff) throw new FieldEncryptionError(`context field "${key}" is empty or too long`);
    parts.push(u16(k.length), k, u16(v.length), v);
  }
  return Buffer.concat(parts);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
