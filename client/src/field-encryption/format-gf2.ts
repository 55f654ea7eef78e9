/**
 * The gf2 field format, compact (docs/field-encryption.md): the value names its key by a 16-byte id in a key store
 * (FieldKeyStore) instead of carrying the KMS-encrypted data key.
 *   text   = "gf2." + base64url(bytes)            (no padding; canonical encoding required)
 *   bytes  = version(1)=0x02 | suite(1)=0x02 | keyId(16) | commitment(32) | iv(12) | ciphertext | tag(16)
 * Everything before the ciphertext is the header; header + canonical(context) is the GCM additional data.
 */
import { FieldDecryptionError } from '../errors';
import { decodeFieldText } from './field-text';

export const GF2_PREFIX = 'gf2.';
export const GF2_VERSION = 0x02;
/** AES-256-GCM under a key derived once per stored key with HKDF-SHA256 (salt: the key id), 32-byte key commitment. */
export const SUITE_GF2 = 0x02;
export const KEY_ID_BYTES = 16;
export const GF2_COMMITMENT_BYTES = 32;
export const GF2_IV_BYTES = 12;
export const GF2_TAG_BYTES = 16;
export const GF2_HEADER_BYTES = 2 + KEY_ID_BYTES + GF2_COMMITMENT_BYTES + GF2_IV_BYTES;
/** Bytes a value adds to its plaintext: 78. */
export const GF2_OVERHEAD_BYTES = GF2_HEADER_BYTES + GF2_TAG_BYTES;
const IV_AT = 2 + KEY_ID_BYTES + GF2_COMMITMENT_BYTES;

export interface Gf2Message {
  keyId: Buffer;
  commitment: Buffer;
  iv: Buffer;
  /** version..iv: authenticated as part of the additional data. */
  header: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** The fixed part of every header under one key: version, suite, key id, commitment (the IV follows). */
export function gf2KeyHeader(keyId: Buffer, commitment: Buffer): Buffer {
  if (keyId.length !== KEY_ID_BYTES || commitment.length !== GF2_COMMITMENT_BYTES) throw new RangeError('gf2 key id must be 16 bytes and commitment 32');
  return Buffer.concat([Buffer.from([GF2_VERSION, SUITE_GF2]), keyId, commitment]);
}

export function decodeGf2(text: string): Gf2Message {
  const bytes = decodeFieldText(text, GF2_PREFIX, 'gf2');
  if (bytes.length < GF2_OVERHEAD_BYTES) throw new FieldDecryptionError('gf2 field ciphertext is truncated');
  if (bytes[0] !== GF2_VERSION) throw new FieldDecryptionError(`gf2 field ciphertext has unsupported version ${bytes[0]}`);
  if (bytes[1] !== SUITE_GF2) throw new FieldDecryptionError(`gf2 field ciphertext has unsupported suite ${bytes[1]}`);
  return {
    keyId: bytes.subarray(2, 2 + KEY_ID_BYTES),
    commitment: bytes.subarray(2 + KEY_ID_BYTES, IV_AT),
    iv: bytes.subarray(IV_AT, GF2_HEADER_BYTES),
    header: bytes.subarray(0, GF2_HEADER_BYTES),
    ciphertext: bytes.subarray(GF2_HEADER_BYTES, bytes.length - GF2_TAG_BYTES),
    tag: bytes.subarray(bytes.length - GF2_TAG_BYTES),
  };
}

/** The key id of a gf2 text, as hex (decodes only the id, for grouping values by key). */
export function gf2KeyIdOf(text: string): string {
  return decodeGf2(text).keyId.toString('hex');
}
