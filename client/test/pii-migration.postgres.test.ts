/**
 * migratePiiColumns against a real PostgreSQL 15 (a throwaway cluster with password auth, test/support/postgres-server.ts),
 * KMS in-process (FakeKms behind the FieldEncryptor's `send`).
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startPostgres, type PostgresTestServer } from '../../test/support/postgres-server';
import { BlindIndexer } from '../src/field-encryption/blind-index';
import { fieldFormatOf, recognizedFormat } from '../src/field-encryption/format';
import { migratePiiColumns, PiiMigrationError, renderProgress, type PiiMigrationOptions, type PiiMigrationProgress } from '../src/migration/pii-migration';
import { captureOutput } from './support/capture';
import { checkRows, encryptorFor, expectNotDecryptable, KEY_B, PII_COLUMNS, piiRows, twoKeyKms, type PiiRow } from './support/pii-fixtures';

const ROWS = 60;
const indexer = new BlindIndexer({ key: randomBytes(32), kid: 'k1' });

describe('PII column migration on a real PostgreSQL 15 (KMS in-process)', () => {
  let pg: PostgresTestServer;
  const password = `Pw${randomBytes(12).toString('hex')}`;
  const connect = async () => {
    const c = new Client({ host: pg.host, port: pg.port, user: 'pii_app', password, database: 'pii' });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  };
  let db: Client;

  const createTable = async (table: string, rows: PiiRow[], columnType = 'text') => {
    await db.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, full_name ${columnType}, email ${columnType}, ssn ${columnType}, email_bidx varchar(32))`);
    for (const r of rows) await db.query(`INSERT INTO ${table} (id, full_name, email, ssn) VALUES ($1, $2, $3, $4)`, [r.id, r.full_name, r.email, r.ssn]);
  };
  const readAll = async (table: string) => (await db.query(`SELECT * FROM ${table} ORDER BY id`)).rows;
  const base = (table: string, extra: Partial<PiiMigrationOptions> & Pick<PiiMigrationOptions, 'encryptor'>): PiiMigrationOptions => ({
    db: { engine: 'postgres', client: db },
    table,
    columns: [...PII_COLUMNS],
    batchSize: 10,
    ...extra,
  });

  beforeAll(async () => {
    pg = await startPostgres();
    await pg.adminQuery(`CREATE ROLE pii_app LOGIN PASSWORD '${password}'`);
    await pg.adminQuery('CREATE DATABASE pii OWNER pii_app');
    db = await connect();
  });
  afterAll(async () => {
    await db?.end();
    await pg?.stop();
  });

  it('encrypts three columns in place with a blind index in the same pass; values are bound to table, column and row id', async () => {
    const kms = twoKeyKms();
    const encryptor = encryptorFor(kms);
    const originals = piiRows(ROWS);
    await createTable('customers', originals);
    const progress: PiiMigrationProgress[] = [];
    const result = await migratePiiColumns(
      base('customers', {
        encryptor,
        blindIndexer: indexer,
        onProgress: (p) => progress.push(p),
        columns: ['full_name', { name: 'email', blindIndex: { column: 'email_bidx', normalize: 'email' } }, 'ssn'],
      }),
    );
    const rows = await readAll('customers');
    const states = await checkRows(rows, originals, encryptor, 'customers');
    expect(states.plaintext).toBe(0);
    const nonNull = originals.reduce((n, r) => n + PII_COLUMNS.filter((c) => r[c] !== null).length, 0);
    expect(states.encrypted).toBe(nonNull);
    expect(result).toMatchObject({ done: ROWS, total: ROWS, changed: nonNull, conflicts: [], undecryptable: [] });
    expect(result.kmsCalls.generateDataKey).toBe(1);
    expect(progress).toHaveLength(ROWS / 10);
    expect(progress[progress.length - 1]).toMatchObject({ done: ROWS, total: ROWS, lastId: String(ROWS) });
    // Blind index of the plaintext, under the column's label and normalisation.
    for (const r of rows) {
      const original = originals.find((o) => o.id === r.id) as PiiRow;
      expect(r.email_bidx).toBe(indexer.blindIndex(original.email as string, { label: 'customers.email', normalize: 'email' }));
    }
    // A value copied to another row, or to another column of the same row, does not decrypt there.
    const [a, b] = [rows[0], rows[1]];
    await expectNotDecryptable(encryptor, a.ssn, { table: 'customers', column: 'ssn', id: String(b.id) });
    await expectNotDecryptable(encryptor, a.ssn, { table: 'customers', column: 'email', id: String(a.id) });
    await db.query('UPDATE customers SET ssn = $1 WHERE id = $2', [a.ssn, b.id]);
    const again = await migratePiiColumns(base('customers', { encryptor }));
    expect(again).toMatchObject({ changed: 0, undecryptable: [{ id: String(b.id), column: 'ssn' }] });
  });

  it('a crash injected mid-batch, then a resumed run: every row is its plaintext or decrypts to it; none lost or double-encrypted; no plaintext after', async () => {
    const kms = twoKeyKms();
    const encryptor = encryptorFor(kms);
    const originals = piiRows(ROWS, 'c');
    await createTable('crash_customers', originals);
    const crashing = await connect();
    const crash = new Error('injected crash');
    await expect(
      migratePiiColumns({
        ...base('crash_customers', { encryptor }),
        db: { engine: 'postgres', client: crashing },
        hooks: {
          afterPrepare: (batch, index) => {
            if (batch === 2 && index === 6) throw crash;
          },
        },
      }),
    ).rejects.toBe(crash);
    crashing.end().catch(() => undefined); // the process is gone: no clean shutdown
    const mid = await checkRows(await readAll('crash_customers'), originals, encryptor, 'crash_customers');
    expect(mid.encrypted).toBeGreaterThan(0); // the first two batches were written
    expect(mid.plaintext).toBeGreaterThan(0); // the crashed batch and the rest were not

    // A second crash after a batch was written and before the run learnt it (between write and the next read).
    const again = await connect();
    await expect(
      migratePiiColumns({
        ...base('crash_customers', { encryptor: encryptorFor(kms) }),
        db: { engine: 'postgres', client: again },
        hooks: {
          afterRead: (batch) => {
            if (batch === 3) throw crash;
          },
        },
      }),
    ).rejects.toBe(crash);
    await again.end();

    const resumed = await migratePiiColumns(base('crash_customers', { encryptor: encryptorFor(kms) }));
    const after = await checkRows(await readAll('crash_customers'), originals, encryptor, 'crash_customers');
    expect(after.plaintext).toBe(0);
    expect(resumed.skipped).toBe(mid.encrypted + (after.encrypted - mid.encrypted - resumed.changed));
    expect(resumed.undecryptable).toEqual([]);
  });

  it('safe with live writes: a row changed between read and update keeps the new value (then encrypted on retry)', async () => {
    const kms = twoKeyKms();
    const encryptor = encryptorFor(kms);
    const originals = piiRows(20, 'l');
    await createTable('live_customers', originals);
    const writer = await connect();
    const appCiphertext = await encryptor.encryptField('written-by-app@example.com', { table: 'live_customers', column: 'email', id: '4' });
    const result = await migratePiiColumns(
      base('live_customers', {
        encryptor,
        hooks: {
          afterRead: async (batch) => {
            if (batch !== 0) return;
            await writer.query("UPDATE live_customers SET email = 'changed.live@example.com' WHERE id = 3");
            await writer.query('UPDATE live_customers SET email = $1 WHERE id = 4', [appCiphertext]);
          },
        },
      }),
    );
    await writer.end();
    expect(result.conflicts).toEqual([]);
    const rows = await readAll('live_customers');
    const ctx = (id: number, column = 'email') => ({ table: 'live_customers', column, id: String(id) });
    expect(await encryptor.decryptField(rows[2].email, ctx(3))).toBe('changed.live@example.com');
    expect(rows[3].email).toBe(appCiphertext); // the application's own ciphertext is kept, not re-encrypted
    expect(await encryptor.decryptField(rows[3].ssn, ctx(4, 'ssn'))).toBe(originals[3].ssn);
  });

  it('--dry-run changes nothing and reports what would change, with a progress bar (rate and ETA)', async () => {
    const kms = twoKeyKms();
    const originals = piiRows(30, 'd');
    await createTable('dry_customers', originals);
    const before = await readAll('dry_customers');
    const bars: string[] = [];
    let t = 0;
    const result = await migratePiiColumns(
      base('dry_customers', {
        encryptor: encryptorFor(kms),
        dryRun: true,
        now: () => (t += 100),
        onProgress: (p) => bars.push(renderProgress(p, 10)),
      }),
    );
    expect(await readAll('dry_customers')).toEqual(before);
    expect(result).toMatchObject({ dryRun: true, done: 30, total: 30 });
    expect(result.changed).toBe(originals.reduce((n, r) => n + PII_COLUMNS.filter((c) => r[c] !== null).length, 0));
    expect(bars[0]).toMatch(/^\(dry run\) encrypt dry_customers \[###-------\] 33% 10\/30 rows {2}\d+ rows\/s {2}ETA \d+s$/);
    expect(bars[bars.length - 1]).toMatch(/\[##########\] 100% 30\/30 rows .* ETA 0s$/);
  });

  it('refuses bad input before any row changes: unknown table or column, no primary key, composite key, a column too narrow, a non-text column', async () => {
    const kms = twoKeyKms();
    const originals = piiRows(5, 'b');
    await createTable('narrow_customers', originals, 'varchar(120)');
    await db.query('CREATE TABLE no_pk (id integer, email text)');
    await db.query("INSERT INTO no_pk VALUES (1, 'a@example.com')");
    await db.query('CREATE TABLE two_pk (a integer, b integer, email text, PRIMARY KEY (a, b))');
    await db.query('CREATE TABLE typed (id integer PRIMARY KEY, born date, email bytea)');
    const snapshot = async () => JSON.stringify([await readAll('narrow_customers'), (await db.query('SELECT * FROM no_pk')).rows]);
    const before = await snapshot();
    const run = (table: string, columns: PiiMigrationOptions['columns']) => migratePiiColumns({ ...base(table, { encryptor: encryptorFor(kms) }), columns });
    await expect(run('missing_table', ['email'])).rejects.toThrow(/unknown table public\.missing_table/);
    await expect(run('narrow_customers', ['email', 'phone'])).rejects.toThrow(/has no column "phone"/);
    await expect(run('no_pk', ['email'])).rejects.toThrow(/no_pk has no primary key/);
    await expect(run('two_pk', ['email'])).rejects.toThrow(/composite primary key \(a, b\)/);
    await expect(run('narrow_customers', ['full_name', 'email'])).rejects.toThrow(
      /narrow_customers\.full_name is too narrow: its longest value \(\d+ bytes\) takes \d+ characters as gf1, the column holds 120/,
    );
    await expect(run('typed', ['born'])).rejects.toThrow(/typed\.born is of type date/);
    await expect(run('narrow_customers', [{ name: 'email', blindIndex: { column: 'email_bidx', bytes: 32 } }])).rejects.toThrow(
      /a blindIndex column needs the blindIndexer option/,
    );
    await db.query('CREATE TABLE bidx_narrow (id integer PRIMARY KEY, email text, email_bidx varchar(32))');
    await expect(
      migratePiiColumns({
        ...base('bidx_narrow', { encryptor: encryptorFor(kms), blindIndexer: indexer }),
        columns: [{ name: 'email', blindIndex: { column: 'email_bidx', bytes: 32 } }],
      }),
    ).rejects.toThrow(/email_bidx is too narrow for a 32-byte blind index \(43 characters, the column holds 32/);
    expect(await snapshot()).toBe(before);
    await expect(migratePiiColumns({ ...base('narrow_customers', { encryptor: encryptorFor(kms) }), batchSize: 0 })).rejects.toBeInstanceOf(PiiMigrationError);
  });

  it('reverse paths: decrypt back to plaintext; re-key to a new data key; re-key to a new KMS key (resumable after a crash)', async () => {
    const kms = twoKeyKms();
    const originals = piiRows(40, 'r');
    await createTable('rekey_customers', originals);
    const keyA = encryptorFor(kms);
    await migratePiiColumns(base('rekey_customers', { encryptor: keyA }));
    const dataKeys = async () =>
      new Set(
        (await readAll('rekey_customers')).flatMap((r) =>
          PII_COLUMNS.map((c) => r[c])
            .filter((v) => fieldFormatOf(v))
            .map((v) => recognizedFormat(v)?.dataKeyOf(v)),
        ),
      );
    const firstKeys = await dataKeys();
    expect(firstKeys.size).toBe(1);

    // New data key, same KMS key: every value re-encrypted under one new data key.
    const rekeyed = await migratePiiColumns(base('rekey_customers', { encryptor: encryptorFor(kms), mode: 'rekey' }));
    expect(rekeyed.kmsCalls).toEqual({ generateDataKey: 1, decrypt: 1 });
    const secondKeys = await dataKeys();
    expect(secondKeys.size).toBe(1);
    expect([...secondKeys][0]).not.toBe([...firstKeys][0]);
    expect((await checkRows(await readAll('rekey_customers'), originals, keyA, 'rekey_customers')).plaintext).toBe(0);

    // New KMS key, with a crash half-way and a resumed run.
    const keyB = () => encryptorFor(kms, KEY_B);
    const crash = new Error('injected crash');
    await expect(
      migratePiiColumns({
        ...base('rekey_customers', { encryptor: keyB(), previousEncryptors: [keyA], mode: 'rekey' }),
        hooks: {
          afterPrepare: (batch, index) => {
            if (batch === 2 && index === 3) throw crash;
          },
        },
      }),
    ).rejects.toBe(crash);
    const resumed = await migratePiiColumns(base('rekey_customers', { encryptor: keyB(), previousEncryptors: [keyA], mode: 'rekey' }));
    expect(resumed.skipped).toBeGreaterThan(0); // the batches the crashed run wrote
    expect(resumed.undecryptable).toEqual([]);
    const underB = await readAll('rekey_customers');
    await expectNotDecryptable(keyA, underB[0].ssn, { table: 'rekey_customers', column: 'ssn', id: String(underB[0].id) });
    expect((await checkRows(underB, originals, keyB(), 'rekey_customers')).plaintext).toBe(0);

    // Decrypt back to plaintext: the original rows again.
    const { output } = await captureOutput(async () => {
      await migratePiiColumns(base('rekey_customers', { encryptor: keyB(), mode: 'decrypt' }));
    });
    expect((await readAll('rekey_customers')).map(({ email_bidx: _b, ...r }) => r)).toEqual(originals);
    for (const r of originals) expect(output).not.toContain(String(r.ssn));
  });

  it('a malformed look-alike of the format is plaintext (encrypted), a well-formed one is recognized (skipped)', async () => {
    const kms = twoKeyKms();
    const encryptor = encryptorFor(kms);
    const originals = piiRows(3, 'm');
    originals[0].email = 'gf1.not base64!';
    originals[1].email = 'gf1.AQE'; // canonical base64url, truncated
    await createTable('lookalike', originals);
    await migratePiiColumns(base('lookalike', { encryptor }));
    expect((await checkRows(await readAll('lookalike'), originals, encryptor, 'lookalike')).plaintext).toBe(0);
  });
});
