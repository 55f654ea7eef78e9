/**
 * Classified rotation errors. The class is what alarms, logs and the runbook key on; the message names the
 * secret and the step and never carries a value (no password, key or token).
 */
import { inspect } from 'node:util';
import { SecretShapeError } from '../../contracts/errors';

export type ErrorClass =
  | 'BadEvent'
  | 'OutOfScope'
  | 'TargetMismatch'
  | 'InvalidState'
  | 'BadSecretShape'
  | 'UnsupportedEngine'
  | 'Placeholder'
  | 'AuthFailed'
  | 'Timeout'
  | 'Dns'
  | 'Tls'
  | 'Unreachable'
  | 'TargetUnavailable'
  | 'AccessDenied'
  | 'TestFailed'
  | 'RingFull'
  | 'Internal';

export class RotationError extends Error {
  readonly errorClass: ErrorClass;

  constructor(errorClass: ErrorClass, message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = `RotationError(${errorClass})`;
    this.errorClass = errorClass;
    if (options?.cause !== undefined) {
      // Keep the original error for debugging without letting its message (which might echo a value) into ours.
      Object.defineProperty(this, 'cause', { value: options.cause, enumerable: false });
    }
  }

  /** console.log / util.inspect show the classified error only, never the cause (whose message may echo a value). */
  [inspect.custom](): string {
    return `${this.stack ?? `${this.name}: ${this.message}`}\n  errorClass: ${this.errorClass}`;
  }
}

/**
 * Runs a contract parser (contracts/); a SecretShapeError becomes a RotationError naming `which` (the version or
 * secret read) and the field: Placeholder for a deploy-time placeholder, UnsupportedEngine for the engine field,
 * BadSecretShape otherwise. The one place this conversion is written.
 */
export function parseAs<T>(which: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof SecretShapeError)) throw e;
    const errorClass: ErrorClass = e.field === 'placeholder' ? 'Placeholder' : e.field === 'engine' ? 'UnsupportedEngine' : 'BadSecretShape';
    throw new RotationError(errorClass, `${which}: ${e.message}`);
  }
}

export const isAuthFailure = (e: unknown): boolean => e instanceof RotationError && e.errorClass === 'AuthFailed';
