import { functionEntry } from '../../lib/rotators/entries';

describe('bundle entry of each function follows the configuration that decides what code it reaches', () => {
  it('database: the engine family picks the driver; an instance or cluster identifier adds the RDS check', () => {
    expect(functionEntry('database', { database: { engine: 'postgres' } })).toBe('lambdas/database/entry-postgres.ts');
    expect(functionEntry('database', { database: { engine: 'aurora-postgresql' } })).toBe('lambdas/database/entry-postgres.ts');
    expect(functionEntry('database', { database: { engine: 'mariadb' } })).toBe('lambdas/database/entry-mysql.ts');
    expect(functionEntry('database', { database: { engine: 'postgres', dbInstanceIdentifier: 'gaara-store-prod' } })).toBe('lambdas/database/entry-postgres-rds.ts');
    expect(functionEntry('database', { database: { engine: 'mysql', dbClusterIdentifier: 'c1' } })).toBe('lambdas/database/entry-mysql-rds.ts');
  });

  it('redis: the ElastiCache client only for an ElastiCache user', () => {
    expect(functionEntry('redis', { redis: {} })).toBe('lambdas/redis/entry-acl.ts');
    expect(functionEntry('redis', { redis: { elastiCacheUserId: 'gaara-app' } })).toBe('lambdas/redis/entry-elasticache.ts');
  });

  it('refuses to choose a database entry without the database configuration', () => {
    expect(() => functionEntry('database')).toThrow('depends on the database configuration');
  });
});
