import { parseDatabaseSecret, parseRedisSecret } from '../../../contracts';
import { SecretsClientError } from '../errors';
import type { SecretValue } from '../secret-value';
import { isAuthenticationError, type AuthErrorPredicate } from './auth-errors';
import type { SecretSource } from './source';

export interface CredentialAttempt {
  /** AWSPENDING with Secrets Manager; AWSPREVIOUS (the version before the latest) with Vault KV v2, which has no stages. */
  stage: 'AWSCURRENT' | 'AWSPENDING' | 'AWSPREVIOUS';
  versionId: string | undefined;
}

/**
 * What withCredentialRetry needs of a secrets client (SecretsClient has it): declared here so this module does not
 * import secrets-client.ts, which imports this one.
 */
export interface CredentialSecretsReader {
  readonly source: Pick<SecretSource, 'kind'>;
  time(): number;
  getParsed<T>(
    secretId: string,
    parse: (raw: string) => T,
    options?: { stage?: string; forceRefresh?: boolean; refreshUnlessFetchedAfter?: number },
  ): Promise<SecretValue<T>>;
}

export interface CredentialRetryOptions<T> {
  /** How to read the value; default: the contracts/ parser for database-url and redis-password ids, else the raw string. */
  parse?: (raw: string) => T;
  /** Extra "credential refused" test, on top of pg 28P01, mysql2 1045 and redis WRONGPASS/NOAUTH. */
  isAuthError?: AuthErrorPredicate;
}

/**
 * Runs `connect(credential)` and survives the moment after a rotation:
 * 1. the cached AWSCURRENT;
 * 2. on an authentication failure only: AWSCURRENT refreshed (one call for a burst of failures), if it changed;
 * 3. AWSPENDING (single-user rotation: the database already has the new password, AWSCURRENT not yet), if it differs.
 * Network, TLS and other errors are thrown at once. When every candidate is refused, the last driver error is thrown.
 */
export async function withCredentialRetry<T, R>(
  secrets: CredentialSecretsReader,
  secretId: string,
  connect: (credential: T, attempt: CredentialAttempt) => Promise<R>,
  options: CredentialRetryOptions<T> = {},
): Promise<R> {
  const parse = options.parse ?? (defaultParser(secretId) as (raw: string) => T);
  const isAuthError = (error: unknown) => isAuthenticationError(error) || (options.isAuthError?.(error) ?? false);
  const tried = new Set<string | undefined>();

  const attempt = async (credential: SecretValue<T>, stage: CredentialAttempt['stage']): Promise<{ ok: true; result: R } | { ok: false; error: unknown }> => {
    tried.add(credential.versionId);
    try {
      return { ok: true, result: await connect(credential.reveal(), { stage, versionId: credential.versionId }) };
    } catch (error) {
      if (!isAuthError(error)) throw error;
      return { ok: false, error };
    }
  };

  const startedAt = secrets.time();
  let outcome = await attempt(await secrets.getParsed(secretId, parse), 'AWSCURRENT');
  if (outcome.ok) return outcome.result;

  // One refresh for a burst of failures: concurrent ones share the call, later ones reuse a value fetched since they started.
  const refreshed = await secrets.getParsed(secretId, parse, { forceRefresh: true, refreshUnlessFetchedAfter: startedAt });
  if (!tried.has(refreshed.versionId)) {
    outcome = await attempt(refreshed, 'AWSCURRENT');
    if (outcome.ok) return outcome.result;
  }

  // Secrets Manager: AWSPENDING (single-user rotation window). Vault KV v2: the previous version (a new version was
  // written before the database took it, or the database change was rolled back).
  const fallbackStage = secrets.source.kind === 'vault' ? 'AWSPREVIOUS' : 'AWSPENDING';
  const pending = await readPending(secrets, secretId, parse, startedAt, fallbackStage);
  if (pending && !tried.has(pending.versionId)) {
    outcome = await attempt(pending, fallbackStage);
    if (outcome.ok) return outcome.result;
  }
  throw outcome.error;
}

async function readPending<T>(
  secrets: CredentialSecretsReader,
  secretId: string,
  parse: (raw: string) => T,
  startedAt: number,
  stage: string,
): Promise<SecretValue<T> | undefined> {
  try {
    return await secrets.getParsed(secretId, parse, { stage, forceRefresh: true, refreshUnlessFetchedAfter: startedAt });
  } catch (error) {
    // No rotation in progress (no AWSPENDING, or AWSPENDING without a value yet): nothing else to try.
    if (error instanceof SecretsClientError && error.reason === 'not-found') return undefined;
    throw error;
  }
}

function defaultParser(secretId: string): (raw: string) => unknown {
  const name = secretId.split('/').pop();
  if (name === 'database-url') return parseDatabaseSecret;
  if (name === 'redis-password') return parseRedisSecret;
  return rawValue;
}

const rawValue = (raw: string): string => raw;
