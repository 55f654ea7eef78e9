import { existsSync, readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { buildDatabaseUrl, buildRedisUrl, databaseFieldsFromUrl, redisFieldsFromUrl } from '../../../contracts';
import { ENV_NAMES, firstSet } from '../../../contracts/env-names';
import { SecretsClientError } from '../errors';
import { describeRequest, type SecretRequest, type SecretSource, type SourcedSecret } from './source';

export const DEFAULT_ENV_PREFIX = 'GAARA_SECRET_';

/** `gaara-store/dev/database-url` -> `GAARA_SECRET_DATABASE_URL`: the last path segment, upper snake case. */
export function environmentVariableFor(secretId: string, prefix = DEFAULT_ENV_PREFIX): string {
  const name = secretId.split('/').pop() ?? secretId;
  return prefix + name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/**
 * Names existing `.env` files of the Flask/Django/Node services use, read after the prefixed name (documented in
 * client/README.md): the whole-value names, then the password field's (contracts/env-names.ts, shared with
 * `gaara-secrets import-env`). Any other secret name also falls back to its bare upper-snake name (`smtp-password` -> SMTP_PASSWORD).
 */
export const CONVENTIONAL_VARIABLES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(ENV_NAMES).map(([name, names]) => [name, [...names.value, ...(names.fields.password ?? [])]]),
);

/** Every variable the development fallback reads for a secret id, in order: the prefixed one first. */
export function developmentVariablesFor(secretId: string, prefix = DEFAULT_ENV_PREFIX): string[] {
  const name = secretId.split('/').pop() ?? secretId;
  const bare = name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  return [...new Set([environmentVariableFor(secretId, prefix), ...(CONVENTIONAL_VARIABLES[name] ?? [bare])])];
}

export interface EnvSourceOptions {
  env: NodeJS.ProcessEnv;
  prefix: string;
  /** A .env file read with dotenv; variables already in `env` win. Missing file: ignored. */
  dotenvPath?: string;
}

/**
 * Development fallback: values from environment variables (and an optional .env). Only AWSCURRENT exists here.
 * Convenience forms are turned into the contract shapes so typed getters work unchanged (see client/README.md).
 */
export class EnvSecretSource implements SecretSource {
  readonly kind = 'environment' as const;
  // Private field: no inspection (even customInspect: false, showHidden), JSON or enumeration of the client reaches it.
  readonly #values: Record<string, string | undefined>;

  readonly #prefix: string;

  constructor(options: EnvSourceOptions) {
    this.#prefix = options.prefix;
    const fromFile = options.dotenvPath && existsSync(options.dotenvPath) ? parseDotenv(readFileSync(options.dotenvPath)) : {};
    this.#values = { ...fromFile, ...options.env };
  }

  toJSON(): Record<string, unknown> {
    return { kind: this.kind };
  }

  async read(request: SecretRequest): Promise<SourcedSecret> {
    const variables = developmentVariablesFor(request.secretId, this.#prefix);
    const variable = variables.find((v) => this.#values[v] !== undefined && this.#values[v] !== '');
    if (request.versionId || (request.stage && request.stage !== 'AWSCURRENT') || variable === undefined) {
      throw new SecretsClientError(
        request.secretId,
        'not-found',
        `${describeRequest(request)}: not found (development fallback reads ${variables.join(', ')}, AWSCURRENT only)`,
      );
    }
    const name = request.secretId.split('/').pop() ?? '';
    return { value: developmentValue(name, this.#values[variable] as string, request.secretId, variable, this.#values), versionId: 'environment' };
  }
}

function developmentValue(name: string, raw: string, secretId: string, variable: string, values: Record<string, string | undefined>): string {
  const text = raw.trim();
  if (text.startsWith('{')) return text;
  if (name === 'database-url') return JSON.stringify(databaseSecretFromUrl(text, secretId, variable));
  if (name === 'redis-password') {
    // REDIS_PASSWORD holds only the password: host, port and user come from REDIS_HOST, REDIS_PORT, REDIS_USERNAME.
    const url = ENV_NAMES['redis-password'].fields.password.includes(variable) ? bareRedisUrl(text, values) : text;
    return JSON.stringify(redisSecretFromUrl(url, secretId, variable));
  }
  if (name === 'secret-key' || name === 'jwt-secret' || name === 'encryption-key') return JSON.stringify(ringFromKey(text, secretId, variable));
  if (name === 'sentry-dsn' && /^https?:\/\//i.test(text)) return JSON.stringify({ dsn: text });
  if (name === 'mail-password') {
    const mail = ENV_NAMES['mail-password'].fields;
    const host = fieldValue(values, mail.host);
    if (host) {
      const port = Number(fieldValue(values, mail.port) ?? 587);
      const username = fieldValue(values, mail.username) ?? '';
      return JSON.stringify({ host, port, username, password: raw });
    }
  }
  return raw;
}

/** The value of the first of `names` that is set: the shared table lists a field's names in order of preference. */
function fieldValue(values: Record<string, string | undefined>, names: readonly string[]): string | undefined {
  const name = firstSet(values, names);
  return name === undefined ? undefined : values[name];
}

function bareRedisUrl(password: string, values: Record<string, string | undefined>): string {
  const url = new URL('redis://localhost:6379');
  const redis = ENV_NAMES['redis-password'].fields;
  url.hostname = fieldValue(values, redis.host) ?? 'localhost';
  url.port = fieldValue(values, redis.port) ?? '6379';
  url.username = encodeURIComponent(fieldValue(values, redis.username) ?? 'default');
  url.password = encodeURIComponent(password);
  return url.toString();
}

function parseUrl(text: string, secretId: string, variable: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new SecretsClientError(secretId, 'invalid-value', `${variable} is neither JSON nor a URL`);
  }
}

function databaseSecretFromUrl(text: string, secretId: string, variable: string) {
  const fields = databaseFieldsFromUrl(parseUrl(text, secretId, variable));
  if (!fields) throw new SecretsClientError(secretId, 'invalid-value', `${variable}: URL scheme must be postgresql, postgres, mysql or mariadb`);
  return { schema: 1, ...fields, url: buildDatabaseUrl(fields) };
}

function redisSecretFromUrl(text: string, secretId: string, variable: string) {
  const parsed = redisFieldsFromUrl(parseUrl(text, secretId, variable));
  if (!parsed) throw new SecretsClientError(secretId, 'invalid-value', `${variable}: URL scheme must be redis or rediss`);
  const fields = { ...parsed, port: parsed.port ?? 6379, username: parsed.username ?? 'default' };
  // userId marks the value as not rotatable by the self-managed Redis rotator: nothing rotates development values.
  return { schema: 1, ...fields, userId: 'local-development', url: buildRedisUrl(fields) };
}

function ringFromKey(text: string, secretId: string, variable: string) {
  const key = Buffer.from(text, 'utf8');
  if (key.length < 32) throw new SecretsClientError(secretId, 'invalid-value', `${variable}: a development key must be at least 32 characters`);
  return { schema: 1, current: { kid: 'development', key: key.toString('base64url'), createdAt: new Date(0).toISOString() }, previous: [] };
}
