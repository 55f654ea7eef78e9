/**
 * What the age function publishes for one secret, computed from version metadata only (ListSecretVersionIds):
 * it never reads a value.
 */
export interface VersionInfo {
  VersionId?: string;
  VersionStages?: string[];
  CreatedDate?: Date;
}

export interface SecretFigures {
  /** now - CreatedDate of the AWSCURRENT version (not LastChangedDate, which a tag or description change resets). */
  daysSinceRotation: number;
  /** Age of an AWSPENDING version that is not AWSCURRENT (a rotation in progress or stuck); 0 if none. */
  pendingRotationHours: number;
  /**
   * 1 while the secret still holds its deploy-time value: no version carries AWSPREVIOUS and the AWSCURRENT version
   * is the only version with AWSCURRENT/AWSPREVIOUS or a custom label. Every PutSecretValue that makes a value
   * current and every finished rotation leave AWSPREVIOUS on the version they replaced, so its absence means
   * AWSCURRENT never moved. A version labelled only AWSPENDING (a rotation that has not finished) does not count:
   * it has not replaced the value.
   */
  placeholder: 0 | 1;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const round2 = (n: number) => Math.round(n * 100) / 100;

export class VersionMetadataError extends Error {
  override name = 'VersionMetadataError';
}

export function secretFigures(versions: readonly VersionInfo[], now: Date): SecretFigures {
  const current = versions.find((v) => v.VersionStages?.includes('AWSCURRENT'));
  if (!current?.CreatedDate) throw new VersionMetadataError('no AWSCURRENT version with a CreatedDate');
  const pending = versions.find((v) => v.VersionStages?.includes('AWSPENDING') && !v.VersionStages.includes('AWSCURRENT'));
  const hasPrevious = versions.some((v) => v.VersionStages?.includes('AWSPREVIOUS'));
  const others = versions.filter((v) => v !== current && !(v.VersionStages ?? []).every((s) => s === 'AWSPENDING'));
  return {
    daysSinceRotation: round2(Math.max(0, now.getTime() - current.CreatedDate.getTime()) / DAY_MS),
    pendingRotationHours: pending?.CreatedDate ? round2(Math.max(0, now.getTime() - pending.CreatedDate.getTime()) / HOUR_MS) : 0,
    placeholder: !hasPrevious && others.length === 0 ? 1 : 0,
  };
}
