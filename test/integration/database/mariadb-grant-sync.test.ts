/**
 * Alternating users on MySQL/MariaDB: the clone's privileges equal the base user's after every rotation, revokes
 * included (issue 9 item 6). Against the suite's OWN REAL MariaDB 10.11 (TLS with the test CA, plaintext refused),
 * rotations driven by the real handler and rotator over the MODELLED Secrets Manager. Privileges are checked both
 * with SHOW GRANTS and with real statements run as the clone, which the server must refuse.
 */
import { randomBytes } from 'node:crypto';
import { staleGrantRevokes } from '../../../lambdas/database/mysql-grants';
import { CrashPoints, driveRotation, InjectedCrash, retryRotation } from '../../support/drive-rotation';
import { captureOutput, findLeaks, OutputCapture } from '../../support/log-capture';
import { MariaDbTlsServer, startMariaDbTls } from '../../support/mariadb-tls-server';
import { SecretsManagerModel } from '../../support/secrets-manager-model';
import { makeHandler, SECRET_NAME, SecretValues, secretValue, valueAt } from './harness';
import { mariadbTlsTarget, MariaDbTlsTarget } from './mariadb-tls-target';

let db: MariaDbTlsServer;
let t: MariaDbTlsTarget;
let output: OutputCapture;
const values = new SecretValues();
const suffix = randomBytes(3).toString('hex');
const base = `gs_${suffix}`;
const clone = `${base}_clone`;
const role = `gs_reader_${suffix}`;

const q = (name: string) => '`' + name.replace(/`/g, '``') + '`';

beforeAll(async () => {
  db = await startMariaDbTls();
  t = await mariadbTlsTarget(db);
  output = captureOutput();
  const d = q(t.dbname);
  await t.admin(`CREATE TABLE ${d}.t1 (a INT, b INT)`);
  await t.admin(`CREATE TABLE ${d}.t2 (a INT, b INT)`);
  await t.admin(`CREATE PROCEDURE ${d}.p() SELECT 1`);
  await t.admin(`CREATE ROLE ${q(role)}`);
  await t.admin(`GRANT SELECT ON ${d}.t1 TO ${q(role)}`);
});
afterAll(async () => {
  output?.stop();
  await db?.stop();
});

/** SHOW GRANTS of a user with its own name replaced, without the password hash: comparable between the two users. */
async function grantsOf(user: string): Promise<string[]> {
  const rows = (await t.admin('SHOW GRANTS FOR ?@?', [user, '%'])) as Record<string, unknown>[];
  return rows
    .map((r) => String(Object.values(r)[0]))
    .map((l) => l.replace(` TO ${q(user)}@\`%\``, ' TO <grantee>').replace(/ IDENTIFIED BY PASSWORD '[^']*'/, ''))
    .sort();
}

const rawGrants = async (user: string) =>
  ((await t.admin('SHOW GRANTS FOR ?@?', [user, '%'])) as Record<string, unknown>[]).map((r) => String(Object.values(r)[0]));

/** Whether the clone holds anything the base user does not (the sync's own planner, on real SHOW GRANTS). */
async function cloneHoldsMoreThanBase(): Promise<boolean> {
  return staleGrantRevokes(await rawGrants(base), { user: base, host: '%' }, await rawGrants(clone), { user: clone, host: '%' }).length > 0;
}

/** Runs SQL as the user and returns the server's error code (the number where mysql2 has no name for it), or 'OK'. */
async function outcome(user: string, password: string, sql: string): Promise<string> {
  try {
    await t.runAs(user, password, sql);
    return 'OK';
  } catch (e) {
    const { code, errno } = e as { code?: string; errno?: number };
    return code ?? `errno ${errno}`;
  }
}

/** What the clone may do once the base user lost SELECT on t1, UPDATE(b) on t2, EXECUTE on p, db-level CREATE TEMPORARY TABLES, PROCESS and the role. */
async function expectCloneReducedLikeBase(clonePassword: string) {
  expect(await grantsOf(clone)).toEqual(await grantsOf(base));
  expect(await outcome(clone, clonePassword, 'SELECT * FROM t1')).toBe('ER_TABLEACCESS_DENIED_ERROR');
  expect(await outcome(clone, clonePassword, 'UPDATE t2 SET b = 1')).toBe('ER_COLUMNACCESS_DENIED_ERROR');
  expect(await outcome(clone, clonePassword, 'CALL p()')).toBe('ER_PROCACCESS_DENIED_ERROR');
  expect(await outcome(clone, clonePassword, 'DELETE FROM t2')).toBe('ER_TABLEACCESS_DENIED_ERROR');
  expect(await outcome(clone, clonePassword, 'CREATE TEMPORARY TABLE tmp (x INT)')).toBe('ER_DBACCESS_DENIED_ERROR');
  expect(await outcome(clone, clonePassword, `SET ROLE ${q(role)}`)).toBe('errno 1959'); // ER_INVALID_ROLE (MariaDB only: mysql2 has no name for it)
  // What the base user still has, the clone still has.
  expect(await outcome(clone, clonePassword, 'INSERT INTO t1 VALUES (1, 1)')).toBe('OK');
  expect(await outcome(clone, clonePassword, 'SELECT a, b FROM t2')).toBe('OK');
  expect(await outcome(clone, clonePassword, 'UPDATE t2 SET a = 1')).toBe('OK');
}

describe('alternating users on a real MariaDB with TLS: the clone loses what the base user lost (Secrets Manager modelled)', () => {
  it('privileges revoked from the base user after rotation 2 (table, column, routine, database, global, role) and one granted to the clone out of band are gone after rotations 3 and 4, also when rotation 3 crashes between the revokes and the grants', async () => {
    const d = q(t.dbname);
    const password = values.generator();
    await t.admin('CREATE USER ?@? IDENTIFIED BY ?', [base, '%', password]);
    for (const grant of [
      `GRANT SELECT, INSERT ON ${d}.t1`,
      `GRANT SELECT, UPDATE (a, b) ON ${d}.t2`,
      `GRANT EXECUTE ON PROCEDURE ${d}.p`,
      `GRANT CREATE TEMPORARY TABLES ON ${d}.*`,
      'GRANT PROCESS ON *.*',
      `GRANT ${q(role)}`,
    ]) {
      await t.admin(`${grant} TO ?@?`, [base, '%']);
    }
    const masterName = `gsm_${suffix}`;
    const masterPassword = values.generator();
    await t.createMaster(masterName, masterPassword);
    // A master hands out a role only with ADMIN OPTION on it (ALL ON *.* WITH GRANT OPTION is not enough).
    await t.admin(`GRANT ${q(role)} TO ?@? WITH ADMIN OPTION`, [masterName, '%']);
    const model = new SecretsManagerModel();
    const masterarn = model.createSecret(
      'gaara-store/test/db-master',
      JSON.stringify({ engine: t.engine, host: t.host, port: t.port, username: masterName, password: masterPassword }),
    );
    const arn = model.createSecret(SECRET_NAME, JSON.stringify(secretValue(t, base, password, { masterarn })));
    const handler = (crash?: CrashPoints) => makeHandler(model, t, values, { strategy: 'alternating-users', ...(crash ? { crash: { current: crash } } : {}) });

    await driveRotation(model, arn, handler());
    await driveRotation(model, arn, handler());
    expect(valueAt(model, arn, 'AWSCURRENT')?.username).toBe(base);
    expect(await grantsOf(clone)).toEqual(await grantsOf(base));
    const clonePassword = valueAt(model, arn, 'AWSPREVIOUS')?.password as string;
    expect(await outcome(clone, clonePassword, 'SELECT * FROM t1')).toBe('OK');

    for (const revoke of [
      `REVOKE SELECT ON ${d}.t1`,
      `REVOKE UPDATE (b) ON ${d}.t2`,
      `REVOKE EXECUTE ON PROCEDURE ${d}.p`,
      `REVOKE CREATE TEMPORARY TABLES ON ${d}.*`,
      'REVOKE PROCESS ON *.*',
      `REVOKE ${q(role)}`,
    ]) {
      await t.admin(`${revoke} FROM ?@?`, [base, '%']);
    }
    await t.admin(`GRANT DELETE ON ${d}.t2 TO ?@?`, [clone, '%']);
    expect(await cloneHoldsMoreThanBase()).toBe(true);

    // Rotation 3 (the clone is pending) crashes right after the first stale privilege was revoked.
    const crash = new CrashPoints();
    crash.tick = (where: string) => {
      crash.passed.push(where);
      if (where === 'after SQL REVOKE (stale)' && crash.passed.filter((w) => w === where).length === 1) throw new InjectedCrash(where);
    };
    const token = model.startRotation(arn);
    await expect(retryRotation(model, arn, handler(crash), token)).rejects.toThrow();
    expect(crash.passed).toContain('after SQL REVOKE (stale)');
    expect(await cloneHoldsMoreThanBase()).toBe(true); // only one revoke ran: the rest is still to take
    await retryRotation(model, arn, handler(), token);
    expect(valueAt(model, arn, 'AWSCURRENT')?.username).toBe(clone);
    expect(await cloneHoldsMoreThanBase()).toBe(false);
    await expectCloneReducedLikeBase(valueAt(model, arn, 'AWSCURRENT')?.password as string);

    await driveRotation(model, arn, handler());
    expect(valueAt(model, arn, 'AWSCURRENT')?.username).toBe(base);
    await expectCloneReducedLikeBase(valueAt(model, arn, 'AWSPREVIOUS')?.password as string);
    expect(await t.logsIn(base, valueAt(model, arn, 'AWSCURRENT')?.password as string)).toBe(true);

    values.collectFrom(model);
    expect(findLeaks(output.text, values.all)).toEqual([]);
  });
});
