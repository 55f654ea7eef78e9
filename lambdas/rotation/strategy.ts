/**
 * The one shape of a strategy that changes a target system (the database and Redis rotators): setSecret asks
 * `alreadyApplied` first, so a repeated or resumed step changes nothing, then `apply`; testSecret runs `test`.
 * Each rotator chooses its strategy from a table keyed by its configuration.
 */
import type { RotationContext } from './rotator';

export interface TargetStrategy<Input> {
  readonly name: string;
  /** The pending credential already works as the strategy promises (a repeated step): nothing to apply. */
  alreadyApplied(input: Input): Promise<boolean>;
  /** Makes the pending credential work on the target. Safe to repeat and after a crash halfway. */
  apply(input: Input): Promise<void>;
  /** Proves the pending credential works, and whatever the strategy promises about the current one. */
  test(input: Input): Promise<void>;
}

/** setSecret through a strategy: apply unless already applied. */
export async function applyStrategy<Input extends { ctx: RotationContext }>(strategy: TargetStrategy<Input>, input: Input): Promise<void> {
  if (await strategy.alreadyApplied(input)) {
    input.ctx.logger.info('the pending credential already works: nothing to apply', { strategy: strategy.name });
    return;
  }
  await strategy.apply(input);
}
