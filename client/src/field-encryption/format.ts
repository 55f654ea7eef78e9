/**
 * The field formats; gf1 here, gf2 (compact) in format-gf2.ts. The gf1 field format (docs/field-encryption.md):
 *   text   = "gf1." + base64url(bytes)            (no padding; canonical encoding required)
 *   bytes  = version(1)=0x01 | suite(1)=0x01 | edkLength(2, BE) | edk | salt(16) | iv(12) | commitment(32) | ciphertext | tag(16)
 * Everything before the ciphertext is the header; header + canonical(context) is the GCM additional data.
 */
import { FieldDecryptionError, FieldEncryptionError } from '../errors';
import { decodeFieldText } from './field-text';
import { decodeGf2, GF2_OVERHEAD_BYTES, GF2_PREFIX, gf2KeyIdOf } from './format-gf2';

export const PREFIX = 'gf1.';
export const VERSION = 0x01;
/** AES-256-GCM, keys derived with HKDF-SHA256, 32-byte key commitment. */
export const SUITE_AES256GCM_HKDF_SHA256_COMMIT = 0x01;
export const SALT_BYTES = 16;
export const IV_BYTES = 12;
export const COMMITMENT_BYTES = 32;
export const TAG_BYTES = 16;
const FIXED_BYTES = 4 + SALT_BYTES + IV_BYTES + COMMITMENT_BYTES + TAG_BYTES;

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
  const bytes = decodeFieldText(text, PREFIX, 'gf1');
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
  /** The fewest bytes a value adds to its plaintext (gf1: 81 with a 1-byte encrypted data key; gf2: 78). */
  minOverheadBytes: number;
}

export const FIELD_FORMATS: readonly FieldFormat[] = [
  { name: 'gf1', prefix: PREFIX, decode: decodeMessage, dataKeyOf: (text) => decodeMessage(text).edk.toString('base64'), minOverheadBytes: FIXED_BYTES + 1 },
  { name: 'gf2', prefix: GF2_PREFIX, decode: decodeGf2, dataKeyOf: gf2KeyIdOf, minOverheadBytes: GF2_OVERHEAD_BYTES },
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
export function canonicalContext(context: Record<string, string>, app?: string, env?: string): Buffer {
  // app and env (when given) join the caller's fields, which then must not hold them (the FieldEncryptor checks).
  const keys = Object.keys(context);
  if (app !== undefined) keys.push('app');
  if (env !== undefined) keys.push('env');
  keys.sort(); // default sort: UTF-16 code unit order
  if (keys.length > 0xffff) throw new FieldEncryptionError('context has too many entries');
  const values: string[] = new Array(keys.length);
  const lengths: number[] = new Array(2 * keys.length);
  let size = 2;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const value = key === 'app' && app !== undefined ? app : key === 'env' && env !== undefined ? env : context[key];
    if (typeof value !== 'string') throw new FieldEncryptionError(`context field "${key}" must be a string`);
    const k = Buffer.byteLength(key, 'utf8');
    const v = Buffer.byteLength(value, 'utf8');
    if (k === 0 || k > 0xffff || v > 0xffff) throw new FieldEncryptionError(`context field "${key}" is empty or too long`);
    values[i] = value;
    lengths[2 * i] = k;
    lengths[2 * i + 1] = v;
    size += 4 + k + v;
  }
  // One buffer, written in place (this runs for every value encrypted or decrypted).
  const out = Buffer.allocUnsafe(size);
  let at = out.writeUInt16BE(keys.length, 0);
  for (let i = 0; i < keys.length; i++) {
    at = out.writeUInt16BE(lengths[2 * i], at);
    at += out.write(keys[i], at, 'utf8');
    at = out.writeUInt16BE(lengths[2 * i + 1], at);
    at += out.write(values[i], at, 'utf8');
  }
  return out;
}
