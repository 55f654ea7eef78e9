/**
 * TLS verification of MySQL/MariaDB connections (issue 9 item 9a), against the suite's OWN REAL MariaDB 10.11
 * with TLS from a test CA (mariadbd started as the mysql OS user on a free port). The server is started WITHOUT
 * require_secure_transport: it would accept a plaintext login, so only the client's verification stands between a
 * bad certificate and a login, and a silent fallback to plaintext would show. Every connection goes through the
 * recording proxy, which tells a TLS handshake from plaintext on the wire. Secrets Manager is MODELLED.
 */
import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { dbError } from '../../../lambdas/database/db-errors';
import { mysqlDriver } from '../../../lambdas/database/mysql-driver';
import { RotationError } from '../../../lambdas/rotation/errors';
import { driveRotation } from '../../support/drive-rotation';
import { freePort } from '../../support/free-port';
import { captureOutput, describeError, findLeaks } from '../../support/log-capture';
import { MariaDbTlsServer, startMariaDbTls } from '../../support/mariadb-tls-server';
import { SecretsManagerModel } from '../../support/secrets-manager-model';
import { startTlsRecordingProxy, TlsRecordingProxy } from '../../support/tls-recording-proxy';
import { makeHandler, SECRET_NAME, SecretValues, secretValue, valueAt } from './harness';
import { mariadbTlsTarget, MariaDbTlsTarget } from './mariadb-tls-target';

const userName = (prefix: string) => `${prefix}_${randomBytes(3).toString('hex')}`;

let db: MariaDbTlsServer;
let proxy: TlsRecordingProxy;
let t: MariaDbTlsTarget;
const values = new SecretValues();
let app: { username: string; password: string };

beforeAll(async () => {
  db = await startMariaDbTls({ requireSecureTransport: false });
  proxy = await startTlsRecordingProxy({ host: db.host, port: db.port }, 'mysql');
  t = await mariadbTlsTarget(db, proxy);
  app = { username: userName('tlsapp'), password: values.generator() };
  await t.createUser(app.username, app.password);
});
afterAll(async () => {
  await proxy?.close();
  await db?.stop();
});
beforeEach(() => proxy.reset());

const endpoint = (host: string, port: number) => ({ engine: 'mariadb' as const, host, port, dbname: t.dbname, ...app });

async function connectRejection(p: Promise<unknown>): Promise<RotationError> {
  try {
    const session = await p;
    await (session as { close(): Promise<void> }).close();
  } catch (e) {
    expect(e).toBeInstanceOf(RotationError);
    return e as RotationError;
  }
  throw new Error('expected the connection to be refused');
}

describe('mysqlDriver TLS verification against a real MariaDB with the test CA (through the recording proxy)', () => {
  it('logs in when the test CA is trusted and the certificate names the host: the connection is TLS from the start, the password never in clear', async () => {
    const session = await mysqlDriver.connect(endpoint(proxy.host, proxy.port), { ca: db.ca, connectTimeoutMs: 5000 });
    await session.ping();
    await session.close();
    expect(proxy.connections()).toHaveLength(1);
    expect(proxy.allEncrypted()).toBe(true);
    expect(proxy.sawInClear(app.password)).toBe(false);
  });

  it.each([
    ['a CA that did not sign the server certificate', () => db.otherCa],
    ['no test CA (only Node\u2019s store)', () => undefined],
  ])(
    'refuses the server certificate when trusting %s: Tls error, one TLS connection, no plaintext retry, the password never sent in clear',
    async (_label, ca) => {
      const err = await connectRejection(mysqlDriver.connect(endpoint(proxy.host, proxy.port), { ca: ca(), connectTimeoutMs: 5000 }));
      expect(err.errorClass).toBe('Tls');
      expect(findLeaks(err.message, [app.password])).toEqual([]);
      expect(proxy.connections()).toHaveLength(1);
      expect(proxy.connections()[0]?.tls).toBe(true);
      expect(proxy.sawInClear(app.password)).toBe(false);
    },
  );

  it('refuses a host the certificate does not name (127.0.0.2, served by the same server, CA trusted): Tls error (identity check)', async () => {
    const err = await connectRejection(mysqlDriver.connect(endpoint(db.mismatchHost, db.port), { ca: db.ca, connectTimeoutMs: 5000 }));
    expect(err.errorClass).toBe('Tls');
    expect(findLeaks(err.message, [app.password])).toEqual([]);
  });

  it.each([
    ['a certificate naming only db.example.test, reached as 127.0.0.1', 'DNS:db.example.test', () => db.host],
    ['a certificate naming only 127.0.0.1, reached as localhost', 'IP:127.0.0.1', () => 'localhost'],
  ])('refuses %s (same test CA, trusted): Tls error (identity check)', async (_label, subjectAltName, host) => {
    await db.reissueCertificate(subjectAltName);
    try {
      const err = await connectRejection(mysqlDriver.connect(endpoint(host(), db.port), { ca: db.ca, connectTimeoutMs: 5000 }));
      expect(err.errorClass).toBe('Tls');
    } finally {
      await db.restoreCertificate();
    }
    const session = await mysqlDriver.connect(endpoint(db.host, db.port), { ca: db.ca, connectTimeoutMs: 5000 });
    await session.close();
  });

  it('an IP host where nothing listens: Unreachable, not Tls (the socket the driver opens itself for IP hosts reports network errors as mysql2 does)', async () => {
    const err = await connectRejection(mysqlDriver.connect(endpoint('127.0.0.1', await freePort()), { ca: db.ca, connectTimeoutMs: 5000 }));
    expect(err.errorClass).toBe('Unreachable');
  });

  it('the same server really accepts this user in plaintext (so the refusals above are the client verifying, not the server refusing)', async () => {
    const session = await mysqlDriver.connect({ ...endpoint(proxy.host, proxy.port), ssl: false }, { connectTimeoutMs: 5000 });
    await session.ping();
    await session.close();
    expect(proxy.allEncrypted()).toBe(false);
  });
});

describe('a REAL mysql2 error whose message carries the password (a syntax error the server echoes) is classified by code only', () => {
  it('the server echoes the value in message, sqlMessage and sql; dbError keeps none of it', async () => {
    const conn = await createConnection({
      host: db.host,
      port: db.port,
      user: app.username,
      password: app.password,
      database: t.dbname,
      ssl: { ca: db.ca, rejectUnauthorized: true },
    });
    let driverError: unknown;
    try {
      await conn.query(`SELECT 1 1 '${app.password}'`);
    } catch (e) {
      driverError = e;
    } finally {
      await conn.end();
    }
    expect((driverError as { code?: string }).code).toBe('ER_PARSE_ERROR');
    expect(findLeaks(String((driverError as Error).message), [app.password])).toHaveLength(1); // the echo is real
    const e = dbError(driverError, `SELECT as "${app.username}"`);
    expect(e.errorClass).toBe('Internal');
    expect(findLeaks(e.message + describeError(e), [app.password])).toEqual([]);
  });
});

describe('database rotations against a real MariaDB with TLS (test CA), every byte through the recording proxy; Secrets Manager modelled', () => {
  it.each(['single-user', 'alternating-users'] as const)(
    '%s: two full rotations, every connection is TLS from the start and no password (old, new, master) crosses in clear',
    async (strategy) => {
      const out = captureOutput();
      try {
        const model = new SecretsManagerModel();
        const username = userName('rot');
        const password = values.generator();
        await t.createUser(username, password);
        let masterarn: string | undefined;
        if (strategy === 'alternating-users') {
          const master = { username: userName('master'), password: values.generator() };
          await t.createMaster(master.username, master.password);
          masterarn = model.createSecret('gaara-store/test/db-master', JSON.stringify({ engine: t.engine, host: t.host, port: t.port, ...master }));
        }
        const arn = model.createSecret(SECRET_NAME, JSON.stringify(secretValue(t, username, password, masterarn ? { masterarn } : {})));
        for (let i = 0; i < 2; i++) await driveRotation(model, arn, makeHandler(model, t, values, { strategy }));
        const current = valueAt(model, arn, 'AWSCURRENT');
        expect(await t.logsIn(current?.username as string, current?.password as string)).toBe(true);
        values.collectFrom(model);
        expect(proxy.connections().length).toBeGreaterThan(0);
        expect(proxy.allEncrypted()).toBe(true);
        expect([...values.all].filter((v) => proxy.sawInClear(v)).length).toBe(0);
        expect(findLeaks(out.text, values.all)).toEqual([]);
      } finally {
        out.stop();
      }
    },
  );
});
