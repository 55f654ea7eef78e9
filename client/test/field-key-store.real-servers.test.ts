/**
 * gf2 key stores in the application's own database: PostgresFieldKeyStore against a real PostgreSQL 15
 * (test/support/postgres-server.ts) and MysqlFieldKeyStore against the machine's real MariaDB (test/support/mariadb.ts),
 * KMS in-process (FakeKms). Also the PII tool's re-key path converting gf1 columns to gf2 on both engines.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createConnection, type Connection } from 'mysql2/promise';
import { startPostgres, type PostgresTestServer } from '../../test/support/postgres-server';
import { connectMariaDbAdmin, uniqueName, type MariaDbAdmin } from '../../test/support/mariadb';
import { FieldEncryptor } from '../src/field-encryption/field-encryptor';
import { fieldFormatOf } from '../src/field-encryption/format';
import { KeyStoreError, type FieldKeyStore } from '../src/field-encryption/key-store';
import { MysqlFieldKeyStore, PostgresFieldKeyStore } from '../src/field-encryption/key-store-sql';
import { migratePiiColumns, type MigrationDatabase } from '../src/migration/pii-migration';
import { encryptorFor, KEY_A, PII_COLUMNS, piiRows, twoKeyKms, type PiiRow } from './support/pii-fixtures';

const ROWS = 40;

interface Engine {
  store: (table?: string) => FieldKeyStore & { ensureTable(): Promise<void> };
  db: () => MigrationDatabase;
  exec: (sql: string, values?: unknown[]) => Promise<Record<string, unknown>[]>;
  createTable: (table: string, rows: PiiRow[]) => Promise<void>;
}

function keyStoreSuite(name: string, engine: () => Engine) {
  describe(`${name}: field key store and gf1 -> gf2 conversion (KMS in-process)`, () => {
    it('saves and reads keys by id, refuses a duplicate id, and reports what is wrong without values', async () => {
      const e = engine();
      const store = e.store('keys_basic');
      await store.ensureTable();
      await store.ensureTable(); // idempotent
      const id = randomBytes(16);
      const wrappedKey = randomBytes(184);
      const createdAt = new Date('2026-11-30T12:00:00.123Z');
      await store.put({ id, app: 'gaara-store', env: 'test', wrappedKey, createdAt });
      const read = await store.get(id);
      expect(read).toEqual({ id, app: 'gaara-store', env: 'test', wrappedKey, createdAt });
      expect(await store.get(randomBytes(16))).toBeUndefined();
      const duplicate = store.put({ id, app: 'gaara-store', env: 'test', wrappedKey: randomBytes(184), createdAt });
      await expect(duplicate).rejects.toBeInstanceOf(KeyStoreError);
      await expect(duplicate).rejects.toThrow(`could not save field key ${id.toString('hex')}`);
      expect((await store.get(id))?.wrappedKey).toEqual(wrappedKey); // never overwritten
      await expect(store.put({ id: randomBytes(15), app: 'a', env: 'e', wrappedKey, createdAt })).rejects.toThrow('a field key id is 16 bytes');
      await expect(store.put({ id: randomBytes(16), app: 'a', env: 'e', wrappedKey: Buffer.alloc(0), createdAt })).rejects.toThrow(
        'a wrapped field key is 1..4096 bytes',
      );
      expect(() => e.store('keys; DROP TABLE x')).toThrow('key store table must be a plain identifier');
      await expect(e.store('missing_table').get(id)).rejects.toThrow(`could not read field key ${id.toString('hex')}`);
    });

    it('gf2 values written by one process decrypt in another through the table (one store read and one KMS Decrypt per key)', async () => {
      const e = engine();
      const store = e.store('keys_roundtrip');
      await store.ensureTable();
      const kms = twoKeyKms();
      const options = { keyId: KEY_A, app: 'gaara-store', env: 'test', kms: kms as never, keyStore: store };
      const writer = new FieldEncryptor({ ...options, format: 'gf2', fieldKey: { maxMessages: 10 } });
      const values = await Promise.all(Array.from({ length: 30 }, (_, i) => writer.encryptField(`v${i}`, { table: 't', column: 'c', id: String(i) })));
      expect(writer.keyStoreCalls).toEqual({ writes: 3, reads: 0 });
      expect(Number((await e.exec('SELECT COUNT(*) AS n FROM keys_roundtrip'))[0].n)).toBe(3);
      const reader = new FieldEncryptor(options);
      const read = await reader.decryptMany(values.map((ciphertext, i) => ({ ciphertext, context: { table: 't', column: 'c', id: String(i) } })));
      expect(read).toEqual(values.map((_, i) => `v${i}`));
      expect(reader.keyStoreCalls).toEqual({ writes: 0, reads: 3 });
      expect(reader.kmsCalls).toEqual({ generateDataKey: 0, decrypt: 3 });
      await reader.decryptField(values[0], { table: 't', column: 'c', id: '0' });
      expect(reader.keyStoreCalls.reads).toBe(3); // cached: no call
    });

    it('the PII tool converts a gf1 column to gf2 (rekey), resumably, and every value still decrypts in place', async () => {
      const e = engine();
      const store = e.store();
      await store.ensureTable();
      const kms = twoKeyKms();
      const gf1 = encryptorFor(kms);
      const originals = piiRows(ROWS, 'k');
      await e.createTable('convert_customers', originals);
      await migratePiiColumns({ db: e.db(), table: 'convert_customers', columns: [...PII_COLUMNS], encryptor: gf1, batchSize: 10 });
      const gf2 = new FieldEncryptor({ keyId: KEY_A, app: 'gaara-store', env: 'test', kms: kms as never, format: 'gf2', keyStore: store });
      const crash = new Error('injected crash');
      await expect(
        migratePiiColumns({
          db: e.db(),
          table: 'convert_customers',
          columns: [...PII_COLUMNS],
          encryptor: gf2,
          previousEncryptors: [gf1],
          mode: 'rekey',
          batchSize: 10,
          hooks: {
            afterPrepare: (batch) => {
              if (batch === 2) throw crash;
            },
          },
        }),
      ).rejects.toBe(crash);
      const formats = (rows: Record<string, unknown>[]) => new Set(rows.flatMap((r) => PII_COLUMNS.map((c) => (r[c] === null ? 'null' : fieldFormatOf(r[c])))));
      expect(formats(await e.exec('SELECT * FROM convert_customers ORDER BY id'))).toEqual(new Set(['gf1', 'gf2', 'null']));
      const resumed = await migratePiiColumns({
        db: e.db(),
        table: 'convert_customers',
        columns: [...PII_COLUMNS],
        encryptor: gf2,
        previousEncryptors: [gf1],
        mode: 'rekey',
        batchSize: 10,
      });
      const nonNull = originals.reduce((n, r) => n + PII_COLUMNS.filter((c) => r[c] !== null).length, 0);
      expect(resumed.changed).toBeGreaterThan(0);
      expect(resumed.changed).toBeLessThan(nonNull); // the first two batches were already gf2: skipped
      expect(resumed.undecryptable).toEqual([]);
      const rows = await e.exec('SELECT * FROM convert_customers ORDER BY id');
      expect(formats(rows)).toEqual(new Set(['gf2', 'null']));
      const reader = new FieldEncryptor({ keyId: KEY_A, app: 'gaara-store', env: 'test', kms: kms as never, keyStore: e.store() });
      for (const row of rows) {
        const original = originals.find((o) => o.id === Number(row.id)) as PiiRow;
        for (const column of PII_COLUMNS) {
          if (original[column] === null) continue;
          expect(await reader.decryptField(row[column] as string, { table: 'convert_customers', column, id: String(row.id) })).toBe(original[column]);
        }
      }
      const again = await migratePiiColumns({
        db: e.db(),
        table: 'convert_customers',
        columns: [...PII_COLUMNS],
        encryptor: gf2,
        previousEncryptors: [gf1],
        mode: 'rekey',
        batchSize: 10,
      });
      expect(again.changed).toBe(0);
    });
  });
}

let pg: PostgresTestServer;
let pgClient: Client;
let admin: MariaDbAdmin;
let maria: Connection;

beforeAll(async () => {
  pg = await startPostgres();
  const password = `Pw${randomBytes(12).toString('hex')}`;
  await pg.adminQuery(`CREATE ROLE keys_app LOGIN PASSWORD '${password}'`);
  await pg.adminQuery('CREATE DATABASE keys OWNER keys_app');
  pgClient = new Client({ host: pg.host, port: pg.port, user: 'keys_app', password, database: 'keys' });
  pgClient.on('error', () => undefined);
  await pgClient.connect();
  admin = await connectMariaDbAdmin({ prefix: 'keys' });
  const user = uniqueName('keys');
  const mariaPassword = `Pw${randomBytes(12).toString('hex')}`;
  await admin.createUser(user, mariaPassword);
  maria = await createConnection({ host: admin.host, port: admin.port, user, password: mariaPassword, database: admin.dbname });
}, 120_000);

afterAll(async () => {
  await pgClient?.end();
  await pg?.stop();
  await maria?.end();
  await admin?.cleanup();
});

keyStoreSuite('PostgreSQL 15 (real server)', () => ({
  store: (table) => new PostgresFieldKeyStore(pgClient, { table }),
  db: () => ({ engine: 'postgres', client: pgClient }),
  exec: async (sql, values) => (await pgClient.query(sql, values)).rows,
  createTable: async (table, rows) => {
    await pgClient.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, full_name text, email text, ssn text)`);
    for (const r of rows) await pgClient.query(`INSERT INTO ${table} (id, full_name, email, ssn) VALUES ($1, $2, $3, $4)`, [r.id, r.full_name, r.email, r.ssn]);
  },
}));

keyStoreSuite('MariaDB (real server, mysql2)', () => ({
  store: (table) => new MysqlFieldKeyStore(maria, { table }),
  db: () => ({ engine: 'mysql', connection: maria }),
  exec: async (sql, values) => (await maria.query(sql, values))[0] as Record<string, unknown>[],
  createTable: async (table, rows) => {
    await maria.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, full_name VARCHAR(512), email VARCHAR(512), ssn VARCHAR(512)) CHARACTER SET utf8mb4`);
    for (const r of rows) await maria.query(`INSERT INTO ${table} (id, full_name, email, ssn) VALUES (?, ?, ?, ?)`, [r.id, r.full_name, r.email, r.ssn]);
  },
}));
