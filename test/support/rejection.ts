import { RotationError } from '../../lambdas/rotation/errors';

/** Awaits a step that must fail and returns its RotationError (the test fails if it resolves or throws anything else). */
export async function rejection(p: Promise<unknown>): Promise<RotationError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RotationError);
    return e as RotationError;
  }
  throw new Error('expected a rejection');
}
