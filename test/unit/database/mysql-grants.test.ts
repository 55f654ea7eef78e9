/**
 * Planning the REVOKEs that make a MySQL/MariaDB clone's privileges equal the base user's, from SHOW GRANTS lines
 * in the shapes MariaDB 10.11 and MySQL 8 print (copied from real servers; the real-server behaviour is in
 * test/integration/database/mariadb-grant-sync.test.ts).
 */
import { parseGrantLine, staleGrantRevokes } from '../../../lambdas/database/mysql-grants';

const base = { user: 'app', host: '%' };
const clone = { user: 'app_clone', host: '%' };
const forBase = (lines: string[]) => lines.map((l) => l.replace(/ TO `CLONE`@`%`/, ' TO `app`@`%`'));
const forClone = (lines: string[]) => lines.map((l) => l.replace(/ TO `CLONE`@`%`/, ' TO `app_clone`@`%`'));

describe('SHOW GRANTS line parsing', () => {
  it('privileges with columns, objects with routines, grant option; USAGE and password are not privileges', () => {
    expect(parseGrantLine("GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*2B60'", base)).toEqual({
      kind: 'privileges',
      object: '*.*',
      privileges: [],
      grantOption: false,
    });
    expect(parseGrantLine('GRANT SELECT, UPDATE (`b`, `c,d`) ON `shop`.`t` TO `app`@`%` WITH GRANT OPTION', base)).toEqual({
      kind: 'privileges',
      object: '`shop`.`t`',
      privileges: [
        { name: 'SELECT', columns: [] },
        { name: 'UPDATE', columns: ['`b`', '`c,d`'] },
      ],
      grantOption: true,
    });
    expect(parseGrantLine('GRANT EXECUTE, ALTER ROUTINE ON PROCEDURE `shop`.`p` TO `app`@`%`', base)).toMatchObject({ object: 'PROCEDURE `shop`.`p`' });
    expect(parseGrantLine('GRANT APPLICATION_PASSWORD_ADMIN,AUDIT_ADMIN ON *.* TO `app`@`%`', base)).toMatchObject({
      privileges: [{ name: 'APPLICATION_PASSWORD_ADMIN' }, { name: 'AUDIT_ADMIN' }],
    });
  });

  it('a table or column named like the syntax (" ON ", " TO ", commas, backticks) does not confuse the parser', () => {
    expect(parseGrantLine('GRANT SELECT (`x ON y`) ON `d`.`a TO b` TO `app`@`%`', base)).toMatchObject({
      object: '`d`.`a TO b`',
      privileges: [{ name: 'SELECT', columns: ['`x ON y`'] }],
    });
    expect(parseGrantLine('GRANT SELECT ON `d``q`.* TO `a``b`@`%`', { user: 'a`b', host: '%' })).toMatchObject({ object: '`d``q`.*' });
  });

  it('roles (MariaDB and MySQL 8 forms), proxy, and lines that are not grants', () => {
    expect(parseGrantLine('GRANT `reader` TO `app`@`%` WITH ADMIN OPTION', base)).toEqual({ kind: 'role', role: '`reader`', adminOption: true });
    expect(parseGrantLine('GRANT `reader`@`%` TO `app`@`%`', base)).toEqual({ kind: 'role', role: '`reader`@`%`', adminOption: false });
    expect(parseGrantLine("GRANT PROXY ON ''@'%' TO `app`@`%`", base)).toEqual({ kind: 'proxy', target: "''@'%'" });
    expect(parseGrantLine('SET DEFAULT ROLE `reader` FOR `app`@`%`', base)).toBeUndefined();
    expect(parseGrantLine('GRANT SELECT ON `d`.* TO `other`@`%`', base)).toBeUndefined();
  });
});

describe('stale grant revokes (what the clone holds and the base user does not)', () => {
  it('identical privileges: nothing to revoke', () => {
    const lines = [
      "GRANT USAGE ON *.* TO `CLONE`@`%` IDENTIFIED BY PASSWORD '*2B60'",
      'GRANT SELECT, INSERT ON `shop`.`t` TO `CLONE`@`%`',
      'GRANT `reader` TO `CLONE`@`%`',
    ];
    expect(staleGrantRevokes(forBase(lines), base, forClone(lines), clone)).toEqual([]);
  });

  it('a table SELECT, a column UPDATE, a routine EXECUTE, a global privilege and a role the base user lost are revoked; what it keeps is not', () => {
    const before = [
      'GRANT PROCESS ON *.* TO `CLONE`@`%`',
      'GRANT SELECT, INSERT ON `shop`.`t1` TO `CLONE`@`%`',
      'GRANT SELECT, UPDATE (`a`, `b`) ON `shop`.`t2` TO `CLONE`@`%`',
      'GRANT EXECUTE ON PROCEDURE `shop`.`p` TO `CLONE`@`%`',
      'GRANT `reader` TO `CLONE`@`%`',
    ];
    const after = [
      'GRANT USAGE ON *.* TO `CLONE`@`%`',
      'GRANT INSERT ON `shop`.`t1` TO `CLONE`@`%`',
      'GRANT SELECT, UPDATE (`a`) ON `shop`.`t2` TO `CLONE`@`%`',
    ];
    expect(staleGrantRevokes(forBase(after), base, forClone(before), clone)).toEqual([
      "REVOKE `reader` FROM 'app_clone'@'%'",
      "REVOKE PROCESS ON *.* FROM 'app_clone'@'%'",
      "REVOKE SELECT ON `shop`.`t1` FROM 'app_clone'@'%'",
      "REVOKE UPDATE (`b`) ON `shop`.`t2` FROM 'app_clone'@'%'",
      "REVOKE EXECUTE ON PROCEDURE `shop`.`p` FROM 'app_clone'@'%'",
    ]);
  });

  it('GRANT OPTION and ADMIN OPTION the base user lacks are revoked; PROXY on the clone always is', () => {
    const cloneLines = [
      'GRANT ALL PRIVILEGES ON `shop`.* TO `app_clone`@`%` WITH GRANT OPTION',
      'GRANT `reader` TO `app_clone`@`%` WITH ADMIN OPTION',
      "GRANT PROXY ON 'x'@'%' TO `app_clone`@`%`",
    ];
    const baseLines = ['GRANT ALL PRIVILEGES ON `shop`.* TO `app`@`%`', 'GRANT `reader` TO `app`@`%`'];
    expect(staleGrantRevokes(baseLines, base, cloneLines, clone)).toEqual([
      "REVOKE `reader` FROM 'app_clone'@'%'",
      "REVOKE PROXY ON 'x'@'%' FROM 'app_clone'@'%'",
      "REVOKE GRANT OPTION ON `shop`.* FROM 'app_clone'@'%'",
    ]);
  });

  it('ALL PRIVILEGES narrowed to a list: ALL is revoked (the re-grant of the list follows)', () => {
    expect(staleGrantRevokes(['GRANT SELECT, INSERT ON `shop`.* TO `app`@`%`'], base, ['GRANT ALL PRIVILEGES ON `shop`.* TO `app_clone`@`%`'], clone)).toEqual([
      "REVOKE ALL PRIVILEGES ON `shop`.* FROM 'app_clone'@'%'",
    ]);
  });

  it('a hostile user name is quoted as a string literal in the statement', () => {
    const evil = { user: "x'; DROP USER root; --", host: '%' };
    const [revoke] = staleGrantRevokes([], base, ["GRANT SELECT ON `shop`.* TO `x'; DROP USER root; --`@`%`"], evil);
    expect(revoke).toBe("REVOKE SELECT ON `shop`.* FROM 'x\\'; DROP USER root; --'@'%'");
  });
});
