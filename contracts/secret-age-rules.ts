/**
 * The age rules, written once: the hourly secret-age function (lambdas/secret-age) publishes them as metrics and the
 * operator CLI (`gaara-secrets status`) prints them. Computed from version metadata only (ListSecretVersionIds):
 * never a value.
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
  const pending = pendingVersion(versions);
  const hasPrevious = versions.some((v) => v.VersionStages?.includes('AWSPREVIOUS'));
  const others = versions.filter((v) => v !== current && !(v.VersionStages ?? []).every((s) => s === 'AWSPENDING'));
  return {
    daysSinceRotation: round2(Math.max(0, now.getTime() - current.CreatedDate.getTime()) / DAY_MS),
    pendingRotationHours: pending?.CreatedDate ? round2(Math.max(0, now.getTime() - pending.CreatedDate.getTime()) / HOUR_MS) : 0,
    placeholder: !hasPrevious && others.length === 0 ? 1 : 0,
  };
}

/** A rotation in progress (or stuck): some version carries AWSPENDING and not AWSCURRENT. */
export function pendingVersion<V extends VersionInfo>(versions: readonly V[]): V | undefined {
  return versions.find((v) => v.VersionStages?.includes('AWSPENDING') && !v.VersionStages.includes('AWSCURRENT'));
}

/** Overdue: older than its maximum age (the effective rotation period); the function logs it, the age alarm fires on it. */
export function isOverdue(figures: SecretFigures, maxAgeDays: number): boolean {
  return figures.daysSinceRotation > maxAgeDays;
}

/** The age alarm on PlaceholderSecret exists only in production environments (lib/monitoring.ts). */
export function placeholderAlarms(figures: SecretFigures, production: boolean): boolean {
  return production && figures.placeholder === 1;
}

/** When the secret falls due: CreatedDate of AWSCURRENT + maxAgeDays. */
export function nextDue(versions: readonly VersionInfo[], maxAgeDays: number): Date | undefined {
  const created = versions.find((v) => v.VersionStages?.includes('AWSCURRENT'))?.CreatedDate;
  return created ? new Date(created.getTime() + maxAgeDays * DAY_MS) : undefined;
}

/**
 * An AWSPENDING older than this is a stuck rotation (the `<secret>-pending-rotation` alarm's default threshold,
 * lib/monitoring.ts `pendingHoursThreshold`).
 */
export const DEFAULT_PENDING_HOURS_THRESHOLD = 2;

export function isStuck(figures: SecretFigures, thresholdHours = DEFAULT_PENDING_HOURS_THRESHOLD): boolean {
  return figures.pendingRotationHours > thresholdHours;
}
