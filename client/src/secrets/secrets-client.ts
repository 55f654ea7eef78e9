import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LRUCache } from 'lru-cache';
import {
  parseDatabaseSecret,
  parseKeyRing,
  parseMailSecret,
  parseRedisSecret,
  parseSentrySecret,
  SecretShapeError,
  CATALOG,
  DIMENSION,
  METRIC,
  METRICS_ENV,
  metricDimensions,
  metricsNamespaceFromEnv,
  type DatabaseSecret,
  type KeyRing,
  type MailSecret,
  type RedisSecret,
  type SentrySecret,
} from '../../../contracts';
import { SecretsClientError } from '../errors';
import { SecretValue } from '../secret-value';
import { withCredentialRetry, type CredentialAttempt, type CredentialRetryOptions } from './credential-retry';
import { AwsSecretSource, toSecretsClientError, type SecretsManagerSender } from './aws-source';
import { DEFAULT_ENV_PREFIX, EnvSecretSource } from './env-source';
import { describeRequest, type SecretRequest, type SecretSource } from './source';
import { VaultSecretSource, type VaultSourceOptions } from './vault-source';

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
  /**
   * A forced refresh reaches the source unless another forced refresh of the same secret (stage/version) finished
   * within this long: it then reuses that result (a hot path or a flood of unknown kids costs one call); default 1 s.
   */
  minRefreshIntervalMs?: number;
  /** A secret found missing (not-found) is remembered this long: reads with `default` make no call meanwhile; default 30 s. */
  missingTtlMs?: number;
  /**
   * 'aws' (Secrets Manager), 'environment' (development fallback: environment variables and .env) or
   * 'auto' (default): 'environment' when NODE_ENV or ENVIRONMENT is `development`, else 'aws'.
   * 'environment' is refused unless NODE_ENV or ENVIRONMENT is explicitly `development` or `test` (and none says production).
   */
  source?: 'auto' | 'aws' | 'environment' | 'vault';
  /**
   * HashiCorp Vault KV v2 instead of Secrets Manager: options for a VaultSecretSource, or one. With it, 'auto' picks
   * Vault outside development (the development fallback still wins there).
   */
  vault?: VaultSourceOptions | VaultSecretSource;
  /** Opt-in: emit the StaleSecretServed metric (CloudWatch embedded metric format, one JSON line on stdout) per stale serve. */
  staleMetric?: boolean | StaleMetricOptions;
  /** Environment read for NODE_ENV, ENVIRONMENT and the fallback's variables; default process.env. */
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

export interface StaleMetricOptions {
  /** The consuming service, written as the `Service` property (not a dimension); default SERVICE_NAME / POWERTOOLS_SERVICE_NAME / AWS_LAMBDA_FUNCTION_NAME. */
  service?: string;
  /** Default METRICS_NAMESPACE, else `<App>/Secrets` from APP_NAME (gaara-store -> GaaraStore/Secrets), as the stack's functions. */
  namespace?: string;
  /** Environment dimension; default: the `<env>` segment of the secret id, else APP_ENVIRONMENT / ENVIRONMENT. */
  environment?: string;
  /** Where the EMF line goes; default process.stdout. */
  write?: (line: string) => void;
}

/** Event payloads: ids, stages, version ids and error names only, never a value. */
export interface StaleEvent {
  secretId: string;
  stage?: string;
  versionId?: string;
  staleForMs: number;
  awsErrorName?: string;
}
export interface RefreshEvent {
  secretId: string;
  stage?: string;
  versionId?: string;
  previousVersionId?: string;
}
export interface FetchErrorEvent {
  secretId: string;
  stage?: string;
  reason: string;
  awsErrorName?: string;
}

interface CacheEntry {
  /** Wrapped even here, so a heap snapshot printer or an inspected cache shows [REDACTED]. */
  value: SecretValue<string>;
  versionId: string | undefined;
  fetchedAt: number;
  expiresAt: number;
  /** Until when the cache holds this entry fresh (its lru-cache ttl, from load): the hot path's expiry check. */
  freshUntil: number;
  /** Recency of the last read (a counter): the hot path bypasses lru-cache, see syncRecency. */
  lastUsed: number;
  /**
   * Parsed views of this value, keyed by parser, as settled promises: a typed read parses once per fetched version
   * and a cached read hands out the same promise (no async function, no allocation).
   */
  parsed: Map<unknown, Promise<SecretValue<unknown>>>;
  /** The raw view (parsed.get(identity)) at hand: the most common read skips the Map lookup. */
  raw?: Promise<SecretValue<string>>;
  /** When the last forced refresh of this key finished (succeeded, or failed and kept this value). */
  forcedAt?: number;
}

/** What lru-cache hands the fetch method: the request, and whether a forced refresh started the fetch. */
interface LoadContext {
  request: SecretRequest;
  forced: boolean;
}

const DEFAULTS = {
  ttlMs: 300_000,
  jitter: 0.1,
  maxStaleMs: 900_000,
  staleRetryMs: 5_000,
  maxEntries: 256,
  fetchTimeoutMs: 5_000,
  minRefreshIntervalMs: 1_000,
  missingTtlMs: 30_000,
};

/**
 * Cached Secrets Manager reads. Events: 'stale' (StaleEvent), 'refresh' (RefreshEvent), 'fetch-error' (FetchErrorEvent).
 */
export class SecretsClient extends EventEmitter {
  readonly source: SecretSource;
  private readonly settings: typeof DEFAULTS;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly cache: LRUCache<string, CacheEntry, LoadContext>;
  /** Keys found missing, with the error: a read within missingTtlMs answers from here (default or not-found) without a call. */
  private readonly misses: LRUCache<string, SecretsClientError>;
  private readonly staleMetric: ((event: StaleEvent) => void) | undefined;
  /**
   * The AWSCURRENT entries of `cache` by secret id, maintained by its onInsert/dispose hooks: the hot path (a plain
   * read of a fresh value) is one Map lookup and a clock read instead of lru-cache's get, key building and an async call.
   */
  private readonly current = new Map<string, CacheEntry>();
  private uses = 0;

  constructor(options: SecretsClientOptions = {}) {
    super();
    this.settings = { ...DEFAULTS, ...definedOnly(options) };
    validateSettings(this.settings);
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.source = chooseSource(options, this.settings.fetchTimeoutMs);
    this.staleMetric = staleMetricEmitter(options.staleMetric, options.env ?? process.env, this.now);
    this.misses = new LRUCache<string, SecretsClientError>({
      max: this.settings.maxEntries,
      ttl: Math.max(1, this.settings.missingTtlMs),
      ttlResolution: 0,
      perf: { now: this.now },
    });
    this.cache = new LRUCache<string, CacheEntry, LoadContext>({
      max: this.settings.maxEntries,
      ttl: this.settings.ttlMs,
      ttlResolution: 0,
      perf: { now: this.now },
      noDeleteOnStaleGet: true, // a stale entry stays for fetch(), which may serve it when Secrets Manager is unavailable
      fetchMethod: (_key, stale, { signal, options: setOptions, context }) => this.load(context.request, context.forced, stale, signal, setOptions),
      onInsert: (entry, key) => {
        if (key.endsWith(CURRENT_SUFFIX)) this.current.set(key.slice(0, -CURRENT_SUFFIX.length), entry);
      },
      dispose: (entry, key) => {
        const id = key.slice(0, -CURRENT_SUFFIX.length);
        if (key.endsWith(CURRENT_SUFFIX) && this.current.get(id) === entry) this.current.delete(id);
      },
    });
  }

  /** The raw SecretString, wrapped. */
  getSecret(secretId: string, options?: GetSecretOptions<string>): Promise<SecretValue<string>> {
    if (options === undefined) {
      const entry = this.current.get(secretId);
      if (entry !== undefined && entry.raw !== undefined && this.now() <= entry.freshUntil) {
        entry.lastUsed = ++this.uses;
        return entry.raw;
      }
    }
    return this.getParsed(secretId, identity, options);
  }

  /** The value parsed by `parse` (e.g. a contracts/ parser), wrapped; parsed once per fetched version. */
  getParsed<T>(secretId: string, parse: (raw: string) => T, options?: GetSecretOptions<T>): Promise<SecretValue<T>> {
    // Hot path: a plain AWSCURRENT read of a fresh value already parsed with this parser.
    if (options === undefined || (!options.forceRefresh && !options.versionId && (options.stage === undefined || options.stage === CURRENT))) {
      const entry = this.current.get(secretId);
      if (entry !== undefined && this.now() <= entry.freshUntil) {
        const view = entry.parsed.get(parse) as Promise<SecretValue<T>> | undefined;
        if (view !== undefined) {
          entry.lastUsed = ++this.uses;
          return view;
        }
      }
    }
    return this.readParsed(secretId, parse, options ?? {});
  }

  private async readParsed<T>(secretId: string, parse: (raw: string) => T, options: GetSecretOptions<T>): Promise<SecretValue<T>> {
    const request = toRequest(secretId, options);
    const key = cacheKey(request);
    let entry: CacheEntry | undefined = options.forceRefresh ? undefined : this.cache.get(key); // fresh hit: no fetch machinery
    try {
      const missing = entry || options.forceRefresh ? undefined : this.misses.get(key);
      if (missing) {
        if ('default' in options) return new SecretValue(options.default as T, { secretId, stage: request.stage });
        throw missing;
      }
      entry ??= await this.entry(request, options);
    } catch (error) {
      if (error instanceof SecretsClientError && error.reason === 'not-found' && this.settings.missingTtlMs > 0 && !this.misses.has(key))
        this.misses.set(key, error);
      if (error instanceof SecretsClientError && error.reason === 'not-found' && 'default' in options) {
        return new SecretValue(options.default as T, { secretId, stage: request.stage });
      }
      throw error;
    }
    entry.lastUsed = ++this.uses;
    const memo = entry.parsed.get(parse) as Promise<SecretValue<T>> | undefined;
    if (memo) return memo;
    const parsed = new SecretValue(parseValue(request, parse, entry.value.reveal()), { secretId, versionId: entry.versionId, stage: request.stage });
    if (entry.parsed.size >= MAX_PARSED_VIEWS) entry.parsed.clear(); // callers passing a new closure per call
    const settled = Promise.resolve(parsed);
    entry.parsed.set(parse, settled);
    if (parse === identity) entry.raw = settled as Promise<SecretValue<string>>;
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
    for (const key of [...this.misses.keys()]) if (key.startsWith(`${secretId}\u0000`)) this.misses.delete(key);
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
    // A forced refresh is skipped only when someone else's forced refresh of this key finished within the minimum
    // interval (or, for withCredentialRetry, since the caller started). A normal read never counts: right after one,
    // a forced refresh still reaches the source (a newer kid or password may already be out).
    const recent =
      current !== undefined &&
      (options.refreshUnlessFetchedAfter !== undefined
        ? current.fetchedAt > options.refreshUnlessFetchedAfter
        : current.forcedAt !== undefined && this.now() - current.forcedAt < this.settings.minRefreshIntervalMs);
    const force = options.forceRefresh === true && !recent;
    if (!this.cache.has(key) && this.cache.size >= this.settings.maxEntries) this.syncRecency();
    try {
      const entry = await this.cache.fetch(key, { context: { request, forced: force }, forceRefresh: force });
      if (force) this.misses.delete(key);
      if (!entry) throw new SecretsClientError(request.secretId, 'other', `${describeRequest(request)}: read returned nothing`);
      return entry;
    } catch (error) {
      throw toSecretsClientError(request, error);
    }
  }

  /**
   * Hot-path hits do not move entries in lru-cache's order; before an insertion may evict, replay the reads' order
   * (lastUsed) into it, so the least recently read entry is the one evicted. Expired entries are not moved (lru-cache
   * only moves fresh ones): they go first.
   */
  private syncRecency(): void {
    const entries: [string, number][] = [];
    for (const key of this.cache.keys()) entries.push([key, this.cache.peek(key, { allowStale: true })?.lastUsed ?? 0]);
    entries.sort((a, b) => a[1] - b[1]);
    for (const [key] of entries) this.cache.get(key);
  }

  private async load(
    request: SecretRequest,
    forced: boolean,
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
      this.misses.delete(cacheKey(request));
      return {
        value: wrapped,
        versionId,
        fetchedAt: now,
        expiresAt: now + ttl,
        freshUntil: now + ttl,
        lastUsed: ++this.uses,
        parsed: reuse ? stale.parsed : new Map(),
        raw: reuse ? stale.raw : undefined,
        forcedAt: forced ? now : undefined,
      };
    } catch (error) {
      const failure = toSecretsClientError(request, error);
      this.emit('fetch-error', {
        secretId: request.secretId,
        stage: request.stage,
        reason: failure.reason,
        awsErrorName: failure.awsErrorName,
      } satisfies FetchErrorEvent);
      if (!stale || failure.reason !== 'unavailable') throw failure;
      const now = this.now();
      if (forced) stale.forcedAt = now;
      const staleForMs = now - stale.expiresAt;
      if (staleForMs > this.settings.maxStaleMs) throw failure;
      if (staleForMs <= 0) {
        // A forced refresh of a still-fresh value failed: keep the value until its own expiry.
        setOptions.ttl = Math.max(1, -staleForMs);
        stale.freshUntil = now + setOptions.ttl;
        return stale;
      }
      setOptions.ttl = Math.max(1, Math.min(this.settings.staleRetryMs, stale.expiresAt + this.settings.maxStaleMs - now));
      stale.freshUntil = now + setOptions.ttl;
      const event: StaleEvent = {
        secretId: request.secretId,
        stage: request.stage,
        versionId: stale.versionId,
        staleForMs,
        awsErrorName: failure.awsErrorName,
      };
      this.emit('stale', event);
      this.staleMetric?.(event);
      return stale;
    }
  }
}

const identity = (raw: string): string => raw;
const CURRENT = 'AWSCURRENT';
const CURRENT_SUFFIX = `\u0000s:${CURRENT}`;
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

const DEVELOPMENT = new Set(['development', 'test']);
const PRODUCTION_LIKE = new Set(['production', 'prod', 'staging']);

/**
 * Which deployment the process says it is: `development` when NODE_ENV or ENVIRONMENT says so, `test` likewise,
 * `production` when NODE_ENV, ENVIRONMENT or APP_ENVIRONMENT names production or staging (that wins), else undefined.
 */
export function declaredEnvironment(env: NodeJS.ProcessEnv): 'development' | 'test' | 'production' | undefined {
  const said = [env.NODE_ENV, env.ENVIRONMENT, env.APP_ENVIRONMENT].map((v) => v?.trim().toLowerCase());
  if (said.some((v) => v !== undefined && PRODUCTION_LIKE.has(v))) return 'production';
  const explicit = said.slice(0, 2);
  if (explicit.includes('development')) return 'development';
  if (explicit.includes('test')) return 'test';
  return undefined;
}

function chooseSource(options: SecretsClientOptions, timeoutMs: number): SecretSource {
  const env = options.env ?? process.env;
  const requested = options.source ?? 'auto';
  const declared = declaredEnvironment(env);
  const useEnvironment = requested === 'environment' || (requested === 'auto' && declared === 'development');
  if (!useEnvironment && (requested === 'vault' || (requested === 'auto' && options.vault))) {
    if (!options.vault) throw new SecretsClientError('(all)', 'not-allowed', "source 'vault' needs the vault option (address and auth)");
    return options.vault instanceof VaultSecretSource ? options.vault : new VaultSecretSource({ timeoutMs, ...options.vault });
  }
  if (!useEnvironment) return new AwsSecretSource(options.client ?? new SecretsManagerClient({}), timeoutMs);
  if (declared === undefined || !DEVELOPMENT.has(declared)) {
    throw new SecretsClientError(
      '(all)',
      'not-allowed',
      `the environment-variable fallback is refused unless NODE_ENV or ENVIRONMENT is "development" or "test" (and none of NODE_ENV, ENVIRONMENT, APP_ENVIRONMENT names production or staging); this process says ${declared ?? 'nothing'}: read secrets from Secrets Manager`,
    );
  }
  const prefix = options.envPrefix ?? DEFAULT_ENV_PREFIX;
  (options.warn ?? console.warn)(
    `[gaara-secrets] development fallback: secrets are read from ${prefix}* and conventional environment variables (DATABASE_URL, SECRET_KEY, ...)` +
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

/** Namespace as the stack's functions compute it (contracts/metrics.ts metricsNamespaceFromEnv). */
export function staleMetricNamespace(env: NodeJS.ProcessEnv): string {
  return metricsNamespaceFromEnv(env);
}

/**
 * StaleSecretServed as one CloudWatch embedded-metric-format line: dimensions exactly {Environment, Secret}
 * (contracts/metrics.ts, what the stack's alarm matches), the consuming service as a property. No value, no version id.
 */
function staleMetricEmitter(option: SecretsClientOptions['staleMetric'], env: NodeJS.ProcessEnv, now: () => number): ((event: StaleEvent) => void) | undefined {
  if (!option) return undefined;
  const settings: StaleMetricOptions = option === true ? {} : option;
  const namespace = settings.namespace ?? staleMetricNamespace(env);
  const service = settings.service ?? env.SERVICE_NAME ?? env.POWERTOOLS_SERVICE_NAME ?? env.AWS_LAMBDA_FUNCTION_NAME ?? 'unknown';
  const write = settings.write ?? ((line: string) => void process.stdout.write(line));
  return (event) => {
    const parts = event.secretId.split('/');
    const environment = settings.environment ?? (parts.length >= 3 ? parts[parts.length - 2] : (env[METRICS_ENV.environment] ?? env.ENVIRONMENT ?? 'unknown'));
    const record = {
      _aws: {
        Timestamp: now(),
        CloudWatchMetrics: [
          { Namespace: namespace, Dimensions: [[DIMENSION.Environment, DIMENSION.Secret]], Metrics: [{ Name: METRIC.StaleSecretServed, Unit: 'Count' }] },
        ],
      },
      ...metricDimensions(environment, parts[parts.length - 1]),
      [METRIC.StaleSecretServed]: 1,
      Service: service,
      Stage: event.stage,
      StaleForMs: event.staleForMs,
      AwsErrorName: event.awsErrorName,
    };
    try {
      write(`${JSON.stringify(record)}\n`);
    } catch {
      // A metric must never break a read that is being served.
    }
  };
}
