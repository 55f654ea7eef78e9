/**
 * Classified rotation errors. The class is what alarms, logs and the runbook key on; the message names the
 * secret and the step and never carries a value (no password, key or token).
 */
import { inspect } from 'node:util';

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

export const isAuthFailure = (e: unknown): boolean => e instanceof RotationError && e.errorClass === 'AuthFailed';
