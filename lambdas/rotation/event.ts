/**
 * Validates the event Secrets Manager sends to a rotation function. Every field must be printable ASCII (as the
 * AWS templates check since PR #172); RotationToken is kept for PutSecretValue and never logged or echoed.
 */
import { quoteIdentifier, secretNameOf } from '../../contracts/secret-identity';
import { RotationError } from './errors';
import { ROTATION_STEPS, RotationStep } from './rotator';

export interface RotationEvent {
  step: RotationStep;
  secretId: string;
  token: string;
  /** Sensitive: only ever passed to PutSecretValue. */
  rotationToken?: string;
}

const PRINTABLE = /^[ -~]+$/;

function field(event: Record<string, unknown>, name: string, where: () => string, min: number, max: number, required: boolean): string | undefined {
  const value = event[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw new RotationError('BadEvent', `${where()}: event field "${name}" is missing or not a string`);
  if (value.length < min || value.length > max)
    throw new RotationError('BadEvent', `${where()}: event field "${name}" must be ${min} to ${max} characters long`);
  if (!PRINTABLE.test(value)) throw new RotationError('BadEvent', `${where()}: event field "${name}" must be printable ASCII`);
  return value;
}

export function parseRotationEvent(raw: unknown): RotationEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new RotationError('BadEvent', 'rotation event (secret unknown, step unknown): the event must be a JSON object');
  }
  const event = raw as Record<string, unknown>;
  const known: { secretId?: string; step?: RotationStep } = {};
  const where = () =>
    `rotation event (secret ${known.secretId === undefined ? 'unknown' : quoteIdentifier(secretNameOf(known.secretId))}, step ${known.step ?? 'unknown'})`;
  const secretId = field(event, 'SecretId', where, 1, 2048, true) as string;
  known.secretId = secretId;
  const stepValue = field(event, 'Step', where, 1, 64, true) as string;
  if (!(ROTATION_STEPS as readonly string[]).includes(stepValue)) {
    throw new RotationError('BadEvent', `${where()}: event field "Step" must be one of ${ROTATION_STEPS.join(', ')}`);
  }
  const step = stepValue as RotationStep;
  known.step = step;
  // ClientRequestToken: 32-64 characters per the PutSecretValue API.
  const token = field(event, 'ClientRequestToken', where, 32, 64, true) as string;
  const rotationToken = field(event, 'RotationToken', where, 1, 8192, false);
  return rotationToken === undefined ? { step, secretId, token } : { step, secretId, token, rotationToken };
}

/** What logs carry of the token: enough to correlate, not the whole id. */
export const tokenPrefix = (token: string): string => token.slice(0, 8);
