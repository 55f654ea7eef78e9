/**
 * HashiCorp Vault KV version 2 as a secret source for SecretsClient (same cache, coalescing, stale-on-error,
 * redaction, typed parsers and withCredentialRetry). Plain HTTP API over Node's fetch; written from Vault's API
 * documentation (KV v2 data and metadata, AppRole login, token lookup-self / renew-self, sys/health).
 *
 * Mapping (client/README.md): secret id `<app>/<env>/<name>` -> `GET /v1/<mount>/data/<pathPrefix><app>/<env>/<name>`.
 * Value: a KV entry is a JSON object; `{ "value": "<string>" }` (exactly that key) reads as the bare string, anything
 * else as its JSON text, so the contracts/ parsers read database-url etc. unchanged.
 * Stages: KV v2 has versions, not stages. AWSCURRENT = the latest version; AWSPREVIOUS = the version before it
 * (not found when there is none, or it is deleted or destroyed); AWSPENDING and custom stages: not found.
 * versionId = the KV version number as text.
 */
import { SecretsClientError, type SecretErrorReason } from '../errors';
import { describeRequest, type SecretRequest, type SecretSource, type SourcedSecret } from './source';

export type VaultAuth = { method: 'token'; token: string } | { method: 'approle'; roleId: string; secretId: string; mount?: string };

export interface VaultSourceOptions {
  /** e.g. https://vault.internal:8200 (VAULT_ADDR). */
  address: string;
  auth: VaultAuth;
  /** Vault Enterprise / HCP namespace, sent as X-Vault-Namespace. */
  namespace?: string;
  /** KV v2 mount; default `secret`. */
  mount?: string;
  /** Prepended to the secret id to form the KV path; default none. */
  pathPrefix?: string;
  /** Per-request timeout; default 5 s (SecretsClient passes its fetchTimeoutMs). */
  timeoutMs?: number;
  /** Renew (or, for AppRole, log in again) once this fraction of the token's lease has passed; default 2/3. */
  renewAtFraction?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface VaultHealth {
  status: 'active' | 'standby' | 'performance-standby' | 'dr-secondary' | 'sealed' | 'uninitialized' | 'unreachable' | 'unknown';
  httpStatus?: number;
  sealed?: boolean;
  standby?: boolean;
  version?: string;
  error?: string;
}

interface TokenState {
  token: string;
  expiresAt: number;
  renewable: boolean;
  renewAt: number;
}

/** Raised for Vault answers; carries the HTTP status and Vault's error strings' count, never a value. */
class VaultHttpError extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
    readonly casMismatch = false,
  ) {
    super(`Vault ${status} on ${path}`);
    this.name = `VaultHttp${status}`;
  }
}

const HEALTH: Record<number, VaultHealth['status']> = {
  200: 'active',
  429: 'standby',
  472: 'dr-secondary',
  473: 'performance-standby',
  474: 'standby',
  501: 'uninitialized',
  503: 'sealed',
};

export class VaultSecretSource implements SecretSource {
  readonly kind = 'vault' as const;
  readonly #options: Required<Pick<VaultSourceOptions, 'mount' | 'pathPrefix' | 'timeoutMs' | 'renewAtFraction'>> & VaultSourceOptions;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  // Private: no inspection or serialization of the client reaches the token or the AppRole secret id.
  #token: TokenState | undefined;
  #pendingAuth: Promise<TokenState> | undefined;
  readonly calls = { login: 0, renew: 0, lookup: 0, read: 0, write: 0 };

  constructor(options: VaultSourceOptions) {
    if (!/^https?:\/\//.test(options?.address ?? '')) throw new TypeError('VaultSecretSource option address must be an http(s) URL');
    if (options.auth?.method === 'token' ? !options.auth.token : options.auth?.method === 'approle' ? !options.auth.roleId || !options.auth.secretId : true) {
      throw new TypeError('VaultSecretSource option auth must be { method: "token", token } or { method: "approle", roleId, secretId }');
    }
    this.#options = { mount: 'secret', pathPrefix: '', timeoutMs: 5_000, renewAtFraction: 2 / 3, ...options, address: options.address.replace(/\/+$/, '') };
    this.#fetch = options.fetch ?? fetch;
    this.#now = options.now ?? Date.now;
  }

  toJSON(): Record<string, unknown> {
    return { kind: this.kind, address: this.#options.address, mount: this.#options.mount, namespace: this.#options.namespace, auth: this.#options.auth.method };
  }

  /** `gaara-store/prod/database-url` -> `secret/data/gaara-store/prod/database-url` (relative to /v1/). */
  dataPath(secretId: string): string {
    const path = `${this.#options.pathPrefix}${secretId}`.split('/').filter(Boolean).map(encodeURIComponent).join('/');
    return `${this.#options.mount}/data/${path}`;
  }

  async read(request: SecretRequest, signal: AbortSignal): Promise<SourcedSecret> {
    try {
      if (request.versionId !== undefined) return await this.#readVersion(request, Number(request.versionId), signal);
      const stage = request.stage ?? 'AWSCURRENT';
      if (stage === 'AWSCURRENT') return await this.#readVersion(request, undefined, signal);
      if (stage === 'AWSPREVIOUS') {
        const latest = await this.#readVersion(request, undefined, signal);
        const previous = Number(latest.versionId) - 1;
        if (!(previous >= 1))
          throw new SecretsClientError(
            request.secretId,
            'not-found',
            `${describeRequest(request)}: not found (Vault KV holds only version ${latest.versionId})`,
          );
        return await this.#readVersion(request, previous, signal);
      }
      throw new SecretsClientError(
        request.secretId,
        'not-found',
        `${describeRequest(request)}: not found (Vault KV v2 has versions, not stages: AWSCURRENT = latest, AWSPREVIOUS = the one before)`,
      );
    } catch (error) {
      throw toClientError(request, error);
    }
  }

  /** Writes a new version (JSON object text, or a bare string stored as `{value}`); `cas`: only if the latest version is this (0: only if absent). */
  async write(secretId: string, value: string, options: { cas?: number } = {}): Promise<{ versionId: string }> {
    const request = { secretId, stage: 'AWSCURRENT' };
    let data: unknown;
    try {
      const parsed = JSON.parse(value) as unknown;
      data = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : { value };
    } catch {
      data = { value };
    }
    try {
      this.calls.write += 1;
      const body = await this.#authed('POST', this.dataPath(secretId), AbortSignal.timeout(this.#options.timeoutMs), {
        ...(options.cas !== undefined ? { options: { cas: options.cas } } : {}),
        data,
      });
      return { versionId: String((body as { data?: { version?: number } }).data?.version) };
    } catch (error) {
      throw toClientError(request, error);
    }
  }

  /** sys/health (unauthenticated): active, standby, performance standby, sealed, uninitialized, or unreachable. */
  async health(): Promise<VaultHealth> {
    let response: Response;
    try {
      response = await this.#fetch(`${this.#options.address}/v1/sys/health`, {
        headers: this.#headers(),
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
    } catch (error) {
      return { status: 'unreachable', error: errorCode(error) };
    }
    const body = (await response.json().catch(() => ({}))) as { sealed?: boolean; standby?: boolean; version?: string };
    return { status: HEALTH[response.status] ?? 'unknown', httpStatus: response.status, sealed: body.sealed, standby: body.standby, version: body.version };
  }

  async #readVersion(request: SecretRequest, version: number | undefined, signal: AbortSignal): Promise<SourcedSecret> {
    if (version !== undefined && !(Number.isInteger(version) && version >= 1)) {
      throw new SecretsClientError(request.secretId, 'not-found', `${describeRequest(request)}: not found (Vault KV versions are whole numbers from 1)`);
    }
    this.calls.read += 1;
    const path = `${this.dataPath(request.secretId)}${version !== undefined ? `?version=${version}` : ''}`;
    const body = (await this.#authed('GET', path, signal)) as {
      data?: { data?: Record<string, unknown> | null; metadata?: { version?: number; deletion_time?: string; destroyed?: boolean } };
    };
    const data = body.data?.data;
    const metadata = body.data?.metadata;
    if (!data || metadata?.destroyed || (metadata?.deletion_time ?? '') !== '') {
      throw new SecretsClientError(request.secretId, 'not-found', `${describeRequest(request)}: not found (Vault KV version deleted or destroyed)`);
    }
    const keys = Object.keys(data);
    const value = keys.length === 1 && keys[0] === 'value' && typeof data.value === 'string' ? data.value : JSON.stringify(data);
    return { value, versionId: metadata?.version !== undefined ? String(metadata.version) : undefined };
  }

  /** A request with a valid token; a 403 with a token this source obtained by AppRole triggers one new login and a retry. */
  async #authed(method: string, path: string, signal: AbortSignal, body?: unknown): Promise<unknown> {
    const token = await this.#currentToken(signal);
    try {
      return await this.#request(method, path, signal, body, token.token);
    } catch (error) {
      if (!(error instanceof VaultHttpError) || error.status !== 403 || this.#options.auth.method !== 'approle') throw error;
      if (this.#token === token) this.#token = undefined; // revoked or expired early: log in again once
      return this.#request(method, path, signal, body, (await this.#currentToken(signal)).token);
    }
  }

  async #currentToken(signal: AbortSignal): Promise<TokenState> {
    const now = this.#now();
    const current = this.#token;
    if (current && now < current.renewAt) return current;
    if (!this.#pendingAuth) {
      this.#pendingAuth = this.#refreshToken(current, signal).finally(() => {
        this.#pendingAuth = undefined;
      });
    }
    return this.#pendingAuth;
  }

  async #refreshToken(current: TokenState | undefined, signal: AbortSignal): Promise<TokenState> {
    const auth = this.#options.auth;
    if (current && current.renewable && this.#now() < current.expiresAt) {
      try {
        this.calls.renew += 1;
        const body = (await this.#request('POST', 'auth/token/renew-self', signal, {}, current.token)) as {
          auth?: { client_token?: string; lease_duration?: number; renewable?: boolean };
        };
        return (this.#token = this.#state(body.auth?.client_token ?? current.token, body.auth?.lease_duration, body.auth?.renewable));
      } catch (error) {
        // Past its max TTL, or revoked: AppRole logs in again; a static token keeps going until it expires.
        if (auth.method !== 'approle' && !(error instanceof VaultHttpError && error.status === 403)) throw error;
      }
    }
    if (auth.method === 'approle') {
      this.calls.login += 1;
      const body = (await this.#request('POST', `auth/${auth.mount ?? 'approle'}/login`, signal, { role_id: auth.roleId, secret_id: auth.secretId })) as {
        auth?: { client_token?: string; lease_duration?: number; renewable?: boolean };
      };
      if (!body.auth?.client_token) throw new VaultHttpError(500, `auth/${auth.mount ?? 'approle'}/login`);
      return (this.#token = this.#state(body.auth.client_token, body.auth.lease_duration, body.auth.renewable));
    }
    if (current && this.#now() < current.expiresAt) return current; // not renewable: use until expiry
    // Static token: learn its TTL once (0 = never expires, e.g. a root token).
    this.calls.lookup += 1;
    const body = (await this.#request('GET', 'auth/token/lookup-self', signal, undefined, auth.token)) as { data?: { ttl?: number; renewable?: boolean } };
    return (this.#token = this.#state(auth.token, body.data?.ttl, body.data?.renewable));
  }

  #state(token: string, leaseSeconds = 0, renewable = false): TokenState {
    const now = this.#now();
    if (!leaseSeconds) return { token, expiresAt: Infinity, renewable: false, renewAt: Infinity };
    const ms = leaseSeconds * 1000;
    return { token, expiresAt: now + ms, renewable, renewAt: now + ms * this.#options.renewAtFraction };
  }

  #headers(token?: string): Record<string, string> {
    return {
      ...(token ? { 'X-Vault-Token': token } : {}),
      ...(this.#options.namespace ? { 'X-Vault-Namespace': this.#options.namespace } : {}),
      'X-Vault-Request': 'true',
    };
  }

  async #request(method: string, path: string, signal: AbortSignal, body: unknown, token?: string): Promise<unknown> {
    const url = `${this.#options.address}/v1/${path}`;
    const response = await this.#fetch(url, {
      method,
      headers: { ...this.#headers(token), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.#options.timeoutMs)]),
    });
    const text = await response.text();
    if (!response.ok) {
      // Vault's `errors` strings are not copied: some echo request input. Only a CAS mismatch is recognized.
      throw new VaultHttpError(response.status, path.replace(/\?.*$/, ''), response.status === 400 && /check-and-set parameter did not match/.test(text));
    }
    return text ? JSON.parse(text) : {};
  }
}

function errorCode(error: unknown): string {
  const e = error as { name?: string; code?: string; cause?: { code?: string } } | null;
  return e?.cause?.code ?? e?.code ?? e?.name ?? 'Error';
}

function toClientError(request: SecretRequest, error: unknown): SecretsClientError {
  if (error instanceof SecretsClientError) return error;
  if (error instanceof VaultHttpError) {
    const reason: SecretErrorReason = error.casMismatch
      ? 'conflict'
      : error.status === 403 || error.status === 401
        ? 'access-denied'
        : error.status === 404
          ? 'not-found'
          : error.status === 412 || error.status === 429 || error.status >= 500
            ? 'unavailable'
            : 'other';
    const text = error.casMismatch
      ? 'check-and-set version did not match'
      : ({ 'access-denied': 'permission denied', 'not-found': 'not found', unavailable: 'Vault unavailable' }[reason as string] ?? 'request failed');
    return new SecretsClientError(request.secretId, reason, `${describeRequest(request)}: ${text} (Vault HTTP ${error.status} on ${error.path})`, {
      awsErrorName: error.name,
      httpStatusCode: error.status,
    });
  }
  const code = errorCode(error);
  return new SecretsClientError(request.secretId, 'unavailable', `${describeRequest(request)}: Vault unreachable (${code})`, { awsErrorName: code });
}
