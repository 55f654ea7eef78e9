/**
 * Ops command for migratePiiColumns (run through client/bin/pii-migrate.ts) until the `gaara-secrets` CLI wraps it:
 *   npx tsx client/bin/pii-migrate.ts --table customers --columns full_name,email,ssn [--blind-index email=email_bidx:email:16]
 *     [--mode encrypt|decrypt|rekey] [--dry-run] [--batch-size 500] [--schema public] [--start-after 41000]
 *     [--key-id alias/gaara-store/prod/data] [--previous-key-id <old key ARN>] [--app gaara-store] [--env prod]
 *     [--blind-index-kid <kid>] [--database-url-env VAR] [--format gf1|gf2]
 * The database credential is the `database-url` secret (module-level getDatabaseSecret), or the URL in the variable
 * named by --database-url-env. The blind-index key is the `encryption-key` ring (pinned by --blind-index-kid).
 * Progress on stderr; the summary (counts, no values) on stdout. Exit 0: done; 2: conflicts or undecryptable values
 * left (run again / investigate); 1: refused or failed.
 */
import { mysqlConnectionOptions, pgClientConfig } from '../adapters';
import { BlindIndexer, type Normalization } from '../field-encryption/blind-index';
import { FieldEncryptor, type FieldFormatName } from '../field-encryption/field-encryptor';
import { MemoryFieldKeyStore, type FieldKeyStore } from '../field-encryption/key-store';
import { MysqlFieldKeyStore, PostgresFieldKeyStore } from '../field-encryption/key-store-sql';
import { getDatabaseSecret, getKeyRing } from '../secrets/default-client';
import { migratePiiColumns, renderProgress, type MigrationDatabase, type PiiColumn, type PiiMigrationMode } from './pii-migration';

export interface PiiMigrateArgs {
  table: string;
  columns: PiiColumn[];
  mode: PiiMigrationMode;
  dryRun: boolean;
  batchSize?: number;
  schema?: string;
  startAfter?: string;
  keyId: string;
  previousKeyId?: string;
  app: string;
  env: string;
  blindIndexKid?: string;
  databaseUrlEnv?: string;
  /** The format written (encrypt / rekey); gf2 keeps its field keys in gaara_field_keys of the same database. */
  format: FieldFormatName;
}

const USAGE = 'usage: pii-migrate --table T --columns a,b[,c] [--blind-index col=index_col[:normalize[:bytes]]] [--mode encrypt|decrypt|rekey] [--dry-run] ...';

export function parsePiiMigrateArgs(argv: readonly string[], environment: NodeJS.ProcessEnv = process.env): PiiMigrateArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"\n${USAGE}`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (name === 'dry-run' || name === 'help') {
      flags.add(name);
      continue;
    }
    const value = inline ?? argv[(i += 1)];
    if (value === undefined) throw new Error(`--${name} needs a value\n${USAGE}`);
    if (name === 'blind-index') values.set(name, [values.get(name), value].filter(Boolean).join(','));
    else values.set(name, value);
  }
  if (flags.has('help')) throw new Error(USAGE);
  const known = new Set([
    'table',
    'columns',
    'blind-index',
    'mode',
    'batch-size',
    'schema',
    'start-after',
    'key-id',
    'previous-key-id',
    'app',
    'env',
    'blind-index-kid',
    'database-url-env',
    'format',
  ]);
  for (const name of values.keys()) if (!known.has(name)) throw new Error(`unknown option --${name}\n${USAGE}`);
  const table = values.get('table');
  const names =
    values
      .get('columns')
      ?.split(',')
      .map((c) => c.trim())
      .filter(Boolean) ?? [];
  if (!table || names.length === 0) throw new Error(`--table and --columns are required\n${USAGE}`);
  const mode = (values.get('mode') ?? 'encrypt') as PiiMigrationMode;
  if (!['encrypt', 'decrypt', 'rekey'].includes(mode)) throw new Error(`--mode must be encrypt, decrypt or rekey\n${USAGE}`);
  const indexes = new Map<string, PiiColumn['blindIndex']>();
  for (const spec of values.get('blind-index')?.split(',') ?? []) {
    const match = /^([^=]+)=([^:]+)(?::([a-z]+))?(?::(\d+))?$/.exec(spec.trim());
    if (!match) throw new Error(`--blind-index "${spec}" is not column=index_column[:normalize[:bytes]]`);
    if (!names.includes(match[1])) throw new Error(`--blind-index names ${match[1]}, which is not in --columns`);
    indexes.set(match[1], {
      column: match[2],
      ...(match[3] ? { normalize: match[3] as Normalization } : {}),
      ...(match[4] ? { bytes: Number(match[4]) } : {}),
    });
  }
  const app = values.get('app') ?? environment.APP_NAME ?? 'gaara-store';
  const env = values.get('env') ?? environment.APP_ENVIRONMENT ?? environment.ENVIRONMENT;
  if (!env) throw new Error('--env (or APP_ENVIRONMENT / ENVIRONMENT) is required');
  const batchSize = values.has('batch-size') ? Number(values.get('batch-size')) : undefined;
  const format = values.get('format') ?? 'gf1';
  if (format !== 'gf1' && format !== 'gf2') throw new Error(`--format must be gf1 or gf2\n${USAGE}`);
  return {
    table,
    columns: names.map((name) => ({ name, ...(indexes.has(name) ? { blindIndex: indexes.get(name) } : {}) })),
    mode,
    dryRun: flags.has('dry-run'),
    batchSize,
    schema: values.get('schema'),
    startAfter: values.get('start-after'),
    keyId: values.get('key-id') ?? `alias/${app}/${env}/data`,
    previousKeyId: values.get('previous-key-id'),
    app,
    env,
    blindIndexKid: values.get('blind-index-kid'),
    databaseUrlEnv: values.get('database-url-env'),
    format,
  };
}

async function openDatabase(args: PiiMigrateArgs): Promise<{ db: MigrationDatabase; close: () => Promise<void> }> {
  const url = args.databaseUrlEnv ? process.env[args.databaseUrlEnv] : undefined;
  if (args.databaseUrlEnv && !url) throw new Error(`${args.databaseUrlEnv} is not set`);
  const secret = url ? undefined : await getDatabaseSecret('database-url');
  const engine = url ? (/^postgres(ql)?:/.test(url) ? 'postgres' : 'mysql') : /postgres/.test(secret?.engine ?? '') ? 'postgres' : 'mysql';
  if (engine === 'postgres') {
    const { Client } = await import('pg');
    const client = new Client(url ? { connectionString: url } : pgClientConfig(secret as NonNullable<typeof secret>));
    await client.connect();
    return { db: { engine, client }, close: () => client.end() };
  }
  const mysql = await import('mysql2/promise');
  const connection = url ? await mysql.createConnection(url) : await mysql.createConnection(mysqlConnectionOptions(secret as NonNullable<typeof secret>));
  return { db: { engine, connection }, close: () => connection.end() };
}

/**
 * The gf2 key table in the migrated database (created when missing). A dry run writes nothing, so its (discarded)
 * values get keys kept in memory; the table is still read for existing gf2 values when it exists.
 */
async function fieldKeyStore(db: MigrationDatabase, args: PiiMigrateArgs): Promise<FieldKeyStore> {
  const table = db.engine === 'postgres' ? new PostgresFieldKeyStore(db.client) : new MysqlFieldKeyStore(db.connection);
  if (!args.dryRun) {
    await table.ensureTable();
    return table;
  }
  const memory = new MemoryFieldKeyStore();
  return { put: (key) => memory.put(key), get: async (id) => (await memory.get(id)) ?? table.get(id) };
}

export async function main(argv: readonly string[]): Promise<number> {
  const args = parsePiiMigrateArgs(argv);
  const blindIndexer = args.columns.some((c) => c.blindIndex) ? BlindIndexer.fromKeyRing(await getKeyRing('encryption-key'), args.blindIndexKid) : undefined;
  const { db, close } = await openDatabase(args);
  const tty = process.stderr.isTTY === true;
  try {
    const keyStore = await fieldKeyStore(db, args);
    const reader = (keyId: string) => new FieldEncryptor({ keyId, app: args.app, env: args.env, keyStore });
    const encryptor = new FieldEncryptor({ keyId: args.keyId, app: args.app, env: args.env, keyStore, format: args.format });
    // Converting to gf2 under the same KMS key: the gf1 reader as "previous" makes a resumed run skip values already in gf2.
    const previous = args.previousKeyId ? [reader(args.previousKeyId)] : args.format === 'gf2' && args.mode === 'rekey' ? [reader(args.keyId)] : undefined;
    const result = await migratePiiColumns({
      db,
      table: args.table,
      schema: args.schema,
      columns: args.columns,
      mode: args.mode,
      dryRun: args.dryRun,
      batchSize: args.batchSize,
      startAfter: args.startAfter,
      encryptor,
      previousEncryptors: previous,
      blindIndexer,
      onProgress: (p) => process.stderr.write(`${tty ? '\r' : ''}${renderProgress(p)}${tty ? '' : '\n'}`),
    });
    if (tty) process.stderr.write('\n');
    const { conflicts, undecryptable, ...summary } = result;
    process.stdout.write(`${JSON.stringify({ ...summary, conflicts: conflicts.length, undecryptable: undecryptable.length }, null, 2)}\n`);
    if (conflicts.length)
      process.stdout.write(`rows left by concurrent writes (run again): ${conflicts.slice(0, 50).join(', ')}${conflicts.length > 50 ? ', …' : ''}\n`);
    for (const u of undecryptable.slice(0, 50)) process.stdout.write(`does not decrypt in place (left as is): ${args.table}.${u.column} id ${u.id}\n`);
    return conflicts.length || undecryptable.length ? 2 : 0;
  } finally {
    await close();
  }
}

/** Runs the command and sets the exit code; errors print their message only (this library's name tables, columns, row ids, never values). */
export function runPiiMigrateCommand(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  return main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`pii-migrate: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
