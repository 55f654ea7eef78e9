/**
 * The same server error code means two things: ER_ACCESS_DENIED_NO_PASSWORD_ERROR at login is a refused
 * credential, but MariaDB also answers a GRANT of a role the master holds without ADMIN OPTION with it. Against
 * the machine's REAL MariaDB through the rotator's own mysql driver (plaintext, explicitly: ssl:false).
 */
import { mysqlDriver } from '../../../lambdas/database/mysql-driver';
import { RotationError } from '../../../lambdas/rotation/errors';
import { connectMariaDbAdmin, MariaDbAdmin, uniqueName } from '../../support/mariadb';
import { rejection } from '../../support/rejection';

let admin: MariaDbAdmin;
const role = uniqueName('se_role');
const master = uniqueName('se_master');
const base = uniqueName('se_app');
const MASTER_PASSWORD = 'master-pw-000000000001';

beforeAll(async () => {
  admin = await connectMariaDbAdmin({ prefix: 'stmterr' });
  await admin.query(`CREATE ROLE ${role}`);
  await admin.createUser(master, MASTER_PASSWORD);
  await admin.query(`GRANT CREATE USER, SELECT ON *.* TO ?@?`, [master, '%']);
  await admin.createUser(base, 'app-pw-00000000000001');
  await admin.query(`GRANT ${role} TO ?@?`, [base, '%']);
  await admin.createUser(`${base}_clone`, 'clone-pw-0000000000001');
});

afterAll(async () => {
  await admin?.query(`DROP ROLE IF EXISTS ${role}`);
  await admin?.cleanup();
});

const endpoint = (username: string, password: string) => ({
  engine: 'mariadb' as const,
  host: admin.host,
  port: admin.port,
  dbname: admin.dbname,
  username,
  password,
  ssl: false as const,
});

describe('MariaDB access-denied codes classified by when they come (real server)', () => {
  it('copying a role grant the master holds without ADMIN OPTION: AccessDenied (ER_ACCESS_DENIED_NO_PASSWORD_ERROR in a statement)', async () => {
    const session = await mysqlDriver.connect(endpoint(master, MASTER_PASSWORD), {});
    try {
      const e = await rejection(session.syncGrants(base, `${base}_clone`));
      expect(e).toBeInstanceOf(RotationError);
      expect(e.errorClass).toBe('AccessDenied');
      expect((e.cause as { code?: string }).code).toBe('ER_ACCESS_DENIED_NO_PASSWORD_ERROR');
      expect(e.message).toMatch(new RegExp(`^GRANT \\(copied\\) as "${master}" on 127\\.0\\.0\\.1:\\d+: permission denied \\(`));
    } finally {
      await session.close();
    }
  });

  it('a refused password at login: AuthFailed', async () => {
    const e = await rejection(mysqlDriver.connect(endpoint(master, 'wrong-pw-000000000001'), {}));
    expect(e.errorClass).toBe('AuthFailed');
  });
});
