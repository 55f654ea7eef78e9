import { buildRedisUrl, parseRedisSecret, RedisSecret } from '../../contracts/redis';
import { parseAs, RotationError } from '../rotation/errors';
import { generatePassword, PasswordPolicy } from '../rotation/password';
import type { RotationContext, Rotator } from '../rotation/rotator';
import { applyStrategy, TargetStrategy } from '../rotation/strategy';
import { setTwoPasswords } from './acl-strategy';
import { parseAdminCredential } from './admin-credential';
import type { RedisTarget } from './target-config';
import { quoteIdentifier } from '../../contracts/secret-identity';
import { authenticateAndPing, RedisConnectOptions, RedisEndpoint } from './connection';
import type { ElastiCachePasswords } from './elasticache-strategy';

export interface RedisRotatorDeps {
  /**
   * ModifyUser through the ElastiCache API (elasticache-strategy.ts). Only the ElastiCache entry carries it: the
   * stack picks that entry when the configuration names an ElastiCache user.
   */
  elastiCache?: ElastiCachePasswords;
  connect?: RedisConnectOptions;
  /** The configured Redis user (REDIS_*): the only one the rotator touches, over the configured TLS mode. */
  target: RedisTarget;
  /** Length and excluded characters of new passwords (PASSWORD_LENGTH, PASSWORD_EXCLUDE_CHARACTERS). */
  passwordPolicy?: PasswordPolicy;
  newPassword?: () => string;
  /** Proves one credential with a NEW connection (tests replace it where no Redis server runs). */
  authenticate?: typeof authenticateAndPing;
}

interface RedisInput {
  pending: RedisSecret;
  current: RedisSecret;
  ctx: RotationContext;
}

/** Where and as whom to connect: the configured endpoint and TLS mode, with a checked value's credential. */
const endpointOf = (target: RedisTarget, s: Pick<RedisSecret, 'username' | 'password'>): RedisEndpoint => ({
  host: target.host,
  port: target.port,
  tls: target.tls,
  username: s.username,
  password: s.password,
});

const parseSecret = (secretString: string, which: string): RedisSecret => parseAs(`${which} value`, () => parseRedisSecret(secretString));

const TARGET_FIELDS: { field: keyof RedisSecret; variable: string; want: (t: RedisTarget) => unknown }[] = [
  { field: 'host', variable: 'REDIS_HOST', want: (t) => t.host.toLowerCase() },
  { field: 'port', variable: 'REDIS_PORT', want: (t) => t.port },
  { field: 'username', variable: 'REDIS_USERNAME', want: (t) => t.username },
  { field: 'tls', variable: 'REDIS_TLS', want: (t) => t.tls },
  { field: 'adminarn', variable: 'REDIS_ADMIN_SECRET_ARN', want: (t) => t.adminSecretArn },
  { field: 'userId', variable: 'REDIS_ELASTICACHE_USER_ID', want: (t) => t.elastiCacheUserId },
];

/** Refuses a version that names another endpoint, user, TLS mode, admin secret or ElastiCache user. */
function checkTarget(value: RedisSecret, target: RedisTarget, which: string): void {
  for (const { field, variable, want } of TARGET_FIELDS) {
    const have = field === 'host' ? value.host.toLowerCase() : value[field];
    if (have !== want(target)) {
      throw new RotationError(
        'TargetMismatch',
        `${which} field "${field}" does not match the Redis target this function is configured for (${variable}); nothing was changed`,
      );
    }
  }
}

/**
 * Dual-password Redis rotation: after setSecret the user accepts exactly the current and the pending password,
 * so new connections with either succeed until the next rotation discards the older one.
 */
export function createRedisRotator(deps: RedisRotatorDeps): Rotator<RedisSecret> {
  const connect = deps.connect ?? {};
  const newPassword = deps.newPassword ?? (() => generatePassword(deps.passwordPolicy));
  const authenticate = deps.authenticate ?? authenticateAndPing;
  const { target, elastiCache } = deps;
  if (target.elastiCacheUserId && !elastiCache) {
    throw new RotationError(
      'Internal',
      'configuration: REDIS_ELASTICACHE_USER_ID is set, but this function carries no ElastiCache client (the stack bundles entry-elasticache.ts for an ElastiCache user)',
    );
  }
  const currentOf = (versions: { current: string }) => {
    const current = parseSecret(versions.current, 'AWSCURRENT');
    checkTarget(current, target, 'AWSCURRENT');
    return current;
  };

  const inputFor = (pending: RedisSecret, versions: { current: string }, ctx: RotationContext): RedisInput => {
    const current = currentOf(versions);
    checkTarget(pending, target, 'AWSPENDING');
    return { pending, current, ctx };
  };
  const logsIn = (s: RedisSecret, which: string) => authenticate(endpointOf(target, s), `${which} password of user ${quoteIdentifier(s.username)}`, connect);

  /** Dual-password promise: the pending password logs in, and AWSCURRENT keeps logging in until finishSecret and beyond. */
  const bothLogIn = async ({ pending, current, ctx }: RedisInput): Promise<void> => {
    await logsIn(pending, 'pending');
    await logsIn(current, 'current');
    ctx.logger.info('pending and current redis passwords both authenticate', { username: pending.username });
  };

  const strategies: Record<'acl' | 'elasticache', TargetStrategy<RedisInput>> = {
    acl: {
      name: 'acl',
      // Never skipped: ACL SETUSER is a no-op when the user already holds exactly the two passwords, and ACL SAVE
      // must run again after a crash between the two.
      alreadyApplied: async () => false,
      async apply({ pending, current, ctx }) {
        const admin = parseAdminCredential(await ctx.secrets.getSecretString(target.adminSecretArn as string), target);
        const result = await setTwoPasswords(admin, target.username, { current: current.password, pending: pending.password }, connect, ctx.logger);
        ctx.logger.info('redis ACL applied', { username: current.username, ...result });
      },
      test: bothLogIn,
    },
    elasticache: {
      name: 'elasticache',
      async alreadyApplied(input) {
        try {
          await bothLogIn(input);
          return true;
        } catch (e) {
          // Only an authentication failure means "not applied yet"; network and TLS failures stop the step.
          if (e instanceof RotationError && e.errorClass === 'AuthFailed') return false;
          throw e;
        }
      },
      async apply({ pending, current, ctx }) {
        await (elastiCache as ElastiCachePasswords)(target.elastiCacheUserId as string, { current: current.password, pending: pending.password }, ctx.logger);
      },
      test: bothLogIn,
    },
  };
  // Configuration: exactly one of the admin secret (self-managed Redis ACL) or the ElastiCache user id.
  const chosen = strategies[target.adminSecretArn ? 'acl' : 'elasticache'];

  return {
    kind: 'redis',

    parse: (secretString) => parseSecret(secretString, 'stored'),

    serialize: (value) => JSON.stringify(value),

    async createPending(versions) {
      const current = currentOf(versions);
      const password = newPassword();
      if (current.userId && (password.length < 16 || password.length > 128)) {
        throw new RotationError('InvalidState', `ElastiCache user passwords must be 16 to 128 characters; set PASSWORD_LENGTH accordingly`);
      }
      return { ...current, password, url: buildRedisUrl({ ...current, password }) };
    },

    async applyPending(pending, versions, ctx) {
      await applyStrategy(chosen, inputFor(pending, versions, ctx));
    },

    async testPending(pending, versions, ctx) {
      await chosen.test(inputFor(pending, versions, ctx));
    },
  };
}
