/**
 * Database rotator strategies against an in-memory FAKE database (no server): the fallback rules of
 * single-user, the MySQL dual-password path (unit-tested only: no MySQL 8 server here), and the alternating-users
 * guard rails. The real-server behaviour is in test/integration/database.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { buildDatabaseUrl, DatabaseSecret } from '../../../contracts/database';
import type { DatabaseTarget } from '../../../lambdas/database/config';
import { rdsApiCheck } from '../../../lambdas/database/rds-check';
import { createDatabaseRotator } from '../../../lambdas/database/rotator';
import type { RawVersions, RotationContext, SecretReader } from '../../../lambdas/rotation/rotator';
import { captureOutput } from '../../support/log-capture';
import { FakeDatabase } from './fake-driver';
import { rejection } from '../../support/rejection';

const NAME = 'gaara-store/dev/database-url';
const MASTER_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:gaara-store/dev/db-master-AbCdEf';

function value(username: string, password: string, extra: Partial<DatabaseSecret> = {}): DatabaseSecret {
  const base = { engine: 'mysql' as const, host: 'db.example.internal', port: 3306, username, password, dbname: 'app', ...extra };
  return { schema: 1, ...base, url: buildDatabaseUrl(base) };
}

function ctx(opts: { secrets?: SecretReader; logLevel?: 'INFO' | 'SILENT' } = {}): RotationContext {
  return {
    secretArn: `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${NAME}-AbCdEf`,
    secretName: NAME,
    token: '00000000-1111-2222-3333-444444444444',
    step: 'setSecret',
    logger: new Logger({ serviceName: 'test', logLevel: opts.logLevel ?? 'SILENT' }),
    secrets: opts.secrets ?? { getSecretString: async () => Promise.reject(new Error('no secrets here')) },
    now: () => new Date('2026-11-23T10:00:00Z'),
  };
}

/** What the stack would configure for the values below (DB_*). */
const TARGET: DatabaseTarget = {
  engine: 'mysql',
  host: 'db.example.internal',
  port: 3306,
  dbname: 'app',
  username: 'app',
  tls: true,
  strategy: 'single-user',
  masterSecretArn: MASTER_ARN,
};

function rotator(db: FakeDatabase, target: Partial<DatabaseTarget> = {}, passwords = ['new-password-000000000001', 'new-password-000000000002']) {
  let i = 0;
  return createDatabaseRotator({ target: { ...TARGET, ...target }, driver: db.driver(), newPassword: () => passwords[i++] as string });
}

const raw = (current: DatabaseSecret, previous?: DatabaseSecret): RawVersions => ({
  current: JSON.stringify(current),
  ...(previous ? { previous: JSON.stringify(previous) } : {}),
});

describe('single-user setSecret fallback rules (fake database)', () => {
  const current = value('app', 'current-pw-0000000001');
  const pending = value('app', 'pending-pw-0000000001');
  const previous = value('app', 'previous-pw-000000001');

  it('pending already logs in: nothing changes', async () => {
    const db = new FakeDatabase();
    db.addUser('app', pending.password);
    await rotator(db, { strategy: 'single-user' }).applyPending(pending, raw(current, previous), ctx());
    expect(db.statements).toEqual([]);
  });

  it('current logs in -> the user sets its own password: one login, no refused attempt', async () => {
    const db = new FakeDatabase();
    db.addUser('app', current.password);
    await rotator(db, { strategy: 'single-user' }).applyPending(pending, raw(current, previous), ctx());
    expect(db.logins).toEqual([{ username: 'app', ok: true }]);
    expect(db.logsIn('app', pending.password)).toBe(true);
    expect(db.logsIn('app', current.password)).toBe(false);
  });

  it('pending and current refused -> previous logs in (with the current connection settings)', async () => {
    const db = new FakeDatabase();
    db.addUser('app', previous.password);
    await rotator(db, { strategy: 'single-user' }).applyPending(pending, raw(current, previous), ctx());
    expect(db.logsIn('app', pending.password)).toBe(true);
  });

  it('all three refused -> AuthFailed naming the user and the three versions', async () => {
    const db = new FakeDatabase();
    db.addUser('app', 'something-else-000000');
    const e = await rejection(rotator(db, { strategy: 'single-user' }).applyPending(pending, raw(current, previous), ctx()));
    expect(e.errorClass).toBe('AuthFailed');
    expect(e.message).toContain('"app" cannot log in with the AWSPENDING, AWSCURRENT or AWSPREVIOUS password');
  });

  it.each(['Unreachable', 'Tls', 'Timeout', 'Dns'] as const)('a %s failure on AWSCURRENT stops the step: AWSPREVIOUS is never tried', async (failure) => {
    const db = new FakeDatabase();
    db.addUser('app', previous.password);
    db.failures.set(current.password, failure);
    const e = await rejection(rotator(db, { strategy: 'single-user' }).applyPending(pending, raw(current, previous), ctx()));
    expect(e.errorClass).toBe(failure);
    expect(e.message).toContain('AWSCURRENT');
    expect(db.logsIn('app', previous.password)).toBe(true); // unchanged
    expect(db.statements).toEqual([]);
  });

  it('current refused, then a network failure on AWSPENDING stops the step: AWSPREVIOUS is never tried', async () => {
    const db = new FakeDatabase();
    db.addUser('app', previous.password);
    db.failures.set(pending.password, 'Unreachable');
    const e = await rejection(rotator(db, { strategy: 'single-user' }).applyPending(pending, raw(current, previous), ctx()));
    expect(e.errorClass).toBe('Unreachable');
    expect(e.message).toContain('AWSPENDING');
    expect(db.logins).toEqual([{ username: 'app', ok: false }]);
    expect(db.statements).toEqual([]);
    expect(db.logsIn('app', previous.password)).toBe(true); // unchanged
  });

  it('a pending value for another user or host is refused', async () => {
    const db = new FakeDatabase();
    db.addUser('app', current.password);
    for (const other of [value('root', pending.password), value('app', pending.password, { host: 'evil.example' })]) {
      const e = await rejection(rotator(db, { strategy: 'single-user' }).applyPending(other, raw(current), ctx()));
      expect(e.errorClass).toBe('TargetMismatch');
    }
    expect(db.statements).toEqual([]);
  });
});

describe('MySQL dual-password strategy (unit-tested only: MySQL 8 modelled by the fake database)', () => {
  const current = value('app', 'current-pw-0000000001');

  it('MySQL 8.0.14+: RETAIN CURRENT PASSWORD: pending and current both log in; testSecret checks both', async () => {
    const db = new FakeDatabase('8.0.36');
    db.addUser('app', current.password);
    const r = rotator(db, { strategy: 'dual-password' });
    const pending = await r.createPending(raw(current), ctx());
    await r.applyPending(pending, raw(current), ctx());
    expect(db.statements).toEqual(['ALTER USER app RETAIN CURRENT PASSWORD']);
    expect(db.logsIn('app', pending.password)).toBe(true);
    expect(db.logsIn('app', current.password)).toBe(true);
    await r.testPending(pending, raw(current), ctx());
    // Next rotation: the password retained last time is discarded (it is replaced as the secondary).
    const next = await r.createPending(raw(pending), ctx());
    await r.applyPending(next, raw(pending, current), ctx());
    expect(db.logsIn('app', next.password)).toBe(true);
    expect(db.logsIn('app', pending.password)).toBe(true);
    expect(db.logsIn('app', current.password)).toBe(false);
  });

  it('testSecret fails when the current password stopped working on a dual-password server', async () => {
    const db = new FakeDatabase('8.4.2');
    const pending = value('app', 'pending-pw-0000000001');
    db.addUser('app', pending.password);
    const e = await rejection(rotator(db, { strategy: 'dual-password' }).testPending(pending, raw(current), ctx()));
    expect(e.errorClass).toBe('AuthFailed');
    expect(e.message).toContain('dual-password');
  });

  it.each(['10.11.6-MariaDB', '8.0.13', '5.7.44-log'])('%s: falls back to single-user with a clear warning log line', async (version) => {
    const db = new FakeDatabase(version);
    db.addUser('app', current.password);
    const r = rotator(db, { strategy: 'dual-password' });
    const pending = await r.createPending(raw(current), ctx());
    const out = captureOutput();
    try {
      await r.applyPending(pending, raw(current), ctx({ logLevel: 'INFO' }));
    } finally {
      out.stop();
    }
    expect(db.statements).toEqual(['SET OWN PASSWORD app']);
    expect(db.logsIn('app', current.password)).toBe(false);
    const warning = out.json().find((l) => l.level === 'WARN');
    expect(String(warning?.message)).toContain('dual-password is not supported by this server');
    expect(String(warning?.message)).toContain('falling back to single-user');
  });

  it('dual-password configured for PostgreSQL: UnsupportedEngine when the function starts', () => {
    const db = new FakeDatabase('15.4', 'postgres');
    expect(() => rotator(db, { strategy: 'dual-password', engine: 'postgres', port: 5432 })).toThrow(
      expect.objectContaining({ errorClass: 'UnsupportedEngine' }),
    );
  });
});

describe('alternating users guard rails (fake database)', () => {
  const master = { engine: 'mysql', host: 'db.example.internal', port: 3306, username: 'admin', password: 'master-pw-00000000001' };
  const secrets = (m: object = master): SecretReader => ({
    getSecretString: async (id) => (id === MASTER_ARN ? JSON.stringify(m) : Promise.reject(new Error('unknown'))),
  });
  const current = value('app', 'current-pw-0000000001', { masterarn: MASTER_ARN });

  function db() {
    const d = new FakeDatabase();
    d.addUser('admin', master.password);
    d.addUser('app', current.password);
    return d;
  }

  it('creates the clone, copies the grants, and leaves AWSCURRENT untouched', async () => {
    const d = db();
    const r = rotator(d, { strategy: 'alternating-users' });
    const pending = await r.createPending(raw(current), ctx());
    expect(pending.username).toBe('app_clone');
    await r.applyPending(pending, raw(current), ctx({ secrets: secrets() }));
    expect(d.statements).toEqual(['SELECT 1', 'CREATE USER app_clone', 'SYNC GRANTS app -> app_clone']);
    expect(d.logsIn('app', current.password)).toBe(true);
    expect(d.logsIn('app_clone', pending.password)).toBe(true);
  });

  it.each([
    ['the master points at another host', { ...master, host: 'other.example' }, 'TargetMismatch'],
    ['the master is the rotated user', { ...master, username: 'app_clone' }, 'TargetMismatch'],
    ['the master secret lacks a password', { ...master, password: undefined }, 'BadSecretShape'],
  ])('%s: refused before any change', async (_label, m, errorClass) => {
    const d = db();
    const r = rotator(d, { strategy: 'alternating-users' });
    const pending = await r.createPending(raw(current), ctx());
    const e = await rejection(r.applyPending(pending, raw(current), ctx({ secrets: secrets(m) })));
    expect(e.errorClass).toBe(errorClass);
    expect(d.statements).toEqual(['SELECT 1']);
  });

  it('a pending user that is not the other of the pair is refused', async () => {
    const d = db();
    const e = await rejection(
      rotator(d, { strategy: 'alternating-users' }).applyPending(
        value('root', 'x-password-0000000001', { masterarn: MASTER_ARN }),
        raw(current),
        ctx({ secrets: secrets() }),
      ),
    );
    expect(e.errorClass).toBe('TargetMismatch');
    expect(d.statements).toEqual([]);
  });

  it('AWSCURRENT must log in before the master acts for it (confused-deputy guard)', async () => {
    const d = db();
    d.users.set('app', ['changed-elsewhere-00001']);
    const r = rotator(d, { strategy: 'alternating-users' });
    const pending = await r.createPending(raw(current), ctx());
    const e = await rejection(r.applyPending(pending, raw(current), ctx({ secrets: secrets() })));
    expect(e.errorClass).toBe('AuthFailed');
    expect(d.users.has('app_clone')).toBe(false);
  });

  it('a user name too long for MySQL with the _clone suffix is refused', async () => {
    const d = db();
    const long = value('u'.repeat(28), current.password, { masterarn: MASTER_ARN });
    d.addUser(long.username, long.password);
    const r = rotator(d, { strategy: 'alternating-users', username: long.username });
    const pending = await r.createPending(raw(long), ctx());
    const e = await rejection(r.applyPending(pending, raw(long), ctx({ secrets: secrets() })));
    expect(e.errorClass).toBe('BadSecretShape');
    expect(e.message).toContain('longer than 32');
  });

  it('a value without masterarn, or naming another master secret than DB_MASTER_SECRET_ARN: TargetMismatch, nothing changed', async () => {
    for (const masterarn of [undefined, MASTER_ARN.replace('db-master', 'db-other')]) {
      const d = db();
      const e = await rejection(
        rotator(d, { strategy: 'alternating-users' }).createPending(raw(value('app', current.password, masterarn ? { masterarn } : {})), ctx()),
      );
      expect(e.errorClass).toBe('TargetMismatch');
      expect(e.message).toContain('"masterarn"');
      expect(d.statements).toEqual([]);
    }
  });

  it('alternating users configured without DB_MASTER_SECRET_ARN: refused when the function starts', () => {
    expect(() => rotator(db(), { strategy: 'alternating-users', masterSecretArn: undefined })).toThrow(/DB_MASTER_SECRET_ARN/);
  });

  it('a placeholder carrying another masterarn than the configured one: TargetMismatch', async () => {
    const other = MASTER_ARN.replace('db-master', 'db-other');
    const e = await rejection(
      rotator(db(), { strategy: 'alternating-users' }).createPending({ current: JSON.stringify({ schema: 1, placeholder: true, masterarn: other }) }, ctx()),
    );
    expect(e.errorClass).toBe('TargetMismatch');
  });

  it('placeholder bootstrap from the configuration builds the whole value with url and masterarn', async () => {
    const pending = await rotator(db(), { strategy: 'alternating-users' }).createPending({ current: '{"schema":1,"placeholder":true}' }, ctx());
    expect(pending).toEqual(value('app', 'new-password-000000000001', { masterarn: MASTER_ARN }));
  });
});

describe('the configured strategy decides, never the value (fake database)', () => {
  it('single-user: a value carrying masterarn still changes its own password', async () => {
    const single = await rotator(new FakeDatabase(), { strategy: 'single-user' }).createPending(
      raw(value('app', 'current-pw-0000000001', { masterarn: MASTER_ARN })),
      ctx(),
    );
    expect(single.username).toBe('app');
  });
  it('single-user: a placeholder cannot be bootstrapped (Placeholder error)', async () => {
    const e = await rejection(
      rotator(new FakeDatabase(), { strategy: 'single-user' }).createPending(
        { current: JSON.stringify({ schema: 1, placeholder: true, masterarn: MASTER_ARN }) },
        ctx(),
      ),
    );
    expect(e.errorClass).toBe('Placeholder');
  });
});

describe('configured target guard (fake database)', () => {
  it('a secret pointing at another host than DB_HOST, or asking for plaintext when DB_TLS=true, is refused', async () => {
    const db = new FakeDatabase();
    const r = rotator(db, { host: 'db.example.internal', tls: true });
    const other = await rejection(r.createPending(raw(value('app', 'current-pw-0000000001', { host: 'elsewhere.example' })), ctx()));
    expect(other.errorClass).toBe('TargetMismatch');
    expect(other.message).toContain('DB_HOST');
    const plain = await rejection(r.createPending(raw(value('app', 'current-pw-0000000001', { ssl: false })), ctx()));
    expect(plain.errorClass).toBe('TargetMismatch');
    expect(plain.message).toContain('"ssl": false');
    expect(plain.message).toContain('DB_TLS');
  });
});

describe('RDS check wired before the first change (fake database, RDS API mocked)', () => {
  it('a DB instance that is not available stops setSecret before any statement', async () => {
    const { mockClient } = await import('aws-sdk-client-mock');
    const { DescribeDBInstancesCommand, RDSClient } = await import('@aws-sdk/client-rds');
    const rdsMock = mockClient(RDSClient);
    rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ Endpoint: { Address: 'db.example.internal' }, DBInstanceStatus: 'rebooting' }] });
    const db = new FakeDatabase();
    const current = value('app', 'current-pw-0000000001', { dbInstanceIdentifier: 'app-db' });
    db.addUser('app', current.password);
    const r = createDatabaseRotator({
      target: TARGET,
      driver: db.driver(),
      confirmRds: rdsApiCheck(() => new RDSClient({ region: 'eu-west-1' })),
      newPassword: () => 'pending-pw-0000000001',
    });
    const pending = await r.createPending(raw(current), ctx());
    const e = await rejection(r.applyPending(pending, raw(current), ctx()));
    expect(e.errorClass).toBe('TargetUnavailable');
    expect(db.statements).toEqual([]);
    expect(db.logsIn('app', current.password)).toBe(true);
    rdsMock.restore();
  });

  it.each([['dbInstanceIdentifier'], ['dbClusterIdentifier']])(
    'a value naming an RDS %s, in a function built without the RDS check: TargetMismatch before any statement, nothing changed',
    async (field) => {
      const db = new FakeDatabase();
      const current = value('app', 'current-pw-0000000001', { [field]: 'app-db' });
      db.addUser('app', current.password);
      const r = createDatabaseRotator({ target: TARGET, driver: db.driver(), newPassword: () => 'pending-pw-0000000001' });
      const pending = await r.createPending(raw(current), ctx());
      const e = await rejection(r.applyPending(pending, raw(current), ctx()));
      expect(e.errorClass).toBe('TargetMismatch');
      expect(e.message).toBe(
        `AWSPENDING field "${field}" names "app-db", but the function is configured without an RDS instance or cluster to confirm (database.${field} in the stack configuration); nothing was changed`,
      );
      expect(db.statements).toEqual([]);
      expect(db.logsIn('app', current.password)).toBe(true);
    },
  );
});

describe('one driver per function (the bundle entry supplies it)', () => {
  it.each([
    ['mysql', 'postgres'],
    ['postgres', 'mysql'],
  ] as const)('a %s driver with DB_ENGINE %s: UnsupportedEngine when the function starts', (family, engine) => {
    const db = new FakeDatabase(family === 'mysql' ? '8.0.36' : '15.4', family);
    expect(() => rotator(db, { engine })).toThrow(
      expect.objectContaining({
        errorClass: 'UnsupportedEngine',
        message: `configuration: this function carries the ${family} driver, but DB_ENGINE is ${engine} (the stack bundles the entry of the configured engine)`,
      }),
    );
  });
});
