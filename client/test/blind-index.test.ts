import { createHmac, hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import { keyRingFixture } from '../../contracts/fixtures';
import { BlindIndexer } from '../src/field-encryption/blind-index';
import { SecretValue } from '../src/secret-value';

const ring = new SecretValue(keyRingFixture, { secretId: 'gaara-store/test/encryption-key' });

describe('blind index', () => {
  const indexer = BlindIndexer.fromKeyRing(ring, keyRingFixture.current.kid);

  it('is HMAC-SHA256 under an HKDF-derived per-label key, truncated, base64url (as documented)', () => {
    const root = Buffer.from(keyRingFixture.current.key, 'base64url');
    const labelKey = Buffer.from(hkdfSync('sha256', root, Buffer.from('gaara-blind-index/v1'), Buffer.from('label:users.email'), 32));
    const expected = createHmac('sha256', labelKey).update('ann@example.com').digest().subarray(0, 16).toString('base64url');
    expect(indexer.blindIndex('  Ann@Example.COM ', { label: 'users.email', normalize: 'email' })).toBe(expected);
    expect(labelKey.equals(root)).toBe(false);
    expect(createHmac('sha256', root).update('ann@example.com').digest().subarray(0, 16).toString('base64url')).not.toBe(expected);
  });

  it('matches equal normalised values, separates labels, and truncates to the configured length (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.integer({ min: 4, max: 32 }), (value, bytes) => {
        const a = indexer.blindIndex(value, { label: 'users.email', normalize: 'lowercase', bytes });
        expect(indexer.blindIndex(` ${value.toUpperCase()} `, { label: 'users.email', normalize: 'lowercase', bytes })).toBe(
          indexer.blindIndex(value.toUpperCase(), { label: 'users.email', normalize: 'lowercase', bytes }),
        );
        expect(Buffer.from(a, 'base64url')).toHaveLength(bytes);
        expect(indexer.blindIndex(value, { label: 'users.phone', normalize: 'lowercase', bytes })).not.toBe(a);
      }),
    );
  });

  it('depends on the pinned key: another kid gives other indexes', () => {
    const other = BlindIndexer.fromKeyRing(ring, keyRingFixture.previous[0].kid);
    expect(other.kid).toBe(keyRingFixture.previous[0].kid);
    expect(other.blindIndex('x', { label: 'l' })).not.toBe(indexer.blindIndex('x', { label: 'l' }));
    expect(() => BlindIndexer.fromKeyRing(ring, 'gone')).toThrow('unknown key id "gone"');
  });

  it('rejects bad options with clear errors', () => {
    expect(() => indexer.blindIndex('x', { label: '' })).toThrow('label must be a non-empty string');
    expect(() => indexer.blindIndex('x', { label: 'l', bytes: 3 })).toThrow('bytes must be an integer 4..32');
    expect(() => new BlindIndexer({ key: Buffer.alloc(16) })).toThrow('at least 32 bytes');
  });
});
