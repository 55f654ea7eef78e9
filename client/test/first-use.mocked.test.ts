jest.mock('jose', () => jest.requireActual('./support/jose-cjs').loadJoseAsCommonJs());
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { KeyRing } from '../../contracts';
import { databaseSecretFixture, keyRingFixture } from '../../contracts/fixtures';
import * as api from '../src';
import { jwtKeyRing } from '../src/keyring/jwt';
import { SecretsClient } from '../src/secrets/secrets-client';
import { captureOutput } from './support/capture';

const sm = mockClient(SecretsManagerClient);
const notFound = () => Object.assign(new Error('ResourceNotFoundException: x'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
const throttled = () => Object.assign(new Error('ThrottlingException: x'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}
const newClient = (extra: ConstructorParameters<typeof SecretsClient>[0] = {}) =>
  new SecretsClient({ client: new SecretsManagerClient({ region: 'eu-west-1' }), source: 'aws', random: () => 0, ...extra });
const calls = (secretId?: string) => sm.commandCalls(GetSecretValueCommand).filter((c) => !secretId || c.args[0].input.SecretId === secretId).length;

const savedEnv = { ...process.env };
beforeEach(() => {
  sm.reset();
  api.resetDefaultSecretsClient();
});
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
});

describe('module-level getSecret on a shared default client (Secrets Manager mocked)', () => {
  it('reads a short name as <APP_NAME>/<APP_ENVIRONMENT>/<name>, plain value, cached on the shared client', async () => {
    Object.assign(process.env, { APP_NAME: 'gaara-store', APP_ENVIRONMENT: 'prod' });
    sm.on(GetSecretValueCommand, { SecretId: 'gaara-store/prod/database-url' }).resolves({
      SecretString: JSON.stringify(databaseSecretFixture),
      VersionId: 'v1',
    });
    sm.on(GetSecretValueCommand, { SecretId: 'gaara-store/prod/smtp-password' }).rejects(notFound());
    api.configureSecrets(newClient());
    expect((await api.getDatabaseSecret()).host).toBe(databaseSecretFixture.host);
    expect(JSON.parse(await api.getSecret('database-url')).username).toBe(databaseSecretFixture.username);
    expect(await api.getSecret('smtp-password', { default: '' })).toBe('');
    expect(api.defaultSecretsClient()).toBe(api.defaultSecretsClient());
    expect(calls('gaara-store/prod/database-url')).toBe(1);
  });

  it('in development reads the conventional .env names by short name, without APP_ENVIRONMENT', async () => {
    for (const k of ['APP_ENVIRONMENT', 'ENVIRONMENT', 'APP_NAME']) delete process.env[k];
    Object.assign(process.env, {
      NODE_ENV: 'development',
      DATABASE_URL: 'postgresql://dev:dev-pw@localhost:5432/shop?sslmode=disable',
      SMTP_PASSWORD: 'smtp-dev',
    });
    api.configureSecrets({ dotenvPath: false, warn: () => undefined });
    expect(await api.getDatabaseSecret()).toMatchObject({ host: 'localhost', username: 'dev', dbname: 'shop' });
    expect(await api.getSecret('smtp-password', { default: '' })).toBe('smtp-dev');
    expect(await api.getSecret('jwt-secret', { default: 'none' })).toBe('none');
  });

  it('falls back to ENVIRONMENT, takes full ids as given, and names the missing variable when neither is set', async () => {
    expect(api.resolveSecretId('jwt-secret', { ENVIRONMENT: 'staging' })).toBe('gaara-store/staging/jwt-secret');
    expect(api.resolveSecretId('jwt-secret', { APP_NAME: 'shop', APP_ENVIRONMENT: 'prod', ENVIRONMENT: 'x' })).toBe('shop/prod/jwt-secret');
    expect(api.resolveSecretId('other/prod/jwt-secret', {})).toBe('other/prod/jwt-secret');
    expect(() => api.resolveSecretId('jwt-secret', {})).toThrow(/set APP_ENVIRONMENT \(or ENVIRONMENT\)/);
  });
});

describe('forceRefresh: rate-bounded by forced refreshes only (Secrets Manager mocked)', () => {
  const ID = 'gaara-store/test/jwt-secret';

  it('a forced refresh right after a normal read reaches Secrets Manager; another forced one within the interval reuses it', async () => {
    const c = clock();
    let n = 0;
    sm.on(GetSecretValueCommand).callsFake(async () => ({ SecretString: `value-${++n}`, VersionId: `v${n}` }));
    const client = newClient({ now: c.now });
    expect((await client.getSecret(ID)).reveal()).toBe('value-1');
    c.t += 10;
    expect((await client.getSecret(ID, { forceRefresh: true })).reveal()).toBe('value-2');
    c.t += 500;
    expect((await client.getSecret(ID, { forceRefresh: true })).reveal()).toBe('value-2');
    expect(calls()).toBe(2);
    c.t += 600; // past 1 s since the last forced refresh finished
    expect((await client.getSecret(ID, { forceRefresh: true })).reveal()).toBe('value-3');
    const burst = await Promise.all(Array.from({ length: 20 }, () => client.getSecret(ID, { forceRefresh: true })));
    expect(new Set(burst.map((v) => v.reveal()))).toEqual(new Set(['value-3']));
    expect(calls()).toBe(3);
  });

  it('a missing secret read with default costs one call per missingTtlMs, not per read; forceRefresh and invalidate bypass it', async () => {
    const c = clock();
    sm.on(GetSecretValueCommand).rejects(notFound());
    const client = newClient({ now: c.now, missingTtlMs: 30_000 });
    for (let i = 0; i < 10; i += 1) expect((await client.getSecret('gaara-store/test/smtp-password', { default: '' })).reveal()).toBe('');
    await expect(client.getSecret('gaara-store/test/smtp-password')).rejects.toMatchObject({ reason: 'not-found' });
    expect(calls()).toBe(1);
    c.t += 29_000;
    await client.getSecret('gaara-store/test/smtp-password', { default: '' });
    expect(calls()).toBe(1); // a remembered miss is not extended by reads
    c.t += 2_000;
    await client.getSecret('gaara-store/test/smtp-password', { default: '' });
    expect(calls()).toBe(2);
    await client.getSecret('gaara-store/test/smtp-password', { default: '', forceRefresh: true });
    expect(calls()).toBe(3);
    client.invalidate('gaara-store/test/smtp-password');
    sm.reset();
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'now-set', VersionId: 'v1' });
    expect((await client.getSecret('gaara-store/test/smtp-password', { default: '' })).reveal()).toBe('now-set');
  });
});

describe('JWT kid refresh over a SecretsClient (Secrets Manager mocked)', () => {
  const ID = 'gaara-store/test/jwt-secret';
  const rotated: KeyRing = {
    schema: 1,
    current: { kid: 'k-new', key: Buffer.alloc(32, 7).toString('base64url'), createdAt: '2026-11-20T00:00:00Z' },
    previous: [{ ...keyRingFixture.current, retiredAt: '2026-11-20T00:00:00Z' }],
  };

  it('a token with a newer kid arriving right after the last ring fetch verifies (one refresh); a flood of unknown kids costs one call', async () => {
    const c = clock();
    let ring: KeyRing = keyRingFixture;
    sm.on(GetSecretValueCommand).callsFake(async () => {
      await new Promise((r) => setTimeout(r, 5));
      return { SecretString: JSON.stringify(ring), VersionId: ring.current.kid };
    });
    const jwt = jwtKeyRing(newClient({ now: c.now }), ID);
    await jwt.sign({ sub: 'warm-up' }); // the ring is fetched
    ring = rotated; // another instance rotated and signs with k-new
    c.t += 100; // well within minRefreshIntervalMs of that fetch
    const token = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'HS256', kid: 'k-new' }).sign(Buffer.alloc(32, 7));
    await expect(jwt.verify(token)).resolves.toMatchObject({ kid: 'k-new' });
    expect(calls()).toBe(2);

    c.t += 5_000;
    const forged = await Promise.all(
      Array.from({ length: 25 }, (_, i) => new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'HS256', kid: `k-forged-${i}` }).sign(Buffer.alloc(32, 1))),
    );
    const results = await Promise.allSettled(forged.map((t) => jwt.verify(t)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(calls()).toBe(3); // the flood shared one refresh
    c.t += 200;
    await expect(jwt.verify(forged[0])).rejects.toThrow(/unknown kid/);
    expect(calls()).toBe(3); // within the interval of that refresh: no call
  });
});

describe('StaleSecretServed metric (opt-in, embedded metric format)', () => {
  const ID = 'gaara-store/prod/database-url';

  it('emits one EMF line per stale serve with exactly {Environment, Secret} and the service as a property, no value', async () => {
    const canary = `pw-${randomBytes(8).toString('hex')}`;
    const c = clock();
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: canary, VersionId: 'v1' }).rejects(throttled());
    const lines: string[] = [];
    const client = newClient({
      now: c.now,
      ttlMs: 1_000,
      staleMetric: { service: 'orders-api', write: (l) => lines.push(l) },
      env: { APP_NAME: 'gaara-store' },
    });
    await client.getSecret(ID);
    c.t += 2_000;
    expect((await client.getSecret(ID)).reveal()).toBe(canary);
    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('\n')).toBe(true);
    const record = JSON.parse(lines[0]);
    expect(record._aws.CloudWatchMetrics).toEqual([
      { Namespace: 'GaaraStore/Secrets', Dimensions: [['Environment', 'Secret']], Metrics: [{ Name: 'StaleSecretServed', Unit: 'Count' }] },
    ]);
    expect(record).toMatchObject({ Environment: 'prod', Secret: 'database-url', StaleSecretServed: 1, Service: 'orders-api', StaleForMs: 1_000 });
    expect(record._aws.Timestamp).toBe(c.t);
    expect(lines.join()).not.toContain(canary);
  });

  it('METRICS_NAMESPACE wins; staleMetric: true writes to stdout; without the option nothing is written', async () => {
    expect(api.staleMetricNamespace({ APP_NAME: 'my-shop-app' })).toBe('MyShopApp/Secrets');
    expect(api.staleMetricNamespace({ METRICS_NAMESPACE: 'Custom/NS', APP_NAME: 'x' })).toBe('Custom/NS');
    const run = async (staleMetric: boolean | undefined) => {
      const c = clock();
      sm.reset();
      sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'v', VersionId: 'v1' }).rejects(throttled());
      const client = newClient({ now: c.now, ttlMs: 1_000, staleMetric, env: { METRICS_NAMESPACE: 'Custom/NS', SERVICE_NAME: 'billing' } });
      const { output } = await captureOutput(async () => {
        await client.getSecret(ID);
        c.t += 2_000;
        await client.getSecret(ID);
      });
      return output;
    };
    const on = await run(true);
    expect(JSON.parse(on.trim())).toMatchObject({ Service: 'billing', _aws: { CloudWatchMetrics: [{ Namespace: 'Custom/NS' }] } });
    expect(await run(undefined)).toBe('');
  });
});
