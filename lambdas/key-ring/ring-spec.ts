import { CATALOG, KeyRingBounds } from '../../contracts/catalog';
import { RotationError } from '../rotation/errors';

/** Which ring a secret is and its bounds, from the catalog name (last segment of `<app>/<env>/<name>`). */
export interface RingSpec {
  /** Catalog name: `secret-key`, `jwt-secret` or `encryption-key`. */
  name: string;
  bounds: KeyRingBounds;
}

export function ringSpecFor(secretName: string): RingSpec {
  const name = secretName.split('/').pop() ?? '';
  const entry = CATALOG.find((e) => e.name === name);
  if (!entry?.ring) {
    const rings = CATALOG.filter((e) => e.ring)
      .map((e) => e.name)
      .join(', ');
    throw new RotationError('UnsupportedEngine', `"${name}" is not a key-ring secret in the catalog (expected one of ${rings})`);
  }
  return { name, bounds: entry.ring };
}
