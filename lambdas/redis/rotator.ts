import type { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { SecretShapeError } from '../../contracts/errors';
import { buildRedisUrl, parseRedisSecret, RedisSecret } from '../../contracts/redis';
import { RotationError } from '../rotation/errors';
import { generatePassword, PasswordPolicy } from '../rotation/password';
import type { RotationContext, Rotator } from '../rotation/rotator';
import { setTwoPasswords } from './acl-strategy';
import { parseAdminCredential } from './admin-credential';
import { authenticateAndPing, RedisConnectOptions, RedisEndpoint } from './connection';
import { DEFAULT_ELASTICACHE_WAIT, ElastiCacheWaitOptions, setElastiCachePasswords } from './elasticache-strategy';

/** What the stack configured this function for (REDIS_HOST/PORT/USERNAME/TLS): a secret pointing elsewhere is refused. */
export interface ExpectedRedisTarget {
  host?: string;
  port?: number;
  username?: string;
  tls?: boolean;
}

export interface RedisRotatorDeps {
  elastiCache?: () => Pick<ElastiCacheClient, 'send'>;
  elastiCacheWait?: ElastiCacheWaitOptions;
  connect?: RedisConnectOptions;
  expected?: ExpectedRedisTarget;
  /** Length and excluded characters of new passwords (PASSWORD_LENGTH, PASSWORD_EXCLUDE_CHARACTERS). */
  passwordPolicy?: PasswordPolicy;
  newPassword?: () => string;
  /** Proves one credential with a NEW connection (tests replace it where no Redis server runs). */
  authenticate?: typeof authenticateAndPing;
}

const endpointOf = (s: RedisSecret): RedisEndpoint => ({ host: s.host, port: s.port, tls: s.tls, username: s.username, password: s.password });

function parseSecret(secretString: string, ctx: RotationContext, which: string): RedisSecret {
  try {
    return parseRedisSecret(secretString);
  } catch (e) {
    if (e instanceof SecretShapeError) {
      throw new RotationError(e.field === 'placeholder' ? 'Placeholder' : 'BadSecretShape', `secret ${ctx.secretName}: ${which} value: ${e.message}`);
    }
    throw e;
  }
}

function checkTarget(current: RedisSecret, expected: ExpectedRedisTarget | undefined, ctx: RotationContext): void {
  for (const field of ['host', 'port', 'username', 'tls'] as const) {
    const want = expected?.[field];
    if (want !== undefined && current[field] !== want) {
      throw new RotationError('InvalidState', `secret ${ctx.secretName}: field "${field}" does not match the Redis target this function is configured for (REDIS_${field.toUpperCase()})`);
    }
  }
}

function checkSameUser(pending: RedisSecret, current: RedisSecret, ctx: RotationContext): void {
  for (const field of ['host', 'port', 'username', 'tls', 'adminarn', 'userId'] as const) {
    if (pending[field] !== current[field]) {
      throw new RotationError('InvalidState', `secret ${ctx.secretName}: pending field "${field}" differs from AWSCURRENT; only the password may change`);
    }
  }
}

/**
 * Dual-password Redis rotation: after setSecret the user accepts exactly the current and the pending password,
 * so new connections with either succeed until the next rotation discards the older one.
 */
export function createRedisRotator(deps: RedisRotatorDeps = {}): Rotator<RedisSecret> {
  const connect = deps.connect ?? {};
  const newPassword = deps.newPassword ?? (() => generatePassword(deps.passwordPolicy));
  const authenticate = deps.authenticate ?? authenticateAndPing;
  let elastiCache: Pick<ElastiCacheClient, 'send'> | undefined;
  const elastiCacheClient = () => {
    if (!deps.elastiCache) throw new RotationError('Internal', 'no ElastiCache client configured');
    return (elastiCache ??= deps.elastiCache());
  };

  const currentOf = (versions: { current: string }, ctx: RotationContext) => {
    const current = parseSecret(versions.current, ctx, 'AWSCURRENT');
    checkTarget(current, deps.expected, ctx);
    return current;
  };

  return {
    kind: 'redis',

    parse: (secretString, ctx) => parseSecret(secretString, ctx, 'stored'),

    serialize: (value) => JSON.stringify(value),

    async createPending(versions, ctx) {
      const current = currentOf(versions, ctx);
      const password = newPassword();
      if (current.userId && (password.length < 16 || password.length > 128)) {
        throw new RotationError('InvalidState', `secret ${ctx.secretName}: ElastiCache user passwords must be 16 to 128 characters; set PASSWORD_LENGTH accordingly`);
      }
      return { ...current, password, url: buildRedisUrl({ ...current, password }) };
    },

    async applyPending(pending, versions, ctx) {
      const current = currentOf(versions, ctx);
      checkSameUser(pending, current, ctx);
      const passwords = { current: current.password, pending: pending.password };
      if (current.adminarn) {
        const admin = parseAdminCredential(await ctx.secrets.getSecretString(current.adminarn), current, ctx.secretName);
        const result = await setTwoPasswords(admin, current.username, passwords, connect, ctx.logger);
        ctx.logger.info('redis ACL applied', { username: current.username, ...result });
        return;
      }
      const userId = current.userId as string; // the parser guarantees exactly one of adminarn / userId
      try {
        // Already applied (a repeated step): both passwords log in, nothing to change.
        await authenticate(endpointOf(pending), `pending password of user "${pending.username}"`, connect);
        await authenticate(endpointOf(current), `current password of user "${current.username}"`, connect);
        ctx.logger.info('ElastiCache user already accepts the current and pending passwords', { userId });
        return;
      } catch (e) {
        // Only an authentication failure means "not applied yet"; network and TLS failures stop the step.
        if (!(e instanceof RotationError && e.errorClass === 'AuthFailed')) throw e;
      }
      await setElastiCachePasswords({ client: elastiCacheClient(), userId, where: `secret ${ctx.secretName}, step ${ctx.step}` }, passwords, deps.elastiCacheWait ?? DEFAULT_ELASTICACHE_WAIT, ctx.logger);
    },

    async testPending(pending, versions, ctx) {
      await authenticate(endpointOf(pending), `pending password of user "${pending.username}"`, connect);
      // Dual-password promise: AWSCURRENT keeps logging in until finishSecret and beyond.
      const current = currentOf(versions, ctx);
      await authenticate(endpointOf(current), `current password of user "${current.username}"`, connect);
      ctx.logger.info('pending and current redis passwords both authenticate', { username: pending.username });
    },
  };
}
