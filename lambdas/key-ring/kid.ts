import { randomBytes } from 'node:crypto';

/**
 * A key id that sorts by creation time and is unique: `20261123T103000Z-1a2b3c4d`
 * (UTC timestamp, then 32 random bits so two keys made in the same second still differ).
 */
export function newKid(now: Date, taken: ReadonlySet<string> = new Set()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  for (;;) {
    const kid = `${stamp}-${randomBytes(4).toString('hex')}`;
    if (!taken.has(kid)) return kid;
  }
}
