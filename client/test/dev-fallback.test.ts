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

  it('reads .env (dotenv) with process variables winning, JSON values and key rings from a plain key', async () => {
    const file = join(dir, '.env');
    writeFileSync(file, 'GAARA_SECRET_SENTRY_DSN={"dsn":"https://pub@o0.ingest.example.io/1"}\nGAARA_SECRET_MAIL_PASSWORD=from-file\nGAARA_SECRET_JWT_SECRET=dev-jwt-key-that-is-at-least-32-chars!\n');
    const client = new SecretsClient({ source: 'environment', env: { GAARA_SECRET_MAIL_PASSWORD: 'from-env' }, dotenvPath: file, warn: () => undefined });
    expect((await client.getSentrySecret('gaara-store/dev/sentry-dsn')).reveal().dsn).toBe('https://pub@o0.ingest.example.io/1');
    expect((await client.getSecret('gaara-store/dev/mail-password')).reveal()).toBe('from-env');
    const ring = (await client.getKeyRing('gaara-store/dev/jwt-secret')).reveal();
    expect(ring.current.kid).toBe('development');
    expect(Buffer.from(ring.current.key, 'base64url').toString()).toBe('dev-jwt-key-that-is-at-least-32-chars!');
  });

  it('a missing variable is "not found": the default applies, otherwise the error names the variable', async () => {
    const client = new SecretsClient({ source: 'environment', env: {}, dotenvPath: false, warn: () => undefined });
    expect((await client.getSecret('gaara-store/dev/sentry-dsn', { default: 'none' })).reveal()).toBe('none');
    await expect(client.getSecret('gaara-store/dev/sentry-dsn')).rejects.toThrow(/not found \(development fallback reads GAARA_SECRET_SENTRY_DSN/);
    await expect(client.getSecret(ID, { stage: 'AWSPENDING' })).rejects.toMatchObject({ reason: 'not-found' });
  });

  it('is refused when NODE_ENV=production, and never chosen automatically there', () => {
    expect(() => new SecretsClient({ source: 'environment', env: { NODE_ENV: 'production' } })).toThrow(/refused when NODE_ENV=production/);
    const client = new SecretsClient({ env: { NODE_ENV: 'production', GAARA_SECRET_DATABASE_URL: 'postgresql://x:y@h/d' }, client: new SecretsManagerClient({ region: 'eu-west-1' }) });
    expect(client.source.kind).toBe('aws');
  });
});
