import type { DatabaseSecret, KeyRing, MailSecret, RedisSecret, SentrySecret } from '../../../contracts';
import { SecretsClientError } from '../errors';
import type { SecretValue } from '../secret-value';
import { SecretsClient, type GetSecretOptions, type SecretsClientOptions } from './secrets-client';

/**
 * The one-line reads: `await getSecret('database-url')` on a process-wide client created on first use.
 * A short name becomes `<APP_NAME>/<APP_ENVIRONMENT or ENVIRONMENT>/<name>`; an id holding a `/` is used as given.
 * These functions return the plain value (no `.reveal()`): keep it out of logs yourself. The class API keeps
 * `SecretValue` wrappers.
 */
export interface ReadOptions<T> {
  /** See SecretsClient: reaches the source unless another forced refresh of this secret finished within minRefreshIntervalMs. */
  forceRefresh?: boolean;
  /** Returned when the secret does not exist (the miss is remembered for missingTtlMs). Other errors throw. */
  default?: T;
  stage?: string;
  versionId?: string;
}

let shared: SecretsClient | undefined;

/** The process-wide client (created on first use with `new SecretsClient()`, i.e. process.env and the ambient region). */
export function defaultSecretsClient(): SecretsClient {
  return (shared ??= new SecretsClient());
}

/** Replaces the process-wide client: options for a new one (e.g. `{ staleMetric: { service: 'orders-api' } }`), or a client. */
export function configureSecrets(options: SecretsClientOptions | SecretsClient = {}): SecretsClient {
  shared = options instanceof SecretsClient ? options : new SecretsClient(options);
  return shared;
}

/** Forgets the process-wide client (tests). */
export function resetDefaultSecretsClient(): void {
  shared = undefined;
}

/**
 * `database-url` -> `gaara-store/prod/database-url` from APP_NAME (default gaara-store) and APP_ENVIRONMENT
 * (else ENVIRONMENT). In the development fallback with neither set, the environment segment is `dev`.
 */
export function resolveSecretId(name: string, env: NodeJS.ProcessEnv = process.env, fallback?: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('secret name must be a non-empty string');
  if (name.includes('/')) return name;
  const app = env.APP_NAME || 'gaara-store';
  const environment = env.APP_ENVIRONMENT || env.ENVIRONMENT || fallback;
  if (!environment) {
    throw new SecretsClientError(
      name,
      'not-allowed',
      `secret "${name}": set APP_ENVIRONMENT (or ENVIRONMENT) to read it by short name, or pass the full "<app>/<env>/${name}" id`,
    );
  }
  return `${app}/${environment}/${name}`;
}

function idFor(client: SecretsClient, name: string): string {
  return resolveSecretId(name, process.env, client.source.kind === 'environment' ? 'dev' : undefined);
}

async function read<T>(
  name: string,
  options: ReadOptions<T>,
  get: (c: SecretsClient, id: string, o: GetSecretOptions<T>) => Promise<SecretValue<T>>,
): Promise<T> {
  const client = defaultSecretsClient();
  return (await get(client, idFor(client, name), options)).reveal();
}

export function getSecret(name: string, options: ReadOptions<string> = {}): Promise<string> {
  return read(name, options, (c, id, o) => c.getSecret(id, o));
}

/** The value parsed as JSON (any shape; no contract check). */
export function getJsonSecret<T = unknown>(name: string, options: ReadOptions<T> = {}): Promise<T> {
  return read(name, options, (c, id, o) => c.getParsed(id, jsonParse as (raw: string) => T, o));
}

export function getDatabaseSecret(name = 'database-url', options: ReadOptions<DatabaseSecret> = {}): Promise<DatabaseSecret> {
  return read(name, options, (c, id, o) => c.getDatabaseSecret(id, o));
}

export function getRedisSecret(name = 'redis-password', options: ReadOptions<RedisSecret> = {}): Promise<RedisSecret> {
  return read(name, options, (c, id, o) => c.getRedisSecret(id, o));
}

export function getMailSecret(name = 'mail-password', options: ReadOptions<MailSecret> = {}): Promise<MailSecret> {
  return read(name, options, (c, id, o) => c.getMailSecret(id, o));
}

export function getSentrySecret(name = 'sentry-dsn', options: ReadOptions<SentrySecret> = {}): Promise<SentrySecret> {
  return read(name, options, (c, id, o) => c.getSentrySecret(id, o));
}

export function getKeyRing(name: string, options: ReadOptions<KeyRing> = {}): Promise<KeyRing> {
  return read(name, options, (c, id, o) => c.getKeyRing(id, o));
}

const jsonParse = (raw: string): unknown => JSON.parse(raw);
