/**
 * The contract between the shared rotation lifecycle (handler.ts) and one rotator (database, redis, key ring).
 * A rotator supplies only what differs: how to make the pending value, how to apply it to the target system,
 * and how to prove it works. The lifecycle owns event validation, stage checks, idempotency, Secrets Manager
 * calls, logging and metrics.
 */
import type { Logger } from '@aws-lambda-powertools/logger';

import type { SecretName } from '../../contracts/catalog';
import type { RotationStep } from '../../contracts/metrics';

export { ROTATION_STEPS } from '../../contracts/metrics';
export type { RotationStep };

/** Reads another secret (a master or admin credential named by ARN in the rotated secret). */
export interface SecretReader {
  getSecretString(secretId: string, stage?: 'AWSCURRENT' | 'AWSPENDING' | 'AWSPREVIOUS'): Promise<string>;
}

export interface RotationContext {
  /** ARN of the secret being rotated. */
  readonly secretArn: string;
  /** Its name, `<app>/<env>/<name>`: what logs and errors name. */
  readonly secretName: string;
  readonly token: string;
  readonly step: RotationStep;
  readonly logger: Logger;
  readonly secrets: SecretReader;
  readonly now: () => Date;
}

/**
 * The raw SecretStrings a step can see. The lifecycle reads AWSPREVIOUS only on demand (`loadPrevious`, at most
 * one call, undefined on the first rotation): most steps never need it. `previous` is for callers that already
 * hold it (tests).
 */
export interface RawVersions {
  current: string;
  previous?: string;
  loadPrevious?: () => Promise<string | undefined>;
}

/** AWSPREVIOUS from whichever of `previous` / `loadPrevious` a caller supplied. */
export async function previousOf(versions: RawVersions): Promise<string | undefined> {
  return versions.previous ?? (await versions.loadPrevious?.());
}

export interface Rotator<T> {
  /** Short name used in logs: `database`, `redis`, `key-ring`. */
  readonly kind: string;
  /** The catalog secrets it may rotate; default: the catalog entries whose rotator is `kind`. */
  readonly serves?: readonly SecretName[];
  /**
   * Parses a stored value; throws RotationError('BadSecretShape' | 'Placeholder' | 'UnsupportedEngine'). finishSecret
   * parses AWSPENDING before moving AWSCURRENT onto it.
   */
  parse(secretString: string, ctx: RotationContext): T;
  serialize(value: T): string;
  /**
   * createSecret: build the whole pending value (derived fields such as `url` included; versions are
   * immutable). Must change nothing outside Secrets Manager: a repeated createSecret builds a value again, and
   * PutSecretValue keeps the one written first. May bootstrap from a placeholder current.
   */
  createPending(versions: RawVersions, ctx: RotationContext): Promise<T>;
  /** setSecret: make the pending value valid on the target system. Safe to repeat and after a crash. */
  applyPending(pending: T, versions: RawVersions, ctx: RotationContext): Promise<void>;
  /** testSecret: prove the pending value works (log in, verify the ring). */
  testPending(pending: T, versions: RawVersions, ctx: RotationContext): Promise<void>;
  /**
   * Optional: testSecret when AWSPENDING has no value, which is how RotateSecret with RotateImmediately=false
   * tests the rotation configuration. Prove the function can reach and use the target with what it has
   * (AWSCURRENT, the master credential); change nothing. Without it such a test fails with InvalidState.
   */
  testConfiguration?(versions: RawVersions, ctx: RotationContext): Promise<void>;
}
