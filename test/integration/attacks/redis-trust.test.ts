/**
 * Attack tests of the Redis rotator's trust boundary: a REAL TLS-only redis-server (ACL users, the test's CA)
 * behind a recording TCP proxy, Secrets Manager MODELLED. The function is configured (REDIS_*) for the proxy's
 * endpoint with TLS, the admin secret REDIS_ADMIN_SECRET_ARN and the application user. Whoever can write the
 * redis secret or the admin secret must not be able to send the admin password elsewhere, turn TLS off, or
 * choose another admin credential or user.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { buildRedisUrl, parseRedisSecret } from '../../../contracts/redis';
import { authenticateAndPing } from '../../../lambdas/redis/connection';
import { createRedisRotator } from '../../../lambdas/redis/rotator';
import { RotationError } from '../../../lambdas/rotation/errors';
import { createRotationHandler } from '../../../lambdas/rotation/handler';
import type { SecretsManagerSender } from '../../../lambdas/rotation/secrets-api';
import { driveRotation } from '../../support/drive-rotation';
import { captureOutput, findLeaks, OutputCapture } from '../../support/log-capture';
import { APP_USER_RULES, makeTestCertificates, RedisTestServer, startRedisServer } from '../../support/redis-server';
import { rejection } from '../../support/rejection';
import { SecretsManagerModel } from '../../support/secrets-manager-model';
import { startTlsRecordingProxy, TlsRecordingProxy } from '../../support/tls-recording-proxy';

const APP_USER = 'gaara_app';
const SECRET = 'gaara-store/dev/redis-password';
const INITIAL_PASSWORD = 'initial-redis-password-tls-0001';

let dir: string;
let server: RedisTestServer;
let proxy: TlsRecordingProxy;
let ca: string;
let output: OutputCapture;

beforeAll(async () => {
  output = captureOutput();
  dir = mkdtempSync(join(tmpdir(), 'redis-attack-'));
  const files = makeTestCertificates(dir);
  ca = readFileSync(files.caFile, 'utf8');
  server = await startRedisServer({ tls: files, users: [{ name: APP_USER, passwords: [INITIAL_PASSWORD], rules: APP_USER_RULES }] });
  proxy = await startTlsRecordingProxy({ host: server.host, port: server.port }, 'redis');
});

afterAll(async () => {
  output?.stop();
  await proxy?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A model with the admin secret and the redis secret (as the stack and the runbook's seeding would make them). */
function setup(opts: { admin?: object; value?: object } = {}) {
  const model = new SecretsManagerModel();
  const adminArn = model.createSecret('gaara-store/dev/admin/redis', JSON.stringify(opts.admin ?? server.admin));
  const base = { schema: 1, host: proxy.host, port: proxy.port, username: APP_USER, password: INITIAL_PASSWORD, tls: true, adminarn: adminArn };
  const value = { ...base, url: buildRedisUrl(base), ...opts.value };
  const arn = model.createSecret(SECRET, JSON.stringify(value));
  const handler = createRotationHandler(
    createRedisRotator({ target: { host: proxy.host, port: proxy.port, username: APP_USER, tls: true, adminSecretArn: adminArn }, connect: { ca } }),
    {
      secretsManager: model as unknown as SecretsManagerSender,
      logger: new Logger({ serviceName: 'redis-attack', logLevel: 'DEBUG' }),
      metrics: { stepSucceeded: () => undefined, stepFailed: () => undefined },
      versionCache: false,
      scope: { app: 'gaara-store', environment: 'dev' },
    },
  );
  return { model, arn, adminArn, handler };
}

const logsIn = async (password: string) => {
  try {
    await authenticateAndPing({ host: server.host, port: server.port, tls: true, username: APP_USER, password }, 'probe', { ca });
    return true;
  } catch (e) {
    if (e instanceof RotationError && e.errorClass === 'AuthFailed') return false;
    throw e;
  }
};

describe('redis rotator trust boundary (real TLS redis-server behind a recording proxy, Secrets Manager modelled)', () => {
  it.each([
    ['turns TLS off ("tls": false)', { tls: false }, 'field "tls" asks for plaintext'],
    ['names another host', { host: 'localhost' }, 'field "host" does not match'],
    ['names another port', { port: 1 }, 'field "port" does not match'],
  ])('an admin secret that %s: refused before the admin password goes anywhere; nothing changes', async (_label, extra, message) => {
    const { model, arn, handler } = setup({ admin: { ...server.admin, ...extra } });
    proxy.reset();
    const e = await rejection(driveRotation(model, arn, handler));
    expect(e.errorClass).toBe('TargetMismatch');
    expect(e.message).toContain(`the admin secret (REDIS_ADMIN_SECRET_ARN) ${message}`);
    expect(e.message).toContain('step setSecret');
    expect(proxy.connections()).toEqual([]);
    expect(await logsIn(INITIAL_PASSWORD)).toBe(true);
    expect(parseRedisSecret(model.valueAt(arn, 'AWSCURRENT')).password).toBe(INITIAL_PASSWORD);
  });

  it.each([
    ['turns TLS off', { tls: false }, 'tls'],
    ['names another host', { host: 'localhost' }, 'host'],
    ['names another user', { username: 'rotation_admin' }, 'username'],
    [
      'names another admin secret than REDIS_ADMIN_SECRET_ARN',
      { adminarn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:attacker/admin-AbCdEf' },
      'adminarn',
    ],
    ['switches to an ElastiCache user id', { adminarn: undefined, userId: 'someone-else' }, 'adminarn'],
  ])('a redis secret that %s: TargetMismatch before any connection', async (_label, extra, field) => {
    const { model, arn, handler } = setup({ value: extra });
    proxy.reset();
    const e = await rejection(driveRotation(model, arn, handler));
    expect([e.errorClass, e.message]).toEqual(['TargetMismatch', expect.stringContaining(`AWSCURRENT field "${field}"`)]);
    expect(proxy.connections()).toEqual([]);
    expect(await logsIn(INITIAL_PASSWORD)).toBe(true);
  });

  it('an honest rotation: every connection is TLS from its first byte, no password in clear, unknown fields kept', async () => {
    const { model, arn, handler } = setup({ value: { cluster: { mode: 'disabled', shards: 1 } } });
    proxy.reset();
    await driveRotation(model, arn, handler);
    const current = JSON.parse(model.valueAt(arn, 'AWSCURRENT') as string) as Record<string, unknown>;
    expect(proxy.connections().length).toBeGreaterThanOrEqual(3);
    expect(proxy.allEncrypted()).toBe(true);
    for (const p of [server.admin.password, INITIAL_PASSWORD, current.password as string]) expect(proxy.sawInClear(p)).toBe(false);
    expect(current.cluster).toEqual({ mode: 'disabled', shards: 1 });
    expect(await logsIn(current.password as string)).toBe(true);
    expect(await logsIn(INITIAL_PASSWORD)).toBe(true);
  });

  it('no password in the captured output', () => {
    expect(findLeaks(output.text, [server.admin.password, INITIAL_PASSWORD], 'redis password')).toEqual([]);
  });
});
