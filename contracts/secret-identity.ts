/**
 * Which secret an id names, said once for the rotators (their scope check), the metrics (the Secret dimension)
 * and the client. A Secrets Manager ARN ends in `secret:<name>-<6 random characters>`; the name is
 * `<app>/<env>/<catalog name>`.
 */
import { SECRET_NAMES, SecretName, secretNamePrefix } from './catalog';

const SECRET_ARN = /^arn:(aws[a-z-]*):secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)-[A-Za-z0-9]{6}$/;

export interface SecretArnParts {
  partition: string;
  region: string;
  account: string;
  name: string;
}

/** The parts of a full secret ARN; undefined for a name or a partial ARN. */
export function parseSecretArn(id: string): SecretArnParts | undefined {
  const m = SECRET_ARN.exec(id);
  if (!m) return undefined;
  return { partition: m[1] as string, region: m[2] as string, account: m[3] as string, name: m[4] as string };
}

/** The secret's name from its full ARN or its name (a partial ARN, without the suffix, is read as a name). */
export function secretNameOf(id: string): string {
  return parseSecretArn(id)?.name ?? (id.startsWith('arn:') ? (id.split(':secret:')[1] ?? id) : id);
}

/** `<app>/<env>/database-url` -> `database-url`: the catalog name, the metrics' Secret dimension. */
export function catalogNameOf(id: string): string {
  const name = secretNameOf(id);
  return name.split('/').pop() || name;
}

export interface SecretScope {
  app: string;
  environment: string;
  /** The catalog names this function serves. */
  serves: readonly SecretName[];
}

/** Why `id` is outside the scope, or undefined when it is one of the secrets the scope serves. */
export function outOfScope(id: string, scope: SecretScope): string | undefined {
  const name = secretNameOf(id);
  const prefix = secretNamePrefix(scope.app, scope.environment);
  if (!name.startsWith(prefix)) return `is not a secret of ${prefix}* (this function serves only its own application and environment)`;
  const rest = name.slice(prefix.length);
  if (!(SECRET_NAMES as readonly string[]).includes(rest) || !scope.serves.includes(rest as SecretName)) {
    return `is not one of the secrets this function serves (${scope.serves.join(', ')})`;
  }
  return undefined;
}

const SAFE = /[^A-Za-z0-9_.:/@+=,-]/g;
export const IDENTIFIER_QUOTE_LIMIT = 64;

/** A short, sanitized prefix of an identifier that may come from a secret value or an event. */
export function identifierPrefix(identifier: string): string {
  const clean = identifier.slice(0, IDENTIFIER_QUOTE_LIMIT).replace(SAFE, '?');
  return `${clean}${identifier.length > IDENTIFIER_QUOTE_LIMIT ? '…' : ''}`;
}

/**
 * An identifier (user name, host, key id, secret id) as errors and logs may quote it: a short, sanitized prefix
 * in quotes. The identifier may come from a secret value an attacker wrote: never echo it whole.
 */
export function quoteIdentifier(identifier: string): string {
  return `"${identifierPrefix(identifier)}"`;
}
