/**
 * What differs between database engines, behind one small interface. The strategies (single-user, alternating
 * users, dual-password) are written once against it.
 */
import type { DatabaseSecret, EngineFamily } from '../../contracts/database';

/** Where and as whom to log in. `ssl: false` means plaintext, explicitly; anything else verifies the server. */
export type DbEndpoint = Pick<DatabaseSecret, 'engine' | 'host' | 'port' | 'username' | 'password' | 'dbname' | 'ssl'>;

/**
 * Called around every statement a session runs (`label` names the statement, never its values). Tests throw
 * from them to inject a crash before or after statement N.
 */
export interface StatementHooks {
  before?(label: string): void | Promise<void>;
  after?(label: string): void | Promise<void>;
}

export interface ConnectOptions {
  /** Extra trusted CA (PEM) for tests. Default: Node's store, i.e. the bundled roots plus NODE_EXTRA_CA_CERTS. */
  ca?: string;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  hooks?: StatementHooks;
}

export interface DbSession {
  /** A trivial statement proving the session works. */
  ping(): Promise<void>;
  /** The logged-in user changes its own password (single-user). */
  setOwnPassword(password: string): Promise<void>;
  /** Dual-password: the new password becomes primary, the current one stays valid (MySQL 8.0.14+ only). */
  setOwnPasswordRetainingCurrent(password: string): Promise<void>;
  /** MySQL >= 8.0.14 (RETAIN CURRENT PASSWORD); never MariaDB or PostgreSQL. */
  supportsDualPassword(): Promise<boolean>;
  /** As master: does the login user exist? */
  userExists(username: string): Promise<boolean>;
  /** As master: create a login user with the password, modelled on `like` (the base user: its host on MySQL). */
  createUser(username: string, password: string, like: string): Promise<void>;
  /** As master: set another user's password. */
  setUserPassword(username: string, password: string): Promise<void>;
  /** As master: make `to` hold the privileges of `from` (PostgreSQL: membership; MySQL: copied grants). */
  syncGrants(from: string, to: string): Promise<void>;
  close(): Promise<void>;
}

export interface EngineDriver {
  readonly family: EngineFamily;
  /** Longest user name the engine accepts (the clone adds `_clone`). */
  readonly maxUsernameLength: number;
  /** Logs in. Failures are RotationErrors: AuthFailed only for a refused credential. */
  connect(endpoint: DbEndpoint, opts: ConnectOptions): Promise<DbSession>;
}

/** Runs one statement between the hooks. */
export async function hooked<T>(hooks: StatementHooks | undefined, label: string, run: () => Promise<T>): Promise<T> {
  await hooks?.before?.(label);
  const result = await run();
  await hooks?.after?.(label);
  return result;
}
