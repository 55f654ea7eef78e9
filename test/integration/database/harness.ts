/**
 * Shared set-up of the database rotator integration tests: a real server (PostgreSQL cluster of our own with
 * scram-sha-256 + TLS, or the machine's MariaDB), the MODELLED Secrets Manager, a handler built from the real
 * lifecycle and rotator with crash hooks, real log-in probes, and a record of every generated password for the
 * leak searches.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection, createConnection } from 'mysql2/promise';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import { DatabaseSecret, buildDatabaseUrl, DatabaseEngine, engineFamily } from '../../../contracts/database';
import type { Strategy } from '../../../lambdas/database/config';
import type { EngineDriver } from '../../../lambdas/database/driver';
import { mysqlDriver } from '../../../lambdas/database/mysql-driver';
import { postgresDriver } from '../../../lambdas/database/postgres-driver';
import { createDatabaseRotator } from '../../../lambdas/database/rotator';
import { baseUser } from '../../../lambdas/database/target';
import { createRotationHandler } from '../../../lambdas/rotation/handler';
import { generatePassword } from '../../../lambdas/rotation/password';
import { SecretsManagerSender, VersionCache } from '../../../lambdas/rotation/secrets-api';
import { CrashPoints } from '../../support/drive-rotation';
import { connectMariaDbAdmin, MariaDbAdmin } from '../../support/mariadb';
import { PostgresTestServer } from '../../support/postgres-server';
import { SecretsManagerModel } from '../../support/secrets-manager-model';

export const SECRET_NAME = 'gaara-store/test/database-url';

export interface Target {
  label: string;
  engine: DatabaseEngine;
  host: string;
  port: number;
  dbname: string;
  ssl?: false | undefined;
  ca?: string;
  /** Makes a login user with the password and full rights on the test database. */
  createUser(name: string, password: string): Promise<void>;
  /** Makes a master user that can create users and grant. */
  createMaster(name: string, password: string): Promise<void>;
  /** Real login: true, false when the password is refused; any other failure throws. */
  logsIn(username: string, password: string): Promise<boolean>;
  urlLogsIn(url: string): Promise<boolean>;
  /** The stored password hash (to prove "nothing changed"). */
  storedHash(username: string): Promise<string | undefined>;
  /** Runs SQL as the given user (grant checks). */
  runAs(username: string, password: string, sql: string): Promise<unknown[]>;
  cleanup(): Promise<void>;
}

export async function postgresTarget(pg: PostgresTestServer, dir: string): Promise<Target> {
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, pg.ca);
  const dbname = 'rotation_test';
  await pg.adminQuery(`CREATE DATABASE ${dbname}`);
  const client = (user: string, password: string) =>
    new Client({ host: pg.host, port: pg.port, user, password, database: dbname, ssl: { ca: pg.ca, rejectUnauthorized: true }, connectionTimeoutMillis: 5000 });
  const refused = (e: unknown) => (e as { code?: string }).code === '28P01';
  const tryClient = async (c: Client) => {
    try {
      await c.connect();
      await c.query('SELECT 1');
      return true;
    } catch (e) {
      if (refused(e)) return false;
      throw e;
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  return {
    label: 'PostgreSQL 15 (scram-sha-256, TLS with the test CA)',
    engine: 'postgres',
    host: pg.host,
    port: pg.port,
    dbname,
    ca: pg.ca,
    async createUser(name, password) {
      await pg.adminQuery(`CREATE ROLE ${escapeIdentifier(name)} LOGIN PASSWORD ${escapeLiteral(password)}`);
      await pg.adminQuery(`GRANT ALL ON DATABASE ${dbname} TO ${escapeIdentifier(name)}`);
      await pg.adminQuery(`GRANT ALL ON SCHEMA public TO ${escapeIdentifier(name)}`, [], dbname);
    },
    async createMaster(name, password) {
      await pg.adminQuery(`CREATE ROLE ${escapeIdentifier(name)} LOGIN CREATEROLE PASSWORD ${escapeLiteral(password)}`);
    },
    logsIn: (user, password) => tryClient(client(user, password)),
    // The url as an application uses it; sslrootcert names the test CA (libpq's own parameter).
    urlLogsIn: (url) => tryClient(new Client({ connectionString: `${url}&sslrootcert=${encodeURIComponent(caFile)}`, connectionTimeoutMillis: 5000 })),
    async storedHash(name) {
      const rows = await pg.adminQuery<{ rolpassword: string }>('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [name]);
      return rows[0]?.rolpassword;
    },
    async runAs(user, password, sql) {
      const c = client(user, password);
      await c.connect();
      try {
        return (await c.query(sql)).rows;
      } finally {
        await c.end();
      }
    },
    async cleanup() {
      // the cluster is thrown away as a whole
    },
  };
}

/** How a MySQL/MariaDB target connects as a user, and runs SQL as root: what differs between the instances. */
export interface MysqlAccess {
  connect(user: string, password: string): Promise<Connection>;
  rootQuery(sql: string, values?: unknown[]): Promise<unknown[]>;
}

/** The probes every MySQL/MariaDB target shares: real logins (refused = false), the stored hash, SQL as a user. */
export function mysqlTargetProbes({
  connect,
  rootQuery,
}: MysqlAccess): Pick<Target, 'logsIn' | 'urlLogsIn' | 'storedHash' | 'runAs'> & { createMasterUser(name: string, password: string): Promise<void> } {
  const logsIn = async (user: string, password: string) => {
    try {
      const c = await connect(user, password);
      await c.query('SELECT 1');
      await c.end();
      return true;
    } catch (e) {
      if ((e as { code?: string }).code === 'ER_ACCESS_DENIED_ERROR') return false;
      throw e;
    }
  };
  return {
    logsIn,
    async urlLogsIn(url) {
      const u = new URL(url);
      return logsIn(decodeURIComponent(u.username), decodeURIComponent(u.password));
    },
    async storedHash(name) {
      const rows = (await rootQuery('SELECT authentication_string AS h FROM mysql.user WHERE User = ?', [name])) as { h: unknown }[];
      return rows[0] ? String(rows[0].h) : undefined;
    },
    async runAs(user, password, sql) {
      const c = await connect(user, password);
      try {
        return (await c.query(sql))[0] as unknown[];
      } finally {
        await c.end();
      }
    },
    async createMasterUser(name, password) {
      await rootQuery('CREATE USER ?@? IDENTIFIED BY ?', [name, '%', password]);
      await rootQuery('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [name, '%']);
    },
  };
}

export async function mariadbTarget(): Promise<Target & { admin: MariaDbAdmin }> {
  const admin = await connectMariaDbAdmin({ prefix: 'rotdb' });
  const { createMasterUser, ...probes } = mysqlTargetProbes({
    connect: (user, password) => createConnection({ host: admin.host, port: admin.port, user, password, database: admin.dbname, connectTimeout: 5000 }),
    rootQuery: (sql, values) => admin.query(sql, values),
  });
  return {
    admin,
    label: 'MariaDB 10.11 (TCP 127.0.0.1, TLS off explicitly with ssl:false)',
    engine: 'mariadb',
    host: admin.host,
    port: admin.port,
    dbname: admin.dbname,
    ssl: false,
    createUser: (name, password) => admin.createUser(name, password),
    async createMaster(name, password) {
      admin.track(name);
      await createMasterUser(name, password);
    },
    ...probes,
    cleanup: () => admin.cleanup(),
  };
}

export function secretValue(t: Target, username: string, password: string, extra: Partial<DatabaseSecret> = {}): DatabaseSecret {
  const base = { engine: t.engine, host: t.host, port: t.port, username, password, dbname: t.dbname, ...(t.ssl === false ? { ssl: false } : {}), ...extra };
  return { schema: 1, ...base, url: buildDatabaseUrl(base) } as DatabaseSecret;
}

/** Everything a suite generated or stored: searched for in the captured output. */
export class SecretValues {
  readonly all = new Set<string>();
  add(...values: string[]) {
    for (const v of values) this.all.add(v);
  }
  generator = () => {
    const p = generatePassword();
    this.add(p);
    return p;
  };
  /** Every password and url stored in the model. */
  collectFrom(model: SecretsManagerModel) {
    for (const s of model.secrets.values()) {
      for (const v of s.versions.values()) {
        if (!v.secretString) continue;
        try {
          const o = JSON.parse(v.secretString) as Record<string, unknown>;
          for (const k of ['password', 'url']) if (typeof o[k] === 'string') this.add(o[k] as string);
        } catch {
          // not JSON: nothing to collect
        }
      }
    }
  }
}

export interface HandlerOptions {
  strategy?: Strategy;
  /**
   * What the stack would configure as DB_USERNAME and DB_MASTER_SECRET_ARN. Default: read from the secret's
   * AWSCURRENT as provisioned (the configuration mirrors the seeded value); attack tests set them explicitly.
   */
  username?: string;
  masterSecretArn?: string;
  crash?: { current?: CrashPoints };
  /** Override of connect options (e.g. no CA, to prove verification). */
  ca?: string | null;
  /** Default: the driver of the target's engine family (what its bundle entry carries). */
  driver?: EngineDriver;
}

/** The driver a bundle entry of this engine carries. */
export const driverFor = (engine: DatabaseEngine): EngineDriver => (engineFamily(engine) === 'mysql' ? mysqlDriver : postgresDriver);

/** A fresh handler (its own version cache: like a new execution environment). */
export function makeHandler(model: SecretsManagerModel, t: Target, values: SecretValues, opts: HandlerOptions = {}) {
  const hooks = opts.crash
    ? { before: (label: string) => opts.crash?.current?.tick(`before SQL ${label}`), after: (label: string) => opts.crash?.current?.tick(`after SQL ${label}`) }
    : undefined;
  const ca = opts.ca === null ? undefined : (opts.ca ?? t.ca);
  const seeded = seededValue(model);
  const rotator = createDatabaseRotator({
    target: {
      strategy: opts.strategy ?? 'single-user',
      engine: t.engine,
      host: t.host,
      port: t.port,
      dbname: t.dbname,
      tls: t.ssl !== false,
      username: opts.username ?? baseUser(seeded?.username ?? 'app'),
      ...((opts.masterSecretArn ?? seeded?.masterarn) ? { masterSecretArn: opts.masterSecretArn ?? seeded?.masterarn } : {}),
    },
    newPassword: values.generator,
    connect: { ...(ca ? { ca } : {}), connectTimeoutMs: 3000, ...(hooks ? { hooks } : {}) },
    driver: opts.driver ?? driverFor(t.engine),
  });
  return createRotationHandler(rotator, {
    secretsManager: model as unknown as SecretsManagerSender,
    versionCache: new VersionCache(),
    env: { METRICS_NAMESPACE: 'Test/Secrets', APP_ENVIRONMENT: 'test' },
  });
}

function seededValue(model: SecretsManagerModel): Partial<DatabaseSecret> | undefined {
  try {
    return valueAt(model, SECRET_NAME, 'AWSCURRENT');
  } catch {
    return undefined;
  }
}

/** Model state without values, to prove a failed step changed nothing. */
export function modelSnapshot(model: SecretsManagerModel, arn: string): string {
  const s = model.find(arn);
  return JSON.stringify([...s.versions.values()].map((v) => [v.versionId, v.secretString ?? null, [...v.stages].sort()]));
}

export const valueAt = (model: SecretsManagerModel, arn: string, stage: string): DatabaseSecret | undefined => {
  const raw = model.valueAt(arn, stage);
  return raw === undefined ? undefined : (JSON.parse(raw) as DatabaseSecret);
};
