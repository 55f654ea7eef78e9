import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { environmentVariableFor } from '../src/secrets/env-source';
import { SecretsClient } from '../src/secrets/secrets-client';

const ID = 'gaara-store/dev/database-url';

describe('development fallback (environment variables and .env)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gaara-client-env-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('maps a secret id to GAARA_SECRET_<LAST SEGMENT>', () => {
    expect(environmentVariableFor('gaara-store/dev/database-url')).toBe('GAARA_SECRET_DATABASE_URL');
    expect(environmentVariableFor('gaara-store/dev/sentry-dsn', 'APP_')).toBe('APP_SENTRY_DSN');
  });

  it('with NODE_ENV=development reads a database URL into the DatabaseSecret shape, and warns without values', async () => {
    const warnings: string[] = [];
    const client = new SecretsClient({
      env: { NODE_ENV: 'development', GAARA_SECRET_DATABASE_URL: 'postgresql://app:p%40ss-dev@localhost:5433/gaara?sslmode=disable' },
      dotenvPath: false,
      warn: (m) => warnings.push(m),
    });
    expect(client.source.kind).toBe('environment');
    const db = (await client.getDatabaseSecret(ID)).reveal();
    expect(db).toMatchObject({ engine: 'postgres', host: 'localhost', port: 5433, username: 'app', password: 'p@ss-dev', dbname: 'gaara', ssl: false });
    expect(db.url).toBe('postgresql://app:p%40ss-dev@localhost:5433/gaara?sslmode=disable');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/development fallback.*GAARA_SECRET_\*/);
    expect(warnings.join()).not.toContain('p@ss-dev');
  });

  it('reads a Redis URL into the redis-password shape: rediss is TLS, an absent port and user are 6379 and default', async () => {
    const client = new SecretsClient({
      source: 'environment',
      env: { NODE_ENV: 'test', GAARA_SECRET_REDIS_PASSWORD: 'rediss://app%20user:p%40ss@[::1]:6380' },
      dotenvPath: false,
      warn: () => undefined,
    });
    expect((await client.getRedisSecret('gaara-store/dev/redis-password')).reveal()).toMatchObject({
      host: '::1',
      port: 6380,
      username: 'app user',
      password: 'p@ss',
      tls: true,
    });
    const bare = new SecretsClient({
      source: 'environment',
      env: { NODE_ENV: 'test', GAARA_SECRET_REDIS_PASSWORD: 'redis://:dev-pw@cache.local' },
      dotenvPath: false,
      warn: () => undefined,
    });
    expect((await bare.getRedisSecret('gaara-store/dev/redis-password')).reveal()).toMatchObject({
      host: 'cache.local',
      port: 6379,
      username: 'default',
      password: 'dev-pw',
      tls: false,
    });
    const wrong = new SecretsClient({
      source: 'environment',
      env: { NODE_ENV: 'test', GAARA_SECRET_REDIS_PASSWORD: 'http://a:b@h' },
      dotenvPath: false,
      warn: () => undefined,
    });
    await expect(wrong.getRedisSecret('gaara-store/dev/redis-password')).rejects.toThrow('GAARA_SECRET_REDIS_PASSWORD: URL scheme must be redis or rediss');
  });

  it('reads .env (dotenv) with process variables winning, JSON values and key rings from a plain key', async () => {
    const file = join(dir, '.env');
    writeFileSync(
      file,
      'GAARA_SECRET_SENTRY_DSN={"dsn":"https://pub@o0.ingest.example.io/1"}\nGAARA_SECRET_MAIL_PASSWORD=from-file\nGAARA_SECRET_JWT_SECRET=dev-jwt-key-that-is-at-least-32-chars!\n',
    );
    const client = new SecretsClient({
      source: 'environment',
      env: { NODE_ENV: 'test', GAARA_SECRET_MAIL_PASSWORD: 'from-env' },
      dotenvPath: file,
      warn: () => undefined,
    });
    expect((await client.getSentrySecret('gaara-store/dev/sentry-dsn')).reveal().dsn).toBe('https://pub@o0.ingest.example.io/1');
    expect((await client.getSecret('gaara-store/dev/mail-password')).reveal()).toBe('from-env');
    const ring = (await client.getKeyRing('gaara-store/dev/jwt-secret')).reveal();
    expect(ring.current.kid).toBe('development');
    expect(Buffer.from(ring.current.key, 'base64url').toString()).toBe('dev-jwt-key-that-is-at-least-32-chars!');
  });

  it('a missing variable is "not found": the default applies, otherwise the error names the variable', async () => {
    const client = new SecretsClient({ source: 'environment', env: { NODE_ENV: 'test' }, dotenvPath: false, warn: () => undefined });
    expect((await client.getSecret('gaara-store/dev/sentry-dsn', { default: 'none' })).reveal()).toBe('none');
    await expect(client.getSecret('gaara-store/dev/sentry-dsn')).rejects.toThrow(/not found \(development fallback reads GAARA_SECRET_SENTRY_DSN, SENTRY_DSN/);
    await expect(client.getSecret(ID, { stage: 'AWSPENDING' })).rejects.toMatchObject({ reason: 'not-found' });
  });

  it('is refused when NODE_ENV=production, and never chosen automatically there', () => {
    expect(() => new SecretsClient({ source: 'environment', env: { NODE_ENV: 'production' } })).toThrow(
      /refused unless NODE_ENV or ENVIRONMENT is "development" or "test".*says production/,
    );
    const client = new SecretsClient({
      env: { NODE_ENV: 'production', GAARA_SECRET_DATABASE_URL: 'postgresql://x:y@h/d' },
      client: new SecretsManagerClient({ region: 'eu-west-1' }),
    });
    expect(client.source.kind).toBe('aws');
  });

  it('refuses source "environment" unless NODE_ENV or ENVIRONMENT says development or test, and when anything says production/staging', () => {
    const make = (env: NodeJS.ProcessEnv) => () => new SecretsClient({ source: 'environment', env, dotenvPath: false, warn: () => undefined });
    expect(make({})).toThrow(/refused unless .*this process says nothing/);
    expect(make({ NODE_ENV: 'staging' })).toThrow(/refused/);
    expect(make({ ENVIRONMENT: 'development', APP_ENVIRONMENT: 'prod' })).toThrow(/says production/);
    expect(make({ NODE_ENV: 'development', ENVIRONMENT: 'production' })).toThrow(/says production/);
    expect(make({ APP_ENVIRONMENT: 'dev' })).toThrow(/says nothing/); // APP_ENVIRONMENT names the secrets, not the kind of process
    expect(make({ ENVIRONMENT: 'test' })().source.kind).toBe('environment');
    expect(make({ NODE_ENV: 'development' })().source.kind).toBe('environment');
  });

  it('with ENVIRONMENT=development (no NODE_ENV) auto picks the fallback', () => {
    const client = new SecretsClient({ env: { ENVIRONMENT: 'development' }, dotenvPath: false, warn: () => undefined });
    expect(client.source.kind).toBe('environment');
    const prod = new SecretsClient({ env: { ENVIRONMENT: 'development', NODE_ENV: 'production' }, client: new SecretsManagerClient({ region: 'eu-west-1' }) });
    expect(prod.source.kind).toBe('aws');
  });

  it('reads the conventional names of existing .env files (prefixed names win)', async () => {
    const file = join(dir, 'legacy.env');
    writeFileSync(
      file,
      [
        'DATABASE_URL=postgresql://app:legacy-pw@db.local:5432/shop?sslmode=disable',
        'SECRET_KEY=legacy-framework-secret-key-of-32-chars+',
        'JWT_SECRET_KEY=legacy-jwt-secret-key-of-at-least-32-chars',
        'REDIS_PASSWORD=legacy-redis-pw',
        'REDIS_HOST=cache.local',
        'MAIL_PASSWORD=legacy-mail-pw',
        'MAIL_SERVER=smtp.local',
        'MAIL_PORT=2525',
        'MAIL_USERNAME=mailer',
        'SENTRY_DSN=https://pub@o0.ingest.example.io/2',
        'SMTP_PASSWORD=bare-name-fallback',
      ].join('\n'),
    );
    const client = new SecretsClient({
      source: 'environment',
      env: { ENVIRONMENT: 'development', GAARA_SECRET_SECRET_KEY: 'prefixed-secret-key-wins-over-legacy-name' },
      dotenvPath: file,
      warn: () => undefined,
    });
    const id = (name: string) => `gaara-store/dev/${name}`;
    expect((await client.getDatabaseSecret(id('database-url'))).reveal()).toMatchObject({
      host: 'db.local',
      username: 'app',
      password: 'legacy-pw',
      dbname: 'shop',
    });
    expect(Buffer.from((await client.getKeyRing(id('secret-key'))).reveal().current.key, 'base64url').toString()).toBe(
      'prefixed-secret-key-wins-over-legacy-name',
    );
    expect(Buffer.from((await client.getKeyRing(id('jwt-secret'))).reveal().current.key, 'base64url').toString()).toBe(
      'legacy-jwt-secret-key-of-at-least-32-chars',
    );
    expect((await client.getRedisSecret(id('redis-password'))).reveal()).toMatchObject({
      host: 'cache.local',
      port: 6379,
      username: 'default',
      password: 'legacy-redis-pw',
      tls: false,
    });
    expect((await client.getMailSecret(id('mail-password'))).reveal()).toEqual({
      host: 'smtp.local',
      port: 2525,
      username: 'mailer',
      password: 'legacy-mail-pw',
    });
    expect((await client.getSentrySecret(id('sentry-dsn'))).reveal().dsn).toBe('https://pub@o0.ingest.example.io/2');
    expect((await client.getSecret(id('smtp-password'))).reveal()).toBe('bare-name-fallback');
  });
});
