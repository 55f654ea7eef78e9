import { createCipheriv, createDecipheriv, hkdfSync, timingSafeEqual } from 'node:crypto';
import { FieldDecryptionError } from '../errors';
import { COMMITMENT_BYTES, TAG_BYTES } from './format';

const ENCRYPTION_LABEL = Buffer.from('gaara-field/v1 suite 0x01 encryption key', 'utf8');
const COMMITMENT_LABEL = Buffer.from('gaara-field/v1 suite 0x01 key commitment', 'utf8');

/** Per-message key and key commitment, both HKDF-SHA256(dataKey, salt, label): distinct labels, independent outputs. */
export function deriveMessageKeys(dataKey: Buffer, salt: Buffer): { encryptionKey: Buffer; commitment: Buffer } {
  return {
    encryptionKey: Buffer.from(hkdfSync('sha256', dataKey, salt, ENCRYPTION_LABEL, 32)),
    commitment: Buffer.from(hkdfSync('sha256', dataKey, salt, COMMITMENT_LABEL, COMMITMENT_BYTES)),
  };
}

export function seal(key: Buffer, iv: Buffer, plaintext: Buffer, aad: Buffer): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, tag: cipher.getAuthTag() };
}

export function verifyCommitment(expected: Buffer, stored: Buffer): void {
  if (stored.length !== expected.length || !timingSafeEqual(expected, stored)) {
    throw new FieldDecryptionError('key commitment does not match (wrong data key or tampered ciphertext)');
  }
}

export function open(key: Buffer, iv: Buffer, ciphertext: Buffer, tag: Buffer, aad: Buffer): Buffer {
  try {
    // authTagLength pinned: without it Node accepts truncated tags (DEP0182).
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new FieldDecryptionError('authentication failed (wrong context, row or column, or tampered ciphertext)');
  }
}
