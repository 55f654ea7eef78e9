import type { Strategy } from '../config';
import { alternatingUsers } from './alternating-users';
import { selfService } from './self-service';
import type { DatabaseStrategy } from './types';

/** The database strategies, keyed by DB_STRATEGY. */
export const DATABASE_STRATEGIES: Record<Strategy, DatabaseStrategy> = {
  'single-user': selfService(false),
  'dual-password': selfService(true),
  'alternating-users': alternatingUsers,
};
