/**
 * Does a stored credential still log in? Used by rollback before moving AWSCURRENT onto an older version of the
 * database or Redis credential. Reports only an error class, never a value or a driver message.
 */
// The drivers are loaded only when a rollback checks a login: loading them costs about 1.5 s at every start-up.
import type { DatabaseSecret } from '../contracts/database';
import type { RedisSecret } from '../contracts/redis';

export type LoginResult = { ok: true } | { ok: false; reason: 'auth' | 'unreachable' | 'other'; code: string };

const TIMEOUT_MS = 5_000;
const UNREACHABLE = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ConnectionTimeoutError', 'SocketClosedUnexpectedlyError']);

function classify(e: unknown): LoginResult {
  const err = e as { code?: string; name?: string; message?: string; errno?: number };
  const code = String(err.code ?? err.name ?? 'Error');
  // PostgreSQL 28P01/28000, MySQL ER_ACCESS_DENIED_ERROR, Redis WRONGPASS.
  if (['28P01', '28000', 'ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR'].includes(code) || /^WRONGPASS|NOAUTH/.test(err.message ?? '')) return { ok: false, reason: 'auth', code: code === 'Error' ? 'WRONGPASS' : code };
  if (UNREACHABLE.has(code) || /timeout/i.test(err.message ?? '')) return { ok: false, reason: 'unreachable', code };
  return { ok: false, reason: 'other', code };
}

export async function databaseLogsIn(s: DatabaseSecret): Promise<LoginResult> {
  const ssl = s.ssl === false ? undefined : { rejectUnauthorized: true, servername: s.host };
  try {
    if (s.engine === 'postgres' || s.engine === 'aurora-postgresql') {
      const { Client: PgClient } = await import('pg');
      const c = new PgClient({ host: s.host, port: s.port, user: s.username, password: s.password, database: s.dbname, ssl, connectionTimeoutMillis: TIMEOUT_MS });
      c.on('error', () => undefined);
      await c.connect();
      await c.end();
    } else {
      const { createConnection: createMysqlConnection } = await import('mysql2/promise');
      const c = await createMysqlConnection({ host: s.host, port: s.port, user: s.username, password: s.password, database: s.dbname, ssl, connectTimeout: TIMEOUT_MS });
      await c.end();
    }
    return { ok: true };
  } catch (e) {
    return classify(e);
  }
}

export async function redisLogsIn(s: RedisSecret): Promise<LoginResult> {
  const { createClient } = await import('redis');
  const client = createClient({
    username: s.username,
    password: s.password,
    socket: s.tls ? { host: s.host, port: s.port, tls: true, servername: s.host, connectTimeout: TIMEOUT_MS, reconnectStrategy: false } : { host: s.host, port: s.port, connectTimeout: TIMEOUT_MS, reconnectStrategy: false },
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
