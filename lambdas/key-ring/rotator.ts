import { isPlaceholder } from '../../contracts/fields';
import { DEFAULT_KEY_BYTES, KeyRing, parseKeyRing, ringKeys } from '../../contracts/keyring';
import { parseAs, RotationError } from '../rotation/errors';
import type { RawVersions, Rotator } from '../rotation/rotator';
import type { KeyMaterialSource } from './key-material';
import { newKid } from './kid';
import { assertRoomForRotation, checkPendingRing, rotateRing } from './ring';
import { RingSpec, ringSpecFor } from './ring-spec';
import { publishKeyRingFull, publishKeyRingPreviousKeys } from './ring-full-metric';

export interface KeyRingRotatorDeps {
  keyMaterial: KeyMaterialSource;
  /** Called with the catalog name when a ring is at its bound (default: publish the KeyRingFull metric). */
  onRingFull?: (secret: string) => void;
  /** Called with the catalog name and the previous keys a ring holds (default: publish the KeyRingPreviousKeys gauge). */
  onRingSize?: (secret: string, previousKeys: number) => void;
}

// The bound is checked by the ring rules (RingFull), not as a shape error.
const parseRing = (secretString: string, spec: RingSpec, which: string): KeyRing =>
  parseAs(`${which} value`, () => parseKeyRing(secretString, { shape: spec.name }));

/** The current ring, or undefined when it is still the deploy-time placeholder (the first rotation bootstraps it). */
function currentRing(versions: RawVersions, spec: RingSpec): KeyRing | undefined {
  return isPlaceholder(versions.current) ? undefined : parseRing(versions.current, spec, 'AWSCURRENT');
}

/**
 * Rotates secret-key, jwt-secret and encryption-key: a new current key, the old one retired into `previous`,
 * bounded per the catalog. Nothing outside Secrets Manager changes, so setSecret has nothing to apply.
 */
export function createKeyRingRotator(deps: KeyRingRotatorDeps): Rotator<KeyRing> {
  const onRingFull = deps.onRingFull ?? ((secret: string) => publishKeyRingFull(secret));
  const onRingSize = deps.onRingSize ?? ((secret: string, previousKeys: number) => publishKeyRingPreviousKeys(secret, previousKeys));
  const reportingRingFull = async <R>(spec: RingSpec, current: KeyRing | undefined, run: () => R | Promise<R>): Promise<R> => {
    try {
      return await run();
    } catch (e) {
      if (e instanceof RotationError && e.errorClass === 'RingFull') {
        onRingFull(spec.name);
        if (current) onRingSize(spec.name, current.previous.length);
      }
      throw e;
    }
  };

  return {
    kind: 'key-ring',

    parse(secretString, ctx) {
      return parseRing(secretString, ringSpecFor(ctx.secretName), 'stored');
    },

    serialize: (ring) => JSON.stringify(ring),

    async createPending(versions, ctx) {
      const spec = ringSpecFor(ctx.secretName);
      const current = currentRing(versions, spec);
      return reportingRingFull(spec, current, async () => {
        assertRoomForRotation(current, spec);
        const now = ctx.now();
        const key = (await deps.keyMaterial.randomBytes(DEFAULT_KEY_BYTES, `secret ${ctx.secretName}, step ${ctx.step}`)).toString('base64url');
        const kid = newKid(now, new Set(current ? ringKeys(current).map((k) => k.kid) : []));
        const pending = rotateRing(current, { kid, key, createdAt: now.toISOString() }, now, spec);
        ctx.logger.info('key ring built', {
          secret: spec.name,
          bootstrap: current === undefined,
          kid,
          previousKeys: pending.previous.length,
          keyMaterial: deps.keyMaterial.name,
        });
        return pending;
      });
    },

    async applyPending(_pending, _versions, ctx) {
      ctx.logger.info('key ring: nothing to apply outside Secrets Manager');
    },

    async testPending(pending, versions, ctx) {
      const spec = ringSpecFor(ctx.secretName);
      const current = currentRing(versions, spec);
      await reportingRingFull(spec, current, () => checkPendingRing(pending, current, spec));
      onRingSize(spec.name, pending.previous.length);
      ctx.logger.info('pending key ring verified', { secret: spec.name, kid: pending.current.kid, previousKeys: pending.previous.length });
    },
  };
}
