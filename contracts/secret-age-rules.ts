/**
 * The age rules, written once: the hourly secret-age function (lambdas/secret-age) publishes them as metrics and the
 * operator CLI (`gaara-secrets status`) prints them. Computed from metadata only (ListSecretVersionIds for the
 * versions, DescribeSecret for the rotation dates): never a value.
 *
 * Two ages are kept apart, as cdk-monitoring-constructs' DaysSinceLastChange / DaysSinceLastRotation do:
 * - the value's age (`daysSinceRotation`, metric DaysSinceRotation, "days since last change"): a manual
 *   put-secret-value resets it;
 * - the rotation age (`daysSinceLastRotation`, metric DaysSinceLastRotation): for a secret with a rotator only a
 *   completed Secrets Manager rotation resets it, so a value put by hand cannot silence the overdue alarm.
 */
import { CATALOG } from './catalog';

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

const daysSince = (since: Date, now: Date) => round2(Math.max(0, now.getTime() - since.getTime()) / DAY_MS);

function currentVersion<V extends VersionInfo>(versions: readonly V[]): (V & { CreatedDate: Date }) | undefined {
  const current = versions.find((v) => v.VersionStages?.includes('AWSCURRENT'));
  return current?.CreatedDate ? (current as V & { CreatedDate: Date }) : undefined;
}

export function secretFigures(versions: readonly VersionInfo[], now: Date): SecretFigures {
  const current = currentVersion(versions);
  if (!current) throw new VersionMetadataError('no AWSCURRENT version with a CreatedDate');
  const pending = pendingVersion(versions);
  return {
    daysSinceRotation: daysSince(current.CreatedDate, now),
    pendingRotationHours: pending?.CreatedDate ? round2(Math.max(0, now.getTime() - pending.CreatedDate.getTime()) / HOUR_MS) : 0,
    placeholder: holdsDeployTimeValue(versions, current) ? 1 : 0,
  };
}

/** The `placeholder` rule (see SecretFigures): no AWSPREVIOUS anywhere and no other version but AWSPENDING-only ones. */
function holdsDeployTimeValue(versions: readonly VersionInfo[], current: VersionInfo): boolean {
  const hasPrevious = versions.some((v) => v.VersionStages?.includes('AWSPREVIOUS'));
  const others = versions.filter((v) => v !== current && !(v.VersionStages ?? []).every((s) => s === 'AWSPENDING'));
  return !hasPrevious && others.length === 0;
}

/** DescribeSecret's dates and rotation switch (metadata only; the response's other fields are not needed). */
export interface SecretRotationMetadata {
  CreatedDate?: Date;
  /** Last completed Secrets Manager rotation; absent if it never completed one, or while rotation is turned off. */
  LastRotatedDate?: Date;
  /** Any change, tags and description included: logged, not used for an age. */
  LastChangedDate?: Date;
  RotationEnabled?: boolean;
  NextRotationDate?: Date;
}

/**
 * Who rotates the secret. `rotator`: its catalog entry names a rotator (intent: turning rotation off does not make
 * it a hand-rotated secret) or Secrets Manager rotation is on for it; `hand`: everything else (third-party secrets).
 */
export type RotatedBy = 'rotator' | 'hand';

export function rotatedBy(secretName: string, metadata: SecretRotationMetadata): RotatedBy {
  const rotator = CATALOG.find((e) => e.name === secretName)?.rotator;
  return rotator !== undefined || metadata.RotationEnabled === true ? 'rotator' : 'hand';
}

export interface RotationFigures {
  /** Days since the last rotation (see `lastRotation`). */
  daysSinceLastRotation: number;
  /** 1 = never rotated (see `lastRotation`). */
  neverRotated: 0 | 1;
}

export type AgeFigures = SecretFigures & RotationFigures;

/**
 * When the secret was last rotated, and whether it ever was.
 * - `rotator`: DescribeSecret's LastRotatedDate; without one (no completed rotation, or rotation turned off) it was
 *   never rotated and the age runs from the secret's creation, so a manual put-secret-value changes nothing.
 * - `hand`: the AWSCURRENT version's creation (putting a new value is the rotation); never rotated while the
 *   deploy-time placeholder is current.
 */
export function lastRotation(versions: readonly VersionInfo[], metadata: SecretRotationMetadata, by: RotatedBy): { since: Date; never: boolean } {
  if (by === 'hand') {
    const current = currentVersion(versions);
    if (!current) throw new VersionMetadataError('no AWSCURRENT version with a CreatedDate');
    return { since: current.CreatedDate, never: holdsDeployTimeValue(versions, current) };
  }
  if (metadata.LastRotatedDate) return { since: metadata.LastRotatedDate, never: false };
  if (!metadata.CreatedDate) throw new VersionMetadataError('DescribeSecret returned neither LastRotatedDate nor CreatedDate');
  return { since: metadata.CreatedDate, never: true };
}

/** The value figures plus the rotation age: what the age function publishes. */
export function ageFigures(versions: readonly VersionInfo[], metadata: SecretRotationMetadata, by: RotatedBy, now: Date): AgeFigures {
  const figures = secretFigures(versions, now);
  const last = lastRotation(versions, metadata, by);
  return { ...figures, daysSinceLastRotation: daysSince(last.since, now), neverRotated: last.never ? 1 : 0 };
}

/** A rotation in progress (or stuck): some version carries AWSPENDING and not AWSCURRENT. */
export function pendingVersion<V extends VersionInfo>(versions: readonly V[]): V | undefined {
  return versions.find((v) => v.VersionStages?.includes('AWSPENDING') && !v.VersionStages.includes('AWSCURRENT'));
}

/**
 * Overdue: not rotated within its maximum age (the effective rotation period); the function logs it, the
 * `<secret>-days-since-rotation` alarm fires on DaysSinceLastRotation (plus grace). Given only version figures (a
 * caller without DescribeSecret), it falls back to the value's age, which a manual put-secret-value resets.
 */
export function isOverdue(figures: SecretFigures & Partial<RotationFigures>, maxAgeDays: number): boolean {
  return (figures.daysSinceLastRotation ?? figures.daysSinceRotation) > maxAgeDays;
}

/** The age alarm on PlaceholderSecret exists only in production environments (lib/observability/monitoring.ts). */
export function placeholderAlarms(figures: SecretFigures, production: boolean): boolean {
  return production && figures.placeholder === 1;
}

/** When the value falls due: CreatedDate of AWSCURRENT + maxAgeDays (the value's age; see `rotationDue`). */
export function nextDue(versions: readonly VersionInfo[], maxAgeDays: number): Date | undefined {
  const created = versions.find((v) => v.VersionStages?.includes('AWSCURRENT'))?.CreatedDate;
  return created ? new Date(created.getTime() + maxAgeDays * DAY_MS) : undefined;
}

/** When the secret falls due for rotation: the last rotation (`lastRotation`) + maxAgeDays, the overdue alarm's rule. */
export function rotationDue(versions: readonly VersionInfo[], metadata: SecretRotationMetadata, by: RotatedBy, maxAgeDays: number): Date {
  return new Date(lastRotation(versions, metadata, by).since.getTime() + maxAgeDays * DAY_MS);
}

/**
 * An AWSPENDING older than this is a stuck rotation (the `<secret>-pending-rotation` alarm's default threshold,
 * lib/observability/monitoring.ts `pendingHoursThreshold`).
 */
export const DEFAULT_PENDING_HOURS_THRESHOLD = 2;

export function isStuck(figures: SecretFigures, thresholdHours = DEFAULT_PENDING_HOURS_THRESHOLD): boolean {
  return figures.pendingRotationHours > thresholdHours;
}
