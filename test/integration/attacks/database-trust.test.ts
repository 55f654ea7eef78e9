/**
 * Attack tests of the database rotator's trust boundary, against a REAL PostgreSQL 15 cluster of the test's own
 * (scram-sha-256 enforced, TLS only, the test's CA) reached through a recording TCP proxy, with Secrets Manager
 * MODELLED. The attacker can write one secret value (PutSecretValue on database-url, or on the master secret);
 * the function's configuration (DB_*) is what the stack set. Each hostile value must be refused before any
 * connection (the proxy sees none), change nothing (the untouched credentials still log in, versions and stages
 * are as before) and send nothing in clear.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { driveRotation } from '../../support/drive-rotation';
import { captureOutput, findLeaks, OutputCapture } from '../../support/log-capture';
import { PostgresTestServer, startPostgres } from '../../support/postgres-server';
import { SecretsManagerModel } from '../../support/secrets-manager-model';
import { startTlsRecordingProxy, TlsRecordingProxy } from '../../support/tls-recording-proxy';
import { rejection } from '../../support/rejection';
import { makeHandler, modelSnapshot, postgresTarget, SECRET_NAME, SecretValues, secretValue, Target, valueAt } from '../database/harness';

let pg: PostgresTestServer;
let dir: string;
let direct: Target;
/** The target as the function is configured for it: the proxy in front of the real server. */
let viaProxy: Target;
let proxy: TlsRecordingProxy;
let output: OutputCapture;
const values = new SecretValues();
const name = (prefix: string) => `${prefix}_${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  output = captureOutput();
  dir = mkdtempSync(join(tmpdir(), 'pg-attack-'));
  pg = await startPostgres({ tls: true });
  direct = await postgresTarget(pg, dir);
  proxy = await startTlsRecordingProxy({ host: pg.host, port: pg.port }, 'postgres');
  viaProxy = { ...direct, host: proxy.host, port: proxy.port };
});

afterAll(async () => {
  output?.stop();
  await proxy?.close();
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A victim role the attacker wants to take over, and the application's own user. */
async function provision() {
  const app = name('app');
  const victim = name('victim');
  const appPassword = values.generator();
  const victimPassword = values.generator();
  await direct.createUser(app, appPassword);
  await direct.createUser(victim, victimPassword);
  return { app, victim, appPassword, victimPassword };
}

async function expectRefusedBeforeAnyConnection(model: SecretsManagerModel, arn: string, handler: ReturnType<typeof makeHandler>, field: string) {
  const before = modelSnapshot(model, arn);
  proxy.reset();
  const e = await rejection(driveRotation(model, arn, handler));
  expect(e.errorClass).toBe('TargetMismatch');
  expect(e.message).toContain(`field "${field}"`);
  expect(e.message).toContain('nothing was changed');
  expect(proxy.connections()).toEqual([]);
  // createSecret refused: the model holds the versions it held, plus only the empty AWSPENDING RotateSecret made.
  const after = JSON.parse(modelSnapshot(model, arn)) as [string, string | null, string[]][];
  expect(after.filter(([, value]) => value !== null)).toEqual(
    (JSON.parse(before) as [string, string | null, string[]][]).filter(([, value]) => value !== null),
  );
  return e;
}

describe('single user: a secret naming another role is refused (real PostgreSQL behind a recording proxy, Secrets Manager modelled)', () => {
  it('AWSCURRENT with username = another role, host/port/dbname as configured: TargetMismatch before any connection; the role keeps its password', async () => {
    const { app, victim, victimPassword } = await provision();
    const model = new SecretsManagerModel();
    // The attacker writes the victim's name with a password of their choosing; host, port, dbname as configured.
    const arn = model.createSecret(SECRET_NAME, JSON.stringify(secretValue(viaProxy, victim, 'attacker-chosen-password-01')));
    const handler = makeHandler(model, viaProxy, values, { strategy: 'single-user', username: app });
    const e = await expectRefusedBeforeAnyConnection(model, arn, handler, 'username');
    expect(e.message).toContain('(DB_USERNAME)');
    expect(await direct.logsIn(victim, victimPassword)).toBe(true);
  });

  it('AWSPENDING written by the attacker with another role (AWSCURRENT honest): setSecret refuses it, nothing changes', async () => {
    const { app, appPassword, victim, victimPassword } = await provision();
    const model = new SecretsManagerModel();
    const arn = model.createSecret(SECRET_NAME, JSON.stringify(secretValue(viaProxy, app, appPassword)));
    const token = model.startRotation(arn);
    const hostile = secretValue(viaProxy, victim, 'attacker-chosen-password-02');
    await model.send({
      input: { SecretId: arn, ClientRequestToken: token, SecretString: JSON.stringify(hostile), VersionStages: ['AWSPENDING'] },
      constructor: { name: 'PutSecretValueCommand' },
    });
    proxy.reset();
    const handler = makeHandler(model, viaProxy, values, { strategy: 'single-user', username: app });
    const e = await rejection(handler({ Step: 'setSecret', SecretId: arn, ClientRequestToken: token }));
    expect([e.errorClass, e.message]).toEqual(['TargetMismatch', expect.stringContaining('AWSPENDING field "username"')]);
    expect(proxy.connections()).toEqual([]);
    expect(await direct.logsIn(victim, victimPassword)).toBe(true);
    expect(await direct.logsIn(app, appPassword)).toBe(true);
  });

  it('a pending value asking for plaintext ("ssl": false) under DB_TLS=true is not applied', async () => {
    const { app, appPassword } = await provision();
    const model = new SecretsManagerModel();
    const arn = model.createSecret(SECRET_NAME, JSON.stringify(secretValue(viaProxy, app, appPassword)));
    const token = model.startRotation(arn);
    const plaintext = secretValue(viaProxy, app, 'attacker-chosen-password-03', { ssl: false });
    await model.send({
      input: { SecretId: arn, ClientRequestToken: token, SecretString: JSON.stringify(plaintext), VersionStages: ['AWSPENDING'] },
      constructor: { name: 'PutSecretValueCommand' },
    });
    proxy.reset();
    const e = await rejection(
      makeHandler(model, viaProxy, values, { strategy: 'single-user', username: app })({ Step: 'setSecret', SecretId: arn, ClientRequestToken: token }),
    );
    expect([e.errorClass, e.message]).toEqual(['TargetMismatch', expect.stringContaining('AWSPENDING field "tls" asks for plaintext')]);
    expect(proxy.connections()).toEqual([]);
    expect(await direct.logsIn(app, appPassword)).toBe(true);
  });

  it.each([
    ['host', { host: 'localhost' }],
    ['port', { port: 1 }],
    ['dbname', { dbname: 'postgres' }],
    ['engine', { engine: 'aurora-postgresql' as const }],
  ])('AWSCURRENT naming another %s: TargetMismatch before any connection', async (field, extra) => {
    const { app, appPassword } = await provision();
    const model = new SecretsManagerModel();
    const arn = model.createSecret(SECRET_NAME, JSON.stringify(secretValue(viaProxy, app, appPassword, extra)));
    await expectRefusedBeforeAnyConnection(model, arn, makeHandler(model, viaProxy, values, { strategy: 'single-user', username: app }), field);
    expect(await direct.logsIn(app, appPassword)).toBe(true);
  });

  it('a 5,000-character user name is quoted as a short, sanitized prefix only', async () => {
    const model = new SecretsManagerModel();
    const long = `${'x'.repeat(4_990)}\u0007\n${'y'.repeat(8)}`;
    const arn = model.createSecret(SECRET_NAME, JSON.stringify(secretValue(viaProxy, long, 'whatever-password-0001')));
    const e = await rejection(driveRotation(model, arn, makeHandler(model, viaProxy, values, { strategy: 'single-user', username: 'app' })));
    expect(e.errorClass).toBe('TargetMismatch');
    expect(e.message.length).toBeLessThan(400);
    expect(e.message).toContain(`"${'x'.repeat(64)}…"`);
    expect([...e.message].some((c) => c.charCodeAt(0) < 0x20)).toBe(false);
  });

  it('a successful rotation through the proxy: every connection is TLS from the start, no password in clear', async () => {
    const { app, appPassword } = await provision();
    const model = new SecretsManagerModel();
    const arn = model.createSecret(SECRET_NAME, JSON.stringify({ ...secretValue(viaProxy, app, appPassword), proxyHost: 'rds-proxy.internal.example' }));
    proxy.reset();
    await driveRotation(model, arn, makeHandler(model, viaProxy, values, { strategy: 'single-user' }));
    const current = valueAt(model, arn, 'AWSCURRENT') as unknown as Record<string, unknown>;
    // setSecret logs in as AWSCURRENT, testSecret as AWSPENDING: no refused attempt.
    expect(proxy.connections().length).toBe(2);
    expect(proxy.allEncrypted()).toBe(true);
    for (const password of [appPassword, current.password as string]) expect(proxy.sawInClear(password)).toBe(false);
    // A field the contract does not know is kept through the rotation (as the AWS templates keep it).
    expect(current.proxyHost).toBe('rds-proxy.internal.example');
    expect(await direct.logsIn(app, current.password as string)).toBe(true);
  });
});

describe('alternating users: the master acts only for the configured users, over TLS (real PostgreSQL, Secrets Manager modelled)', () => {
  async function withMaster(model: SecretsManagerModel, masterValue: (master: { username: string; password: string }) => object) {
    const master = { username: name('master'), password: values.generator() };
    await direct.createMaster(master.username, master.password);
    const masterArn = model.createSecret(`gaara-store/test/db-master-${randomBytes(2).toString('hex')}`, JSON.stringify(masterValue(master)));
    return { master, masterArn };
  }

  it('AWSCURRENT naming another role: no "<role>_clone" is created, the role keeps its password', async () => {
    const { app, victim, victimPassword } = await provision();
    const model = new SecretsManagerModel();
    const { masterArn } = await withMaster(model, (m) => ({ engine: 'postgres', host: viaProxy.host, port: viaProxy.port, ...m }));
    const arn = model.createSecret(SECRET_NAME, JSON.stringify(secretValue(viaProxy, victim, victimPassword, { masterarn: masterArn })));
    const handler = makeHandler(model, viaProxy, values, { strategy: 'alternating-users', username: app, masterSecretArn: masterArn });
    await expectRefusedBeforeAnyConnection(model, arn, handler, 'username');
    expect(await pg.adminQuery('SELECT 1 FROM pg_roles WHERE rolname = $1', [`${victim}_clone`])).toEqual([]);
    expect(await direct.logsIn(victim, victimPassword)).toBe(true);
  });

  it('a value naming another master secret than DB_MASTER_SECRET_ARN is refused', async () => {
    const { app, appPassword } = await provision();
    const model = new SecretsManagerModel();
    const { masterArn } = await withMaster(model, (m) => ({ engine: 'postgres', host: viaProxy.host, port: viaProxy.port, ...m }));
    const attackerMaster = model.createSecret('gaara-store/test/attacker-master', JSON.stringify({ username: 'postgres', password: 'x-password-000001' }));
    const arn = model.createSecret(SECRET_NAME, JSON.stringify(secretValue(viaProxy, app, appPassword, { masterarn: attackerMaster })));
    await expectRefusedBeforeAnyConnection(
      model,
      arn,
      makeHandler(model, viaProxy, values, { strategy: 'alternating-users', username: app, masterSecretArn: masterArn }),
      'masterarn',
    );
  });

  it('a master secret with "ssl": false under DB_TLS=true: refused before the master logs in; nothing crossed in clear', async () => {
    const { app, appPassword } = await provision();
    const model = new SecretsManagerModel();
    const { master, masterArn } = await withMaster(model, (m) => ({ engine: 'postgres', host: viaProxy.host, port: viaProxy.port, ssl: false, ...m }));
    const arn = model.createSecret(SECRET_NAME, JSON.stringify(secretValue(viaProxy, app, appPassword, { masterarn: masterArn })));
    proxy.reset();
    const e = await rejection(
      driveRotation(model, arn, makeHandler(model, viaProxy, values, { strategy: 'alternating-users', username: app, masterSecretArn: masterArn })),
    );
    expect([e.errorClass, e.message]).toEqual(['TargetMismatch', expect.stringContaining('master secret field "tls" asks for plaintext')]);
    // The only connection is AWSCURRENT's confused-deputy check, over TLS; the master never connected.
    expect(proxy.allEncrypted()).toBe(true);
    expect(proxy.sawInClear(master.password)).toBe(false);
    expect(await pg.adminQuery('SELECT 1 FROM pg_roles WHERE rolname = $1', [`${app}_clone`])).toEqual([]);
  });

  it.each([
    ['host', { host: 'localhost' }],
    ['port', { port: 1 }],
    ['dbname', { dbname: 'postgres' }],
  ])('a master secret pointing at another %s is refused; the master password goes nowhere', async (field, extra) => {
    const { app, appPassword } = await provision();
    const model = new SecretsManagerModel();
    const { masterArn } = await withMaster(model, (m) => ({ engine: 'postgres', host: viaProxy.host, port: viaProxy.port, ...m, ...extra }));
    const arn = model.createSecret(SECRET_NAME, JSON.stringify(secretValue(viaProxy, app, appPassword, { masterarn: masterArn })));
    const e = await rejection(
      driveRotation(model, arn, makeHandler(model, viaProxy, values, { strategy: 'alternating-users', username: app, masterSecretArn: masterArn })),
    );
    expect([e.errorClass, e.message]).toEqual(['TargetMismatch', expect.stringContaining(`master secret field "${field}"`)]);
    expect(await pg.adminQuery('SELECT 1 FROM pg_roles WHERE rolname = $1', [`${app}_clone`])).toEqual([]);
  });

  it('an RDS-managed master secret (username and password only) works; every connection is TLS, no password in clear', async () => {
    const { app, appPassword } = await provision();
    const model = new SecretsManagerModel();
    const { master, masterArn } = await withMaster(model, (m) => m);
    const arn = model.createSecret(SECRET_NAME, JSON.stringify(secretValue(viaProxy, app, appPassword, { masterarn: masterArn })));
    proxy.reset();
    await driveRotation(model, arn, makeHandler(model, viaProxy, values, { strategy: 'alternating-users', username: app, masterSecretArn: masterArn }));
    const current = valueAt(model, arn, 'AWSCURRENT');
    expect(current?.username).toBe(`${app}_clone`);
    expect(proxy.allEncrypted()).toBe(true);
    for (const p of [master.password, appPassword, current?.password as string]) expect(proxy.sawInClear(p)).toBe(false);
    expect(await direct.logsIn(`${app}_clone`, current?.password as string)).toBe(true);
  });
});

describe('the attack tests leak nothing', () => {
  it('no generated or stored password in the captured output', () => {
    expect(findLeaks(output.text, [...values.all], 'database password')).toEqual([]);
  });
});
