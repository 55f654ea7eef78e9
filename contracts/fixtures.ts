/**
 * Fixtures shared by every part's tests. The credentials here are obviously fake and never valid anywhere.
 */
import type { DatabaseSecret } from './database';
import type { KeyRing } from './keyring';
import type { MailSecret, SentrySecret } from './third-party';
import type { RedisSecret } from './redis';

export const FIXTURE_MASTER_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:gaara-store/dev/db-master-AbCdEf';
export const FIXTURE_REDIS_ADMIN_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:gaara-store/dev/redis-admin-AbCdEf';

export const databaseSecretFixture: DatabaseSecret = {
  schema: 1,
  engine: 'postgres',
  host: 'db.internal.example',
  port: 5432,
  username: 'gaara_app',
  password: 'fixture-Pass/word+1',
  dbname: 'gaara',
  url: 'postgresql://gaara_app:fixture-Pass%2Fword%2B1@db.internal.example:5432/gaara?sslmode=verify-full',
};

export const mysqlSecretFixture: DatabaseSecret = {
  schema: 1,
  engine: 'mariadb',
  host: 'db.internal.example',
  port: 3306,
  username: 'gaara_app',
  password: 'fixture-pass-2',
  dbname: 'gaara',
  ssl: false,
  masterarn: FIXTURE_MASTER_ARN,
  url: 'mysql://gaara_app:fixture-pass-2@db.internal.example:3306/gaara?ssl-mode=DISABLED',
};

export const redisSecretFixture: RedisSecret = {
  schema: 1,
  host: 'cache.internal.example',
  port: 6379,
  username: 'gaara_app',
  password: 'fixture-redis-pass',
  tls: true,
  adminarn: FIXTURE_REDIS_ADMIN_ARN,
  url: 'rediss://gaara_app:fixture-redis-pass@cache.internal.example:6379',
};

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64url');

export const keyRingFixture: KeyRing = {
  schema: 1,
  current: { kid: 'k-2026-11-01', key: key(1), createdAt: '2026-11-01T00:00:00.000Z' },
  previous: [{ kid: 'k-2026-08-01', key: key(2), createdAt: '2026-08-01T00:00:00.000Z', retiredAt: '2026-11-01T00:00:00.000Z' }],
};

export const mailSecretFixture: MailSecret = { host: 'smtp.example.com', port: 587, username: 'mailer', password: 'fixture-mail-pass' };
export const sentrySecretFixture: SentrySecret = { dsn: 'https://fixturepublickey@o0.ingest.example.io/1' };
