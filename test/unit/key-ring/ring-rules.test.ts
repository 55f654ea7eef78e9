import fc from 'fast-check';
import { catalogEntry } from '../../../contracts/catalog';
import { KeyRing, parseKeyRing, ringKeys } from '../../../contracts/keyring';
import { cryptoKeyMaterial } from '../../../lambdas/key-ring/key-material';
import { checkPendingRing, keysToKeep } from '../../../lambdas/key-ring/ring';
import { ringSpecFor } from '../../../lambdas/key-ring/ring-spec';
import { createKeyRingRotator } from '../../../lambdas/key-ring/rotator';
import { RotationError } from '../../../lambdas/rotation/errors';
import { rotationContext } from './rotation-context';

const RINGS = ['secret-key', 'jwt-secret', 'encryption-key'] as const;
const placeholder = JSON.stringify(catalogEntry('secret-key').initialValue());

describe('key ring rules across many rotations (property)', () => {
  it.each(RINGS)('%s: every rotation keeps the invariants, and a full encryption-key ring refuses to rotate', async (name) => {
    const secretName = `gaara-store/dev/${name}`;
    const spec = ringSpecFor(secretName);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 70 }),
        fc.array(fc.integer({ min: 1, max: 200 * 86_400 }), { minLength: 70, maxLength: 70 }),
        async (rotations, gapsSeconds) => {
          const ringFull: string[] = [];
          const rotator = createKeyRingRotator({ keyMaterial: cryptoKeyMaterial, onRingFull: (s) => ringFull.push(s), onRingSize: () => undefined });
          let stored = placeholder;
          let ring: KeyRing | undefined;
          let clock = Date.parse('2026-01-01T00:00:00Z');
          for (let i = 0; i < rotations; i++) {
            clock += gapsSeconds[i] * 1000;
            const ctx = rotationContext(secretName, { now: new Date(clock) });
            const before = ring;
            let pending: KeyRing;
            try {
              pending = await rotator.createPending({ current: stored }, ctx);
            } catch (e) {
              // Only encryption-key can fill up, exactly when it already holds maxPrevious previous keys.
              expect(spec.bounds.dropOldest).toBe(false);
              expect((e as RotationError).errorClass).toBe('RingFull');
              expect(before?.previous.length).toBe(spec.bounds.maxPrevious);
              expect(ringFull).toEqual([name]);
              return;
            }
            await rotator.testPending(pending, { current: stored }, ctx);
            // The stored text is what the next rotation reads: round-trip it and parse it with the catalog's parser.
            stored = rotator.serialize(pending);
            ring = catalogEntry(name).parse(stored) as KeyRing;
            const all = ringKeys(ring);
            expect(new Set(all.map((k) => k.kid)).size).toBe(all.length);
            expect(all.every((k) => Buffer.from(k.key, 'base64url').length === 32)).toBe(true);
            // kids sort by age: newest first.
            expect(all.map((k) => k.kid)).toEqual([...all.map((k) => k.kid)].sort().reverse());
            expect(ring.previous.length).toBe(Math.min(i, spec.bounds.keepPrevious));
            if (before) {
              expect(ring.previous[0]).toEqual({ ...before.current, retiredAt: new Date(clock).toISOString() });
              for (const must of keysToKeep(before, spec)) expect(ring.previous).toContainEqual(expect.objectContaining(must));
            }
          }
          expect(ringFull).toEqual([]);
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('checkPendingRing refuses a bad pending ring, naming the field', () => {
  const secretName = 'gaara-store/dev/jwt-secret';
  const spec = ringSpecFor(secretName);
  const key = (fill: number, bytes = 32) => Buffer.alloc(bytes, fill).toString('base64url');
  const current: KeyRing = {
    schema: 1,
    current: { kid: 'k2', key: key(2), createdAt: '2026-02-01T00:00:00Z' },
    previous: [{ kid: 'k1', key: key(1), createdAt: '2026-01-01T00:00:00Z', retiredAt: '2026-02-01T00:00:00Z' }],
  };
  const good: KeyRing = {
    schema: 1,
    current: { kid: 'k3', key: key(3), createdAt: '2026-03-01T00:00:00Z' },
    previous: [{ ...current.current, retiredAt: '2026-03-01T00:00:00Z' }],
  };
  const check = (pending: KeyRing) => () => checkPendingRing(parseKeyRing(JSON.stringify(pending)), current, spec);

  it('accepts the ring one rotation makes', () => expect(check(good)).not.toThrow());
  it('refuses a pending ring that dropped the key it must keep', () =>
    expect(check({ ...good, previous: [] })).toThrow(/field "previous" lacks key "k2" that must be kept/));
  it('refuses a reused kid', () => expect(check({ ...good, current: { ...good.current, kid: 'k1' } })).toThrow(/"current.kid" is not new/));
  it('refuses reused key material', () => expect(check({ ...good, current: { ...good.current, key: key(1) } })).toThrow(/"current.key" is not new/));
  it('refuses a current key that is not 256 bits', () =>
    expect(check({ ...good, current: { ...good.current, key: key(3, 48) } })).toThrow(/"current.key" must hold exactly 32 bytes/));
  it('refuses a changed copy of a kept key', () => expect(check({ ...good, previous: [{ ...good.previous[0], key: key(9) }] })).toThrow(/lacks key "k2"/));
  it('classifies every refusal as TestFailed', () => {
    try {
      check({ ...good, previous: [] })();
      throw new Error('no error');
    } catch (e) {
      expect((e as RotationError).errorClass).toBe('TestFailed');
    }
  });
});
