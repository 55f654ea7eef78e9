/**
 * The rotators' trust anchor is the configuration the stack writes into their environment: every value a rotator
 * reads is compared with it (lambdas/database/target.ts, lambdas/redis/target-config.ts). These tests pin the
 * synthesized prod template's variables to literal expected values, so a missing or wrong anchor cannot pass.
 */
import { resourcesOf, synthAll } from '../support/synth';

const prod = synthAll().results.find((r) => r.config.envName === 'prod')!;
const functions = resourcesOf(prod.template, 'AWS::Lambda::Function');
const variablesOf = (idPrefix: string): Record<string, string> => functions.find(([id]) => id.startsWith(idPrefix))![1].Properties.Environment.Variables;

describe('prod rotators are told exactly which target and credential they may use (template)', () => {
  it('database rotator: engine, host, port, database, user, TLS, strategy and the master secret ARN', () => {
    expect(variablesOf('DatabaseRotation')).toMatchObject({
      DB_ENGINE: 'postgres',
      DB_HOST: 'prod-db.gaara.internal',
      DB_PORT: '5432',
      DB_NAME: 'gaara',
      DB_USERNAME: 'gaara_app',
      DB_TLS: 'true',
      DB_STRATEGY: 'alternating-users',
      DB_MASTER_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:333333333333:secret:rds!db-0a1b2c3d-AbCdEf',
      APP_NAME: 'gaara-store',
      APP_ENVIRONMENT: 'prod',
    });
  });

  it('redis rotator: endpoint, user, TLS and the admin secret ARN (and no ElastiCache user id)', () => {
    const variables = variablesOf('RedisRotation');
    expect(variables).toMatchObject({
      REDIS_HOST: 'prod-cache.gaara.internal',
      REDIS_PORT: '6379',
      REDIS_USERNAME: 'gaara_app',
      REDIS_TLS: 'true',
      REDIS_ADMIN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:333333333333:secret:gaara-store/prod/admin/redis-AbCdEf',
      APP_NAME: 'gaara-store',
      APP_ENVIRONMENT: 'prod',
    });
    expect(variables.REDIS_ELASTICACHE_USER_ID).toBeUndefined();
  });

  it('key-ring rotator: its scope (APP_NAME, APP_ENVIRONMENT)', () => {
    expect(variablesOf('KeyRingRotation')).toMatchObject({ APP_NAME: 'gaara-store', APP_ENVIRONMENT: 'prod' });
  });
});
