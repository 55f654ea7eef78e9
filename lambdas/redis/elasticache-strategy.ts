/**
 * ElastiCache RBAC user: ModifyUser with Passwords [current, pending] (ElastiCache allows two), then wait until
 * the user is `active` again (bounded). ModifyUser is refused while the user is `modifying`, so wait first too.
 */
import { quoteIdentifier } from '../../contracts/secret-identity';
import { DescribeUsersCommand, ElastiCacheClient, ModifyUserCommand } from '@aws-sdk/client-elasticache';
import type { Logger } from '@aws-lambda-powertools/logger';
import { awsCallError } from '../rotation/classify';
import { RotationError } from '../rotation/errors';

export interface ElastiCacheWaitOptions {
  timeoutMs: number;
  pollMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_ELASTICACHE_WAIT: ElastiCacheWaitOptions = { timeoutMs: 180_000, pollMs: 5_000 };

type Client = Pick<ElastiCacheClient, 'send'>;

interface Target {
  client: Client;
  userId: string;
  /** Names the secret and step in error messages. */
}

function awsError(e: unknown, what: string, t: Target): RotationError {
  if ((e as Error).name === 'UserNotFoundFault')
    return new RotationError('InvalidState', `ElastiCache user ${quoteIdentifier(t.userId)} does not exist (${what})`, { cause: e });
  return awsCallError(e, 'ElastiCache', `${what} on user ${quoteIdentifier(t.userId)}`);
}

async function userStatus(t: Target): Promise<string | undefined> {
  try {
    const { Users = [] } = await t.client.send(new DescribeUsersCommand({ UserId: t.userId }));
    return Users.find((u) => u.UserId === t.userId)?.Status;
  } catch (e) {
    throw awsError(e, 'DescribeUsers', t);
  }
}

export async function waitUntilActive(t: Target, wait: ElastiCacheWaitOptions): Promise<void> {
  const { userId } = t;
  const sleep = wait.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + wait.timeoutMs;
  for (;;) {
    const status = await userStatus(t);
    if (status === undefined) throw new RotationError('InvalidState', `ElastiCache user ${quoteIdentifier(userId)} does not exist`);
    if (status === 'active') return;
    if (Date.now() + wait.pollMs > deadline) {
      throw new RotationError(
        'Timeout',
        `ElastiCache user ${quoteIdentifier(userId)} still "${status}" after ${Math.round(wait.timeoutMs / 1000)} s; Secrets Manager will retry the rotation`,
      );
    }
    await sleep(wait.pollMs);
  }
}

export async function setElastiCachePasswords(
  t: Target,
  passwords: { current: string; pending: string },
  wait: ElastiCacheWaitOptions,
  logger: Logger,
): Promise<void> {
  await waitUntilActive(t, wait);
  try {
    await t.client.send(new ModifyUserCommand({ UserId: t.userId, Passwords: [passwords.current, passwords.pending] }));
  } catch (e) {
    throw awsError(e, 'ModifyUser', t);
  }
  logger.info('ElastiCache user passwords set to current + pending; waiting for active', { userId: t.userId });
  await waitUntilActive(t, wait);
}

/** Sets the ElastiCache user's two passwords (what the rotator's ElastiCache strategy calls). */
export type ElastiCachePasswords = (userId: string, passwords: { current: string; pending: string }, logger: Logger) => Promise<void>;

/** ModifyUser and the waits with a client made on first use (one per process). */
export function elastiCachePasswords(client: () => Client, wait: ElastiCacheWaitOptions = DEFAULT_ELASTICACHE_WAIT): ElastiCachePasswords {
  let made: Client | undefined;
  return (userId, passwords, logger) => setElastiCachePasswords({ client: (made ??= client()), userId }, passwords, wait, logger);
}
