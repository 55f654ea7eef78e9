import type { DatabaseSecret } from '../../../contracts/database';
import type { RotationContext } from '../../rotation/rotator';
import type { DbAccess } from '../access';

export interface StrategyInput {
  pending: DatabaseSecret;
  /** undefined when AWSCURRENT is still the deploy-time placeholder (alternating users bootstrap from it). */
  current: DatabaseSecret | undefined;
  /** AWSPREVIOUS, read only if needed; undefined when absent or unusable. */
  previous: () => Promise<DatabaseSecret | undefined>;
  ctx: RotationContext;
  db: DbAccess;
  /** RDS API check of the target, run right before the first change. */
  confirmTarget: () => Promise<void>;
}
