import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LRUCache } from 'lru-cache';
import {
  parseDatabaseSecret, parseKeyRing, parseMailSecret, parseRedisSecret, parseSentrySecret, SecretShapeError,
  CATALOG, type DatabaseSecret, type KeyRing, type MailSecret, type RedisSecret, type SentrySecret,
} from '../../../contracts';
import { SecretsClientError } from '../errors';
import { SecretValue } from '../secret-value';
import { withCredentialRetry, type CredentialAttempt, type CredentialRetryOptions } from './credential-retry';
import { AwsSecretSource, toSecretsClientError, type SecretsManagerSender } from './aws-source';
import { DEFAULT_ENV_PREFIX, EnvSecretSource } from './env-source';
import { describeRequest, type SecretRequest, type SecretSource } from './source';

export interface SecretsClientOptions {
  /** A SecretsManagerClient (or anything with its `send`); default: a new client for the ambient region. */
  client?: SecretsManagerSender;
  /** Cache lifetime of a value; default 5 minutes. */
  ttlMs?: number;
  /** Each entry lives a random time in [ttl * (1 - jitter), ttl], so a fleet does not refresh in step; default 0.1. */
  jitter?: number;
  /** How long after expiry a value may still be served when Secrets Manager is unavailable; default 15 minutes. */
  maxStaleMs?: number;
  /** While serving stale, how often to try Secrets Manager again; default 5 s. */
  staleRetryMs?: number;
  /** Bound on cached (secret, stage/version) entries; least recently used go first; default 256. */
  maxEntries?: number;
  /** Timeout of one GetSecretValue call (the SDK's own retries happen inside it); default 5 s. */
  fetchTimeoutMs?: number;
  /** A forced refresh within this long of the last fetch reuses it (a burst of auth failures costs one call); default 1 s. */
  minRefreshIntervalMs?: number;
  /**
   * 'aws' (Secrets Manager), 'environment' (development fallback: environment variables and .env) or
   * 'auto' (default): 'environment' when NODE_ENV=development, else 'aws'. 'environment' throws when NODE_ENV=production.
   */
  source?: 'auto' | 'aws' | 'environment';
  /** Environment read for NODE_ENV and the fallback's variables; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Prefix of the fallback's variables; default GAARA_SECRET_. */
  envPrefix?: string;
  /** .env file for the fallback (dotenv); default `.env` in the working directory; false: none. */
  dotenvPath?: string | false;
  /** Where the fallback's warning goes; default console.warn. */
  warn?: (message: string) => void;
  /** Clock and randomness, injectable for tests. */
  now?: () => number;
  random?: () => number;
}

export interface GetSecretOptions<T = string> {
  /** Staging label (AWSCURRENT, AWSPENDING, AWSPREVIOUS, or a custom one); part of the cache key. */
  stage?: string;
  /** A version id; part of the cache key; wins over stage. */
  versionId?: string;
  /** Skip the cached value (concurrent forced reads still share one call). */
  forceRefresh?: boolean;
  /**
   * With forceRefresh: no new call when the cached value was fetched after this time (client clock, see `time()`),
   * i.e. someone already refreshed since the caller read its value. Without it, minRefreshIntervalMs applies.
   */
  refreshUnlessFetchedAfter?: number;
  /** Returned when the secret (or its stage/version) does not exist. Any other error still throws. */
  default?: T;
}

/** Event payloads: ids, stages, version ids and error names only, never a value. */
export interface StaleEvent { secretId: string; stage?: string; versionId?: string; staleForMs: number; awsErrorName?: string }
export interface RefreshEvent { secretId: string; stage?: string; versionId?: string; previousVersionId?: string }
export interface FetchErrorEvent { secretId: string; stage?: string; reason: string; awsErrorName?: string }

interface CacheEntry {
  /** Wrapped even here, so a heap snapshot printer or an inspected cache shows [REDACTED]. */
  value: SecretValue<string>;
  versionId: string | undefined;
  fetchedAt: number;
  expiresAt: number;
  /** Parsed views of this value, keyed by parser, so a typed read parses once per fetched version. */
  parsed: Map<unknown, SecretValue<unknown>>;
}

const DEFAULTS = {
  ttlMs: 300_000, jitter: 0.1, maxStaleMs: 900_000, staleRetryMs: 5_000, maxEntries: 256, fetchTimeoutMs: 5_000, minRefreshIntervalMs: 1_000,
};

/**
 * Cached Secrets Manager reads. Events: 'stale' (StaleEvent), 'refresh' (RefreshEvent), 'fetch-error' (FetchErrorEvent).
 */
export class SecretsClient extends EventEmitter {
  readonly source: SecretSource;
  private readonly settings: typeof DEFAULTS;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly cache: LRUCache<string, CacheEntry, SecretRequest>;

  constructor(options: SecretsClientOptions = {}) {
    super();
    this.settings = { ...DEFAULTS, ...definedOnly(options) };
    validateSettings(this.settings);
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.source = chooseSource(options, this.settings.fetchTimeoutMs);
    this.cache = new LRUCache<string, CacheEntry, SecretRequest>({
      max: this.settings.maxEntries,
      ttl: this.settings.ttlMs,
      ttlResolution: 0,
      perf: { now: this.now },
      noDeleteOnStaleGet: true, // a stale entry stays for fetch(), which may serve it when Secrets Manager is unavailable
      fetchMethod: (_key, stale, { signal, options: setOptions, context }) => this.load(context, stale, signal, setOptions),
    });
  }

  /** The raw SecretString, wrapped. */
  async getSecret(secretId: string, options: GetSecretOptions<string> = {}): Promise<SecretValue<string>> {
    return this.getParsed(secretId, identity, options);
  }

  /** The value parsed by `parse` (e.g. a contracts/ parser), wrapped; parsed once per fetched version. */
  async getParsed<T>(secretId: string, parse: (raw: string) => T, options: GetSecretOptions<T> = {}): Promise<SecretValue<T>> {
    const request = toRequest(secretId, options);
    let entry: CacheEntry | undefined = options.forceRefresh ? undefined : this.cache.get(cacheKey(request)); // fresh hit: no fetch machinery
    try {
      entry ??= await this.entry(request, options);
    } catch (error) {
      if (error instanceof SecretsClientError && error.reason === 'not-found' && 'default' in options) {
        return new SecretValue(options.default as T, { secretId, stage: request.stage });
      }
      throw error;
    }
    const memo = entry.parsed.get(parse) as SecretValue<T> | undefined;
    if (memo) return memo;
    const parsed = new SecretValue(parseValue(request, parse, entry.value.reveal()), { secretId, versionId: entry.versionId, stage: request.stage });
    if (entry.parsed.size >= MAX_PARSED_VIEWS) entry.parsed.clear(); // callers passing a new closure per call
    entry.parsed.set(parse, parsed);
    return parsed;
  }

  getDatabaseSecret(secretId: string, options?: GetSecretOptions<DatabaseSecret>): Promise<SecretValue<DatabaseSecret>> {
    return this.getParsed(secretId, parseDatabaseSecret, options);
  }

  getRedisSecret(secretId: string, options?: GetSecretOptions<RedisSecret>): Promise<SecretValue<RedisSecret>> {
    return this.getParsed(secretId, parseRedisSecret, options);
  }

  getMailSecret(secretId: string, options?: GetSecretOptions<MailSecret>): Promise<SecretValue<MailSecret>> {
    return this.getParsed(secretId, parseMailSecret, options);
  }

  getSentrySecret(secretId: string, options?: GetSecretOptions<SentrySecret>): Promise<SecretValue<SentrySecret>> {
    return this.getParsed(secretId, parseSentrySecret, options);
  }

  /** A key ring (secret-key, jwt-secret, encryption-key), checked against the catalog's bounds for that name. */
  getKeyRing(secretId: string, options?: GetSecretOptions<KeyRing>): Promise<SecretValue<KeyRing>> {
    return this.getParsed(secretId, keyRingParser(secretId), options);
  }

  /** See credential-retry.ts: connect with AWSCURRENT, on a refused password refresh once, then try AWSPENDING. */
  withCredentialRetry<T = DatabaseSecret, R = unknown>(
    secretId: string,
    connect: (credential: T, attempt: CredentialAttempt) => Promise<R>,
    options?: CredentialRetryOptions<T>,
  ): Promise<R> {
    return withCredentialRetry(this, secretId, connect, options);
  }

  /** Drops every cached entry of a secret (all stages and versions). */
  invalidate(secretId: string): void {
    for (const key of [...this.cache.keys()]) if (key.startsWith(`${secretId}\u0000`)) this.cache.delete(key);
  }

  /** Version id of the cached entry, stale or not, without a call. */
  cachedVersionId(secretId: string, options: Pick<GetSecretOptions, 'stage' | 'versionId'> = {}): string | undefined {
    return this.cache.peek(cacheKey(toRequest(secretId, options)), { allowStale: true })?.versionId;
  }

  /** Inspecting the client shows its settings and cache size, never cached values. */
  [inspect.custom](): string {
    return `SecretsClient { source: ${this.source.kind}, entries: ${this.cache.size}, ttlMs: ${this.settings.ttlMs}, maxStaleMs: ${this.settings.maxStaleMs} }`;
  }

  toJSON(): Record<string, unknown> {
    return { source: this.source.kind, entries: this.cache.size };
  }

  /** The client's clock (injectable): the time base of `refreshUnlessFetchedAfter`. */
  time(): number {
    return this.now();
  }

  private async entry(request: SecretRequest, options: GetSecretOptions<unknown>): Promise<CacheEntry> {
    const key = cacheKey(request);
    const current = options.forceRefresh ? this.cache.peek(key, { allowStale: true }) : undefined;
    const recent = current !== undefined && (options.refreshUnlessFetchedAfter !== undefined
      ? current.fetchedAt > options.refreshUnlessFetchedAfter
      : this.now() - current.fetchedAt < this.settings.minRefreshIntervalMs);
    const force = options.forceRefresh === true && !recent;
    try {
      const entry = await this.cache.fetch(key, { context: request, forceRefresh: force });
      if (!entry) throw new SecretsClientError(request.secretId, 'other', `${describeRequest(request)}: read returned nothing`);
      return entry;
    } catch (error) {
      throw toSecretsClientError(request, error);
    }
  }

  private async load(
    request: SecretRequest,
    stale: CacheEntry | undefined,
    signal: AbortSignal,
    setOptions: { ttl?: number },
  ): Promise<CacheEntry> {
    try {
      const { value, versionId } = await this.source.read(request, signal);
      const now = this.now();
      const ttl = Math.max(1, Math.round(this.settings.ttlMs * (1 - this.settings.jitter * this.random())));
      setOptions.ttl = ttl;
      const reuse = stale && stale.versionId === versionId && stale.value.reveal() === value;
      this.emit('refresh', { secretId: request.secretId, stage: request.stage, versionId, previousVersionId: stale?.versionId } satisfies RefreshEvent);
      const wrapped = new SecretValue(value, { secretId: request.secretId, versionId, stage: request.stage });
      return { value: wrapped, versionId, fetchedAt: now, expiresAt: now + ttl, parsed: reuse ? stale.parsed : new Map() };
    } catch (error) {
      const failure = toSecretsClientError(request, error);
      this.emit('fetch-error', { secretId: request.secretId, stage: request.stage, reason: failure.reason, awsErrorName: failure.awsErrorName } satisfies FetchErrorEvent);
      if (!stale || failure.reason !== 'unavailable') throw failure;
      const now = this.now();
      const staleForMs = now - stale.expiresAt;
      if (staleForMs > this.settings.maxStaleMs) throw failure;
      if (staleForMs <= 0) {
        // A forced refresh of a still-fresh value failed: keep the value until its own expiry.
        setOptions.ttl = Math.max(1, -staleForMs);
        return stale;
      }
      setOptions.ttl = Math.max(1, Math.min(this.settings.staleRetryMs, stale.expiresAt + this.settings.maxStaleMs - now));
      this.emit('stale', { secretId: request.secretId, stage: request.stage, versionId: stale.versionId, staleForMs, awsErrorName: failure.awsErrorName } satisfies StaleEvent);
      return stale;
    }
  }
}

const identity = (raw: string): string => raw;
const MAX_PARSED_VIEWS = 16;

function parseValue<T>(request: SecretRequest, parse: (raw: string) => T, raw: string): T {
  try {
    return parse(raw);
  } catch (error) {
    // Only SecretShapeError is known to name the field and not the value; JSON.parse, for one, quotes the input.
    const detail = error instanceof SecretShapeError ? error.message : `value does not parse (${error instanceof Error ? error.name : 'error'})`;
    throw new SecretsClientError(request.secretId, 'invalid-value', `${describeRequest(request)}: ${detail}`);
  }
}

const ringParsers = new Map<string, (raw: string) => KeyRing>();
function keyRingParser(secretId: string): (raw: string) => KeyRing {
  const name = secretId.split('/').pop() ?? secretId;
  let parser = ringParsers.get(name);
  if (!parser) {
    const entry = CATALOG.find((e) => e.name === name && e.kind === 'key-ring');
    const options = entry ? { shape: entry.name, maxPrevious: entry.ring?.maxPrevious } : { shape: name };
    parser = (raw: string) => parseKeyRing(raw, options);
    ringParsers.set(name, parser);
  }
  return parser;
}

function toRequest(secretId: string, options: Pick<GetSecretOptions, 'stage' | 'versionId'>): SecretRequest {
  if (typeof secretId !== 'string' || secretId.length === 0) throw new TypeError('secretId must be a non-empty string');
  if (options.versionId) return { secretId, versionId: options.versionId };
  return { secretId, stage: options.stage ?? 'AWSCURRENT' };
}

function cacheKey(request: SecretRequest): string {
  return `${request.secretId}\u0000${request.versionId ? `v:${request.versionId}` : `s:${request.stage}`}`;
}

function chooseSource(options: SecretsClientOptions, timeoutMs: number): SecretSource {
  const env = options.env ?? process.env;
  const requested = options.source ?? 'auto';
  const useEnvironment = requested === 'environment' || (requested === 'auto' && env.NODE_ENV === 'development');
  if (!useEnvironment) return new AwsSecretSource(options.client ?? new SecretsManagerClient({}), timeoutMs);
  if (env.NODE_ENV === 'production') {
    throw new SecretsClientError('(all)', 'not-allowed', 'the environment-variable fallback is refused when NODE_ENV=production: read secrets from Secrets Manager');
  }
  const prefix = options.envPrefix ?? DEFAULT_ENV_PREFIX;
  (options.warn ?? console.warn)(
    `[gaara-secrets] development fallback: secrets are read from ${prefix}* environment variables` +
      `${options.dotenvPath === false ? '' : ' and .env'}, not from Secrets Manager. Never use this in production.`,
  );
  return new EnvSecretSource({ env, prefix, dotenvPath: options.dotenvPath === false ? undefined : (options.dotenvPath ?? '.env') });
}

function definedOnly(options: SecretsClientOptions): Partial<typeof DEFAULTS> {
  const picked: Partial<typeof DEFAULTS> = {};
  for (const key of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    if (options[key] !== undefined) picked[key] = options[key];
  }
  return picked;
}

function validateSettings(settings: typeof DEFAULTS): void {
  for (const [name, value] of Object.entries(settings)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new RangeError(`SecretsClient option ${name} must be a finite number >= 0`);
  }
  if (settings.jitter > 1) throw new RangeError('SecretsClient option jitter must be between 0 and 1');
  if (settings.ttlMs < 1 || settings.maxEntries < 1 || settings.fetchTimeoutMs < 1) {
    throw new RangeError('SecretsClient options ttlMs, maxEntries and fetchTimeoutMs must be at least 1');
  }
}
