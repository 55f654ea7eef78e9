import { DatabaseRotation, RedisRotation } from '../../lib/rotators';

describe('bundle entry of each function follows the configuration that decides what code it reaches', () => {
  it('database: the engine family picks the driver; an instance or cluster identifier adds the RDS check', () => {
    expect(DatabaseRotation.entry({ database: { engine: 'postgres' } })).toBe('lambdas/database/entry-postgres.ts');
    expect(DatabaseRotation.entry({ database: { engine: 'aurora-postgresql' } })).toBe('lambdas/database/entry-postgres.ts');
    expect(DatabaseRotation.entry({ database: { engine: 'mariadb' } })).toBe('lambdas/database/entry-mysql.ts');
    expect(DatabaseRotation.entry({ database: { engine: 'postgres', dbInstanceIdentifier: 'gaara-store-prod' } })).toBe(
      'lambdas/database/entry-postgres-rds.ts',
    );
    expect(DatabaseRotation.entry({ database: { engine: 'mysql', dbClusterIdentifier: 'c1' } })).toBe('lambdas/database/entry-mysql-rds.ts');
  });

  it('redis: the ElastiCache client only for an ElastiCache user', () => {
    expect(RedisRotation.entry({ redis: {} })).toBe('lambdas/redis/entry-acl.ts');
    expect(RedisRotation.entry({ redis: { elastiCacheUserId: 'gaara-app' } })).toBe('lambdas/redis/entry-elasticache.ts');
  });

  it('refuses to choose a database entry without the database configuration', () => {
    // @ts-expect-error the database configuration is required by type; an untyped caller is refused at run time.
    expect(() => DatabaseRotation.entry({})).toThrow('depends on the database configuration');
  });
});
