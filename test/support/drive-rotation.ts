/**
 * Drives a rotation against the MODELLED Secrets Manager exactly as the service does: RotateSecret creates an
 * empty AWSPENDING version for a new token (`startRotation`), then invokes the function for createSecret,
 * setSecret, testSecret and finishSecret with that same token, then removes AWSPENDING (`completeRotation`).
 * When a step fails the service retries the WHOLE rotation with the same token: `retryRotation` does that.
 *
 * Crash injection: `beforeStep`/`afterStep` hooks here, the model's `beforeCall`/`afterCall` hooks for AWS
 * calls, and the database driver's statement hooks for database statements.
 */
import { randomUUID } from 'node:crypto';
import type { SecretsManagerModel } from './secrets-manager-model';

export const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type Step = (typeof STEPS)[number];

export interface RotationEventShape {
  Step: string;
  SecretId: string;
  ClientRequestToken: string;
  RotationToken?: string;
}

export type RotationHandler = (event: RotationEventShape) => Promise<unknown>;

export interface DriveOptions {
  /** The token RotateSecret would generate; a fresh UUID by default. */
  token?: string;
  /** Passed in every event, as the service does for cross-account rotations. */
  rotationToken?: string;
  /** Invoke each step this many times in a row (idempotency: 2 proves re-entry). Default 1. */
  timesEachStep?: number;
  /** Throw from here to simulate a crash before a step runs. */
  beforeStep?: (step: Step, token: string) => void | Promise<void>;
  /** Throw from here to simulate a crash after a step ran. */
  afterStep?: (step: Step, token: string) => void | Promise<void>;
}

export function rotationEvent(step: string, secretId: string, token: string, rotationToken?: string): RotationEventShape {
  return rotationToken === undefined
    ? { Step: step, SecretId: secretId, ClientRequestToken: token }
    : { Step: step, SecretId: secretId, ClientRequestToken: token, RotationToken: rotationToken };
}

async function runSteps(model: SecretsManagerModel, secretId: string, handler: RotationHandler, token: string, opts: DriveOptions): Promise<void> {
  for (const step of STEPS) {
    await opts.beforeStep?.(step, token);
    for (let i = 0; i < (opts.timesEachStep ?? 1); i++) await handler(rotationEvent(step, secretId, token, opts.rotationToken));
    await opts.afterStep?.(step, token);
  }
  model.completeRotation(secretId);
}

/** One full rotation as the service drives it. Throws what a step throws (AWSPENDING is then left in place). */
export async function driveRotation(model: SecretsManagerModel, secretId: string, handler: RotationHandler, opts: DriveOptions = {}): Promise<string> {
  const token = model.startRotation(secretId, opts.token ?? randomUUID());
  await runSteps(model, secretId, handler, token, opts);
  return token;
}

/** The service's retry after a failed step: the whole rotation again, same token, pending version kept. */
export async function retryRotation(
  model: SecretsManagerModel,
  secretId: string,
  handler: RotationHandler,
  token: string,
  opts: DriveOptions = {},
): Promise<void> {
  await runSteps(model, secretId, handler, token, opts);
}

/**
 * Starts a rotation and retries it with the same token until it completes (at most `maxAttempts`), returning
 * the token and the errors of the failed attempts (for leak checks).
 */
export async function driveUntilComplete(
  model: SecretsManagerModel,
  secretId: string,
  handler: RotationHandler,
  opts: DriveOptions & { maxAttempts?: number } = {},
): Promise<{ token: string; failures: unknown[] }> {
  const token = model.startRotation(secretId, opts.token ?? randomUUID());
  const failures: unknown[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      await runSteps(model, secretId, handler, token, opts);
      return { token, failures };
    } catch (e) {
      failures.push(e);
      if (attempt >= (opts.maxAttempts ?? 3)) throw e;
    }
  }
}

/** Thrown by crash hooks so tests can tell an injected crash from a real failure. */
export class InjectedCrash extends Error {
  constructor(where: string) {
    super(`injected crash ${where}`);
    this.name = 'InjectedCrash';
  }
}

/** Whether an error is, or was caused by, an injected crash (rotators wrap errors, keeping `cause`). */
export function causedByInjectedCrash(e: unknown): boolean {
  for (let x = e; x; x = (x as { cause?: unknown }).cause) if (x instanceof InjectedCrash) return true;
  return false;
}

/**
 * A countdown shared by every hook of one run: `tick(where)` throws InjectedCrash on the `crashAt`-th call
 * (1-based) and records every point it passed, so a test first counts the points of a clean run
 * (`crashAt` = Infinity) and then crashes at each one in turn.
 */
export class CrashPoints {
  readonly passed: string[] = [];
  constructor(public crashAt = Number.POSITIVE_INFINITY) {}
  tick(where: string): void {
    this.passed.push(where);
    if (this.passed.length === this.crashAt) {
      this.crashAt = Number.POSITIVE_INFINITY; // crash once, then let the retry through
      throw new InjectedCrash(where);
    }
  }
  /** Wires the model's AWS call hooks (before and after every call) to this countdown. */
  attachToModel(model: SecretsManagerModel): void {
    model.beforeCall = (name) => this.tick(`before ${name}`);
    model.afterCall = (name) => this.tick(`after ${name}`);
  }
}
