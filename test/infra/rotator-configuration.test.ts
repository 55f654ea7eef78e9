/**
 * The rotators' trust anchor is the configuration the stack writes into their environment: every value a rotator
 * reads is compared with it (lambdas/database/target.ts, lambdas/redis/target-config.ts). These tests pin the
 * synthesized prod template's variables to literal expected values, so a missing or wrong anchor cannot pass.
 */
import { ENVIRONMENTS } from '../../lib/config';
import { resourcesOf, synthAll } from '../support/synth';

const shipped = synthAll().results;
const prod = shipped.find((r) => r.config.envName === 'prod')!;
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
      PASSWORD_LENGTH: '32',
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
      PASSWORD_LENGTH: '32',
      APP_NAME: 'gaara-store',
      APP_ENVIRONMENT: 'prod',
    });
    expect(variables.REDIS_ELASTICACHE_USER_ID).toBeUndefined();
  });

  it('key-ring rotator: its scope (APP_NAME, APP_ENVIRONMENT)', () => {
    expect(variablesOf('KeyRingRotation')).toMatchObject({ APP_NAME: 'gaara-store', APP_ENVIRONMENT: 'prod' });
  });
});

describe('each rotator is configured by its own construct', () => {
  const entryOf = (stack: (typeof shipped)[number]['stack'], kind: 'database' | 'redis') => stack.rotators.find((r) => r.kind === kind)!.function.entry;

  it('the shipped environments bundle: dev and staging the PostgreSQL entry, prod (dbInstanceIdentifier set) the one with the RDS check; all the Redis ACL entry', () => {
    expect(Object.fromEntries(shipped.map((r) => [r.config.envName, [entryOf(r.stack, 'database'), entryOf(r.stack, 'redis')]]))).toEqual({
      dev: ['lambdas/database/entry-postgres.ts', 'lambdas/redis/entry-acl.ts'],
      staging: ['lambdas/database/entry-postgres.ts', 'lambdas/redis/entry-acl.ts'],
      prod: ['lambdas/database/entry-postgres-rds.ts', 'lambdas/redis/entry-acl.ts'],
    });
  });

  it("the database rotator bundles the entry of the configured engine's family (one driver per bundle), with the RDS check only when an instance or cluster is named", () => {
    type Engine = 'postgres' | 'aurora-postgresql' | 'mysql' | 'mariadb';
    const databaseEntryOf = (engine: Engine, identifiers: { dbInstanceIdentifier?: string; dbClusterIdentifier?: string }) => {
      const { dbInstanceIdentifier: _instance, dbClusterIdentifier: _cluster, ...database } = prod.config.database;
      const { results } = synthAll([{ ...prod.config, database: { ...database, ...identifiers, engine, port: engine.includes('postgres') ? 5432 : 3306 } }]);
      return entryOf(results[0].stack, 'database');
    };
    const instance = { dbInstanceIdentifier: 'gaara-store-prod' };
    expect(databaseEntryOf('postgres', instance)).toBe('lambdas/database/entry-postgres-rds.ts');
    expect(databaseEntryOf('aurora-postgresql', { dbClusterIdentifier: 'gaara-store-prod' })).toBe('lambdas/database/entry-postgres-rds.ts');
    expect(databaseEntryOf('mysql', instance)).toBe('lambdas/database/entry-mysql-rds.ts');
    expect(databaseEntryOf('mariadb', instance)).toBe('lambdas/database/entry-mysql-rds.ts');
    expect(databaseEntryOf('postgres', {})).toBe('lambdas/database/entry-postgres.ts');
    expect(databaseEntryOf('aurora-postgresql', {})).toBe('lambdas/database/entry-postgres.ts');
    expect(databaseEntryOf('mysql', {})).toBe('lambdas/database/entry-mysql.ts');
    expect(databaseEntryOf('mariadb', {})).toBe('lambdas/database/entry-mysql.ts');
  });

  it('the password policy variables are written only for the password rotators (key rings and the age function have none)', () => {
    const dev = synthAll([ENVIRONMENTS.find((e) => e.envName === 'dev')!]).results[0];
    const withLength = resourcesOf(dev.template, 'AWS::Lambda::Function')
      .filter(([, fn]) => fn.Properties.Environment.Variables.PASSWORD_LENGTH !== undefined)
      .map(([id]) => id.replace(/Function[0-9A-F]{8}$/, ''));
    expect(withLength.sort()).toEqual(['DatabaseRotationRotator', 'RedisRotationRotator']);
  });
});
