/**
 * The Redis rotator's steps against a REAL redis-server with ACL users and password auth enforced. Secrets
 * Manager is the MODELLED one (the admin credential is read from it). Full rotations driven like the service,
 * with crash injection, are in redis-rotation.test.ts.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { buildRedisUrl, RedisSecret } from '../../../contracts/redis';
import { aclPasswordHash } from '../../../lambdas/redis/acl-strategy';
import { authenticateAndPing, RedisEndpoint } from '../../../lambdas/redis/connection';
import { createRedisRotator } from '../../../lambdas/redis/rotator';
import type { RedisTarget } from '../../../lambdas/redis/target-config';
import { randomBytes } from 'node:crypto';
import { RotationError } from '../../../lambdas/rotation/errors';
import type { SecretReader } from '../../../lambdas/rotation/rotator';
import { captureOutput, findLeaks } from '../../support/log-capture';
import { APP_USER_RULES, freePort, makeTestCertificates, RedisTestServer, startRedisServer } from '../../support/redis-server';
import { SecretsManagerModel } from '../../support/secrets-manager-model';
import { rotationContext } from '../../unit/key-ring/rotation-context';
import { rejection } from '../../support/rejection';

const SECRET = 'gaara-store/dev/redis-password';
const APP_USER = 'gaara_app';
const OTHER_APP_USER = 'worker_app';
const OTHER_APP_PASSWORD = 'worker-app-password-0001';

function modelReader(model: SecretsManagerModel): SecretReader {
  return {
    async getSecretString(secretId, stage) {
      const out = (await model.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }) as never)) as { SecretString: string };
      return out.SecretString;
    },
  };
}

describe('redis rotator steps against a real redis-server (Secrets Manager modelled)', () => {
  let server: RedisTestServer;
  let model: SecretsManagerModel;
  let adminArn: string;
  const initialPassword = 'initial-app-password-0000';
  const generated: string[] = [initialPassword];
  /** A password the user accepts right now (tests run in order and move it forward). */
  let live = initialPassword;
  const newPassword = () => {
    const p = `gen-${generated.length}-${randomBytes(6).toString('hex')}-pw`;
    generated.push(p);
    return p;
  };
  /** The rotator as the stack would configure it for this server (REDIS_*), with per-test overrides. */
  const rotatorWith = (target: Partial<RedisTarget> = {}) =>
    createRedisRotator({ target: { host: server.host, port: server.port, username: APP_USER, tls: false, adminSecretArn: adminArn, ...target }, newPassword });
  let rotator: ReturnType<typeof rotatorWith>;
  const endpoint = (password: string, username = APP_USER): RedisEndpoint => ({ host: server.host, port: server.port, tls: false, username, password });
  const logsIn = async (password: string, username = APP_USER) => {
    try {
      await authenticateAndPing(endpoint(password, username), 'probe', {});
      return true;
    } catch (e) {
      if (e instanceof RotationError && e.errorClass === 'AuthFailed') return false;
      throw e;
    }
  };
  const aclPasswords = async (): Promise<string[]> => {
    const c = createClient({
      socket: { host: server.host, port: server.port, reconnectStrategy: false },
      username: server.admin.username,
      password: server.admin.password,
    });
    await c.connect();
    try {
      const user = (await c.sendCommand(['ACL', 'GETUSER', APP_USER])) as { passwords: string[] };
      return [...user.passwords].sort();
    } finally {
      c.destroy();
    }
  };
  const secretFor = (password: string): RedisSecret => {
    const base = { schema: 1 as const, host: server.host, port: server.port, username: APP_USER, password, tls: false, adminarn: adminArn };
    return { ...base, url: buildRedisUrl(base) };
  };
  const ctx = (step: 'createSecret' | 'setSecret' | 'testSecret' = 'setSecret') =>
    rotationContext(SECRET, { step, secrets: modelReader(model), logLevel: 'DEBUG' });

  beforeAll(async () => {
    server = await startRedisServer({
      users: [
        { name: APP_USER, passwords: [initialPassword], rules: APP_USER_RULES },
        { name: OTHER_APP_USER, passwords: [OTHER_APP_PASSWORD], rules: APP_USER_RULES },
      ],
    });
    generated.push(server.admin.password);
    model = new SecretsManagerModel();
    adminArn = model.createSecret('gaara-store/dev/redis-admin', JSON.stringify(server.admin));
    rotator = rotatorWith();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('the server enforces passwords: a wrong password is refused, the right one accepted', async () => {
    expect(await logsIn(initialPassword)).toBe(true);
    expect(await logsIn('not-the-password')).toBe(false);
    expect(await logsIn('', 'default')).toBe(false);
  });

  it('setSecret keeps the current password and adds the pending one; a repeat changes nothing; the ACL is saved', async () => {
    const out = captureOutput();
    let pending: RedisSecret;
    try {
      const current = JSON.stringify(secretFor(initialPassword));
      pending = await rotator.createPending({ current }, ctx('createSecret'));
      await rotator.applyPending(pending, { current }, ctx());
      expect(await logsIn(initialPassword)).toBe(true);
      expect(await logsIn(pending.password)).toBe(true);
      expect(await logsIn('not-the-password')).toBe(false);
      const after = await aclPasswords();
      expect(after).toEqual([aclPasswordHash(initialPassword), aclPasswordHash(pending.password)].sort());
      await rotator.applyPending(pending, { current }, ctx());
      expect(await aclPasswords()).toEqual(after);
      await rotator.testPending(pending, { current }, ctx('testSecret'));
      const aclFile = readFileSync(server.aclFile, 'utf8');
      expect(aclFile).toContain(aclPasswordHash(pending.password));
      expect(findLeaks(aclFile, [pending.password, initialPassword])).toEqual([]);
    } finally {
      out.stop();
    }
    expect(out.text).toMatch(/"changed":false/);
    expect(findLeaks(out.text, generated)).toEqual([]);

    // The next rotation: the password two rotations old is refused from then on.
    const second = secretFor(pending.password);
    const next = await rotator.createPending({ current: JSON.stringify(second) }, ctx('createSecret'));
    await rotator.applyPending(next, { current: JSON.stringify(second) }, ctx());
    expect(await logsIn(initialPassword)).toBe(false);
    expect(await logsIn(pending.password)).toBe(true);
    expect(await logsIn(next.password)).toBe(true);
    expect(await aclPasswords()).toHaveLength(2);
    live = next.password;
  });

  it('a repeated setSecret after a crash between ACL SETUSER and ACL SAVE still saves the ACL', async () => {
    const current = JSON.stringify(secretFor(live));
    const pending = await rotator.createPending({ current }, ctx('createSecret'));
    // The crashed attempt: SETUSER done, SAVE never ran.
    const c = createClient({
      socket: { host: server.host, port: server.port, reconnectStrategy: false },
      username: server.admin.username,
      password: server.admin.password,
    });
    await c.connect();
    try {
      await c.sendCommand(['ACL', 'SETUSER', APP_USER, 'resetpass', `#${aclPasswordHash(live)}`, `#${aclPasswordHash(pending.password)}`]);
    } finally {
      c.destroy();
    }
    expect(readFileSync(server.aclFile, 'utf8')).not.toContain(aclPasswordHash(pending.password));
    await rotator.applyPending(pending, { current }, ctx());
    expect(readFileSync(server.aclFile, 'utf8')).toContain(aclPasswordHash(pending.password));
    live = pending.password;
  });

  it('testSecret refuses a pending password that was never applied (AuthFailed on a NEW connection)', async () => {
    const current = JSON.stringify(secretFor(live));
    const pending = await rotator.createPending({ current }, ctx('createSecret'));
    const e = await rejection(rotator.testPending(pending, { current }, ctx('testSecret')));
    expect(e.errorClass).toBe('AuthFailed');
    expect(e.message).toMatch(/authentication refused for the pending password of user "gaara_app" \(WRONGPASS\)/);
    expect(findLeaks(e.message, [pending.password])).toEqual([]);
  });

  it('an application user without admin rights cannot be used to rotate: AccessDenied (NOPERM), nothing changed', async () => {
    const before = await aclPasswords();
    const appAsAdmin = model.createSecret('gaara-store/dev/redis-not-admin', JSON.stringify({ username: OTHER_APP_USER, password: OTHER_APP_PASSWORD }));
    const current = JSON.stringify({ ...secretFor(live), adminarn: appAsAdmin });
    const configured = rotatorWith({ adminSecretArn: appAsAdmin });
    const pending = await configured.createPending({ current }, ctx('createSecret'));
    const e = await rejection(configured.applyPending(pending, { current }, ctx()));
    expect(e.errorClass).toBe('AccessDenied');
    expect(e.message).toMatch(/lacks the ACL permission for this command \(NOPERM\)/);
    expect(await aclPasswords()).toEqual(before);
    expect(await logsIn(pending.password)).toBe(false);
  });

  it('a wrong admin password is AuthFailed, and nothing changes', async () => {
    const before = await aclPasswords();
    const wrongAdmin = model.createSecret(
      'gaara-store/dev/redis-admin-wrong',
      JSON.stringify({ username: server.admin.username, password: 'wrong-admin-password' }),
    );
    const current = JSON.stringify({ ...secretFor(live), adminarn: wrongAdmin });
    const configured = rotatorWith({ adminSecretArn: wrongAdmin });
    const pending = await configured.createPending({ current }, ctx('createSecret'));
    const e = await rejection(configured.applyPending(pending, { current }, ctx()));
    expect(e.errorClass).toBe('AuthFailed');
    expect(e.message).toMatch(/admin user "rotation_admin" \(WRONGPASS\)/);
    expect(await aclPasswords()).toEqual(before);
  });

  it('refuses a user that does not exist, and rotating the admin user itself', async () => {
    const missing = JSON.stringify({ ...secretFor('whatever-password'), username: 'nobody_here' });
    const forMissing = rotatorWith({ username: 'nobody_here' });
    const p1 = await forMissing.createPending({ current: missing }, ctx('createSecret'));
    const e1 = await rejection(forMissing.applyPending(p1, { current: missing }, ctx()));
    expect([e1.errorClass, e1.message]).toEqual([
      'InvalidState',
      'Redis user "nobody_here" does not exist; create it with its permissions first (runbook: first deploy)',
    ]);
    const self = JSON.stringify({ ...secretFor(server.admin.password), username: server.admin.username });
    const forAdmin = rotatorWith({ username: server.admin.username });
    const p2 = await forAdmin.createPending({ current: self }, ctx('createSecret'));
    const e2 = await rejection(forAdmin.applyPending(p2, { current: self }, ctx()));
    expect(e2.errorClass).toBe('InvalidState');
  });

  it('an unreachable Redis is Unreachable, not an auth failure', async () => {
    const port = await freePort();
    const current = JSON.stringify({ ...secretFor('x-password-x'), port });
    const closed = rotatorWith({ port });
    const pending = await closed.createPending({ current }, ctx('createSecret'));
    const e = await rejection(closed.testPending(pending, { current }, ctx('testSecret')));
    expect(e.errorClass).toBe('Unreachable');
  });
});

describe('redis rotator over TLS against a real redis-server with a test CA', () => {
  let dir: string;
  let server: RedisTestServer;
  let ca: string;
  const password = 'tls-app-password-000001';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redis-tls-'));
    const files = makeTestCertificates(dir);
    ca = readFileSync(files.caFile, 'utf8');
    server = await startRedisServer({ tls: files, users: [{ name: APP_USER, passwords: [password], rules: APP_USER_RULES }] });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const target = (host: string): RedisEndpoint => ({ host, port: server.port, tls: true, username: APP_USER, password });

  it('verifies the certificate chain and host name: trusted CA + right name works, anything else is a Tls error', async () => {
    await authenticateAndPing(target('localhost'), 'current password', { ca });
    await authenticateAndPing(target('127.0.0.1'), 'current password', { ca });
    const untrusted = await rejection(authenticateAndPing(target('localhost'), 'current password', {}));
    expect(untrusted.errorClass).toBe('Tls');
    const wrongPassword = await rejection(authenticateAndPing({ ...target('localhost'), password: 'wrong-password-here' }, 'current password', { ca }));
    expect(wrongPassword.errorClass).toBe('AuthFailed');
  });

  it('refuses a certificate issued for another host name', async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'redis-tls-other-'));
    const files = makeTestCertificates(otherDir, 'DNS:cache.other.example');
    const other = await startRedisServer({ tls: files, users: [{ name: APP_USER, passwords: [password], rules: APP_USER_RULES }] });
    try {
      const e = await rejection(
        authenticateAndPing({ ...target('localhost'), port: other.port }, 'current password', { ca: readFileSync(files.caFile, 'utf8') }),
      );
      expect(e.errorClass).toBe('Tls');
    } finally {
      await other.stop();
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
