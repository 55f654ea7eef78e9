import { inspect } from 'node:util';
import { classifyRedisError } from '../../../lambdas/redis/connection';
import { RedisReplyError } from '../../../lambdas/redis/resp';

describe('a Redis error reply that quotes the new password never reaches the rotation error', () => {
  // Redis answers a refused ACL SETUSER modifier by quoting it: the modifier is `>` followed by the password.
  const password = 'Gen3rated-Pending-Pw-4f1c9a';
  const reply = new RedisReplyError(`ERR Error in ACL SETUSER modifier '>${password}': Syntax error`);

  it('keeps only the reply code in the message, and hides the reply as a non-enumerable cause', () => {
    const error = classifyRedisError(reply, 'admin credential', { host: 'cache.internal', port: 6379 });
    expect(error.errorClass).toBe('TargetUnavailable');
    expect(error.message).toBe('Redis cache.internal:6379: admin credential failed (ERR)');
    for (const rendered of [
      error.message,
      String(error),
      inspect(error),
      inspect(error, { showHidden: true, depth: 5 }),
      JSON.stringify(error),
      error.stack ?? '',
    ]) {
      expect(rendered).not.toContain(password);
    }
  });
});
