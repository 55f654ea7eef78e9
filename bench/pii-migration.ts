/**
 * Encrypting the PII already in a table: 100,000 rows, three PII columns (name, email, SSN), on the local PostgreSQL
 * (127.0.0.1:5432, trust auth; a throwaway database), KMS in-process (FakeKms, 184-byte blobs like real KMS, 0 ms).
 * Prints rows/s, values/s and KMS calls for encrypt, and for decrypt back.
 *   npx tsx bench/pii-migration.ts [rows] [batchSize]
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { FieldEncryptor } from '../client/src/field-encryption/field-encryptor';
import { migratePiiColumns } from '../client/src/migration/pii-migration';
import { FakeKms } from '../client/test/support/fake-kms';

const ROWS = Number(process.argv[2] ?? 100_000);
const BATCH = Number(process.argv[3] ?? 1_000);
const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/bench';
const connection = { host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), user: process.env.PGUSER ?? 'postgres' };

async function main(): Promise<void> {
  const dbname = `pii_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ ...connection, database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbname}`);
  const db = new Client({ ...connection, database: dbname });
  await db.connect();
  try {
    await db.query('CREATE TABLE customers (id bigint PRIMARY KEY, full_name text, email text, ssn varchar(512), created_at timestamptz DEFAULT now())');
    await db.query(`INSERT INTO customers (id, full_name, email, ssn)
      SELECT i, 'Customer Name ' || i, 'customer.' || i || '@example.com', lpad((i % 900 + 100)::text, 3, '0') || '-' || lpad((i % 90 + 10)::text, 2, '0') || '-' || lpad((i % 9000 + 1000)::text, 4, '0')
      FROM generate_series(1, ${ROWS}) AS i`);
    await db.query('VACUUM ANALYZE customers');
    const kms = new FakeKms(KEY, undefined, 184);
    const encryptor = () => new FieldEncryptor({ keyId: KEY, app: 'gaara-store', env: 'bench', kms: kms as never });
    const columns = ['full_name', 'email', 'ssn'];

    const dry = await migratePiiColumns({
      db: { engine: 'postgres', client: db },
      table: 'customers',
      columns,
      encryptor: encryptor(),
      batchSize: BATCH,
      dryRun: true,
    });
    const enc = await migratePiiColumns({ db: { engine: 'postgres', client: db }, table: 'customers', columns, encryptor: encryptor(), batchSize: BATCH });
    const resume = await migratePiiColumns({ db: { engine: 'postgres', client: db }, table: 'customers', columns, encryptor: encryptor(), batchSize: BATCH });
    const dec = await migratePiiColumns({
      db: { engine: 'postgres', client: db },
      table: 'customers',
      columns,
      encryptor: encryptor(),
      batchSize: BATCH,
      mode: 'decrypt',
    });
    const line = (name: string, r: typeof enc) =>
      `| ${name} | ${r.done.toLocaleString('en-US')} | ${r.changed.toLocaleString('en-US')} | ${(r.elapsedMs / 1000).toFixed(1)} s | ${Math.round(r.rowsPerSecond).toLocaleString('en-US')} | ` +
      `${Math.round((r.changed * 1000) / Math.max(1, r.elapsedMs)).toLocaleString('en-US')} | ${r.kmsCalls.generateDataKey} / ${r.kmsCalls.decrypt} |`;
    console.log(
      `PII migration, PostgreSQL ${(await db.query('SHOW server_version')).rows[0].server_version}, ${ROWS.toLocaleString('en-US')} rows x 3 columns, batch ${BATCH}, Node ${process.version}`,
    );
    console.log('| run | rows | values written | time | rows/s | values/s | KMS GenerateDataKey / Decrypt |');
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    console.log(line('dry run (encrypt)', dry));
    console.log(line('encrypt', enc));
    console.log(line('resumed run over encrypted rows (verifies each)', resume));
    console.log(line('decrypt back', dec));
  } finally {
    await db.end();
    await admin.query(`DROP DATABASE ${dbname}`);
    await admin.end();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
