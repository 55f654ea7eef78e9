/**
 * Full redis-password rotations driven through the shared lifecycle the way Secrets Manager drives them:
 * MODELLED Secrets Manager, REAL redis-server with ACL users and password auth enforced. What proves two live
 * passwords is a NEW connection with each password (existing connections survive ACL SETUSER anyway).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { buildRedisUrl, parseRedisSecret } from '../../../contracts/redis';
import { authenticateAndPing } from '../../../lambdas/redis/connection';
import { createRedisRotator } from '../../../lambdas/redis/rotator';
import { RotationError } from '../../../lambdas/rotation/errors';
import { createRotationHandler } from '../../../lambdas/rotation/handler';
import type { RotationMetrics } from '../../../lambdas/rotation/observability';
import { SecretsManagerSender, VersionCache } from '../../../lambdas/rotation/secrets-api';
import { causedByInjectedCrash, CrashPoints, driveRotation, retryRotation } from '../../support/drive-rotation';
import { captureOutput, findLeaks } from '../../support/log-capture';
import { APP_USER_RULES, RedisTestServer, startRedisServer } from '../../support/redis-server';
import { SecretsManagerModel } from '../../support/secrets-manager-model';

const APP_USER = 'gaara_app';
const INITIAL_PASSWORD = 'initial-redis-password-000000001';

describe('redis-password rotation through the lifecycle (real redis-server, Secrets Manager modelled)', () => {
  let server: RedisTestServer;
  beforeAll(async () => {
    server = await startRedisServer({ users: [{ name: APP_USER, passwords: [INITIAL_PASSWORD], rules: APP_USER_RULES }] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** A fresh model holding the admin secret and the redis secret with `password` (which must be live on Redis). */
  function setup(password: string, opts: { logLevel?: 'SILENT' | 'DEBUG'; cache?: boolean } = {}) {
    const model = new SecretsManagerModel();
    const adminarn = model.createSecret('gaara-store/dev/redis-admin', JSON.stringify(server.admin));
    const base = { schema: 1, host: server.host, port: server.port, username: APP_USER, password, tls: false, adminarn };
    const id = model.createSecret('gaara-store/dev/redis-password', JSON.stringify({ ...base, url: buildRedisUrl(base) }));
    const metrics: RotationMetrics = { stepSucceeded: () => undefined, stepFailed: () => undefined };
    const handler = createRotationHandler(
      createRedisRotator({ target: { host: server.host, port: server.port, username: APP_USER, tls: false, adminSecretArn: adminarn } }),
      {
        secretsManager: model as unknown as SecretsManagerSender,
        logger: new Logger({ serviceName: 'redis-test', logLevel: opts.logLevel ?? 'SILENT' }),
        metrics,
        versionCache: opts.cache ? new VersionCache() : false,
        scope: { app: 'gaara-store', environment: 'dev' },
      },
    );
    const passwordAt = (stage: string) => parseRedisSecret(model.valueAt(id, stage)).password;
    return { model, id, handler, passwordAt };
  }

  const logsIn = async (password: string) => {
    try {
      await authenticateAndPing({ host: server.host, port: server.port, tls: false, username: APP_USER, password }, 'probe', {});
      return true;
    } catch (e) {
      if (e instanceof RotationError && e.errorClass === 'AuthFailed') return false;
      throw e;
    }
  };

  /** Sets the user's passwords (as the admin) so each test starts from a known state. */
  async function resetUserTo(password: string) {
    const { createClient } = await import('redis');
    const c = createClient({
      socket: { host: server.host, port: server.port, reconnectStrategy: false },
      username: server.admin.username,
      password: server.admin.password,
    });
    await c.connect();
    try {
      await c.sendCommand(['ACL', 'SETUSER', APP_USER, 'resetpass', `>${password}`]);
    } finally {
      c.destroy();
    }
  }

  it('two live passwords during and after a rotation; the one two rotations old is refused after the next; a wrong one always', async () => {
    await resetUserTo(INITIAL_PASSWORD);
    const { model, id, handler, passwordAt } = setup(INITIAL_PASSWORD);
    const during: Record<string, [boolean, boolean]> = {};
    await driveRotation(model, id, handler, {
      timesEachStep: 2,
      afterStep: async (step) => {
        if (step === 'finishSecret') return;
        const pending = model.versionAt(id, 'AWSPENDING')?.secretString;
        during[step] = [await logsIn(INITIAL_PASSWORD), pending ? await logsIn(parseRedisSecret(pending).password) : false];
      },
    });
    // After createSecret only the current one works; from setSecret on, both do.
    expect(during).toEqual({ createSecret: [true, false], setSecret: [true, true], testSecret: [true, true] });
    const first = passwordAt('AWSCURRENT');
    expect(passwordAt('AWSPREVIOUS')).toBe(INITIAL_PASSWORD);
    expect([await logsIn(INITIAL_PASSWORD), await logsIn(first), await logsIn('wrong-password-for-sure')]).toEqual([true, true, false]);
    const secret = parseRedisSecret(model.valueAt(id, 'AWSCURRENT'));
    expect(secret.url).toBe(buildRedisUrl(secret));

    await driveRotation(model, id, handler);
    const second = passwordAt('AWSCURRENT');
    expect([await logsIn(INITIAL_PASSWORD), await logsIn(first), await logsIn(second)]).toEqual([false, true, true]);
  });

  it('survives a crash at every AWS call and between steps: AWSCURRENT logs in at every point, and the retry completes', async () => {
    await resetUserTo(INITIAL_PASSWORD);
    const clean = setup(INITIAL_PASSWORD);
    const counter = new CrashPoints();
    counter.attachToModel(clean.model);
    await driveRotation(clean.model, clean.id, clean.handler, { afterStep: (s) => counter.tick(`after ${s}`) });
    const points = counter.passed.length;
    expect(points).toBeGreaterThanOrEqual(20); // before/after each of ~13 AWS calls, plus after each step
    let live = clean.passwordAt('AWSCURRENT');

    for (let crashAt = 1; crashAt <= points; crashAt++) {
      const { model, id, handler, passwordAt } = setup(live);
      const crash = new CrashPoints(crashAt);
      crash.attachToModel(model);
      const hooks = { afterStep: (s: string) => crash.tick(`after ${s}`) };
      const token = `00000000-0000-4000-8000-0000000000${String(crashAt).padStart(2, '0')}`;
      try {
        await driveRotation(model, id, handler, { ...hooks, token });
      } catch (e) {
        expect(causedByInjectedCrash(e)).toBe(true);
        expect(await logsIn(passwordAt('AWSCURRENT'))).toBe(true);
        await retryRotation(model, id, handler, token, hooks);
      }
      expect(model.versionAt(id, 'AWSCURRENT')?.versionId).toBe(token);
      expect([await logsIn(passwordAt('AWSCURRENT')), await logsIn(passwordAt('AWSPREVIOUS'))]).toEqual([true, true]);
      live = passwordAt('AWSCURRENT');
    }
  });

  it('logs, metrics and errors carry no password (every generated one and the admin password searched)', async () => {
    await resetUserTo(INITIAL_PASSWORD);
    const env = { ...process.env };
    Object.assign(process.env, { METRICS_NAMESPACE: 'GaaraStore/Secrets', APP_ENVIRONMENT: 'dev' });
    const out = captureOutput();
    const passwords = [INITIAL_PASSWORD, server.admin.password];
    try {
      const model = new SecretsManagerModel();
      const adminarn = model.createSecret('gaara-store/dev/redis-admin', JSON.stringify(server.admin));
      const base = { schema: 1, host: server.host, port: server.port, username: APP_USER, password: INITIAL_PASSWORD, tls: false, adminarn };
      const id = model.createSecret('gaara-store/dev/redis-password', JSON.stringify(base));
      const handler = createRotationHandler(
        createRedisRotator({ target: { host: server.host, port: server.port, username: APP_USER, tls: false, adminSecretArn: adminarn } }),
        {
          secretsManager: model as unknown as SecretsManagerSender,
          logger: new Logger({ serviceName: 'redis-test', logLevel: 'DEBUG' }),
        },
      );
      for (let i = 0; i < 2; i++) {
        await driveRotation(model, id, handler);
        passwords.push(parseRedisSecret(model.valueAt(id, 'AWSCURRENT')).password);
      }
      // A failing rotation: the configured admin secret now holds a wrong password.
      passwords.push('wrong-admin-password-1');
      await model.send({
        input: {
          SecretId: adminarn,
          ClientRequestToken: 'manual-0000-0000-0000-000000000000',
          SecretString: JSON.stringify({ ...server.admin, password: 'wrong-admin-password-1' }),
        },
        constructor: { name: 'PutSecretValueCommand' },
      });
      const failed = await driveRotation(model, id, handler).catch((e) => e);
      out.addError(failed);
      expect((failed as RotationError).errorClass).toBe('AuthFailed');
      const pending = model.versionAt(id, 'AWSPENDING')?.secretString;
      if (pending) passwords.push(parseRedisSecret(pending).password);
    } finally {
      out.stop();
      process.env = env;
    }
    expect(passwords.length).toBe(6);
    expect(out.text).toMatch(/RotationFailed/);
    expect(findLeaks(out.text, passwords, 'redis password')).toEqual([]);
  });

  it.each([
    ['off (cold: every step in a new environment)', false, { DescribeSecret: 4, GetSecretValue: 7, PutSecretValue: 1, UpdateSecretVersionStage: 1 }],
    ['warm (steps in one environment)', true, { DescribeSecret: 4, GetSecretValue: 2, PutSecretValue: 1, UpdateSecretVersionStage: 1 }],
  ])('Secrets Manager calls per rotation, version cache %s (modelled)', async (_label, cache, expected) => {
    await resetUserTo(INITIAL_PASSWORD);
    const { model, id, handler } = setup(INITIAL_PASSWORD, { cache });
    await driveRotation(model, id, handler);
    expect(model.callsByCommand()).toEqual(expected);
  });
});
