import { createHmac, hkdfSync } from 'node:crypto';
import { inspect } from 'node:util';
import type { KeyRing } from '../../../contracts';
import { KeyRingError } from '../errors';
import { KeyRingKeys } from '../keyring/key-ring';
import type { SecretValue } from '../secret-value';

export type Normalization = 'none' | 'trim' | 'lowercase' | 'email' | ((value: string) => string);

export interface BlindIndexOptions {
  /** Where the index is used, e.g. "users.email": each label gets its own key, so columns do not correlate. */
  label: string;
  /** Applied after Unicode NFKC. 'email' and 'lowercase' trim and lower-case; default 'none'. */
  normalize?: Normalization;
  /** Index length in bytes, 4..32; default 16. Shorter: more false positives, less leakage (docs/field-encryption.md). */
  bytes?: number;
}

const SALT = Buffer.from('gaara-blind-index/v1', 'utf8');

/**
 * Searchable equality on encrypted columns: HMAC-SHA256(normalized value) under a key derived with HKDF
 * (distinct salt and a per-label info), so it is never the key that encrypts anything.
 */
export class BlindIndexer {
  readonly kid: string | undefined;
  readonly #rootKey: Buffer;
  readonly #labelKeys = new Map<string, Buffer>();

  constructor(options: { key: Uint8Array; kid?: string }) {
    if (options.key.length < 32) throw new KeyRingError('blind index key must hold at least 32 bytes');
    this.#rootKey = Buffer.from(options.key);
    this.kid = options.kid;
  }

  /**
   * From the encryption-key ring. Pin `kid`: indexes computed under one key do not match another key's, so a ring
   * rotation must not silently change the index key (re-index first, then move the pin).
   */
  static fromKeyRing(ring: KeyRing | SecretValue<KeyRing>, kid?: string): BlindIndexer {
    const keys = new KeyRingKeys(ring);
    const material = kid ? keys.get(kid) : keys.current();
    return new BlindIndexer({ key: material.key, kid: material.kid });
  }

  [inspect.custom](): string {
    return `BlindIndexer { kid: ${this.kid ?? '(dedicated key)'}, key: [REDACTED] }`;
  }

  toJSON(): Record<string, unknown> {
    return { kid: this.kid, key: '[REDACTED]' };
  }

  blindIndex(value: string, options: BlindIndexOptions): string {
    if (typeof value !== 'string') throw new TypeError('blindIndex value must be a string');
    if (typeof options?.label !== 'string' || options.label.length === 0) throw new TypeError('blindIndex option label must be a non-empty string');
    const bytes = options.bytes ?? 16;
    if (!Number.isInteger(bytes) || bytes < 4 || bytes > 32) throw new RangeError('blindIndex option bytes must be an integer 4..32');
    const mac = createHmac('sha256', this.keyFor(options.label))
      .update(normalize(value, options.normalize ?? 'none'), 'utf8')
      .digest();
    return mac.subarray(0, bytes).toString('base64url');
  }

  private keyFor(label: string): Buffer {
    let key = this.#labelKeys.get(label);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.#rootKey, SALT, Buffer.from(`label:${label}`, 'utf8'), 32));
      this.#labelKeys.set(label, key);
    }
    return key;
  }
}

export function normalize(value: string, how: Normalization): string {
  const nfkc = value.normalize('NFKC');
  if (typeof how === 'function') return how(nfkc);
  switch (how) {
    case 'none':
      return nfkc;
    case 'trim':
      return nfkc.trim();
    case 'lowercase':
    case 'email':
      return nfkc.trim().toLowerCase();
  }
}
