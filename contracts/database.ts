import { SecretShapeError } from './errors';
import {
  JsonObject,
  optionalBoolean,
  optionalString,
  parseJsonObject,
  refusePlaceholder,
  requiredPort,
  requiredString,
  requireSchema,
  unknownFields,
} from './fields';

export const DATABASE_ENGINES = ['postgres', 'mysql', 'mariadb', 'aurora-postgresql', 'aurora-mysql'] as const;
export type DatabaseEngine = (typeof DATABASE_ENGINES)[number];
export type EngineFamily = 'postgres' | 'mysql';

/** The AWS-documented RDS secret fields plus `url`, so existing RDS secrets and AWS tooling keep working. */
export interface DatabaseSecret {
  schema: 1;
  engine: DatabaseEngine;
  host: string;
  port: number;
  username: string;
  password: string;
  dbname: string;
  /** ARN of the master secret: present when the alternating-users strategy is used. */
  masterarn?: string;
  dbInstanceIdentifier?: string;
  dbClusterIdentifier?: string;
  /** AWS's key: absent means verify the server certificate; `false` means plaintext, explicitly. */
  ssl?: boolean;
  url: string;
}

/**
 * The admin credential a rotator logs in with for alternating users: the RDS master secret shape. An
 * RDS-managed master secret holds only `username` and `password`; the other fields, when present, must name
 * the configured database.
 */
export interface DatabaseMasterSecret {
  engine?: DatabaseEngine;
  host?: string;
  port?: number;
  username: string;
  password: string;
  dbname?: string;
  ssl?: boolean;
}

const SHAPE = 'database-url';
const DATABASE_FIELDS = [
  'schema',
  'engine',
  'host',
  'port',
  'username',
  'password',
  'dbname',
  'masterarn',
  'dbInstanceIdentifier',
  'dbClusterIdentifier',
  'ssl',
  'url',
] as const;

export function engineFamily(engine: DatabaseEngine): EngineFamily {
  return engine === 'postgres' || engine === 'aurora-postgresql' ? 'postgres' : 'mysql';
}

export function defaultPort(engine: DatabaseEngine): number {
  return engineFamily(engine) === 'postgres' ? 5432 : 3306;
}

function parseEngine(shape: string, obj: JsonObject): DatabaseEngine {
  const engine = requiredString(shape, obj, 'engine');
  if (!(DATABASE_ENGINES as readonly string[]).includes(engine)) {
    throw new SecretShapeError(shape, 'engine', `is not a supported engine (supported: ${DATABASE_ENGINES.join(', ')})`);
  }
  return engine as DatabaseEngine;
}

/** Builds the engine's URI: password percent-encoded, TLS mode explicit. */
export function buildDatabaseUrl(value: Omit<DatabaseSecret, 'url' | 'schema'>): string {
  const user = encodeURIComponent(value.username);
  const password = encodeURIComponent(value.password);
  const db = encodeURIComponent(value.dbname);
  const host = value.host.includes(':') ? `[${value.host}]` : value.host;
  const plaintext = value.ssl === false;
  if (engineFamily(value.engine) === 'postgres') {
    const mode = plaintext ? 'disable' : 'verify-full';
    return `postgresql://${user}:${password}@${host}:${value.port}/${db}?sslmode=${mode}`;
  }
  const mode = plaintext ? 'DISABLED' : 'VERIFY_IDENTITY';
  return `mysql://${user}:${password}@${host}:${value.port}/${db}?ssl-mode=${mode}`;
}

/**
 * The database-url fields of a connection URL (`postgresql://`, `postgres://`, `mysql://`, `mariadb://`), the
 * inverse of buildDatabaseUrl: `sslmode=disable` / `ssl-mode=DISABLED` becomes `ssl: false`. Undefined when the
 * scheme names no supported engine. Missing parts are left empty for the caller's own check.
 */
export function databaseFieldsFromUrl(url: URL): Omit<DatabaseSecret, 'schema' | 'url'> | undefined {
  const scheme = url.protocol.replace(':', '');
  const engine = scheme === 'postgresql' ? 'postgres' : scheme;
  if (!(DATABASE_ENGINES as readonly string[]).includes(engine)) return undefined;
  const tlsMode = url.searchParams.get('sslmode') ?? url.searchParams.get('ssl-mode');
  return {
    engine: engine as DatabaseEngine,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || defaultPort(engine as DatabaseEngine)),
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    dbname: decodeURIComponent(url.pathname.replace(/^\//, '')),
    ...(tlsMode && /^(disable|disabled)$/i.test(tlsMode) ? { ssl: false } : {}),
  };
}

export function parseDatabaseSecret(input: unknown): DatabaseSecret {
  const obj = parseJsonObject(SHAPE, input);
  refusePlaceholder(SHAPE, obj, 'the credential has not been seeded yet (see the runbook, first deploy)');
  requireSchema(SHAPE, obj, 1);
  const engine = parseEngine(SHAPE, obj);
  const base = {
    engine,
    host: requiredString(SHAPE, obj, 'host'),
    port: requiredPort(SHAPE, obj, 'port'),
    username: requiredString(SHAPE, obj, 'username'),
    password: requiredString(SHAPE, obj, 'password'),
    dbname: requiredString(SHAPE, obj, 'dbname'),
    masterarn: optionalString(SHAPE, obj, 'masterarn'),
    dbInstanceIdentifier: optionalString(SHAPE, obj, 'dbInstanceIdentifier'),
    dbClusterIdentifier: optionalString(SHAPE, obj, 'dbClusterIdentifier'),
    ssl: optionalBoolean(SHAPE, obj, 'ssl'),
  };
  if (base.masterarn !== undefined && !base.masterarn.startsWith('arn:')) {
    throw new SecretShapeError(SHAPE, 'masterarn', 'must be a Secrets Manager secret ARN');
  }
  const url = optionalString(SHAPE, obj, 'url') ?? buildDatabaseUrl(base);
  return stripUndefined({ ...unknownFields(obj, DATABASE_FIELDS), schema: 1 as const, ...base, url });
}

/** Parses a secret without `url` (an RDS master secret, or a value being seeded). */
export function parseDatabaseMasterSecret(input: unknown): DatabaseMasterSecret {
  const shape = 'database master';
  const obj = parseJsonObject(shape, input);
  return stripUndefined({
    engine: obj.engine === undefined || obj.engine === null ? undefined : parseEngine(shape, obj),
    host: optionalString(shape, obj, 'host'),
    port: obj.port === undefined || obj.port === null ? undefined : requiredPort(shape, obj, 'port'),
    username: requiredString(shape, obj, 'username'),
    password: requiredString(shape, obj, 'password'),
    dbname: optionalString(shape, obj, 'dbname'),
    ssl: optionalBoolean(shape, obj, 'ssl'),
  });
}

/** Checks that `url` agrees with the other fields: a stale url is the bug this shape exists to prevent. */
export function assertDatabaseUrlConsistent(secret: DatabaseSecret): void {
  if (secret.url !== buildDatabaseUrl(secret)) {
    throw new SecretShapeError(SHAPE, 'url', 'does not match host, port, username, password, dbname and ssl');
  }
}

/** The login fields of a database credential as the drivers name them (pg and mysql2 alike). */
export function driverLoginFields(secret: Pick<DatabaseSecret, 'host' | 'port' | 'username' | 'password' | 'dbname'>) {
  return { host: secret.host, port: secret.port, user: secret.username, password: secret.password, database: secret.dbname };
}

export function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
