/**
 * FieldKeyStore tables in the application's own database: no new AWS resource, and the database the values live in
 * (or any other the application reaches) keeps the keys they reference. Rows are only inserted and read; keep them
 * as long as any value under them exists (deleting a row makes its values unreadable).
 *   PostgreSQL: id bytea PRIMARY KEY (16 bytes), app text, env text, wrapped_key bytea, created_at timestamptz
 *   MySQL/MariaDB: id BINARY(16) PRIMARY KEY, app VARCHAR(128), env VARCHAR(64), wrapped_key VARBINARY(4096), created_at TIMESTAMP(3)
 * `ensureTable()` creates the table when missing (needs CREATE; run it at deploy or from the migration tool).
 */
import type { MysqlQueryable, PgQueryable } from '../sql-queryable';
import { checkedId, KeyStoreError, type FieldKeyStore, type StoredFieldKey } from './key-store';

export const DEFAULT_KEY_TABLE = 'gaara_field_keys';
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function tableName(table: string | undefined): string {
  const name = table ?? DEFAULT_KEY_TABLE;
  if (!IDENTIFIER.test(name)) throw new KeyStoreError('key store table must be a plain identifier (letters, digits, _; at most 63)');
  return name;
}

function checkedKey(key: StoredFieldKey): void {
  checkedId(key.id);
  if (!Buffer.isBuffer(key.wrappedKey) || key.wrappedKey.length === 0 || key.wrappedKey.length > 4096)
    throw new KeyStoreError('a wrapped field key is 1..4096 bytes');
  if (typeof key.app !== 'string' || key.app.length === 0 || key.app.length > 128) throw new KeyStoreError('a field key app is 1..128 characters');
  if (typeof key.env !== 'string' || key.env.length === 0 || key.env.length > 64) throw new KeyStoreError('a field key env is 1..64 characters');
}

function fromRow(row: Record<string, unknown> | undefined): StoredFieldKey | undefined {
  if (!row) return undefined;
  return {
    id: Buffer.from(row.id as Uint8Array),
    app: String(row.app),
    env: String(row.env),
    wrappedKey: Buffer.from(row.wrapped_key as Uint8Array),
    createdAt: new Date(row.created_at as Date | string),
  };
}

/**
 * The store itself, written once: what differs between databases is the table definition, the placeholder syntax,
 * the quoting of the table name and how a driver returns rows.
 */
abstract class SqlFieldKeyStore implements FieldKeyStore {
  protected readonly table: string;

  constructor(table: string | undefined) {
    this.table = tableName(table);
  }

  /** Runs a statement with positional values; the rows it returned. */
  protected abstract run(sql: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  protected abstract readonly createTableSql: string;
  /** The table name as a statement writes it. */
  protected abstract readonly quotedTable: string;
  /** The placeholder of the n-th value (1-based). */
  protected abstract placeholder(n: number): string;

  async ensureTable(): Promise<void> {
    await this.run(this.createTableSql);
  }

  async put(key: StoredFieldKey): Promise<void> {
    checkedKey(key);
    const values = [key.id, key.app, key.env, key.wrappedKey, key.createdAt];
    try {
      await this.run(
        `INSERT INTO ${this.quotedTable} (id, app, env, wrapped_key, created_at) VALUES (${values.map((_, i) => this.placeholder(i + 1)).join(', ')})`,
        values,
      );
    } catch (error) {
      throw storeError('save', key.id, error);
    }
  }

  async get(id: Buffer): Promise<StoredFieldKey | undefined> {
    checkedId(id);
    try {
      const rows = await this.run(`SELECT id, app, env, wrapped_key, created_at FROM ${this.quotedTable} WHERE id = ${this.placeholder(1)}`, [id]);
      return fromRow(rows[0]);
    } catch (error) {
      throw storeError('read', id, error);
    }
  }
}

/** PostgreSQL (node-postgres Client or Pool). */
export class PostgresFieldKeyStore extends SqlFieldKeyStore {
  protected readonly quotedTable = this.table;
  protected readonly createTableSql = `CREATE TABLE IF NOT EXISTS ${this.table} (
      id bytea PRIMARY KEY CHECK (octet_length(id) = 16),
      app text NOT NULL,
      env text NOT NULL,
      wrapped_key bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`;

  constructor(
    private readonly client: PgQueryable,
    options: { table?: string } = {},
  ) {
    super(options.table);
  }

  protected placeholder(n: number): string {
    return `$${n}`;
  }

  protected async run(sql: string, values?: unknown[]): Promise<Record<string, unknown>[]> {
    return (await this.client.query(sql, values)).rows;
  }
}

/** MySQL / MariaDB (mysql2/promise Connection or Pool). */
export class MysqlFieldKeyStore extends SqlFieldKeyStore {
  protected readonly quotedTable = `\`${this.table}\``;
  protected readonly createTableSql = `CREATE TABLE IF NOT EXISTS ${this.quotedTable} (
      id BINARY(16) NOT NULL PRIMARY KEY,
      app VARCHAR(128) NOT NULL,
      env VARCHAR(64) NOT NULL,
      wrapped_key VARBINARY(4096) NOT NULL,
      created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3))`;

  constructor(
    private readonly connection: MysqlQueryable,
    options: { table?: string } = {},
  ) {
    super(options.table);
  }

  protected placeholder(): string {
    return '?';
  }

  protected async run(sql: string, values?: unknown[]): Promise<Record<string, unknown>[]> {
    const [rows] = await this.connection.query(sql, values);
    return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
  }
}

/** The driver's code only: its message may quote the statement's values. */
function storeError(action: 'save' | 'read', id: Buffer, error: unknown): KeyStoreError {
  const code = (error as { code?: unknown })?.code;
  return new KeyStoreError(`could not ${action} field key ${id.toString('hex')} (${typeof code === 'string' ? code : ((error as Error)?.name ?? 'error')})`);
}
