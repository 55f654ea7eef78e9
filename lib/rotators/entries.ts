import type { DatabaseEngine } from '../../contracts/database';
import { engineFamily } from '../../contracts/database';
import type { FunctionKind } from '../../contracts/function-names';

/**
 * Bundle entry of each function (lib refers to the functions' code only by path). The database rotator has one
 * entry per engine family, so a bundle carries only the driver of the configured engine.
 */
export function functionEntry(kind: FunctionKind, engine?: DatabaseEngine): string {
  switch (kind) {
    case 'database':
      if (!engine) throw new Error('functionEntry: the database rotator entry depends on the engine');
      return `lambdas/database/entry-${engineFamily(engine)}.ts`;
    case 'redis':
      return 'lambdas/redis/index.ts';
    case 'key-ring':
      return 'lambdas/key-ring/index.ts';
    case 'secret-age':
      return 'lambdas/secret-age/index.ts';
  }
}
