/**
 * The rotation test `Target` (harness.ts) on the suite's OWN MariaDB instance with TLS and the test's CA
 * (test/support/mariadb-tls-server.ts), optionally reached through another address (the recording proxy).
 * Probes log in with verified TLS (the test CA, host-name check); users and the database are made by root
 * over the instance's socket.
 */
import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import type { MariaDbTlsServer } from '../../support/mariadb-tls-server';
import { mysqlTargetProbes, type Target } from './harness';

export interface MariaDbTlsTarget extends Target {
  /** Runs SQL as root on the instance. */
  admin(sql: string, values?: unknown[]): Promise<unknown[]>;
}

export async function mariadbTlsTarget(db: MariaDbTlsServer, via: { host: string; port: number } = db): Promise<MariaDbTlsTarget> {
  const dbname = `rot_tls_${randomBytes(3).toString('hex')}`;
  await db.query(`CREATE DATABASE \`${dbname}\``);
  const { createMasterUser, ...probes } = mysqlTargetProbes({
    connect: (user, password) =>
      createConnection({
        host: db.host,
        port: db.port,
        user,
        password,
        database: dbname,
        connectTimeout: 5000,
        ssl: { ca: db.ca, rejectUnauthorized: true, verifyIdentity: true },
      }),
    rootQuery: (sql, values) => db.query(sql, values),
  });
  return {
    label: 'MariaDB 10.11 of the suite (verified TLS with the test CA, password auth)',
    engine: 'mariadb',
    host: via.host,
    port: via.port,
    dbname,
    ca: db.ca,
    admin: (sql, values) => db.query(sql, values),
    async createUser(name, password) {
      await db.query('CREATE USER ?@? IDENTIFIED BY ?', [name, '%', password]);
      await db.query(`GRANT ALL PRIVILEGES ON \`${dbname}\`.* TO ?@?`, [name, '%']);
    },
    createMaster: createMasterUser,
    ...probes,
    async cleanup() {
      // the instance is thrown away as a whole
    },
  };
}
