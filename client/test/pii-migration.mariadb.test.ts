/**
 * migratePiiColumns against the machine's real MariaDB (a database and user of this suite's own, test/support/mariadb.ts),
 * KMS in-process (FakeKms behind the FieldEncryptor's `send`).
 */
import { randomBytes } from 'node:crypto';
import { createConnection, type Connection } from 'mysql2/promise';
import { connectMariaDbAdmin, uniqueName, type MariaDbAdmin } from '../../test/support/mariadb';
import { migratePiiColumns, type PiiMigrationOptions } from '../src/migration/pii-migration';
import { checkRows, encryptorFor, expectNotDecryptable, PII_COLUMNS, piiRows, twoKeyKms, type PiiRow } from './support/pii-fixtures';

describe('PII column migration on a real MariaDB (KMS in-process)', () => {
  let admin: MariaDbAdmin;
  const user = uniqueName('pii');
  const password = `Pw${randomBytes(12).toString('hex')}`;
  let db: Connection;
  const connect = async () => createConnection({ host: admin.host, port: admin.port, user, password, database: admin.dbname });

  const createTable = async (table: string, rows: PiiRow[], columnType = 'VARCHAR(512)') => {
    // A case-insensitive, PAD SPACE collation: the live-write guard must still compare bytes.
    await db.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, full_name ${columnType}, email ${columnType}, ssn ${columnType})
      CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
    for (const r of rows) await db.query(`INSERT INTO ${table} (id, full_name, email, ssn) VALUES (?, ?, ?, ?)`, [r.id, r.full_name, r.email, r.ssn]);
  };
  const readAll = async (table: string) => (await db.query(`SELECT * FROM ${table} ORDER BY id`))[0] as Record<string, unknown>[];
  const base = (table: string, extra: Partial<PiiMigrationOptions> & Pick<PiiMigrationOptions, 'encryptor'>): PiiMigrationOptions => ({
    db: { engine: 'mysql', connection: db },
    table,
    columns: [...PII_COLUMNS],
    batchSize: 10,
    ...extra,
  });

  beforeAll(async () => {
    admin = await connectMariaDbAdmin({ prefix: 'pii' });
    await admin.createUser(user, password);
    db = await connect();
  });
  afterAll(async () => {
    await db?.end();
    await admin?.cleanup();
  });

  it('a crash mid-transaction (connection lost after some rows of a batch), then a resumed run: no row lost, none double-encrypted, no plaintext after', async () => {
    const kms = twoKeyKms();
    const encryptor = encryptorFor(kms);
    const originals = piiRows(50, 'my');
    await createTable('customers', originals);
    const crashing = await connect();
    const crash = new Error('injected crash');
    await expect(
      migratePiiColumns({
        ...base('customers', { encryptor }),
        db: { engine: 'mysql', connection: crashing },
        hooks: {
          afterRowWrite: (batch, index) => {
            if (batch === 2 && index === 4) throw crash;
          },
        },
      }),
    ).rejects.toBe(crash);
    crashing.destroy(); // no ROLLBACK reaches the server from us: it rolls the open transaction back itself
    const mid = await checkRows(await readAll('customers'), originals, encryptor, 'customers');
    expect(mid.encrypted).toBeGreaterThan(0);
    expect(mid.plaintext).toBeGreaterThan(0);

    const resumed = await migratePiiColumns(base('customers', { encryptor: encryptorFor(kms) }));
    const rows = await readAll('customers');
    const after = await checkRows(rows, originals, encryptor, 'customers');
    expect(after.plaintext).toBe(0);
    expect(resumed.skipped).toBe(mid.encrypted);
    expect(resumed.changed).toBe(mid.plaintext);
    await expectNotDecryptable(encryptor, rows[0].ssn as string, { table: 'customers', column: 'ssn', id: String(rows[1].id) });
    await expectNotDecryptable(encryptor, rows[0].ssn as string, { table: 'customers', column: 'full_name', id: String(rows[0].id) });
  });

  it('safe with live writes under a case-insensitive collation: a value changed only in case is not overwritten with the old one', async () => {
    const kms = twoKeyKms();
    const encryptor = encryptorFor(kms);
    const originals = piiRows(12, 'lv');
    await createTable('live', originals);
    const writer = await connect();
    await migratePiiColumns(
      base('live', {
        encryptor,
        hooks: {
          afterRead: async (batch) => {
            if (batch === 0) await writer.query('UPDATE live SET email = ? WHERE id = 2', [String(originals[1].email).toLowerCase()]);
          },
        },
      }),
    );
    await writer.end();
    const rows = await readAll('live');
    expect(await encryptor.decryptField(rows[1].email as string, { table: 'live', column: 'email', id: '2' })).toBe(String(originals[1].email).toLowerCase());
  });

  it('refuses a table without a primary key and a column too narrow before any row changes', async () => {
    const kms = twoKeyKms();
    await createTable('narrow', piiRows(4, 'n'), 'VARCHAR(100)');
    // information_schema reports a NOT NULL UNIQUE column as PRI when a table has no primary key.
    await db.query('CREATE TABLE nopk (id INT NOT NULL, email TEXT, UNIQUE KEY (id))');
    await db.query("INSERT INTO nopk VALUES (1, 'a@example.com')");
    const before = JSON.stringify([await readAll('narrow'), await readAll('nopk')]);
    await expect(migratePiiColumns({ ...base('nopk', { encryptor: encryptorFor(kms) }), columns: ['email'] })).rejects.toThrow(/nopk has no primary key/);
    await expect(migratePiiColumns(base('narrow', { encryptor: encryptorFor(kms) }))).rejects.toThrow(
      /narrow\.full_name is too narrow: .* the column holds 100/,
    );
    await expect(migratePiiColumns(base('absent', { encryptor: encryptorFor(kms) }))).rejects.toThrow(/unknown table .*\.absent/);
    expect(JSON.stringify([await readAll('narrow'), await readAll('nopk')])).toBe(before);
  });

  it('decrypts back to the original plaintext', async () => {
    const kms = twoKeyKms();
    const originals = piiRows(15, 'dc');
    await createTable('roundtrip', originals);
    await migratePiiColumns(base('roundtrip', { encryptor: encryptorFor(kms) }));
    await migratePiiColumns(base('roundtrip', { encryptor: encryptorFor(kms), mode: 'decrypt' }));
    expect(await readAll('roundtrip')).toEqual(originals);
  });

  it('a value too long for its column that appears after the width check stops the batch (MySQL without strict mode would truncate it)', async () => {
    const kms = twoKeyKms();
    const encryptor = encryptorFor(kms);
    const originals = piiRows(20, 'tr');
    await createTable('latecomer', originals);
    const loose = await connect();
    await loose.query("SET SESSION sql_mode = ''");
    const long = `${'x'.repeat(300)}@example.com`;
    await expect(
      migratePiiColumns({
        ...base('latecomer', { encryptor }),
        db: { engine: 'mysql', connection: loose },
        hooks: {
          afterRead: async (batch) => {
            if (batch === 0) await db.query('UPDATE latecomer SET email = ? WHERE id = 15', [long]);
          },
        },
      }),
    ).rejects.toThrow(/latecomer\.email row 15: the new value takes \d+ characters, the column holds 512 \(nothing of this batch was written\)/);
    await loose.end();
    const rows = await readAll('latecomer');
    expect(rows[14].email).toBe(long);
    expect(
      await checkRows(
        rows.map((r) => (r.id === 15 ? { ...r, email: originals[14].email } : r)),
        originals,
        encryptor,
        'latecomer',
      ),
    ).toEqual({ encrypted: expect.any(Number), plaintext: expect.any(Number) });
    expect(rows.slice(10).every((r) => r.ssn === null || !String(r.ssn).startsWith('gf1.'))).toBe(true);
  });
});
