/**
 * Pure key-ring rules: how a rotation turns the current ring into the pending one, and what a pending ring must
 * satisfy. `previous` is ordered newest first (the key retired last comes first).
 */
import { quoteIdentifier } from '../../contracts/secret-identity';
import { DEFAULT_KEY_BYTES, KeyRing, RetiredKey, RingKey, ringKeys } from '../../contracts/keyring';
import { RotationError } from '../rotation/errors';
import type { RingSpec } from './ring-spec';

export function ringFullError(spec: RingSpec): RotationError {
  return new RotationError(
    'RingFull',
    `the key ring holds the maximum of ${spec.bounds.maxPrevious} previous keys and ${spec.name} never drops a key; ` +
      're-encrypt the data under the current key, then prune the ring (runbook: "Pruning a full key ring"). Nothing was changed',
  );
}

/** Fails with RingFull, before any key is generated, when rotating would push the ring past its bound. */
export function assertRoomForRotation(current: KeyRing | undefined, spec: RingSpec): void {
  if (current && !spec.bounds.dropOldest && current.previous.length + 1 > spec.bounds.maxPrevious) {
    throw ringFullError(spec);
  }
}

/** The ring after one rotation: `newKey` becomes current, the old current is retired at `now`. */
export function rotateRing(current: KeyRing | undefined, newKey: RingKey, now: Date, spec: RingSpec): KeyRing {
  if (!current) return { schema: 1, current: newKey, previous: [] };
  assertRoomForRotation(current, spec);
  const retired: RetiredKey = { ...current.current, retiredAt: now.toISOString() };
  const all = [retired, ...current.previous];
  const previous = spec.bounds.dropOldest ? all.slice(0, spec.bounds.keepPrevious) : all;
  return { ...current, schema: 1, current: newKey, previous };
}

/** Keys of the current ring that the next ring must still hold (the grace period, or everything). */
export function keysToKeep(current: KeyRing, spec: RingSpec): RingKey[] {
  const all = ringKeys(current);
  return spec.bounds.dropOldest ? all.slice(0, spec.bounds.keepPrevious) : all;
}

/**
 * testSecret's checks of a pending ring against the current one (undefined when the current value is the
 * deploy-time placeholder). Shape, key lengths and unique kids were checked when the ring was parsed.
 */
export function checkPendingRing(pending: KeyRing, current: KeyRing | undefined, spec: RingSpec): void {
  const fail = (field: string, problem: string) => new RotationError('TestFailed', `pending ring field "${field}" ${problem}`);
  if (pending.previous.length > spec.bounds.maxPrevious) throw ringFullError(spec);
  if (Buffer.from(pending.current.key, 'base64url').length !== DEFAULT_KEY_BYTES) {
    throw fail('current.key', `must hold exactly ${DEFAULT_KEY_BYTES} bytes`);
  }
  if (!current) return;
  const known = ringKeys(current);
  if (known.some((k) => k.kid === pending.current.kid)) throw fail('current.kid', 'is not new: the current ring already has this kid');
  if (known.some((k) => k.key === pending.current.key)) throw fail('current.key', 'is not new: the current ring already holds this key');
  const kept = new Map(pending.previous.map((k) => [k.kid, k.key]));
  for (const must of keysToKeep(current, spec)) {
    if (kept.get(must.kid) !== must.key) {
      throw fail(
        'previous',
        `lacks key ${quoteIdentifier(must.kid)} that must be kept (keepPrevious ${spec.bounds.keepPrevious}, dropOldest ${spec.bounds.dropOldest})`,
      );
    }
  }
}
