import { SecretShapeError } from './errors';
import { parseJsonObject, refusePlaceholder, requiredPort, requiredString } from './fields';

export interface MailSecret {
  host: string;
  port: number;
  username: string;
  password: string;
}

export interface SentrySecret {
  dsn: string;
}

const NOT_SET_YET = 'an operator has not set this third-party secret yet (see the runbook)';

export function parseMailSecret(input: unknown): MailSecret {
  const shape = 'mail-password';
  const obj = parseJsonObject(shape, input);
  refusePlaceholder(shape, obj, NOT_SET_YET);
  return {
    host: requiredString(shape, obj, 'host'),
    port: requiredPort(shape, obj, 'port'),
    username: requiredString(shape, obj, 'username'),
    password: requiredString(shape, obj, 'password'),
  };
}

export function parseSentrySecret(input: unknown): SentrySecret {
  const shape = 'sentry-dsn';
  const obj = parseJsonObject(shape, input);
  refusePlaceholder(shape, obj, NOT_SET_YET);
  const dsn = requiredString(shape, obj, 'dsn');
  let parsed: URL;
  try {
    parsed = new URL(dsn);
  } catch {
    throw new SecretShapeError(shape, 'dsn', 'is not a URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new SecretShapeError(shape, 'dsn', 'must be an http(s) URL');
  if (!parsed.username) throw new SecretShapeError(shape, 'dsn', 'must carry the public key as its user part');
  return { dsn };
}
