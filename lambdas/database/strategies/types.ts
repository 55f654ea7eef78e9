import type { DatabaseSecret } from '../../../contracts/database';
import type { RotationContext } from '../../rotation/rotator';
import type { DbAccess } from '../access';
import type { TargetStrategy } from '../../rotation/strategy';
import type { DatabaseTarget } from '../config';

export interface StrategyInput {
  /** Checked against the configured target (target.ts) before the strategy runs. */
  pending: DatabaseSecret;
  /** undefined when AWSCURRENT is still the deploy-time placeholder (alternating users bootstrap from it). */
  current: DatabaseSecret | undefined;
  /** The configured database: every connection goes there (target.ts `connectionTo`). */
  target: DatabaseTarget;
  /** AWSPREVIOUS, read only if needed and checked; undefined when absent or unusable. */
  previous: () => Promise<DatabaseSecret | undefined>;
  ctx: RotationContext;
  db: DbAccess;
  /** RDS API check of the target, run right before the first change. */
  confirmTarget: () => Promise<void>;
}

/** A database strategy: single-user, dual-password or alternating users (strategies/index.ts). */
export type DatabaseStrategy = TargetStrategy<StrategyInput>;
