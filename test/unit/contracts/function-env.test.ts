/**
 * The function-environment contract: what the stack writes is what the function reads back, every missing
 * variable is named together, and a bad one is named with what it must be.
 */
import {
  DATABASE_ROTATOR_ENV,
  FunctionConfigError,
  KEY_RING_ROTATOR_ENV,
  PASSWORD_POLICY_ENV,
  readEnv,
  REDIS_ROTATOR_ENV,
  SECRET_AGE_ENV,
  writeEnv,
} from '../../../contracts/function-env';

describe('function environment contract (contracts/function-env.ts)', () => {
  it('database rotator: written variables read back to the same values', () => {
    const values = {
      engine: 'aurora-postgresql',
      host: 'db.internal',
      port: 5432,
      dbname: 'gaara',
      username: 'gaara_app',
      tls: true,
      strategy: 'alternating-users',
      masterSecretArn: 'arn:aws:secretsmanager:eu-west-1:333333333333:secret:rds!db-1-AbCdEf',
    } as const;
    const env = writeEnv(DATABASE_ROTATOR_ENV, values);
    expect(env).toEqual({
      DB_ENGINE: 'aurora-postgresql',
      DB_HOST: 'db.internal',
      DB_PORT: '5432',
      DB_NAME: 'gaara',
      DB_USERNAME: 'gaara_app',
      DB_TLS: 'true',
      DB_STRATEGY: 'alternating-users',
      DB_MASTER_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:333333333333:secret:rds!db-1-AbCdEf',
    });
    expect(readEnv(DATABASE_ROTATOR_ENV, env)).toEqual(values);
  });

  it('redis rotator: an optional variable left undefined is not written, and reads back as absent', () => {
    const values = { host: 'cache.internal', port: 6380, username: 'gaara_app', tls: false, adminSecretArn: undefined, elastiCacheUserId: 'gaara-app-user' };
    const env = writeEnv(REDIS_ROTATOR_ENV, values);
    expect(env).toEqual({
      REDIS_HOST: 'cache.internal',
      REDIS_PORT: '6380',
      REDIS_USERNAME: 'gaara_app',
      REDIS_TLS: 'false',
      REDIS_ELASTICACHE_USER_ID: 'gaara-app-user',
    });
    expect(readEnv(REDIS_ROTATOR_ENV, env)).toEqual({
      host: 'cache.internal',
      port: 6380,
      username: 'gaara_app',
      tls: false,
      elastiCacheUserId: 'gaara-app-user',
    });
  });

  it.each([
    [DATABASE_ROTATOR_ENV, {}, 'configuration: environment variable DB_ENGINE, DB_HOST, DB_PORT, DB_NAME, DB_USERNAME, DB_TLS, DB_STRATEGY are not set'],
    [REDIS_ROTATOR_ENV, { REDIS_HOST: 'h', REDIS_PORT: '1', REDIS_USERNAME: 'u' }, 'configuration: environment variable REDIS_TLS is not set'],
    [KEY_RING_ROTATOR_ENV, { KEY_MATERIAL_SOURCE: 'urandom' }, 'configuration: environment variable KEY_MATERIAL_SOURCE must be one of crypto, kms'],
    [
      REDIS_ROTATOR_ENV,
      { REDIS_HOST: 'h', REDIS_PORT: '0', REDIS_USERNAME: 'u', REDIS_TLS: 'true' },
      'configuration: environment variable REDIS_PORT must be an integer port between 1 and 65535',
    ],
  ] as const)('refuses a bad environment naming the variables (%#)', (spec, env, message) => {
    expect(() => readEnv(spec as never, env)).toThrow(message);
    expect(() => readEnv(spec as never, env)).toThrow(FunctionConfigError);
  });

  it('age function: SECRETS_JSON written as the stack does it reads back; a missing maxAgeDays stays absent', () => {
    const secrets = [
      { name: 'database-url', id: 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:gaara-store/staging/database-url-AbCdEf', maxAgeDays: 30 },
      { name: 'sentry-dsn', id: 'gaara-store/staging/sentry-dsn' },
    ];
    const env = writeEnv(SECRET_AGE_ENV, { secrets });
    expect(env).toEqual({
      SECRETS_JSON:
        '[{"name":"database-url","id":"arn:aws:secretsmanager:eu-west-1:222222222222:secret:gaara-store/staging/database-url-AbCdEf","maxAgeDays":30},{"name":"sentry-dsn","id":"gaara-store/staging/sentry-dsn"}]',
    });
    expect(readEnv(SECRET_AGE_ENV, env)).toEqual({ secrets });
  });

  it('password policy: PASSWORD_LENGTH and PASSWORD_EXCLUDE_CHARACTERS read back; both are optional', () => {
    expect(writeEnv(PASSWORD_POLICY_ENV, { length: 40, excludeCharacters: undefined })).toEqual({ PASSWORD_LENGTH: '40' });
    expect(readEnv(PASSWORD_POLICY_ENV, { PASSWORD_LENGTH: '40', PASSWORD_EXCLUDE_CHARACTERS: '-.' })).toEqual({ length: 40, excludeCharacters: '-.' });
    expect(readEnv(PASSWORD_POLICY_ENV, {})).toEqual({});
  });

  it.each([
    [
      SECRET_AGE_ENV,
      { SECRETS_JSON: '[{"name":"a","id":"x"},{"name":"b","id":""}]' },
      'configuration: environment variable SECRETS_JSON[1].id must be a non-empty string',
    ],
    [SECRET_AGE_ENV, { SECRETS_JSON: '{"name":"a"}' }, 'configuration: environment variable SECRETS_JSON must be a JSON array'],
    [SECRET_AGE_ENV, { SECRETS_JSON: '[1]' }, 'configuration: environment variable SECRETS_JSON[0].(entry) must be an object'],
    [PASSWORD_POLICY_ENV, { PASSWORD_LENGTH: '32.5' }, 'configuration: environment variable PASSWORD_LENGTH must be a whole number'],
  ] as const)('refuses a bad JSON or number variable naming it and where (%#)', (spec, env, message) => {
    expect(() => readEnv(spec as never, env)).toThrow(message);
  });

  it('no secret value can be a variable: the specs name only targets and ARNs', () => {
    const names = [DATABASE_ROTATOR_ENV, REDIS_ROTATOR_ENV, KEY_RING_ROTATOR_ENV, SECRET_AGE_ENV, PASSWORD_POLICY_ENV].flatMap((s) =>
      Object.values(s.variables).map((v) => (v as { name: string }).name),
    );
    expect(names.filter((n) => /PASSWORD$|SECRET$|TOKEN|KEY$/.test(n))).toEqual([]);
  });
});
