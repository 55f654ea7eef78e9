/**
 * Strategies where the user changes its own password: single-user, and MySQL dual-password (which keeps the
 * current password valid as a secondary one and falls back to single-user where the server lacks it).
 *
 * setSecret logs in with the first accepted of, falling back only on an authentication failure:
 * - single-user: current (the usual case: one login), pending (already applied: nothing to do), previous;
 * - dual-password: pending (already applied: after RETAIN CURRENT PASSWORD the current one logs in too), current,
 *   previous;
 * then changes the password. Single-user asks current first: while current logs in, pending is not applied yet
 * (each password is new), and the rotation makes no refused login attempt on the server.
 */
import { quoteIdentifier } from '../../../contracts/secret-identity';
import { RotationError } from '../../rotation/errors';
import { loginFirstAccepted } from '../access';
import { connectionTo } from '../target';
import type { DatabaseStrategy, StrategyInput } from './types';

function requireCurrent(input: StrategyInput) {
  if (!input.current) {
    throw new RotationError(
      'Placeholder',
      `AWSCURRENT is still the deploy-time placeholder; seed it with the runbook's first-deploy step (single-user rotation cannot bootstrap a credential)`,
    );
  }
  return input.current;
}

async function pendingLogsIn({ pending, target, db }: StrategyInput): Promise<boolean> {
  const session = await db.tryLogin(connectionTo(target, pending), 'AWSPENDING');
  await session?.close();
  return session !== undefined;
}

async function changeOwnPassword(input: StrategyInput, dualPassword: boolean): Promise<void> {
  const { pending, target, ctx, db } = input;
  const current = requireCurrent(input);
  const currentCandidate = { which: 'AWSCURRENT', endpoint: async () => connectionTo(target, current) };
  const pendingCandidate = { which: 'AWSPENDING', endpoint: async () => connectionTo(target, pending) };
  const previousCandidate = {
    which: 'AWSPREVIOUS',
    endpoint: async () => {
      const previous = await input.previous();
      return previous ? connectionTo(target, previous) : undefined;
    },
  };
  // Dual-password checked pending already (alreadyApplied): current, then previous.
  const loggedIn = await loginFirstAccepted(db, dualPassword ? [currentCandidate, previousCandidate] : [currentCandidate, pendingCandidate, previousCandidate]);
  if (!loggedIn) {
    throw new RotationError('AuthFailed', `user ${quoteIdentifier(current.username)} cannot log in with the AWSPENDING, AWSCURRENT or AWSPREVIOUS password`);
  }
  const { session, which } = loggedIn;
  if (which === 'AWSPENDING') {
    await session.close();
    ctx.logger.info('the pending credential already works: nothing to apply', { strategy: 'single-user' });
    return;
  }
  try {
    await input.confirmTarget();
    if (dualPassword && (await session.supportsDualPassword())) {
      await session.setOwnPasswordRetainingCurrent(pending.password);
      ctx.logger.info('password changed; the old password stays valid until the next rotation (RETAIN CURRENT PASSWORD)', {
        username: pending.username,
        loggedInWith: which,
      });
      return;
    }
    if (dualPassword) {
      ctx.logger.warn(
        'dual-password is not supported by this server (MariaDB, or MySQL older than 8.0.14): falling back to single-user rotation; the old password stops working now',
        {
          username: pending.username,
        },
      );
    }
    await session.setOwnPassword(pending.password);
    ctx.logger.info('password changed by the user itself', { username: pending.username, loggedInWith: which });
  } finally {
    await session.close();
  }
}

/** testSecret: pending logs in; with dual-password (where supported) the current password must still log in too. */
async function testOwnPassword(input: StrategyInput, dualPassword: boolean): Promise<void> {
  const { pending, target, ctx, db } = input;
  const dual = await db.with(connectionTo(target, pending), 'AWSPENDING', async (s) => {
    await s.ping();
    return dualPassword && (await s.supportsDualPassword());
  });
  if (dual && input.current) {
    await db.with(connectionTo(target, input.current), 'AWSCURRENT (dual-password: must still log in)', (s) => s.ping());
  }
  ctx.logger.info('AWSPENDING logs in', { username: pending.username, dualPassword: dual });
}

export function selfService(dualPassword: boolean): DatabaseStrategy {
  return {
    name: dualPassword ? 'dual-password' : 'single-user',
    // Single-user learns it in apply, from the login order (no refused login in the usual case).
    alreadyApplied: dualPassword ? pendingLogsIn : async () => false,
    apply: (input) => changeOwnPassword(input, dualPassword),
    test: (input) => testOwnPassword(input, dualPassword),
  };
}
