/**
 * The recording proxy with REAL clients and REAL servers: node-postgres against the suite's own PostgreSQL 15
 * (TLS only, scram-sha-256) and node-redis against a TLS-only redis-server, both with the test CA. Proves that the
 * proxy's verdict matches what really crossed the wire for the protocols the rotators speak (MySQL/MariaDB with
 * mysql2 is proven in test/integration/database/mariadb-tls.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createClient } from 'redis';
import { PostgresTestServer, startPostgres } from '../../support/postgres-server';
import { makeTestCertificates, RedisTestServer, startRedisServer } from '../../support/redis-server';
import { startTlsRecordingProxy } from '../../support/tls-recording-proxy';

const PASSWORD = 'proxy-test-password-5d1c9a';

describe('recording proxy with node-postgres and a real PostgreSQL 15 (TLS only, test CA)', () => {
  let pg: PostgresTestServer;
  beforeAll(async () => {
    pg = await startPostgres({ tls: true });
    await pg.adminQuery(`CREATE ROLE proxy_app LOGIN PASSWORD '${PASSWORD}'`);
  });
  afterAll(async () => pg?.stop());

  it('verified TLS: SSLRequest, then TLS; the password never in clear', async () => {
    const proxy = await startTlsRecordingProxy({ host: pg.host, port: pg.port }, 'postgres');
    try {
      const c = new Client({
        host: proxy.host,
        port: proxy.port,
        user: 'proxy_app',
        password: PASSWORD,
        database: 'postgres',
        ssl: { ca: pg.ca, rejectUnauthorized: true },
      });
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
      expect(proxy.connections()).toEqual([expect.objectContaining({ tls: true, plaintextBytes: 8 })]);
      expect(proxy.allEncrypted()).toBe(true);
      expect(proxy.sawInClear(PASSWORD)).toBe(false);
      expect(proxy.sawInClear('proxy_app')).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it('ssl: false: the startup message (user name) crosses in clear and the proxy says so, although the server refuses it', async () => {
    const proxy = await startTlsRecordingProxy({ host: pg.host, port: pg.port }, 'postgres');
    try {
      const c = new Client({ host: proxy.host, port: proxy.port, user: 'proxy_app', password: PASSWORD, database: 'postgres', ssl: false });
      await expect(c.connect()).rejects.toMatchObject({ code: '28000' });
      await c.end().catch(() => undefined);
      expect(proxy.allEncrypted()).toBe(false);
      expect(proxy.connections()[0]?.tls).toBe(false);
      expect(proxy.sawInClear('proxy_app')).toBe(true);
    } finally {
      await proxy.close();
    }
  });
});

describe('recording proxy with node-redis and a real TLS-only redis-server (test CA)', () => {
  let redis: RedisTestServer;
  let dir: string;
  let ca: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'proxy-redis-'));
    const files = makeTestCertificates(dir);
    ca = readFileSync(files.caFile, 'utf8');
    redis = await startRedisServer({ tls: files });
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('TLS from the first byte: AUTH with the admin password never in clear', async () => {
    const proxy = await startTlsRecordingProxy({ host: redis.host, port: redis.port }, 'redis');
    try {
      const client = createClient({
        socket: { host: proxy.host, port: proxy.port, tls: true, ca, reconnectStrategy: false },
        username: redis.admin.username,
        password: redis.admin.password,
      });
      client.on('error', () => undefined);
      await client.connect();
      expect(await client.ping()).toBe('PONG');
      await client.quit();
      expect(proxy.connections()).toEqual([expect.objectContaining({ tls: true, plaintextBytes: 0 })]);
      expect(proxy.sawInClear(redis.admin.password)).toBe(false);
    } finally {
      await proxy.close();
    }
  });
});
