/** Pure engine details: MySQL dual-password support detection, grant copying, SCRAM verifier format, config parsing, error classes. */
import { databaseTargetFromEnv } from '../../../lambdas/database/config';
import { classifyDbError } from '../../../lambdas/database/db-errors';
import { mysqlSupportsDualPassword, retargetGrant } from '../../../lambdas/database/mysql-driver';
import { scramSha256Verifier } from '../../../lambdas/database/scram';
import { baseUser, otherUser } from '../../../lambdas/database/strategies/alternating-users';

describe('MySQL dual-password support detection', () => {
  it.each([
    ['8.0.14', true],
    ['8.0.36', true],
    ['8.4.2', true],
    ['9.1.0', true],
    ['8.0.mysql_aurora.3.05.2', true],
    ['8.0.13', false],
    ['5.7.44-log', false],
    ['10.11.6-MariaDB', false],
    ['11.4.2-MariaDB-log', false],
    ['garbage', false],
  ])('%s -> %s', (version, supported) => {
    expect(mysqlSupportsDualPassword(version)).toBe(supported);
  });
});

describe('copying MySQL/MariaDB grants to the clone', () => {
  it('re-targets a grant, keeping WITH GRANT OPTION and the server quoting of objects', () => {
    expect(retargetGrant('GRANT SELECT, INSERT ON `shop`.* TO `app`@`%` WITH GRANT OPTION', 'app', '%', 'app_clone')).toBe(
      "GRANT SELECT, INSERT ON `shop`.* TO 'app_clone'@'%' WITH GRANT OPTION",
    );
  });
  it('drops the password hash MariaDB prints and skips USAGE and PROXY lines', () => {
    expect(retargetGrant("GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*2B60'", 'app', '%', 'app_clone')).toBeUndefined();
    expect(retargetGrant("GRANT SELECT ON `db`.* TO `app`@`%` IDENTIFIED BY PASSWORD '*2B60'", 'app', '%', 'app_clone')).toBe(
      "GRANT SELECT ON `db`.* TO 'app_clone'@'%'",
    );
    expect(retargetGrant("GRANT PROXY ON ''@'%' TO `app`@`%`", 'app', '%', 'app_clone')).toBeUndefined();
  });
  it('copies role grants and quotes hostile names safely', () => {
    expect(retargetGrant('GRANT `reader`@`%` TO `app`@`%`', 'app', '%', 'app_clone')).toBe("GRANT `reader`@`%` TO 'app_clone'@'%'");
    expect(retargetGrant('GRANT SELECT ON `db`.* TO `a``b`@`%`', 'a`b', '%', "a'b_clone")).toBe("GRANT SELECT ON `db`.* TO 'a\\'b_clone'@'%'");
  });
});

describe('alternating user names', () => {
  it('alternate between base and base_clone', () => {
    expect(otherUser('app')).toBe('app_clone');
    expect(otherUser('app_clone')).toBe('app');
    expect(baseUser('app_clone')).toBe('app');
  });
});

describe('SCRAM-SHA-256 verifier', () => {
  it('has PostgreSQL stored format and is salted per call', () => {
    const a = scramSha256Verifier('some-password-000001');
    expect(a).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/);
    expect(scramSha256Verifier('some-password-000001')).not.toBe(a);
    expect(a).not.toContain('some-password');
  });
  it('matches the RFC 7677 example keys for password "pencil"', () => {
    // RFC 7677 section 3: salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations; StoredKey/ServerKey derived from it.
    const v = scramSha256Verifier('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'));
    expect(v).toBe('SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=');
  });
  it('refuses non-ASCII passwords (SASLprep is not implemented)', () => {
    expect(() => scramSha256Verifier('pässword-000000000001')).toThrow('printable ASCII');
  });
});

describe('database target configuration from the environment', () => {
  const ENV = { DB_ENGINE: 'aurora-mysql', DB_HOST: 'h', DB_PORT: '3306', DB_NAME: 'app', DB_USERNAME: 'app', DB_TLS: 'false', DB_STRATEGY: 'dual-password' };
  it('reads DB_* variables', () => {
    expect(databaseTargetFromEnv({ ...ENV, DB_MASTER_SECRET_ARN: 'arn:aws:secretsmanager:x' })).toEqual({
      engine: 'aurora-mysql',
      host: 'h',
      port: 3306,
      dbname: 'app',
      username: 'app',
      tls: false,
      strategy: 'dual-password',
      masterSecretArn: 'arn:aws:secretsmanager:x',
    });
  });
  it('refuses to start without the target it must compare every secret with, naming every missing variable', () => {
    expect(() => databaseTargetFromEnv({})).toThrow(
      'configuration: environment variable DB_ENGINE, DB_HOST, DB_PORT, DB_NAME, DB_USERNAME, DB_TLS, DB_STRATEGY are not set',
    );
    expect(() => databaseTargetFromEnv({ ...ENV, DB_USERNAME: '' })).toThrow('DB_USERNAME is not set');
  });
  it.each([
    [{ DB_ENGINE: 'oracle' }, 'DB_ENGINE'],
    [{ DB_PORT: '70000' }, 'DB_PORT'],
    [{ DB_PORT: '54a' }, 'DB_PORT'],
    [{ DB_TLS: 'yes' }, 'DB_TLS'],
    [{ DB_STRATEGY: 'multi-user' }, 'DB_STRATEGY'],
    [{ DB_MASTER_SECRET_ARN: 'db-master' }, 'DB_MASTER_SECRET_ARN'],
    [{ DB_STRATEGY: 'alternating-users' }, 'DB_MASTER_SECRET_ARN is not set'],
  ])('%j is refused naming %s', (env, variable) => {
    expect(() => databaseTargetFromEnv({ ...ENV, ...env })).toThrow(variable);
  });
});

describe('database error classes (by code, never by echoed text)', () => {
  it.each([
    [{ code: '28P01' }, 'AuthFailed'],
    [{ code: 'ER_ACCESS_DENIED_ERROR' }, 'AuthFailed'],
    [{ code: '28000', message: 'pg_hba.conf rejects connection for host "x", no encryption' }, 'Tls'],
    [{ code: '42501' }, 'AccessDenied'],
    [{ code: 'ER_SPECIFIC_ACCESS_DENIED_ERROR' }, 'AccessDenied'],
    [{ code: '57P03' }, 'TargetUnavailable'],
    [{ code: 'HANDSHAKE_NO_SSL_SUPPORT' }, 'Tls'],
    [{ message: 'The server does not support SSL connections' }, 'Tls'],
    [{ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, 'Tls'],
    [{ code: 'SELF_SIGNED_CERT_IN_CHAIN' }, 'Tls'],
    [{ code: 'ECONNREFUSED' }, 'Unreachable'],
    [{ code: 'ENOTFOUND' }, 'Dns'],
    [{ code: 'ETIMEDOUT' }, 'Timeout'],
    [{ message: 'Connection terminated due to connection timeout' }, 'Timeout'],
    [{ code: '42601', message: "syntax error at or near 'secret'" }, 'Internal'],
  ])('%j -> %s', (err, errorClass) => {
    expect(classifyDbError(Object.assign(new Error(String((err as { message?: string }).message ?? 'x')), err))).toBe(errorClass);
  });

  it.each([
    ['ER_ACCESS_DENIED_NO_PASSWORD_ERROR', 'login', 'AuthFailed'],
    ['ER_ACCESS_DENIED_NO_PASSWORD_ERROR', 'statement', 'AccessDenied'],
    ['ER_ACCESS_DENIED_ERROR', 'login', 'AuthFailed'],
    ['ER_ACCESS_DENIED_ERROR', 'statement', 'AccessDenied'],
    ['28P01', 'login', 'AuthFailed'],
  ] as const)('%s during %s -> %s', (code, during, errorClass) => {
    expect(classifyDbError(Object.assign(new Error('Access denied'), { code }), during)).toBe(errorClass);
  });
});
