/**
 * PostgreSQL (and Aurora PostgreSQL) with the pure-JS `pg` driver (SCRAM built in, no native binaries).
 * Identifiers are quoted with escapeIdentifier, values bound as parameters where the server allows it; utility
 * statements (CREATE/ALTER ROLE) cannot take parameters, so they carry a SCRAM verifier quoted with
 * escapeLiteral, never the password itself.
 */
import { driverLoginFields } from '../../contracts/database';
import { quoteIdentifier } from '../../contracts/secret-identity';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import { dbError } from './db-errors';
import { ConnectOptions, DbEndpoint, DbSession, EngineDriver, hooked } from './driver';
import { scramSha256Verifier } from './scram';
import { verifiedTls } from './tls';

const ADMIN_OPTION_HINT = 'the master needs CREATEROLE, and on PostgreSQL 16+ ADMIN OPTION on the base role (GRANT <base> TO <master> WITH ADMIN OPTION)';

class PostgresSession implements DbSession {
  constructor(
    private readonly client: Client,
    private readonly endpoint: DbEndpoint,
    private readonly opts: ConnectOptions,
  ) {}

  private async run(label: string, sql: string, params: unknown[] = [], hint?: string) {
    try {
      return await hooked(this.opts.hooks, label, () => this.client.query(sql, params));
    } catch (e) {
      throw dbError(e, `${label} as ${quoteIdentifier(this.endpoint.username)} on ${this.endpoint.host}:${this.endpoint.port}`, { hint, during: 'statement' });
    }
  }

  async ping() {
    await this.run('SELECT 1', 'SELECT 1');
  }

  async setOwnPassword(password: string) {
    // SESSION_USER: the login role even if the session switched roles (a clone's sessions SET ROLE to the base).
    await this.run('ALTER ROLE SESSION_USER PASSWORD', `ALTER ROLE SESSION_USER PASSWORD ${escapeLiteral(scramSha256Verifier(password))}`);
  }

  async setOwnPasswordRetainingCurrent(): Promise<void> {
    throw dbError(Object.assign(new Error('unsupported'), { code: 'UNSUPPORTED' }), 'dual-password on PostgreSQL', {
      hint: 'PostgreSQL has no RETAIN CURRENT PASSWORD',
      during: 'statement',
    });
  }

  async supportsDualPassword() {
    return false;
  }

  async userExists(username: string) {
    const result = await this.run('SELECT FROM pg_roles', 'SELECT 1 FROM pg_roles WHERE rolname = $1', [username]);
    return (result.rowCount ?? 0) > 0;
  }

  async createUser(username: string, password: string) {
    const verifier = escapeLiteral(scramSha256Verifier(password));
    await this.run('CREATE ROLE', `CREATE ROLE ${escapeIdentifier(username)} WITH LOGIN PASSWORD ${verifier}`, [], ADMIN_OPTION_HINT);
  }

  async setUserPassword(username: string, password: string) {
    const verifier = escapeLiteral(scramSha256Verifier(password));
    await this.run('ALTER ROLE PASSWORD', `ALTER ROLE ${escapeIdentifier(username)} WITH LOGIN PASSWORD ${verifier}`, [], ADMIN_OPTION_HINT);
  }

  async syncGrants(from: string, to: string) {
    // Membership carries every privilege of the base role, re-synced on every rotation (AWS templates grant once).
    await this.run('GRANT base TO clone', `GRANT ${escapeIdentifier(from)} TO ${escapeIdentifier(to)}`, [], ADMIN_OPTION_HINT);
    // The clone's sessions act as the base role, so objects it creates are owned by the base role and stay
    // usable by whichever of the two users is current (aws-samples #56, #175).
    await this.run('ALTER ROLE clone SET role', `ALTER ROLE ${escapeIdentifier(to)} SET role = ${escapeLiteral(from)}`, [], ADMIN_OPTION_HINT);
  }

  async close() {
    await this.client.end().catch(() => undefined);
  }
}

export const postgresDriver: EngineDriver = {
  family: 'postgres',
  maxUsernameLength: 63,
  async connect(endpoint, opts) {
    const client = new Client({
      ...driverLoginFields(endpoint),
      ssl: endpoint.ssl === false ? false : verifiedTls(endpoint.host, opts.ca),
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000,
      query_timeout: opts.statementTimeoutMs ?? 10_000,
      application_name: 'secrets-rotation',
    });
    client.on('error', () => undefined); // a dropped connection surfaces on the next query instead
    try {
      await client.connect();
    } catch (e) {
      await client.end().catch(() => undefined);
      throw dbError(e, `login as ${quoteIdentifier(endpoint.username)} to ${endpoint.host}:${endpoint.port}/${endpoint.dbname}`);
    }
    return new PostgresSession(client, endpoint, opts);
  },
};
