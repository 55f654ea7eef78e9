/**
 * MySQL, MariaDB and Aurora MySQL with mysql2. Values go through mysql2's placeholders / escape (client-side
 * quoting), identifiers through escapeId; grants copied from SHOW GRANTS keep the server's own quoting of
 * objects and get a freshly quoted grantee; what the clone holds beyond the base user is revoked (mysql-grants.ts).
 */
import { driverLoginFields } from '../../contracts/database';
import { quoteIdentifier } from '../../contracts/secret-identity';
import { connect as netConnect, isIP, Socket } from 'node:net';
import { Connection, createConnection, escape, RowDataPacket } from 'mysql2/promise';
import { dbError } from './db-errors';
import { staleGrantRevokes } from './mysql-grants';
import { ConnectOptions, DbEndpoint, DbSession, EngineDriver, hooked } from './driver';

/** `8.0.36`, `8.0.mysql_aurora.3.05.2`, `10.11.6-MariaDB`: RETAIN CURRENT PASSWORD exists from MySQL 8.0.14. */
export function mysqlSupportsDualPassword(version: string): boolean {
  if (/mariadb/i.test(version)) return false;
  if (/^8\.0\.mysql_aurora\./.test(version)) return true; // Aurora MySQL 3 is MySQL 8.0.23+
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return major > 8 || (major === 8 && (minor > 0 || patch >= 14));
}

const quoteAccountPart = (s: string) => '`' + s.replace(/`/g, '``') + '`';

/**
 * Rewrites one SHOW GRANTS line for `from@host` into the same grant for `to@host`. Drops what is not a grant
 * (IDENTIFIED BY PASSWORD '<hash>', REQUIRE ...) and keeps WITH GRANT/ADMIN OPTION. Undefined for lines that
 * need no copy (USAGE, PROXY) or are not grants.
 */
export function retargetGrant(line: string, from: string, host: string, to: string, toHost: string = host): string | undefined {
  if (!/^GRANT /.test(line) || /^GRANT USAGE ON \*\.\* TO /.test(line) || /^GRANT PROXY ON /.test(line)) return undefined;
  const grantee = ` TO ${quoteAccountPart(from)}@${quoteAccountPart(host)}`;
  const at = line.lastIndexOf(grantee);
  if (at < 0) return undefined;
  const rest = line.slice(at + grantee.length);
  const option = /WITH GRANT OPTION/.test(rest) ? ' WITH GRANT OPTION' : /WITH ADMIN OPTION/.test(rest) ? ' WITH ADMIN OPTION' : '';
  return `${line.slice(0, at)} TO ${escape(to)}@${escape(toHost)}${option}`;
}

class MysqlSession implements DbSession {
  private version?: string;
  constructor(
    private readonly conn: Connection,
    private readonly endpoint: DbEndpoint,
    private readonly opts: ConnectOptions,
  ) {}

  private async run(label: string, sql: string, values: unknown[] = []): Promise<RowDataPacket[]> {
    try {
      const [rows] = await hooked(this.opts.hooks, label, () =>
        this.conn.query<RowDataPacket[]>({ sql, values, timeout: this.opts.statementTimeoutMs ?? 10_000 }),
      );
      return rows;
    } catch (e) {
      throw dbError(e, `${label} as ${quoteIdentifier(this.endpoint.username)} on ${this.endpoint.host}:${this.endpoint.port}`, { during: 'statement' });
    }
  }

  private async serverVersion(): Promise<string> {
    this.version ??= String((await this.run('SELECT VERSION()', 'SELECT VERSION() AS v'))[0]?.v ?? '');
    return this.version;
  }

  private async isMariaDb() {
    return /mariadb/i.test(await this.serverVersion());
  }

  /** The host part of a user's account (`%` preferred); undefined when the user does not exist. */
  private async accountHost(username: string): Promise<string | undefined> {
    const rows = await this.run('SELECT FROM mysql.user', 'SELECT Host AS host FROM mysql.user WHERE User = ?', [username]);
    const hosts = rows.map((r) => String(r.host));
    return hosts.includes('%') ? '%' : hosts[0];
  }

  async ping() {
    await this.run('SELECT 1', 'SELECT 1');
  }

  async setOwnPassword(password: string) {
    // MariaDB lets a user change its own password only with SET PASSWORD; MySQL 8 removed PASSWORD().
    if (await this.isMariaDb()) await this.run('SET PASSWORD', 'SET PASSWORD = PASSWORD(?)', [password]);
    else await this.run('ALTER USER CURRENT_USER() IDENTIFIED BY', 'ALTER USER CURRENT_USER() IDENTIFIED BY ?', [password]);
  }

  async setOwnPasswordRetainingCurrent(password: string) {
    // Replaces any earlier secondary password: the one retained at the previous rotation is discarded here.
    await this.run('ALTER USER ... RETAIN CURRENT PASSWORD', 'ALTER USER CURRENT_USER() IDENTIFIED BY ? RETAIN CURRENT PASSWORD', [password]);
  }

  async supportsDualPassword() {
    return mysqlSupportsDualPassword(await this.serverVersion());
  }

  async userExists(username: string) {
    return (await this.accountHost(username)) !== undefined;
  }

  async createUser(username: string, password: string, like: string) {
    const host = (await this.accountHost(like)) ?? '%';
    await this.run('CREATE USER', 'CREATE USER ?@? IDENTIFIED BY ?', [username, host, password]);
  }

  async setUserPassword(username: string, password: string) {
    const host = (await this.accountHost(username)) ?? '%';
    await this.run('ALTER USER IDENTIFIED BY', 'ALTER USER ?@? IDENTIFIED BY ?', [username, host, password]);
  }

  async syncGrants(from: string, to: string) {
    const host = await this.accountHost(from);
    if (host === undefined)
      throw dbError(Object.assign(new Error('missing'), { code: 'NO_BASE_USER' }), `copy grants from ${quoteIdentifier(from)}`, {
        hint: 'the base user does not exist',
        during: 'statement',
      });
    const existingToHost = await this.accountHost(to);
    const toHost = existingToHost ?? host;
    const baseLines = await this.showGrants(from, host);
    // First take what the base user no longer has, then give what it has: see mysql-grants.ts for why this order.
    if (existingToHost !== undefined) {
      const cloneLines = await this.showGrants(to, existingToHost);
      for (const revoke of staleGrantRevokes(baseLines, { user: from, host }, cloneLines, { user: to, host: existingToHost }))
        await this.run('REVOKE (stale)', revoke);
    }
    for (const line of baseLines) {
      const grant = retargetGrant(line, from, host, to, toHost);
      if (grant !== undefined) await this.run('GRANT (copied)', grant);
    }
  }

  private async showGrants(user: string, host: string): Promise<string[]> {
    const rows = await this.run('SHOW GRANTS', 'SHOW GRANTS FOR ?@?', [user, host]);
    return rows.map((row) => String(Object.values(row)[0]));
  }

  async close() {
    await this.conn.end().catch(() => undefined);
  }
}

/**
 * mysql2 gives TLS no server name for an IP host, and Node then checks the certificate against "localhost", so a
 * certificate for localhost passed for any IP. Node's own DNS path records the host on the socket (`_host`) and
 * checks the certificate against it: do the same for an IP, so the certificate must name that IP.
 */
function socketNamingItsHost(host: string, port: number): Socket {
  const socket = netConnect({ host, port });
  (socket as Socket & { _host?: string | null })._host = host;
  socket.setNoDelay(true);
  return socket;
}

export const mysqlDriver: EngineDriver = {
  family: 'mysql',
  maxUsernameLength: 32,
  async connect(endpoint, opts) {
    let conn: Connection;
    try {
      conn = await createConnection({
        ...driverLoginFields(endpoint),
        connectTimeout: opts.connectTimeoutMs ?? 5_000,
        multipleStatements: false,
        // mysql2 sets SNI from the host itself; verifyIdentity makes it check the host name (off by default).
        ...(endpoint.ssl === false
          ? {}
          : { ssl: { rejectUnauthorized: true, verifyIdentity: true, minVersion: 'TLSv1.2', ...(opts.ca === undefined ? {} : { ca: opts.ca }) } }),
        ...(endpoint.ssl !== false && isIP(endpoint.host) !== 0 ? { stream: () => socketNamingItsHost(endpoint.host, endpoint.port) } : {}),
      });
    } catch (e) {
      throw dbError(e, `login as ${quoteIdentifier(endpoint.username)} to ${endpoint.host}:${endpoint.port}/${endpoint.dbname}`);
    }
    conn.on('error', () => undefined);
    return new MysqlSession(conn, endpoint, opts);
  },
};
