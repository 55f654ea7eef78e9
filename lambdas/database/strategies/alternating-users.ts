/**
 * Alternating users: `<base>` and `<base>_clone` take turns; the master credential (DB_MASTER_SECRET_ARN) sets
 * the pending user's password, creating the user when missing, and re-syncs its privileges from the base user
 * on every rotation. AWSCURRENT's password never changes, so AWSCURRENT logs in at every point.
 */
import { DatabaseMasterSecret, parseDatabaseMasterSecret } from '../../../contracts/database';
import { quoteIdentifier } from '../../../contracts/secret-identity';
import { parseAs, RotationError } from '../../rotation/errors';
import type { RotationContext } from '../../rotation/rotator';
import type { DatabaseTarget } from '../config';
import { baseUser, checkMaster, CLONE_SUFFIX, connectionTo, otherUser } from '../target';
import type { DatabaseStrategy, StrategyInput } from './types';

export { baseUser, CLONE_SUFFIX, otherUser };

/** The configured master secret, parsed and checked: it may differ from the target only in user and password. */
export async function readMasterCredential(ctx: RotationContext, target: DatabaseTarget): Promise<DatabaseMasterSecret> {
  const raw = await ctx.secrets.getSecretString(target.masterSecretArn as string, 'AWSCURRENT');
  const master = parseAs('master secret (DB_MASTER_SECRET_ARN)', () => parseDatabaseMasterSecret(raw));
  checkMaster(master, target);
  return master;
}

async function applyAlternating(input: StrategyInput): Promise<void> {
  const { pending, current, target, ctx, db } = input;
  const base = baseUser(pending.username);
  if (current) {
    if (pending.username !== otherUser(current.username)) {
      throw new RotationError(
        'InvalidState',
        `AWSPENDING user must be the other one of ${quoteIdentifier(base)} / ${quoteIdentifier(`${base}${CLONE_SUFFIX}`)}`,
      );
    }
    // Confused-deputy guard: only a credential that really logs in may have the master act for it.
    await db.with(connectionTo(target, current), 'AWSCURRENT', (s) => s.ping());
  }
  const master = await readMasterCredential(ctx, target);
  if (pending.username.length > db.driver.maxUsernameLength) {
    throw new RotationError('BadSecretShape', `user name ${quoteIdentifier(pending.username)} is longer than ${db.driver.maxUsernameLength} characters`);
  }
  await input.confirmTarget();
  await db.with(connectionTo(target, master), 'master credential (DB_MASTER_SECRET_ARN)', async (session) => {
    const exists = await session.userExists(pending.username);
    if (exists) await session.setUserPassword(pending.username, pending.password);
    else await session.createUser(pending.username, pending.password, base);
    const clone = `${base}${CLONE_SUFFIX}`;
    if (clone === pending.username || (await session.userExists(clone))) await session.syncGrants(base, clone);
    ctx.logger.info(exists ? 'password set by the master credential' : 'user created by the master credential', {
      username: pending.username,
      grantsFrom: base,
    });
  });
}

/** testSecret: the pending user logs in, and AWSCURRENT still does (the promise of alternating users). */
async function testAlternating({ pending, current, target, ctx, db }: StrategyInput): Promise<void> {
  await db.with(connectionTo(target, pending), 'AWSPENDING', (s) => s.ping());
  if (current) await db.with(connectionTo(target, current), 'AWSCURRENT (alternating users: must still log in)', (s) => s.ping());
  ctx.logger.info('AWSPENDING logs in, and AWSCURRENT still does', { username: pending.username });
}

export const alternatingUsers: DatabaseStrategy = {
  name: 'alternating-users',
  // Never skipped: setting the password again is harmless and the grant sync must run again after a crash
  // between the two (the pending user would log in, yet lack the base user's privileges).
  alreadyApplied: async () => false,
  apply: applyAlternating,
  test: testAlternating,
};
