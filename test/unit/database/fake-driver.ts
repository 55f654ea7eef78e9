/**
 * An in-memory stand-in for a database engine, for unit tests of the strategies: users with a primary and an
 * optional secondary password (MySQL dual-password semantics), injectable login failures by class, and a log
 * of the statements run. Integration tests use real servers; this is only for paths that cannot run here.
 */
import { mysqlSupportsDualPassword } from '../../../lambdas/database/mysql-driver';
import type { DbEndpoint, DbSession, EngineDriver } from '../../../lambdas/database/driver';
import { ErrorClass, RotationError } from '../../../lambdas/rotation/errors';

export class FakeDatabase {
  readonly users = new Map<string, string[]>();
  /** Logins with this password fail with this class (network, TLS...) before any password check. */
  readonly failures = new Map<string, ErrorClass>();
  readonly statements: string[] = [];
  readonly logins: { username: string; ok: boolean }[] = [];
  constructor(
    public version = '8.0.36',
    readonly family: 'mysql' | 'postgres' = 'mysql',
  ) {}

  addUser(name: string, password: string): void {
    this.users.set(name, [password]);
  }

  logsIn(name: string, password: string): boolean {
    return this.users.get(name)?.includes(password) ?? false;
  }

  driver(): EngineDriver {
    return this.driverFor(this);
  }

  private driverFor(db: FakeDatabase): EngineDriver {
    return {
      family: this.family,
      maxUsernameLength: this.family === 'mysql' ? 32 : 63,
      async connect(endpoint: DbEndpoint): Promise<DbSession> {
        const failure = db.failures.get(endpoint.password);
        if (failure) throw new RotationError(failure, `login as "${endpoint.username}": injected ${failure}`);
        const ok = db.logsIn(endpoint.username, endpoint.password);
        db.logins.push({ username: endpoint.username, ok });
        if (!ok) throw new RotationError('AuthFailed', `login as "${endpoint.username}": the credential was refused`);
        const me = endpoint.username;
        const run = (s: string) => void db.statements.push(s);
        return {
          ping: async () => run('SELECT 1'),
          setOwnPassword: async (p) => {
            run(`SET OWN PASSWORD ${me}`);
            db.users.set(me, [p]);
          },
          setOwnPasswordRetainingCurrent: async (p) => {
            run(`ALTER USER ${me} RETAIN CURRENT PASSWORD`);
            db.users.set(me, [p, (db.users.get(me) ?? [])[0] as string]);
          },
          supportsDualPassword: async () => db.family === 'mysql' && mysqlSupportsDualPassword(db.version),
          userExists: async (u) => db.users.has(u),
          createUser: async (u, p) => {
            run(`CREATE USER ${u}`);
            db.users.set(u, [p]);
          },
          setUserPassword: async (u, p) => {
            run(`SET PASSWORD FOR ${u}`);
            db.users.set(u, [p]);
          },
          syncGrants: async (from, to) => run(`SYNC GRANTS ${from} -> ${to}`),
          close: async () => undefined,
        };
      },
    };
  }
}
