/**
 * Alternating users: `<base>` and `<base>_clone` take turns; the master credential (secret `masterarn`) sets the
 * pending user's password, creating the user when missing, and re-syncs its privileges from the base user on
 * every rotation. AWSCURRENT's password never changes, so AWSCURRENT logs in at every point.
 */
import { DatabaseMasterSecret, parseDatabaseMasterSecret } from '../../../contracts/database';
import { SecretShapeError } from '../../../contracts/errors';
import { RotationError } from '../../rotation/errors';
import type { RotationContext } from '../../rotation/rotator';
import { endpointOf } from '../secret';
import type { StrategyInput } from './types';

export const CLONE_SUFFIX = '_clone';
export const baseUser = (username: string): string => (username.endsWith(CLONE_SUFFIX) ? username.slice(0, -CLONE_SUFFIX.length) : username);
export const otherUser = (username: string): string => (username.endsWith(CLONE_SUFFIX) ? baseUser(username) : `${username}${CLONE_SUFFIX}`);

export async function readMasterCredential(ctx: RotationContext, masterArn: string): Promise<DatabaseMasterSecret> {
  const raw = await ctx.secrets.getSecretString(masterArn, 'AWSCURRENT');
  try {
    return parseDatabaseMasterSecret(raw);
  } catch (e) {
    if (e instanceof SecretShapeError) throw new RotationError('BadSecretShape', `secret ${ctx.secretName}: master secret (masterarn): ${e.message}`);
    throw e;
  }
}

export async function applyAlternating(input: StrategyInput): Promise<void> {
  const { pending, current, ctx, db } = input;
  const masterArn = pending.masterarn;
  if (!masterArn) throw new RotationError('BadSecretShape', `secret ${ctx.secretName}: field "masterarn" is missing: alternating users need the master secret ARN`);
  const base = baseUser(pending.username);
  if (current) {
    if (pending.username !== otherUser(current.username)) {
      throw new RotationError('InvalidState', `secret ${ctx.secretName}: AWSPENDING user must be the other one of "${base}" / "${base}${CLONE_SUFFIX}"`);
    }
    // Confused-deputy guard: only a credential that really logs in may have the master act for it.
    await db.with(endpointOf(current), 'AWSCURRENT', (s) => s.ping());
  }
  const master = await readMasterCredential(ctx, masterArn);
  if (master.host.toLowerCase() !== pending.host.toLowerCase() || master.port !== pending.port) {
    throw new RotationError('InvalidState', `secret ${ctx.secretName}: the master secret points at another host or port than the rotated secret`);
  }
  if (master.username === pending.username || master.username === base) {
    throw new RotationError('InvalidState', `secret ${ctx.secretName}: the rotated user must not be the master user`);
  }
  if (pending.username.length > db.driver.maxUsernameLength) {
    throw new RotationError('BadSecretShape', `secret ${ctx.secretName}: user name "${pending.username}" is longer than ${db.driver.maxUsernameLength} characters`);
  }
  await input.confirmTarget();
  const masterEndpoint = { ...endpointOf(pending), username: master.username, password: master.password, ssl: master.ssl ?? pending.ssl };
  await db.with(masterEndpoint, 'master credential (masterarn)', async (session) => {
    const exists = await session.userExists(pending.username);
    if (exists) await session.setUserPassword(pending.username, pending.password);
    else await session.createUser(pending.username, pending.password, base);
    const clone = `${base}${CLONE_SUFFIX}`;
    if (clone === pending.username || (await session.userExists(clone))) await session.syncGrants(base, clone);
    ctx.logger.info(exists ? 'password set by the master credential' : 'user created by the master credential', { username: pending.username, grantsFrom: base });
  });
}
