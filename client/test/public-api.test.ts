jest.mock('jose', () => jest.requireActual('./support/jose-cjs').loadJoseAsCommonJs());
import { databaseSecretFixture, mysqlSecretFixture, redisSecretFixture } from '../../contracts/fixtures';
import * as api from '../src';

describe('public API (client/src/index.ts)', () => {
  it('exports the documented entry points', () => {
    for (const name of [
      'SecretsClient',
      'SecretValue',
      'withCredentialRetry',
      'FieldEncryptor',
      'BlindIndexer',
      'EncryptionSdkMode',
      'JwtKeyRing',
      'KeyRingKeys',
      'jwtKeyRing',
      'pgClientConfig',
      'mysqlConnectionOptions',
      'redisClientOptions',
      'isAuthenticationError',
      'environmentVariableFor',
      'secretId',
      'getSecret',
      'getDatabaseSecret',
      'configureSecrets',
      'VaultSecretSource',
      'migratePiiColumns',
      'renderProgress',
      'fieldFormatOf',
      'runPiiMigrateCommand',
      'PostgresFieldKeyStore',
      'MysqlFieldKeyStore',
      'MemoryFieldKeyStore',
    ]) {
      expect(api).toHaveProperty(name);
    }
  });

  it('adapters verify TLS unless the secret says plaintext explicitly', () => {
    expect(api.pgClientConfig(databaseSecretFixture, { ca: 'PEM' }).ssl).toEqual({ rejectUnauthorized: true, servername: 'db.internal.example', ca: 'PEM' });
    expect(api.pgClientConfig({ ...databaseSecretFixture, host: '10.0.0.5' }).ssl).toEqual({ rejectUnauthorized: true });
    expect(api.pgClientConfig({ ...databaseSecretFixture, ssl: false }).ssl).toBe(false);
    expect(api.mysqlConnectionOptions(mysqlSecretFixture).ssl).toBeUndefined(); // fixture has ssl: false
    expect(api.mysqlConnectionOptions({ ...mysqlSecretFixture, ssl: undefined }).ssl).toEqual({ rejectUnauthorized: true });
    expect(api.redisClientOptions(redisSecretFixture).socket).toMatchObject({ tls: true, servername: 'cache.internal.example', reconnectStrategy: false });
  });

  it('auth-error predicates match password refusals only', () => {
    expect(api.isAuthenticationError({ code: '28P01' })).toBe(true);
    expect(api.isAuthenticationError({ code: '28000' })).toBe(false); // no pg_hba entry: not a password problem
    expect(api.isAuthenticationError({ code: 'ER_DBACCESS_DENIED_ERROR', errno: 1044 })).toBe(false);
    expect(api.isAuthenticationError(new Error('WRONGPASS invalid username-password pair'))).toBe(true);
    expect(api.isAuthenticationError(Object.assign(new Error('self-signed certificate'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }))).toBe(false);
  });
});
