/**
 * Connection options for the common drivers built from the contract shapes, with TLS verifying the server
 * certificate and host name unless the secret says plaintext explicitly. Plain objects: the drivers stay optional.
 *
 *   await secrets.withCredentialRetry(id, async (db) => { const c = new pg.Client(pgClientConfig(db, { ca })); await c.connect(); return c; });
 */
import { isIP } from 'node:net';
import { driverLoginFields, type DatabaseSecret, type RedisSecret } from '../../../contracts';

/** SNI carries host names only (RFC 6066); for an IP address the certificate is still checked against the IP. */
const sni = (host: string) => (isIP(host) ? {} : { servername: host });

export interface TlsOptions {
  /** PEM CA bundle (e.g. the RDS CAs); default: Node's trusted CAs (plus NODE_EXTRA_CA_CERTS). */
  ca?: string | Buffer;
}

export interface PgClientConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  ssl: false | { rejectUnauthorized: true; servername?: string; ca?: string | Buffer };
}

export function pgClientConfig(secret: DatabaseSecret, tls: TlsOptions = {}): PgClientConfig {
  return {
    ...driverLoginFields(secret),
    ssl: secret.ssl === false ? false : { rejectUnauthorized: true, ...sni(secret.host), ...(tls.ca ? { ca: tls.ca } : {}) },
  };
}

export interface MysqlConnectionOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  ssl?: { rejectUnauthorized: true; ca?: string | Buffer };
}

export function mysqlConnectionOptions(secret: DatabaseSecret, tls: TlsOptions = {}): MysqlConnectionOptions {
  return {
    ...driverLoginFields(secret),
    ...(secret.ssl === false ? {} : { ssl: { rejectUnauthorized: true, ...(tls.ca ? { ca: tls.ca } : {}) } }),
  };
}

export type RedisSocketOptions =
  | { host: string; port: number; tls: true; servername?: string; ca?: string | Buffer; reconnectStrategy: false }
  | { host: string; port: number; tls: false; reconnectStrategy: false };

export interface RedisClientOptions {
  username: string;
  password: string;
  socket: RedisSocketOptions;
}

/** node-redis createClient options. reconnectStrategy false so a refused password surfaces instead of retrying forever. */
export function redisClientOptions(secret: RedisSecret, tls: TlsOptions = {}): RedisClientOptions {
  const base = { host: secret.host, port: secret.port, reconnectStrategy: false as const };
  return {
    username: secret.username,
    password: secret.password,
    socket: secret.tls ? { ...base, tls: true, ...sni(secret.host), ...(tls.ca ? { ca: tls.ca } : {}) } : { ...base, tls: false },
  };
}
