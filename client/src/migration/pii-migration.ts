/**
 * Encrypting the PII already in a database, in place, with the field format (and the reverse paths: decrypt back
 * to plaintext, re-key). PostgreSQL (node-postgres) and MySQL/MariaDB (mysql2/promise). docs/field-encryption.md,
 * "Migrating existing columns", is the reference; the rules in short:
 * - every value is bound to {table, column, id: String(primary key)} (the context the application must use to read it);
 * - batches of `batchSize` rows in primary-key order (keyset pagination), so a run can stop and resume anywhere;
 * - a value already in a field format is recognized and skipped (encrypt), so a resumed run never double-encrypts;
 * - an update applies only if the row still holds the values read (concurrent writers win; the row is re-read);
 * - bad input (unknown table or column, no single-column primary key, a column too narrow for the ciphertext of its
 *   longest value, a column type that cannot hold text faithfully) is refused before any row changes.
 */
import { FieldDecryptionError } from '../errors';
import type { BlindIndexer, Normalization } from '../field-encryption/blind-index';
import type { FieldEncryptor } from '../field-encryption/field-encryptor';
import { FIELD_FORMATS, recognizedFormat } from '../field-encryption/format';
import type { MysqlQueryable, PgQueryable } from '../sql-queryable';

export type PiiMigrationMode = 'encrypt' | 'decrypt' | 'rekey';

export type { PgQueryable, MysqlQueryable };
/** node-postgres Client or PoolClient; mysql2/promise Connection, not a Pool (one connection: the run uses transactions). */
export type MigrationDatabase = { engine: 'postgres'; client: PgQueryable } | { engine: 'mysql'; connection: MysqlQueryable };

export interface PiiColumn {
  name: string;
  /** Fill this column with the blind index of the plaintext, in the same UPDATE (encrypt mode). */
  blindIndex?: { column: string; label?: string; normalize?: Normalization; bytes?: number };
}

export interface PiiMigrationOptions {
  db: MigrationDatabase;
  table: string;
  /** PostgreSQL schema (default: current_schema()); MySQL: the connection's database. */
  schema?: string;
  columns: readonly (string | PiiColumn)[];
  /** Default 'encrypt'. */
  mode?: PiiMigrationMode;
  /** encrypt / rekey: writes with it (its format and data key); decrypt / rekey: reads with it. */
  encryptor: FieldEncryptor;
  /**
   * decrypt / rekey: also read with these (e.g. the encryptor of the previous KMS key). With them, rekey moves values
   * from those keys to `encryptor`'s and skips values `encryptor` already reads (a resumed run). Without them, rekey
   * re-encrypts every value under a new data key of the same KMS key (values written earlier in the same run excepted).
   */
  previousEncryptors?: readonly FieldEncryptor[];
  /** Needed when a column has `blindIndex`. */
  blindIndexer?: BlindIndexer;
  /** Rows per batch; default 500. */
  batchSize?: number;
  /** Read, check and count; write nothing. Still one GenerateDataKey for the width check (encrypt / rekey). */
  dryRun?: boolean;
  /** Start after this primary-key value (a resumed run can pass the last reported `lastId`; skipping is also safe without it). */
  startAfter?: string | number;
  /** encrypt: also decrypt values already in a field format, reporting those that do not decrypt in place; default true. */
  verifyExisting?: boolean;
  /** Rows whose update lost to a concurrent writer are re-read and retried this many times; default 3. */
  maxConflictRetries?: number;
  onProgress?: (progress: PiiMigrationProgress) => void;
  now?: () => number;
  /** Test hooks (crash injection). */
  hooks?: {
    /** After row `index` (0-based in the batch) of batch `batch` is prepared, before the batch is written. */
    afterPrepare?: (batch: number, index: number) => void | Promise<void>;
    /** MySQL: after row `index` of batch `batch` is updated, inside the batch's transaction. */
    afterRowWrite?: (batch: number, index: number) => void | Promise<void>;
    /** After the batch's rows were read, before they are written (a concurrent writer in tests). */
    afterRead?: (batch: number, ids: string[]) => void | Promise<void>;
  };
}

export interface PiiMigrationProgress {
  mode: PiiMigrationMode;
  table: string;
  dryRun: boolean;
  /** Rows scanned so far, of `total` (counted at the start). */
  done: number;
  total: number;
  /** Values written (or, dry run, that would be). */
  changed: number;
  elapsedMs: number;
  rowsPerSecond: number;
  /** undefined until a rate is known. */
  etaMs: number | undefined;
  lastId: string | undefined;
}

export interface PiiMigrationResult extends PiiMigrationProgress {
  /** Values left as they were: already in the target state, or NULL. */
  skipped: number;
  nulls: number;
  /** Row ids whose update kept losing to concurrent writers (left untouched; run again). */
  conflicts: string[];
  /** Values in a field format that do not decrypt in place (copied from another row or column, tampered, unknown key): left untouched. */
  undecryptable: { id: string; column: string }[];
  /** KMS calls of `encryptor` (and previousEncryptors) during the run. */
  kmsCalls: { generateDataKey: number; decrypt: number };
}

export class PiiMigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PiiMigrationError';
  }
}

interface ColumnInfo {
  name: string;
  type: string;
  maxLength: number | undefined;
}
interface Plan {
  quotedTable: string;
  pk: ColumnInfo;
  columns: { name: string; blindIndex?: PiiColumn['blindIndex'] & { label: string; bytes: number } }[];
}
type Row = Record<string, unknown>;
interface Prepared {
  id: string;
  rawId: unknown;
  old: (string | null)[];
  next: (string | null)[];
  index: (string | null)[];
}

const DEFAULT_BATCH = 500;
const PG_TEXT_TYPES = new Set(['text', 'character varying']);
const MYSQL_TEXT_TYPES = new Set(['varchar', 'tinytext', 'text', 'mediumtext', 'longtext']);

export async function migratePiiColumns(options: PiiMigrationOptions): Promise<PiiMigrationResult> {
  const mode = options.mode ?? 'encrypt';
  if (!['encrypt', 'decrypt', 'rekey'].includes(mode)) throw new PiiMigrationError(`unknown mode "${String(mode)}" (encrypt, decrypt, rekey)`);
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5_000) throw new PiiMigrationError('batchSize must be an integer 1..5000');
  const sql = dialect(options.db);
  const plan = await sql.plan(options);
  if (plan.columns.some((c) => c.blindIndex) && !options.blindIndexer) throw new PiiMigrationError('a blindIndex column needs the blindIndexer option');
  const readers = [options.encryptor, ...(options.previousEncryptors ?? [])];
  const kmsBefore = readers.map((e) => e.kmsCalls);
  await checkWidths(sql, options, plan, mode);

  const now = options.now ?? Date.now;
  const started = now();
  const total = await sql.count(plan, options.startAfter);
  const result: PiiMigrationResult = {
    mode,
    table: options.table,
    dryRun: options.dryRun === true,
    done: 0,
    total,
    changed: 0,
    elapsedMs: 0,
    rowsPerSecond: 0,
    etaMs: undefined,
    lastId: undefined,
    skipped: 0,
    nulls: 0,
    conflicts: [],
    undecryptable: [],
    kmsCalls: { generateDataKey: 0, decrypt: 0 },
  };
  const writtenKeys = new Set<string>(); // data keys this run wrote with (rekey without previous encryptors)
  const keyOwner = new Map<string, FieldEncryptor | null>(); // data key -> the reader that opens it (null: none)

  /** What one value becomes; undefined: leave it. */
  const transform = async (value: unknown, column: string, id: string): Promise<{ next?: string | null; plaintext?: string }> => {
    if (value === null || value === undefined) {
      result.nulls += 1;
      return {};
    }
    const text = String(value);
    const context = { table: options.table, column, id };
    const format = recognizedFormat(text);
    if (mode === 'encrypt') {
      if (format) {
        if (options.verifyExisting !== false && !(await opens(text, context, format.dataKeyOf(text)))) result.undecryptable.push({ id, column });
        return {};
      }
      return { next: await options.encryptor.encryptField(text, context), plaintext: text };
    }
    if (!format) return {}; // decrypt / rekey: plaintext (or a look-alike) is left alone
    const dataKey = format.dataKeyOf(text);
    if (mode === 'rekey' && writtenKeys.has(dataKey) && format.name === options.encryptor.format) return {};
    const opened = await open(text, context, dataKey);
    if (opened === undefined) {
      result.undecryptable.push({ id, column });
      return {};
    }
    if (mode === 'decrypt') return { next: opened.plaintext, plaintext: opened.plaintext };
    if (opened.by === options.encryptor && (options.previousEncryptors?.length ?? 0) > 0 && format.name === options.encryptor.format) return {};
    const next = await options.encryptor.encryptField(opened.plaintext, context);
    writtenKeys.add(recognizedFormat(next)?.dataKeyOf(next) ?? '');
    return { next, plaintext: opened.plaintext };
  };

  const open = async (text: string, context: { table: string; column: string; id: string }, dataKey: string) => {
    const known = keyOwner.get(dataKey);
    for (const reader of known === undefined ? readers : known === null ? [] : [known]) {
      try {
        const plaintext = await reader.decryptField(text, context);
        keyOwner.set(dataKey, reader);
        return { plaintext, by: reader };
      } catch (error) {
        if (!(error instanceof FieldDecryptionError)) throw error;
      }
    }
    // Not remembered as "no reader": a failure may be this value's (wrong row), not its key's.
    return undefined;
  };
  const opens = async (text: string, context: { table: string; column: string; id: string }, dataKey: string) =>
    (await open(text, context, dataKey)) !== undefined;

  const prepare = async (rows: Row[], batch: number): Promise<Prepared[]> => {
    const out: Prepared[] = [];
    for (const [index, row] of rows.entries()) {
      const id = String(row[plan.pk.name]);
      const item: Prepared = { id, rawId: row[plan.pk.name], old: [], next: [], index: [] };
      let changes = false;
      for (const column of plan.columns) {
        const value = row[column.name];
        const { next, plaintext } = await transform(value, column.name, id);
        item.old.push(value === null || value === undefined ? null : String(value));
        if (next === undefined) {
          result.skipped += value === null || value === undefined ? 0 : 1;
          item.next.push(value === null || value === undefined ? null : String(value));
          item.index.push(null);
          continue;
        }
        const width = sql.maxLength(column.name);
        if (width !== undefined && next !== null && next.length > width) {
          // Also a guard against MySQL without strict mode, which would silently truncate.
          throw new PiiMigrationError(
            `${options.table}.${column.name} row ${id}: the new value takes ${next.length} characters, the column holds ${width} (nothing of this batch was written)`,
          );
        }
        changes = true;
        item.next.push(next);
        item.index.push(
          column.blindIndex && mode === 'encrypt' && plaintext !== undefined && options.blindIndexer
            ? options.blindIndexer.blindIndex(plaintext, column.blindIndex)
            : null,
        );
      }
      await options.hooks?.afterPrepare?.(batch, index);
      if (changes) out.push(item);
    }
    return out;
  };

  let lastId: unknown = options.startAfter;
  let batch = 0;
  for (;;) {
    const rows = await sql.readBatch(plan, lastId, batchSize);
    if (rows.length === 0) break;
    lastId = rows[rows.length - 1][plan.pk.name];
    await options.hooks?.afterRead?.(
      batch,
      rows.map((r) => String(r[plan.pk.name])),
    );
    let work = await prepare(rows, batch);
    let changedValues = countChanges(work);
    if (!options.dryRun) {
      let lost = await sql.write(plan, work, mode, batch, options.hooks);
      changedValues -= countChanges(work.filter((w) => lost.has(w.id)));
      for (let attempt = 0; lost.size > 0 && attempt < (options.maxConflictRetries ?? 3); attempt += 1) {
        const again = await sql.readIds(
          plan,
          work.filter((w) => lost.has(w.id)).map((w) => w.rawId),
        );
        work = await prepare(again, batch);
        const changedNow = countChanges(work);
        lost = await sql.write(plan, work, mode, batch, options.hooks);
        changedValues += changedNow - countChanges(work.filter((w) => lost.has(w.id)));
      }
      result.conflicts.push(...lost);
    }
    result.changed += changedValues;
    result.done += rows.length;
    result.lastId = String(lastId);
    batch += 1;
    progress(result, started, now());
    options.onProgress?.({ ...pick(result) });
  }
  progress(result, started, now());
  readers.forEach((reader, i) => {
    const after = reader.kmsCalls;
    if (readers.indexOf(reader) !== i) return;
    result.kmsCalls.generateDataKey += after.generateDataKey - kmsBefore[i].generateDataKey;
    result.kmsCalls.decrypt += after.decrypt - kmsBefore[i].decrypt;
  });
  return result;
}

function countChanges(work: Prepared[]): number {
  return work.reduce((n, w) => n + w.next.filter((v, i) => v !== w.old[i]).length, 0);
}

function progress(p: PiiMigrationProgress, started: number, now: number): void {
  p.elapsedMs = now - started;
  p.rowsPerSecond = p.elapsedMs > 0 ? (p.done * 1000) / p.elapsedMs : 0;
  p.etaMs = p.rowsPerSecond > 0 ? Math.max(0, ((p.total - p.done) * 1000) / p.rowsPerSecond) : undefined;
}

function pick(r: PiiMigrationProgress): PiiMigrationProgress {
  const { mode, table, dryRun, done, total, changed, elapsedMs, rowsPerSecond, etaMs, lastId } = r;
  return { mode, table, dryRun, done, total, changed, elapsedMs, rowsPerSecond, etaMs, lastId };
}

/** `encrypt customers [######----------] 40% 40,000/100,000 rows  5,120 rows/s  ETA 12s` */
export function renderProgress(p: PiiMigrationProgress, width = 24): string {
  const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const filled = Math.round(fraction * width);
  const eta = p.etaMs === undefined ? '--' : formatDuration(p.etaMs);
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return (
    `${p.dryRun ? '(dry run) ' : ''}${p.mode} ${p.table} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(fraction * 100)}% ` +
    `${n(p.done)}/${n(p.total)} rows  ${n(p.rowsPerSecond)} rows/s  ETA ${eta}`
  );
}

function formatDuration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Column widths against the chosen format's size for the longest value; blind-index columns against the index size. */
async function checkWidths(sql: Dialect, options: PiiMigrationOptions, plan: Plan, mode: PiiMigrationMode): Promise<void> {
  if (mode === 'decrypt') return; // plaintext is always shorter than its ciphertext
  const lengths = await sql.maxValueBytes(plan, mode);
  for (const column of plan.columns) {
    const width = sql.maxLength(column.name);
    if (width !== undefined) {
      const longest = lengths[column.name] ?? 0;
      const needed = await options.encryptor.ciphertextLength(longest);
      if (needed > width) {
        throw new PiiMigrationError(
          `${options.table}.${column.name} is too narrow: its longest value (${longest} bytes${mode === 'rekey' ? ' of plaintext at most' : ''}) takes ` +
            `${needed} characters as ${options.encryptor.format}, the column holds ${width}; widen it first (nothing was changed)`,
        );
      }
    }
    if (column.blindIndex) {
      const indexWidth = sql.maxLength(column.blindIndex.column);
      const needed = Math.ceil((column.blindIndex.bytes * 4) / 3);
      if (indexWidth !== undefined && needed > indexWidth) {
        throw new PiiMigrationError(
          `${options.table}.${column.blindIndex.column} is too narrow for a ${column.blindIndex.bytes}-byte blind index (${needed} characters, the column holds ${indexWidth}; nothing was changed)`,
        );
      }
    }
  }
}

/** Upper bound of the plaintext bytes inside a field-format value of `chars` characters (the most compact format's overhead). */
function plaintextBoundOf(chars: number): number {
  const prefix = Math.min(...FIELD_FORMATS.map((f) => f.prefix.length));
  return Math.max(0, Math.floor(((chars - prefix) * 3) / 4) - Math.min(...FIELD_FORMATS.map((f) => f.minOverheadBytes)));
}

interface Dialect {
  plan(options: PiiMigrationOptions): Promise<Plan>;
  maxLength(column: string): number | undefined;
  maxValueBytes(plan: Plan, mode: PiiMigrationMode): Promise<Record<string, number>>;
  count(plan: Plan, startAfter: unknown): Promise<number>;
  readBatch(plan: Plan, after: unknown, limit: number): Promise<Row[]>;
  readIds(plan: Plan, ids: unknown[]): Promise<Row[]>;
  /** Writes the batch; returns the ids whose row no longer held the values read (not written). */
  write(plan: Plan, work: Prepared[], mode: PiiMigrationMode, batch: number, hooks: PiiMigrationOptions['hooks']): Promise<Set<string>>;
}

function normalizeColumns(options: PiiMigrationOptions): Plan['columns'] {
  if (!Array.isArray(options.columns) || options.columns.length === 0) throw new PiiMigrationError('columns must name at least one column');
  const columns = options.columns.map((c) => (typeof c === 'string' ? { name: c } : c));
  const names = columns.map((c) => c.name);
  if (new Set(names).size !== names.length) throw new PiiMigrationError('columns are listed twice');
  return columns.map((c) => ({
    name: c.name,
    ...(c.blindIndex ? { blindIndex: { ...c.blindIndex, label: c.blindIndex.label ?? `${options.table}.${c.name}`, bytes: c.blindIndex.bytes ?? 16 } } : {}),
  }));
}

function checkColumns(table: string, columns: Plan['columns'], info: Map<string, ColumnInfo>, pk: ColumnInfo[], textTypes: Set<string>): ColumnInfo {
  if (pk.length === 0)
    throw new PiiMigrationError(`table ${table} has no primary key: rows cannot be batched, bound to their id or resumed (nothing was changed)`);
  if (pk.length > 1)
    throw new PiiMigrationError(
      `table ${table} has a composite primary key (${pk.map((c) => c.name).join(', ')}): only single-column keys are supported (nothing was changed)`,
    );
  for (const column of columns) {
    for (const name of [column.name, column.blindIndex?.column].filter((n): n is string => n !== undefined)) {
      const found = info.get(name);
      if (!found) throw new PiiMigrationError(`table ${table} has no column "${name}" (nothing was changed)`);
      if (!textTypes.has(found.type))
        throw new PiiMigrationError(`${table}.${name} is of type ${found.type}: only ${[...textTypes].join(', ')} columns are migrated (nothing was changed)`);
      if (name === pk[0].name) throw new PiiMigrationError(`${table}.${name} is the primary key: it cannot be encrypted in place`);
    }
  }
  return pk[0];
}

function dialect(db: MigrationDatabase): Dialect {
  if (db?.engine === 'postgres') return postgres(db.client);
  if (db?.engine === 'mysql') return mysql(db.connection);
  throw new PiiMigrationError('db must be { engine: "postgres", client } or { engine: "mysql", connection }');
}

function postgres(client: PgQueryable): Dialect {
  const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
  const widths = new Map<string, number | undefined>();
  const cols = (plan: Plan) => [q(plan.pk.name), ...plan.columns.map((c) => q(c.name))].join(', ');
  return {
    async plan(options) {
      const columns = normalizeColumns(options);
      const schema = options.schema ?? String((await client.query('SELECT current_schema() AS s')).rows[0].s);
      const { rows: table } = await client.query(
        `SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
        [schema, options.table],
      );
      if (table.length === 0) throw new PiiMigrationError(`unknown table ${schema}.${options.table} (nothing was changed)`);
      const { rows } = await client.query(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS full_type,
          format_type(a.atttypid, NULL) AS type, CASE WHEN a.atttypmod > 4 AND t.typname IN ('varchar', 'bpchar') THEN a.atttypmod - 4 END AS max_length,
          COALESCE(a.attnum = ANY(i.indkey), false) AS is_pk
        FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
        WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped`,
        [table[0].oid],
      );
      const info = new Map<string, ColumnInfo>();
      for (const r of rows) {
        info.set(String(r.name), { name: String(r.name), type: String(r.type), maxLength: r.max_length === null ? undefined : Number(r.max_length) });
        widths.set(String(r.name), r.max_length === null ? undefined : Number(r.max_length));
      }
      const pkRows = rows.filter((r) => r.is_pk === true);
      const pk = checkColumns(
        options.table,
        columns,
        info,
        pkRows.map((r) => ({ ...(info.get(String(r.name)) as ColumnInfo), type: String(r.full_type) })),
        PG_TEXT_TYPES,
      );
      return { quotedTable: `${q(schema)}.${q(options.table)}`, pk, columns };
    },
    maxLength: (column) => widths.get(column),
    async maxValueBytes(plan, mode) {
      const like = FIELD_FORMATS.map((f) => `${q('@c')} LIKE '${f.prefix.replace(/'/g, "''")}%'`);
      const parts = plan.columns.map((c, i) => {
        const isFormat = `(${like.map((l) => l.replace(q('@c'), q(c.name))).join(' OR ')})`;
        return mode === 'encrypt'
          ? `max(octet_length(${q(c.name)})) FILTER (WHERE NOT ${isFormat}) AS m${i}`
          : `max(length(${q(c.name)})) FILTER (WHERE ${isFormat}) AS m${i}`;
      });
      const { rows } = await client.query(`SELECT ${parts.join(', ')} FROM ${plan.quotedTable}`);
      return Object.fromEntries(
        plan.columns.map((c, i) => {
          const v = rows[0][`m${i}`] === null ? 0 : Number(rows[0][`m${i}`]);
          return [c.name, mode === 'encrypt' ? v : plaintextBoundOf(v)];
        }),
      );
    },
    async count(plan, startAfter) {
      const { rows } =
        startAfter === undefined
          ? await client.query(`SELECT count(*)::bigint AS n FROM ${plan.quotedTable}`)
          : await client.query(`SELECT count(*)::bigint AS n FROM ${plan.quotedTable} WHERE ${q(plan.pk.name)} > $1::${plan.pk.type}`, [String(startAfter)]);
      return Number(rows[0].n);
    },
    async readBatch(plan, after, limit) {
      const { rows } =
        after === undefined
          ? await client.query(`SELECT ${cols(plan)} FROM ${plan.quotedTable} ORDER BY ${q(plan.pk.name)} LIMIT $1`, [limit])
          : await client.query(
              `SELECT ${cols(plan)} FROM ${plan.quotedTable} WHERE ${q(plan.pk.name)} > $1::${plan.pk.type} ORDER BY ${q(plan.pk.name)} LIMIT $2`,
              [String(after), limit],
            );
      return rows;
    },
    async readIds(plan, ids) {
      if (ids.length === 0) return [];
      const { rows } = await client.query(
        `SELECT ${cols(plan)} FROM ${plan.quotedTable} WHERE ${q(plan.pk.name)} = ANY($1::${plan.pk.type}[]) ORDER BY ${q(plan.pk.name)}`,
        [ids.map(String)],
      );
      return rows;
    },
    async write(plan, work) {
      if (work.length === 0) return new Set();
      // One statement per batch (atomic): each row is updated only if it still holds every value read.
      const indexed = plan.columns.filter((c) => c.blindIndex);
      const params: unknown[] = [];
      const p = (v: unknown, type: string) => `$${params.push(v)}::${type}`;
      const values = work.map(
        (w) =>
          `(${[
            p(w.id, plan.pk.type),
            ...plan.columns.flatMap((_c, i) => [p(w.old[i], 'text'), p(w.next[i], 'text')]),
            ...indexed.map((c) => p(w.index[plan.columns.indexOf(c)], 'text')),
          ].join(', ')})`,
      );
      const names = ['id', ...plan.columns.flatMap((_c, i) => [`o${i}`, `n${i}`]), ...indexed.map((c) => `b${plan.columns.indexOf(c)}`)];
      const sets = [
        ...plan.columns.map((c, i) => `${q(c.name)} = v.n${i}`),
        ...indexed.map(
          (c) =>
            `${q((c.blindIndex as { column: string }).column)} = COALESCE(v.b${plan.columns.indexOf(c)}, t.${q((c.blindIndex as { column: string }).column)})`,
        ),
      ];
      const guard = plan.columns.map((c, i) => `t.${q(c.name)} IS NOT DISTINCT FROM v.o${i}`).join(' AND ');
      // The key range of the batch (rows are in key order) lets the planner use the primary key index instead of
      // scanning the whole table for the join on every batch.
      const range = `t.${q(plan.pk.name)} BETWEEN ${p(work[0].id, plan.pk.type)} AND ${p(work[work.length - 1].id, plan.pk.type)}`;
      const { rows } = await client.query(
        `UPDATE ${plan.quotedTable} AS t SET ${sets.join(', ')} FROM (VALUES ${values.join(', ')}) AS v(${names.join(', ')})
         WHERE t.${q(plan.pk.name)} = v.id AND ${range} AND ${guard} RETURNING t.${q(plan.pk.name)}::text AS id`,
        params,
      );
      const written = new Set(rows.map((r) => String(r.id)));
      return new Set(work.filter((w) => !written.has(w.id)).map((w) => w.id));
    },
  };
}

function mysql(connection: MysqlQueryable): Dialect {
  const q = (name: string) => `\`${name.replace(/`/g, '``')}\``;
  const widths = new Map<string, number | undefined>();
  const query = async (sql: string, values: unknown[] = []) => (await connection.query(sql, values))[0] as Row[] & { affectedRows?: number };
  const cols = (plan: Plan) => [q(plan.pk.name), ...plan.columns.map((c) => q(c.name))].join(', ');
  return {
    async plan(options) {
      const columns = normalizeColumns(options);
      const schema = options.schema ?? String((await query('SELECT DATABASE() AS s'))[0].s);
      const tables = await query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND TABLE_TYPE = 'BASE TABLE'", [
        schema,
        options.table,
      ]);
      if (tables.length === 0) throw new PiiMigrationError(`unknown table ${schema}.${options.table} (nothing was changed)`);
      const rows = await query(
        `SELECT COLUMN_NAME AS name, DATA_TYPE AS type, COLUMN_TYPE AS full_type, CHARACTER_MAXIMUM_LENGTH AS max_chars,
          CHARACTER_OCTET_LENGTH AS max_octets, COLUMN_KEY AS column_key
        FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`,
        [schema, options.table],
      );
      const info = new Map<string, ColumnInfo>();
      for (const r of rows) {
        const limits = [r.max_chars, r.max_octets].filter((v) => v !== null && v !== undefined).map(Number);
        const maxLength = limits.length ? Math.min(...limits) : undefined;
        info.set(String(r.name), { name: String(r.name), type: String(r.type).toLowerCase(), maxLength });
        widths.set(String(r.name), maxLength);
      }
      const pk = rows.filter((r) => r.column_key === 'PRI').map((r) => info.get(String(r.name)) as ColumnInfo);
      // information_schema marks a single-column UNIQUE NOT NULL as PRI when there is no primary key: ask SHOW KEYS.
      const keys = await query(`SHOW KEYS FROM ${q(schema)}.${q(options.table)} WHERE Key_name = 'PRIMARY'`);
      const primary = keys.length === 0 ? [] : pk;
      return { quotedTable: `${q(schema)}.${q(options.table)}`, pk: checkColumns(options.table, columns, info, primary, MYSQL_TEXT_TYPES), columns };
    },
    maxLength: (column) => widths.get(column),
    async maxValueBytes(plan, mode) {
      const parts = plan.columns.map((c, i) => {
        const isFormat = `(${FIELD_FORMATS.map((f) => `${q(c.name)} LIKE BINARY '${f.prefix}%'`).join(' OR ')})`;
        return mode === 'encrypt'
          ? `max(CASE WHEN NOT ${isFormat} THEN length(${q(c.name)}) END) AS m${i}`
          : `max(CASE WHEN ${isFormat} THEN char_length(${q(c.name)}) END) AS m${i}`;
      });
      const rows = await query(`SELECT ${parts.join(', ')} FROM ${plan.quotedTable}`);
      return Object.fromEntries(
        plan.columns.map((c, i) => {
          const v = rows[0][`m${i}`] === null ? 0 : Number(rows[0][`m${i}`]);
          return [c.name, mode === 'encrypt' ? v : plaintextBoundOf(v)];
        }),
      );
    },
    async count(plan, startAfter) {
      const rows =
        startAfter === undefined
          ? await query(`SELECT count(*) AS n FROM ${plan.quotedTable}`)
          : await query(`SELECT count(*) AS n FROM ${plan.quotedTable} WHERE ${q(plan.pk.name)} > ?`, [startAfter]);
      return Number(rows[0].n);
    },
    async readBatch(plan, after, limit) {
      return after === undefined
        ? query(`SELECT ${cols(plan)} FROM ${plan.quotedTable} ORDER BY ${q(plan.pk.name)} LIMIT ?`, [limit])
        : query(`SELECT ${cols(plan)} FROM ${plan.quotedTable} WHERE ${q(plan.pk.name)} > ? ORDER BY ${q(plan.pk.name)} LIMIT ?`, [after, limit]);
    },
    async readIds(plan, ids) {
      if (ids.length === 0) return [];
      return query(`SELECT ${cols(plan)} FROM ${plan.quotedTable} WHERE ${q(plan.pk.name)} IN (?) ORDER BY ${q(plan.pk.name)}`, [ids]);
    },
    async write(plan, work, _mode, batch, hooks) {
      const lost = new Set<string>();
      if (work.length === 0) return lost;
      const indexed = plan.columns.filter((c) => c.blindIndex);
      const sets = [
        ...plan.columns.map((c) => `${q(c.name)} = ?`),
        ...indexed.map((c) => `${q((c.blindIndex as { column: string }).column)} = COALESCE(?, ${q((c.blindIndex as { column: string }).column)})`),
      ];
      // Byte comparison: a case-insensitive or PAD SPACE collation must not let "alice" pass for "Alice".
      const guard = plan.columns.map((c) => `CAST(${q(c.name)} AS BINARY) <=> CAST(? AS BINARY)`).join(' AND ');
      const statement = `UPDATE ${plan.quotedTable} SET ${sets.join(', ')} WHERE ${q(plan.pk.name)} = ? AND ${guard}`;
      await query('START TRANSACTION');
      try {
        for (const [index, w] of work.entries()) {
          const result = await query(statement, [...w.next, ...indexed.map((c) => w.index[plan.columns.indexOf(c)]), w.rawId, ...w.old]);
          if (!result.affectedRows) lost.add(w.id);
          await hooks?.afterRowWrite?.(batch, index);
        }
        await query('COMMIT');
      } catch (error) {
        await query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      return lost;
    },
  };
}
