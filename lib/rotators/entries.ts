import type { DatabaseEngine } from '../../contracts/database';
import { engineFamily } from '../../contracts/database';
import type { FunctionKind } from '../../contracts/function-names';

/** What decides a rotator's bundle entry: only the parts of its configuration that change which code it needs. */
export interface EntryChoice {
  database?: { engine: DatabaseEngine; dbInstanceIdentifier?: string; dbClusterIdentifier?: string };
  redis?: { elastiCacheUserId?: string };
}

/**
 * Bundle entry of each function (lib refers to the functions' code only by path). Each rotator bundle carries only
 * the code its configuration reaches: the database rotator the driver of its engine family, plus the RDS client
 * when it confirms an instance or cluster; the Redis rotator the ElastiCache client only for an ElastiCache user.
 */
export function functionEntry(kind: FunctionKind, choice: EntryChoice = {}): string {
  switch (kind) {
    case 'database': {
      const db = choice.database;
      if (!db) throw new Error('functionEntry: the database rotator entry depends on the database configuration');
      const rds = db.dbInstanceIdentifier || db.dbClusterIdentifier ? '-rds' : '';
      return `lambdas/database/entry-${engineFamily(db.engine)}${rds}.ts`;
    }
    case 'redis':
      return choice.redis?.elastiCacheUserId ? 'lambdas/redis/entry-elasticache.ts' : 'lambdas/redis/entry-acl.ts';
    case 'key-ring':
      return 'lambdas/key-ring/index.ts';
    case 'secret-age':
      return 'lambdas/secret-age/index.ts';
  }
}
