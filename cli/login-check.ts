/**
 * Does a stored credential still log in? Used by rollback before moving AWSCURRENT onto an older version of the
 * database or Redis credential. Reports only an error class, never a value or a driver message.
 */
// The drivers are loaded only when a rollback checks a login: loading them costs about 1.5 s at every start-up.
import { driverLoginFields, type DatabaseSecret } from '../contracts/database';
import type { RedisSecret } from '../contracts/redis';
import type { DatabaseConfig, RedisConfig } from '../lib/config';

/**
 * `mismatch`: the stored value names another target than the environment config (`code` names the field); the
 * credential is then sent nowhere, as the rotators do (a stored value is data someone with PutSecretValue wrote).
 */
export type LoginResult = { ok: true } | { ok: false; reason: 'auth' | 'unreachable' | 'other' | 'mismatch'; code: string };

const TIMEOUT_MS = 5_000;
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'ConnectionTimeoutError',
  'SocketClosedUnexpectedlyError',
]);

function classify(e: unknown): LoginResult {
  const err = e as { code?: string; name?: string; message?: string; errno?: number };
  const code = String(err.code ?? err.name ?? 'Error');
  // PostgreSQL 28P01/28000, MySQL ER_ACCESS_DENIED_ERROR, Redis WRONGPASS.
  if (['28P01', '28000', 'ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR'].includes(code) || /^WRONGPASS|NOAUTH/.test(err.message ?? ''))
    return { ok: false, reason: 'auth', code: code === 'Error' ? 'WRONGPASS' : code };
  if (UNREACHABLE.has(code) || /timeout/i.test(err.message ?? '')) return { ok: false, reason: 'unreachable', code };
  return { ok: false, reason: 'other', code };
}

const sameHost = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The first field where a stored database value differs from the configured target, if any. */
function databaseMismatch(s: DatabaseSecret, t: DatabaseConfig): string | undefined {
  if (s.engine !== t.engine) return 'engine';
  if (!sameHost(s.host, t.host)) return 'host';
  if (s.port !== t.port) return 'port';
  if (s.dbname !== t.dbname) return 'dbname';
  if (s.username !== t.username && s.username !== `${t.username}_clone`) return 'username';
  if (t.tls && s.ssl === false) return 'tls';
  return undefined;
}

/** Logs in with a stored credential, at the configured database and TLS mode only. */
export async function databaseLogsIn(s: DatabaseSecret, t: DatabaseConfig): Promise<LoginResult> {
  const field = databaseMismatch(s, t);
  if (field) return { ok: false, reason: 'mismatch', code: field };
  const ssl = t.tls ? { rejectUnauthorized: true, servername: t.host } : undefined;
  // The configured target with the stored login: the stored host, port and dbname matched it above (host in any case).
  const login = driverLoginFields({ host: t.host, port: t.port, dbname: t.dbname, username: s.username, password: s.password });
  try {
    if (t.engine === 'postgres' || t.engine === 'aurora-postgresql') {
      const { Client: PgClient } = await import('pg');
      const c = new PgClient({ ...login, ssl, connectionTimeoutMillis: TIMEOUT_MS });
      c.on('error', () => undefined);
      await c.connect();
      await c.end();
    } else {
      const { createConnection: createMysqlConnection } = await import('mysql2/promise');
      const c = await createMysqlConnection({ ...login, ssl, connectTimeout: TIMEOUT_MS });
      await c.end();
    }
    return { ok: true };
  } catch (e) {
    return classify(e);
  }
}

/** The first field where a stored Redis value differs from the configured target, if any. */
function redisMismatch(s: RedisSecret, t: RedisConfig): string | undefined {
  if (!sameHost(s.host, t.host)) return 'host';
  if (s.port !== t.port) return 'port';
  if (s.username !== t.username) return 'username';
  if (s.tls !== t.tls) return 'tls';
  return undefined;
}

/** Logs in with a stored credential, at the configured endpoint and TLS mode only. */
export async function redisLogsIn(s: RedisSecret, t: RedisConfig): Promise<LoginResult> {
  const field = redisMismatch(s, t);
  if (field) return { ok: false, reason: 'mismatch', code: field };
  const { createClient } = await import('redis');
  const client = createClient({
    username: s.username,
    password: s.password,
    socket: t.tls
      ? { host: t.host, port: t.port, tls: true, servername: t.host, connectTimeout: TIMEOUT_MS, reconnectStrategy: false }
      : { host: t.host, port: t.port, connectTimeout: TIMEOUT_MS, reconnectStrategy: false },
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return { ok: true };
  } catch (e) {
    return classify(e);
  } finally {
    try {
      client.destroy();
    } catch {
      // already closed
    }
  }
}
