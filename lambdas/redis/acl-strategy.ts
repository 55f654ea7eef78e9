/**
 * Self-managed Redis 6+: the admin credential sets the user's passwords to exactly {current, pending} with one
 * atomic `ACL SETUSER <user> resetpass #<sha256(current)> #<sha256(pending)>`. Sending hashes means no clear
 * password travels to the server (or into its slowlog/MONITOR); the password two rotations old disappears in the
 * same command. Safe to repeat: when the user already has exactly those two hashes only `ACL SAVE` is sent.
 */
import { quoteIdentifier } from '../../contracts/secret-identity';
import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { RotationError } from '../rotation/errors';
import { RedisConnectOptions, RedisEndpoint, withRedis } from './connection';

export const aclPasswordHash = (password: string): string => createHash('sha256').update(password, 'utf8').digest('hex');

interface AclUser {
  flags: string[];
  passwords: string[];
}

/** ACL GETUSER answers a map (RESP3) or a flat [key, value, ...] array (RESP2); null when the user does not exist. */
function readAclUser(reply: unknown): AclUser | null {
  if (reply === null || reply === undefined) return null;
  let fields: Record<string, unknown>;
  if (Array.isArray(reply)) {
    fields = {};
    for (let i = 0; i + 1 < reply.length; i += 2) fields[String(reply[i])] = reply[i + 1];
  } else if (reply instanceof Map) {
    fields = Object.fromEntries(reply);
  } else {
    fields = reply as Record<string, unknown>;
  }
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  return { flags: list(fields.flags), passwords: list(fields.passwords) };
}

export interface AclApplyResult {
  changed: boolean;
  persisted: 'aclfile' | 'memory-only';
}

export async function setTwoPasswords(
  admin: RedisEndpoint,
  username: string,
  passwords: { current: string; pending: string },
  options: RedisConnectOptions,
  logger: Logger,
): Promise<AclApplyResult> {
  if (admin.username === username) {
    throw new RotationError('InvalidState', `Redis user ${quoteIdentifier(username)} is the admin user itself; the admin credential must be a different user`);
  }
  const wanted = [aclPasswordHash(passwords.current), aclPasswordHash(passwords.pending)];
  return withRedis(admin, `admin user ${quoteIdentifier(admin.username)}`, options, async (c) => {
    const user = readAclUser(await c.sendCommand(['ACL', 'GETUSER', username]));
    if (!user)
      throw new RotationError(
        'InvalidState',
        `Redis user ${quoteIdentifier(username)} does not exist; create it with its permissions first (runbook: first deploy)`,
      );
    if (user.flags.includes('off')) {
      throw new RotationError('InvalidState', `Redis user ${quoteIdentifier(username)} is disabled (off); enable it deliberately before rotating`);
    }
    const has = new Set(user.passwords);
    const changed = !(user.passwords.length === 2 && wanted.every((h) => has.has(h)));
    if (changed) {
      await c.sendCommand(['ACL', 'SETUSER', username, 'resetpass', `#${wanted[0]}`, `#${wanted[1]}`]);
      logger.info('redis user passwords set to current + pending', { username, removedPasswords: user.passwords.filter((h) => !wanted.includes(h)).length });
    } else {
      logger.info('redis user already holds exactly the current and pending passwords', { username });
    }
    // Saved even when unchanged: an earlier attempt may have crashed between SETUSER and SAVE.
    return { changed, persisted: await persistAcl(c, logger) };
  });
}

/** Writes the ACL to the aclfile so a restart does not bring back the old passwords. */
async function persistAcl(c: { sendCommand(args: string[]): Promise<unknown> }, logger: Logger): Promise<'aclfile' | 'memory-only'> {
  try {
    await c.sendCommand(['ACL', 'SAVE']);
    return 'aclfile';
  } catch (e) {
    if (/not configured to use an ACL file/i.test((e as Error).message)) {
      logger.warn('redis has no aclfile: the new passwords live in memory only until CONFIG REWRITE (runbook: Redis ACL persistence)');
      return 'memory-only';
    }
    throw e;
  }
}
