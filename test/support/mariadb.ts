/**
 * The machine's MariaDB (TCP 127.0.0.1:3306, password auth for TCP users) administered as root over the unix
 * socket (no password). Each test suite makes its own database and users with random names and drops them in
 * afterAll, so suites can share the server.
 */
import { randomBytes } from 'node:crypto';
import { Connection, createConnection, RowDataPacket } from 'mysql2/promise';

export const MARIADB_SOCKET = process.env.MARIADB_SOCKET ?? '/run/mysqld/mysqld.sock';
export const MARIADB_HOST = '127.0.0.1';
export const MARIADB_PORT = Number(process.env.MARIADB_PORT ?? 3306);

export interface MariaDbAdmin {
  host: string;
  port: number;
  /** A database made for this suite. */
  dbname: string;
  query<R extends RowDataPacket = RowDataPacket>(sql: string, values?: unknown[]): Promise<R[]>;
  /** Creates `name`@`%` with the password and ALL on the suite database; remembered for cleanup. */
  createUser(name: string, password: string, privileges?: string): Promise<void>;
  /** Remembers a user created by the code under test, for cleanup. */
  track(name: string): void;
  cleanup(): Promise<void>;
}

export const uniqueName = (prefix: string): string => `${prefix}_${randomBytes(3).toString('hex')}`;

export async function connectMariaDbAdmin(opts: { prefix?: string } = {}): Promise<MariaDbAdmin> {
  const conn: Connection = await createConnection({ socketPath: MARIADB_SOCKET, user: 'root' });
  const dbname = uniqueName(opts.prefix ?? 'rot');
  const users = new Set<string>();
  const query = async <R extends RowDataPacket = RowDataPacket>(sql: string, values: unknown[] = []) => (await conn.query<R[]>(sql, values))[0];
  await conn.query(`CREATE DATABASE ${conn.escapeId(dbname)}`);
  return {
    host: MARIADB_HOST,
    port: MARIADB_PORT,
    dbname,
    query,
    async createUser(name, password, privileges = 'ALL PRIVILEGES') {
      users.add(name);
      await conn.query('CREATE USER ?@? IDENTIFIED BY ?', [name, '%', password]);
      await conn.query(`GRANT ${privileges} ON ${conn.escapeId(dbname)}.* TO ?@?`, [name, '%']);
    },
    track(name) {
      users.add(name);
    },
    async cleanup() {
      // Also the `_clone` users an alternating-users rotation created.
      for (const name of users) for (const user of [name, `${name}_clone`]) await conn.query('DROP USER IF EXISTS ?@?', [user, '%']);
      await conn.query(`DROP DATABASE IF EXISTS ${conn.escapeId(dbname)}`);
      await conn.end();
    },
  };
}
