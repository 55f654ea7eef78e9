import { DescribeUsersCommand, ElastiCacheClient, ModifyUserCommand } from '@aws-sdk/client-elasticache';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { redisSecretFixture } from '../../../contracts/fixtures';
import { parseRedisSecret, RedisSecret } from '../../../contracts/redis';
import { parseAdminCredential } from '../../../lambdas/redis/admin-credential';
import { classifyRedisError, RedisEndpoint } from '../../../lambdas/redis/connection';
import { DEFAULT_PASSWORD_LENGTH } from '../../../lambdas/rotation/password';
import { createRedisRotator } from '../../../lambdas/redis/rotator';
import { expectedTargetFromEnv } from '../../../lambdas/redis/target-config';
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

const authFailed = () => new RotationError('AuthFailed', 'Redis: authentication refused (WRONGPASS)');

describe('redis rotator: createSecret', () => {
  it('builds the whole pending value: new password, same user, url rebuilt (rediss when tls)', async () => {
    const rotator = createRedisRotator();
    const pending = await rotator.createPending({ current: JSON.stringify(redisSecretFixture) }, rotationContext(SECRET));
    expect(pending.password).not.toBe(redisSecretFixture.password);
    expect(pending.password).toMatch(new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.-]{${DEFAULT_PASSWORD_LENGTH - 1}}$`));
    expect(pending.url).toBe(`rediss://gaara_app:${pending.password}@cache.internal.example:6379`);
    expect({ ...pending, password: '', url: '' }).toEqual({ ...redisSecretFixture, password: '', url: '' });
    expect(parseRedisSecret(rotator.serialize(pending))).toEqual(pending);
  });

  it('refuses the placeholder (it cannot be bootstrapped) and a bad shape, naming the field', async () => {
    const rotator = createRedisRotator();
    const placeholder = await rejection(rotator.createPending({ current: '{"schema":1,"placeholder":true}' }, rotationContext(SECRET)));
    expect(placeholder.errorClass).toBe('Placeholder');
    expect(placeholder.message).toMatch(/gaara-store\/dev\/redis-password: AWSCURRENT value: .*field "placeholder"/);
    const bad = await rejection(rotator.createPending({ current: JSON.stringify({ ...redisSecretFixture, port: 'six' }) }, rotationContext(SECRET)));
    expect(bad.errorClass).toBe('BadSecretShape');
    expect(bad.message).toMatch(/field "port"/);
    expect(findLeaks(bad.message, [redisSecretFixture.password])).toEqual([]);
  });

  it('refuses a secret that points at another Redis than the function is configured for', async () => {
    const rotator = createRedisRotator({ expected: { host: 'cache.internal.example', port: 6380 } });
    const e = await rejection(rotator.createPending({ current: JSON.stringify(redisSecretFixture) }, rotationContext(SECRET)));
    expect(e.errorClass).toBe('InvalidState');
    expect(e.message).toMatch(/field "port" does not match .*REDIS_PORT/);
  });

  it('uses the configured password policy', async () => {
    const rotator = createRedisRotator({ passwordPolicy: { length: 48, exclude: '-_.' } });
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
    const rotator = createRedisRotator({ elastiCache: () => new ElastiCacheClient({}), elastiCacheWait: wait, authenticate: probe });
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
      elastiCache: () => new ElastiCacheClient({}),
      elastiCacheWait: { ...wait, sleep: async () => void order.push('sleep') },
      authenticate: async () => {
        throw authFailed();
      },
    });
    await rotator.applyPending(pendingOf('pending-password-value-2'), { current }, rotationContext(SECRET));
    expect(order).toEqual(['sleep', 'modify']);
  });

  it('does nothing when both passwords already log in (repeated setSecret, mocked)', async () => {
    const rotator = createRedisRotator({ elastiCache: () => new ElastiCacheClient({}), elastiCacheWait: wait, authenticate: async () => undefined });
    await rotator.applyPending(pendingOf('pending-password-value-3'), { current }, rotationContext(SECRET));
    expect(ec.calls()).toHaveLength(0);
  });

  it('never falls back to ModifyUser on a network failure (mocked)', async () => {
    const rotator = createRedisRotator({
      elastiCache: () => new ElastiCacheClient({}),
      elastiCacheWait: wait,
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
      elastiCache: () => new ElastiCacheClient({}),
      elastiCacheWait: { timeoutMs: 20_000, pollMs: 5_000, sleep: async () => undefined },
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
      const rotator = createRedisRotator({ elastiCache: () => new ElastiCacheClient({}), elastiCacheWait: wait, authenticate: async () => Promise.reject(authFailed()) });
      ec.on(DescribeUsersCommand).rejectsOnce(Object.assign(new Error('User not found'), { name: 'UserNotFoundFault' }));
      errors.push(await rejection(rotator.applyPending(pendingOf('pending-password-value-6'), { current }, rotationContext(SECRET, { step: 'setSecret', logLevel: 'DEBUG' }))));
      ec.on(DescribeUsersCommand).resolves({ Users: [{ UserId: 'gaara-app-user', Status: 'active' }] });
      ec.on(ModifyUserCommand).rejects(Object.assign(new Error('not authorized to perform elasticache:ModifyUser'), { name: 'AccessDeniedException' }));
      errors.push(await rejection(rotator.applyPending(pendingOf('pending-password-value-7'), { current }, rotationContext(SECRET, { step: 'setSecret', logLevel: 'DEBUG' }))));
      errors.forEach((e) => out.addError(e));
    } finally {
      out.stop();
    }
    expect(errors.map((e) => e.errorClass)).toEqual(['InvalidState', 'AccessDenied']);
    expect(errors[1].message).toMatch(/secret gaara-store\/dev\/redis-password, step setSecret: ModifyUser on user "gaara-app-user": ElastiCache refused the call \(AccessDeniedException\)/);
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
    [Object.assign(new Error('Connection timeout'), { name: 'ConnectionTimeoutError' }), 'Timeout'],
    [Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }), 'Tls'],
    [Object.assign(new Error("Hostname/IP does not match certificate's altnames"), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'Tls'],
  ])('%s -> %s', (error, errorClass) => {
    const e = classifyRedisError(error, 'admin user "admin"', at);
    expect(e.errorClass).toBe(errorClass);
    expect(e.message).toContain('cache.internal.example:6379');
  });
});

describe('REDIS_* target configuration', () => {
  it('reads host, port, username and tls; unset ones are not checked', () => {
    expect(expectedTargetFromEnv({ REDIS_HOST: 'cache.internal.example', REDIS_PORT: '6380', REDIS_USERNAME: 'gaara_app', REDIS_TLS: 'true' })).toEqual({
      host: 'cache.internal.example',
      port: 6380,
      username: 'gaara_app',
      tls: true,
    });
    expect(expectedTargetFromEnv({})).toEqual({});
  });
  it.each([
    [{ REDIS_PORT: '63x' }, 'REDIS_PORT must be an integer port between 1 and 65535'],
    [{ REDIS_PORT: '70000' }, 'REDIS_PORT must be an integer port between 1 and 65535'],
    [{ REDIS_TLS: 'yes' }, 'REDIS_TLS must be "true" or "false"'],
  ])('refuses %p', (env, message) => expect(() => expectedTargetFromEnv(env)).toThrow(message));
});

describe('redis rotator: ElastiCache password length', () => {
  it('refuses a password policy outside ElastiCache 16..128 characters before anything is written', async () => {
    const rotator = createRedisRotator({ passwordPolicy: { length: 12, exclude: '' } });
    const e = await rejection(rotator.createPending({ current }, rotationContext(SECRET)));
    expect(e.errorClass).toBe('InvalidState');
    expect(e.message).toMatch(/ElastiCache user passwords must be 16 to 128 characters; set PASSWORD_LENGTH/);
  });
});

describe('redis admin credential (the secret named by adminarn)', () => {
  it('takes host/port/tls from the rotated secret unless the admin secret names its own', () => {
    expect(parseAdminCredential(JSON.stringify({ username: 'admin', password: 'admin-pass-1234' }), redisSecretFixture, SECRET)).toEqual({
      username: 'admin',
      password: 'admin-pass-1234',
      host: redisSecretFixture.host,
      port: redisSecretFixture.port,
      tls: true,
    });
    expect(parseAdminCredential(JSON.stringify({ username: 'admin', password: 'p-123456789', host: 'primary.internal', port: '6380', tls: false }), redisSecretFixture, SECRET)).toMatchObject({
      host: 'primary.internal',
      port: 6380,
      tls: false,
    });
  });
  it('refuses a bad admin secret naming the field, never the value', () => {
    let error: unknown;
    try {
      parseAdminCredential(JSON.stringify({ username: 'admin', password: 42 }), redisSecretFixture, SECRET);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ errorClass: 'BadSecretShape', message: 'secret gaara-store/dev/redis-password: the admin secret named by "adminarn": redis admin secret: field "password" must be a string' });
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
        createRedisRotator({ elastiCache: () => new ElastiCacheClient({}), elastiCacheWait: { timeoutMs: 10_000, pollMs: 1, sleep: async () => undefined }, authenticate }),
        {
          secretsManager: model as unknown as SecretsManagerSender,
          logger: new Logger({ serviceName: 'redis-test', logLevel: 'SILENT' }),
          metrics: { stepSucceeded: () => undefined, stepFailed: () => undefined },
          versionCache: false,
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
