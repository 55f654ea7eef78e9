import { DescribeUsersCommand, ElastiCacheClient, ModifyUserCommand } from '@aws-sdk/client-elasticache';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { redisSecretFixture } from '../../../contracts/fixtures';
import { parseRedisSecret, RedisSecret } from '../../../contracts/redis';
import { parseAdminCredential } from '../../../lambdas/redis/admin-credential';
import { classifyRedisError, RedisEndpoint } from '../../../lambdas/redis/connection';
import { DEFAULT_PASSWORD_LENGTH } from '../../../lambdas/rotation/password';
import { elastiCachePasswords } from '../../../lambdas/redis/elasticache-strategy';
import { createRedisRotator } from '../../../lambdas/redis/rotator';
import { RedisTarget, redisTargetFromEnv } from '../../../lambdas/redis/target-config';
import { FIXTURE_REDIS_ADMIN_ARN } from '../../../contracts/fixtures';
import { RotationError } from '../../../lambdas/rotation/errors';
import { createRotationHandler } from '../../../lambdas/rotation/handler';
import type { SecretsManagerSender } from '../../../lambdas/rotation/secrets-api';
import { driveRotation } from '../../support/drive-rotation';
import { SecretsManagerModel } from '../../support/secrets-manager-model';
import { captureOutput, findLeaks } from '../../support/log-capture';
import { rotationContext } from '../key-ring/rotation-context';
import { rejection } from '../../support/rejection';

const SECRET = 'gaara-store/dev/redis-password';
const elastiCacheSecret: RedisSecret = { ...redisSecretFixture, adminarn: undefined, userId: 'gaara-app-user' };
delete elastiCacheSecret.adminarn;
const current = JSON.stringify(elastiCacheSecret);

/** What the stack configures for the fixtures (REDIS_*): the admin-secret target and the ElastiCache one. */
const ADMIN_TARGET: RedisTarget = { host: 'cache.internal.example', port: 6379, username: 'gaara_app', tls: true, adminSecretArn: FIXTURE_REDIS_ADMIN_ARN };
const ELASTICACHE_TARGET: RedisTarget = { host: 'cache.internal.example', port: 6379, username: 'gaara_app', tls: true, elastiCacheUserId: 'gaara-app-user' };

const authFailed = () => new RotationError('AuthFailed', 'Redis: authentication refused (WRONGPASS)');

describe('redis rotator: createSecret', () => {
  it('builds the whole pending value: new password, same user, url rebuilt (rediss when tls)', async () => {
    const rotator = createRedisRotator({ target: ADMIN_TARGET });
    const pending = await rotator.createPending({ current: JSON.stringify(redisSecretFixture) }, rotationContext(SECRET));
    expect(pending.password).not.toBe(redisSecretFixture.password);
    expect(pending.password).toMatch(new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.-]{${DEFAULT_PASSWORD_LENGTH - 1}}$`));
    expect(pending.url).toBe(`rediss://gaara_app:${pending.password}@cache.internal.example:6379`);
    expect({ ...pending, password: '', url: '' }).toEqual({ ...redisSecretFixture, password: '', url: '' });
    expect(parseRedisSecret(rotator.serialize(pending))).toEqual(pending);
  });

  it('refuses the placeholder (it cannot be bootstrapped) and a bad shape, naming the field', async () => {
    const rotator = createRedisRotator({ target: ADMIN_TARGET });
    const placeholder = await rejection(rotator.createPending({ current: '{"schema":1,"placeholder":true}' }, rotationContext(SECRET)));
    expect(placeholder.errorClass).toBe('Placeholder');
    expect(placeholder.message).toMatch(/AWSCURRENT value: .*field "placeholder"/);
    const bad = await rejection(rotator.createPending({ current: JSON.stringify({ ...redisSecretFixture, port: 'six' }) }, rotationContext(SECRET)));
    expect(bad.errorClass).toBe('BadSecretShape');
    expect(bad.message).toMatch(/field "port"/);
    expect(findLeaks(bad.message, [redisSecretFixture.password])).toEqual([]);
  });

  it('refuses a secret that points at another Redis than the function is configured for', async () => {
    const rotator = createRedisRotator({ target: { ...ADMIN_TARGET, port: 6380 } });
    const e = await rejection(rotator.createPending({ current: JSON.stringify(redisSecretFixture) }, rotationContext(SECRET)));
    expect(e.errorClass).toBe('TargetMismatch');
    expect(e.message).toMatch(/field "port" does not match .*REDIS_PORT/);
  });

  it('uses the configured password policy', async () => {
    const rotator = createRedisRotator({ target: ADMIN_TARGET, passwordPolicy: { length: 48, exclude: '-_.' } });
    const pending = await rotator.createPending({ current: JSON.stringify(redisSecretFixture) }, rotationContext(SECRET));
    expect(pending.password).toMatch(/^[A-Za-z0-9]{48}$/);
  });
});

describe('redis rotator: ElastiCache user (ElastiCache mocked)', () => {
  const ec = mockClient(ElastiCacheClient);
  afterEach(() => ec.reset());
  afterAll(() => ec.restore());
  const sleeps: number[] = [];
  const wait = { timeoutMs: 60_000, pollMs: 5_000, sleep: async (ms: number) => void sleeps.push(ms) };
  const pendingOf = (password: string): RedisSecret => ({ ...elastiCacheSecret, password, url: '' });

  it('sets Passwords [current, pending] with ModifyUser and waits until the user is active again (mocked)', async () => {
    sleeps.length = 0;
    ec.on(DescribeUsersCommand)
      .resolvesOnce({ Users: [{ UserId: 'gaara-app-user', Status: 'active' }] })
      .resolvesOnce({ Users: [{ UserId: 'gaara-app-user', Status: 'modifying' }] })
      .resolvesOnce({ Users: [{ UserId: 'gaara-app-user', Status: 'modifying' }] })
      .resolves({ Users: [{ UserId: 'gaara-app-user', Status: 'active' }] });
    ec.on(ModifyUserCommand).resolves({});
    const probe = jest.fn(async () => {
      throw authFailed();
    });
    const rotator = createRedisRotator({
      target: ELASTICACHE_TARGET,
      elastiCache: elastiCachePasswords(() => new ElastiCacheClient({}), wait),
      authenticate: probe,
    });
    await rotator.applyPending(pendingOf('pending-password-value-1'), { current }, rotationContext(SECRET, { step: 'setSecret' }));
    expect(ec.commandCalls(ModifyUserCommand).map((c) => c.args[0].input)).toEqual([
      { UserId: 'gaara-app-user', Passwords: [elastiCacheSecret.password, 'pending-password-value-1'] },
    ]);
    expect(ec.commandCalls(DescribeUsersCommand)).toHaveLength(4);
    expect(sleeps).toEqual([5000, 5000]);
  });

  it('waits for a user still modifying before ModifyUser (mocked)', async () => {
    ec.on(DescribeUsersCommand)
      .resolvesOnce({ Users: [{ UserId: 'gaara-app-user', Status: 'modifying' }] })
      .resolves({ Users: [{ UserId: 'gaara-app-user', Status: 'active' }] });
    ec.on(ModifyUserCommand).resolves({});
    const order: string[] = [];
    ec.on(ModifyUserCommand).callsFake(() => void order.push('modify'));
    const rotator = createRedisRotator({
      target: ELASTICACHE_TARGET,
      elastiCache: elastiCachePasswords(() => new ElastiCacheClient({}), { ...wait, sleep: async () => void order.push('sleep') }),
      authenticate: async () => {
        throw authFailed();
      },
    });
    await rotator.applyPending(pendingOf('pending-password-value-2'), { current }, rotationContext(SECRET));
    expect(order).toEqual(['sleep', 'modify']);
  });

  it('does nothing when both passwords already log in (repeated setSecret, mocked)', async () => {
    const rotator = createRedisRotator({
      target: ELASTICACHE_TARGET,
      elastiCache: elastiCachePasswords(() => new ElastiCacheClient({}), wait),
      authenticate: async () => undefined,
    });
    await rotator.applyPending(pendingOf('pending-password-value-3'), { current }, rotationContext(SECRET));
    expect(ec.calls()).toHaveLength(0);
  });

  it('never falls back to ModifyUser on a network failure (mocked)', async () => {
    const rotator = createRedisRotator({
      target: ELASTICACHE_TARGET,
      elastiCache: elastiCachePasswords(() => new ElastiCacheClient({}), wait),
      authenticate: async () => {
        throw new RotationError('Unreachable', 'Redis: unreachable (ECONNREFUSED)');
      },
    });
    const e = await rejection(rotator.applyPending(pendingOf('pending-password-value-4'), { current }, rotationContext(SECRET)));
    expect(e.errorClass).toBe('Unreachable');
    expect(ec.calls()).toHaveLength(0);
  });

  it('gives up after the bounded wait with a Timeout error (mocked)', async () => {
    ec.on(DescribeUsersCommand).resolves({ Users: [{ UserId: 'gaara-app-user', Status: 'modifying' }] });
    const rotator = createRedisRotator({
      target: ELASTICACHE_TARGET,
      elastiCache: elastiCachePasswords(() => new ElastiCacheClient({}), { timeoutMs: 20_000, pollMs: 5_000, sleep: async () => undefined }),
      authenticate: async () => {
        throw authFailed();
      },
    });
    const e = await rejection(rotator.applyPending(pendingOf('pending-password-value-5'), { current }, rotationContext(SECRET)));
    expect(e.errorClass).toBe('Timeout');
    expect(e.message).toMatch(/still "modifying" after 20 s/);
    expect(ec.commandCalls(ModifyUserCommand)).toHaveLength(0);
  });

  it('classifies a missing user and a denied call, without any password in the message (mocked)', async () => {
    const out = captureOutput();
    const errors: RotationError[] = [];
    try {
      const rotator = createRedisRotator({
        target: ELASTICACHE_TARGET,
        elastiCache: elastiCachePasswords(() => new ElastiCacheClient({}), wait),
        authenticate: async () => Promise.reject(authFailed()),
      });
      ec.on(DescribeUsersCommand).rejectsOnce(Object.assign(new Error('User not found'), { name: 'UserNotFoundFault' }));
      errors.push(
        await rejection(
          rotator.applyPending(pendingOf('pending-password-value-6'), { current }, rotationContext(SECRET, { step: 'setSecret', logLevel: 'DEBUG' })),
        ),
      );
      ec.on(DescribeUsersCommand).resolves({ Users: [{ UserId: 'gaara-app-user', Status: 'active' }] });
      ec.on(ModifyUserCommand).rejects(Object.assign(new Error('not authorized to perform elasticache:ModifyUser'), { name: 'AccessDeniedException' }));
      errors.push(
        await rejection(
          rotator.applyPending(pendingOf('pending-password-value-7'), { current }, rotationContext(SECRET, { step: 'setSecret', logLevel: 'DEBUG' })),
        ),
      );
      errors.forEach((e) => out.addError(e));
    } finally {
      out.stop();
    }
    expect(errors.map((e) => e.errorClass)).toEqual(['InvalidState', 'AccessDenied']);
    expect(errors[1].message).toMatch(/^ModifyUser on user "gaara-app-user": ElastiCache refused the call \(AccessDeniedException\)/);
    expect(findLeaks(out.text, [elastiCacheSecret.password, 'pending-password-value-6', 'pending-password-value-7'])).toEqual([]);
  });
});

describe('classifyRedisError', () => {
  const at: Pick<RedisEndpoint, 'host' | 'port'> = { host: 'cache.internal.example', port: 6379 };
  it.each([
    [new Error('WRONGPASS invalid username-password pair or user is disabled.'), 'AuthFailed'],
    [new Error("NOPERM this user has no permissions to run the 'acl|setuser' command"), 'AccessDenied'],
    [Object.assign(new Error('getaddrinfo ENOTFOUND cache'), { code: 'ENOTFOUND' }), 'Dns'],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'Unreachable'],
    [Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }), 'Tls'],
    [Object.assign(new Error("Hostname/IP does not match certificate's altnames"), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'Tls'],
  ])('%s -> %s', (error, errorClass) => {
    const e = classifyRedisError(error, 'admin user "admin"', at);
    expect(e.errorClass).toBe(errorClass);
    expect(e.message).toContain('cache.internal.example:6379');
  });
});

describe('REDIS_* target configuration', () => {
  it('an ElastiCache user configured for a bundle without the ElastiCache client (the ACL entry): refused when the function starts', () => {
    expect(() => createRedisRotator({ target: ELASTICACHE_TARGET })).toThrow(
      expect.objectContaining({
        errorClass: 'Internal',
        message:
          'configuration: REDIS_ELASTICACHE_USER_ID is set, but this function carries no ElastiCache client (the stack bundles entry-elasticache.ts for an ElastiCache user)',
      }),
    );
  });

  const env = { REDIS_HOST: 'cache.internal.example', REDIS_PORT: '6380', REDIS_USERNAME: 'gaara_app', REDIS_TLS: 'true' };
  it('reads host, port, username, tls and the one credential the function may use', () => {
    expect(redisTargetFromEnv({ ...env, REDIS_ADMIN_SECRET_ARN: FIXTURE_REDIS_ADMIN_ARN })).toEqual({
      host: 'cache.internal.example',
      port: 6380,
      username: 'gaara_app',
      tls: true,
      adminSecretArn: FIXTURE_REDIS_ADMIN_ARN,
    });
    expect(redisTargetFromEnv({ ...env, REDIS_ELASTICACHE_USER_ID: 'gaara-app-user' })).toMatchObject({ elastiCacheUserId: 'gaara-app-user' });
  });
  it.each([
    [{}, 'REDIS_HOST, REDIS_PORT, REDIS_USERNAME, REDIS_TLS are not set'],
    [{ ...env, REDIS_PORT: '63x', REDIS_ELASTICACHE_USER_ID: 'u' }, 'REDIS_PORT must be an integer port between 1 and 65535'],
    [{ ...env, REDIS_PORT: '70000', REDIS_ELASTICACHE_USER_ID: 'u' }, 'REDIS_PORT must be an integer port between 1 and 65535'],
    [{ ...env, REDIS_TLS: 'yes', REDIS_ELASTICACHE_USER_ID: 'u' }, 'REDIS_TLS must be true or false'],
    [env, 'REDIS_ADMIN_SECRET_ARN or REDIS_ELASTICACHE_USER_ID must be set, exactly one of them'],
    [{ ...env, REDIS_ELASTICACHE_USER_ID: 'u', REDIS_ADMIN_SECRET_ARN: FIXTURE_REDIS_ADMIN_ARN }, 'exactly one of them'],
    [{ ...env, REDIS_ADMIN_SECRET_ARN: 'gaara/admin' }, 'REDIS_ADMIN_SECRET_ARN must be a secret ARN'],
  ])('refuses %p', (e, message) => expect(() => redisTargetFromEnv(e)).toThrow(message));
});

describe('redis rotator: ElastiCache password length', () => {
  it('refuses a password policy outside ElastiCache 16..128 characters before anything is written', async () => {
    const rotator = createRedisRotator({
      target: ELASTICACHE_TARGET,
      elastiCache: elastiCachePasswords(() => new ElastiCacheClient({})),
      passwordPolicy: { length: 12, exclude: '' },
    });
    const e = await rejection(rotator.createPending({ current }, rotationContext(SECRET)));
    expect(e.errorClass).toBe('InvalidState');
    expect(e.message).toMatch(/ElastiCache user passwords must be 16 to 128 characters; set PASSWORD_LENGTH/);
  });
});

describe('redis admin credential (REDIS_ADMIN_SECRET_ARN)', () => {
  it('connects to the configured endpoint and TLS mode; host/port/tls in the admin secret must name them', () => {
    expect(parseAdminCredential(JSON.stringify({ username: 'admin', password: 'admin-pass-1234' }), ADMIN_TARGET)).toEqual({
      username: 'admin',
      password: 'admin-pass-1234',
      host: 'cache.internal.example',
      port: 6379,
      tls: true,
    });
    expect(
      parseAdminCredential(
        JSON.stringify({ username: 'admin', password: 'p-123456789', host: 'CACHE.internal.example', port: '6379', tls: true }),
        ADMIN_TARGET,
      ),
    ).toEqual({
      username: 'admin',
      password: 'p-123456789',
      host: 'cache.internal.example',
      port: 6379,
      tls: true,
    });
  });
  it.each([
    ['another host', { host: 'primary.elsewhere.example' }, 'field "host" does not match the Redis target this function is configured for (REDIS_HOST)'],
    ['another port', { port: 6380 }, 'field "port" does not match the Redis target this function is configured for (REDIS_PORT)'],
    ['TLS off under REDIS_TLS=true', { tls: false }, 'field "tls" asks for plaintext but the function is configured for verified TLS (REDIS_TLS)'],
  ])('refuses an admin secret naming %s (TargetMismatch)', (_label, extra, message) => {
    expect(() => parseAdminCredential(JSON.stringify({ username: 'admin', password: 'admin-pass-1234', ...extra }), ADMIN_TARGET)).toThrow(
      expect.objectContaining({ errorClass: 'TargetMismatch', message: expect.stringContaining(message) }),
    );
  });
  it('refuses a bad admin secret naming the field, never the value', () => {
    let error: unknown;
    try {
      parseAdminCredential(JSON.stringify({ username: 'admin', password: 42 }), ADMIN_TARGET);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      errorClass: 'BadSecretShape',
      message: 'the admin secret (REDIS_ADMIN_SECRET_ARN): redis admin secret: field "password" must be a string',
    });
  });
});

describe('ElastiCache rotation through the lifecycle (ElastiCache mocked, Secrets Manager modelled)', () => {
  it('each rotation sets [current, pending] once, repeated steps change nothing, and the user ends with the two newest passwords', async () => {
    const ec = mockClient(ElastiCacheClient);
    // The mocked user: its passwords and status; ModifyUser makes it `modifying` until the next DescribeUsers.
    let live: string[] = [elastiCacheSecret.password];
    let status = 'active';
    ec.on(ModifyUserCommand).callsFake((input: { Passwords: string[] }) => {
      live = [...input.Passwords];
      status = 'modifying';
      return {};
    });
    ec.on(DescribeUsersCommand).callsFake(() => {
      const now = status;
      status = 'active';
      return { Users: [{ UserId: 'gaara-app-user', Status: now }] };
    });
    const authenticate = async (endpoint: RedisEndpoint) => {
      if (!live.includes(endpoint.password)) throw authFailed();
    };
    try {
      const model = new SecretsManagerModel();
      const id = model.createSecret(SECRET, current);
      const handler = createRotationHandler(
        createRedisRotator({
          target: ELASTICACHE_TARGET,
          elastiCache: elastiCachePasswords(() => new ElastiCacheClient({}), { timeoutMs: 10_000, pollMs: 1, sleep: async () => undefined }),
          authenticate,
        }),
        {
          secretsManager: model as unknown as SecretsManagerSender,
          logger: new Logger({ serviceName: 'redis-test', logLevel: 'SILENT' }),
          metrics: { stepSucceeded: () => undefined, stepFailed: () => undefined },
          versionCache: false,
          scope: { app: 'gaara-store', environment: 'dev' },
        },
      );
      const passwords = [elastiCacheSecret.password];
      for (let i = 1; i <= 2; i++) {
        await driveRotation(model, id, handler, { timesEachStep: 2 });
        passwords.push(parseRedisSecret(model.valueAt(id, 'AWSCURRENT')).password);
        expect(ec.commandCalls(ModifyUserCommand)).toHaveLength(i);
        expect(live).toEqual(passwords.slice(-2));
      }
      expect(ec.commandCalls(ModifyUserCommand).map((c) => c.args[0].input.Passwords)).toEqual([passwords.slice(0, 2), passwords.slice(1, 3)]);
    } finally {
      ec.restore();
    }
  });
});
