/**
 * A modelled HashiCorp Vault HTTP API (no Vault server can be installed here), written from Vault's API documentation:
 * - KV v2: GET/POST/DELETE /v1/<mount>/data/<path> (`?version=N`, `options.cas`, soft delete), GET /v1/<mount>/metadata/<path>;
 *   a deleted version answers 404 with its metadata (deletion_time set); a CAS mismatch answers 400
 *   "check-and-set parameter did not match the current version";
 * - auth: POST /v1/auth/approle/login (400 "invalid role or secret ID"), POST /v1/auth/token/renew-self (lease extended up
 *   to the token's max TTL), GET /v1/auth/token/lookup-self; a missing, expired or revoked token answers 403 "permission denied";
 * - GET /v1/sys/health: 200 active, 429 standby, 473 performance standby, 501 uninitialized, 503 sealed;
 * - X-Vault-Namespace: tokens belong to the namespace they were issued in (another namespace: 403);
 * - injectable answers: the next N requests answer 429 (rate limit), 412 (consistency precondition) or 503 (sealed).
 * Real HTTP on 127.0.0.1 (node:http), so the source's fetch, headers, timeouts and JSON are exercised.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Version {
  data: Record<string, unknown>;
  created_time: string;
  deletion_time: string;
  destroyed: boolean;
}
interface Token {
  expiresAt: number;
  maxExpiresAt: number;
  ttlSeconds: number;
  renewable: boolean;
  namespace: string;
  revoked: boolean;
}

export class VaultModel {
  readonly kv = new Map<string, Version[]>();
  readonly tokens = new Map<string, Token>();
  readonly requests: { method: string; path: string; namespace?: string; hasToken: boolean; status: number }[] = [];
  state: 'active' | 'standby' | 'performance-standby' | 'sealed' | 'uninitialized' = 'active';
  /** Answers forced onto the next requests (429, 412, 503...), front first. */
  readonly inject: number[] = [];
  approle = { roleId: 'role-gaara', secretId: `sid-${randomBytes(8).toString('hex')}`, ttlSeconds: 60, maxTtlSeconds: 300 };
  namespace = '';
  now: () => number = Date.now;
  /** Delay before answering data reads (ms), for latency benches. */
  readDelayMs = 0;
  private server: Server | undefined;
  address = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.address = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** A token as `vault token create` would make (namespace: the model's). */
  issueToken(ttlSeconds = 0, renewable = false, maxTtlSeconds = ttlSeconds * 5): string {
    const token = `hvs.${randomBytes(12).toString('base64url')}`;
    const now = this.now();
    this.tokens.set(token, {
      expiresAt: ttlSeconds ? now + ttlSeconds * 1000 : Infinity,
      maxExpiresAt: ttlSeconds ? now + maxTtlSeconds * 1000 : Infinity,
      ttlSeconds,
      renewable,
      namespace: this.namespace,
      revoked: false,
    });
    return token;
  }

  put(path: string, data: Record<string, unknown>): number {
    const versions = this.kv.get(path) ?? [];
    versions.push({ data, created_time: new Date(this.now()).toISOString(), deletion_time: '', destroyed: false });
    this.kv.set(path, versions);
    return versions.length;
  }

  dataReads(): number {
    return this.requests.filter((r) => r.method === 'GET' && /\/data\//.test(r.path)).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/^\/v1\//, '');
    const namespace = (req.headers['x-vault-namespace'] as string | undefined) ?? '';
    const send = (status: number, body: unknown) => {
      this.requests.push({ method: req.method ?? '', path, namespace: namespace || undefined, hasToken: Boolean(req.headers['x-vault-token']), status });
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const errors = (status: number, ...messages: string[]) => send(status, { errors: messages });

    if (path === 'sys/health') {
      const status = { active: 200, standby: 429, 'performance-standby': 473, sealed: 503, uninitialized: 501 }[this.state];
      return send(status, {
        initialized: this.state !== 'uninitialized',
        sealed: this.state === 'sealed',
        standby: this.state.includes('standby'),
        version: '1.17.0',
      });
    }
    const forced = this.inject.shift();
    if (forced !== undefined)
      return errors(forced, forced === 429 ? 'rate limit quota exceeded' : forced === 412 ? 'required index state not present' : 'Vault is sealed');
    if (this.state === 'sealed') return errors(503, 'Vault is sealed');
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};

    if (req.method === 'POST' && path === 'auth/approle/login') {
      if (body.role_id !== this.approle.roleId || body.secret_id !== this.approle.secretId) return errors(400, 'invalid role or secret ID');
      const token = this.issueToken(this.approle.ttlSeconds, true, this.approle.maxTtlSeconds);
      return send(200, {
        auth: { client_token: token, accessor: 'acc', policies: ['default', 'gaara-read'], lease_duration: this.approle.ttlSeconds, renewable: true },
      });
    }

    const tokenId = req.headers['x-vault-token'] as string | undefined;
    const token = tokenId ? this.tokens.get(tokenId) : undefined;
    if (!token || token.revoked || this.now() >= token.expiresAt || token.namespace !== namespace) return errors(403, 'permission denied');

    if (req.method === 'POST' && path === 'auth/token/renew-self') {
      if (!token.renewable) return errors(400, 'lease is not renewable');
      token.expiresAt = Math.min(this.now() + token.ttlSeconds * 1000, token.maxExpiresAt);
      return send(200, {
        auth: { client_token: tokenId, lease_duration: Math.floor((token.expiresAt - this.now()) / 1000), renewable: token.expiresAt < token.maxExpiresAt },
      });
    }
    if (req.method === 'GET' && path === 'auth/token/lookup-self') {
      return send(200, { data: { ttl: token.expiresAt === Infinity ? 0 : Math.floor((token.expiresAt - this.now()) / 1000), renewable: token.renewable } });
    }

    const kv = /^([^/]+)\/(data|metadata)\/(.+)$/.exec(path);
    if (!kv) return errors(404);
    const key = `${kv[1]}/${decodeURIComponent(kv[3])}`;
    const versions = this.kv.get(key);
    if (kv[2] === 'metadata') {
      if (!versions) return errors(404);
      return send(200, {
        data: {
          current_version: versions.length,
          oldest_version: 1,
          versions: Object.fromEntries(
            versions.map((v, i) => [String(i + 1), { created_time: v.created_time, deletion_time: v.deletion_time, destroyed: v.destroyed }]),
          ),
        },
      });
    }
    if (req.method === 'GET') {
      if (this.readDelayMs) await new Promise((r) => setTimeout(r, this.readDelayMs));
      if (!versions) return errors(404);
      const number = url.searchParams.has('version') ? Number(url.searchParams.get('version')) : versions.length;
      const version = versions[number - 1];
      if (!version) return errors(404);
      const metadata = {
        created_time: version.created_time,
        custom_metadata: null,
        deletion_time: version.deletion_time,
        destroyed: version.destroyed,
        version: number,
      };
      if (version.deletion_time || version.destroyed) return send(404, { data: { data: null, metadata } });
      return send(200, { request_id: 'r', lease_id: '', renewable: false, lease_duration: 0, data: { data: version.data, metadata } });
    }
    if (req.method === 'POST') {
      const cas = (body.options as { cas?: number } | undefined)?.cas;
      if (cas !== undefined && cas !== (versions?.length ?? 0)) return errors(400, 'check-and-set parameter did not match the current version');
      const number = this.put(key, body.data as Record<string, unknown>);
      return send(200, { data: { created_time: new Date(this.now()).toISOString(), deletion_time: '', destroyed: false, version: number } });
    }
    if (req.method === 'DELETE') {
      const latest = versions?.[versions.length - 1];
      if (latest) latest.deletion_time = new Date(this.now()).toISOString();
      return send(204, {});
    }
    return errors(405);
  }
}
