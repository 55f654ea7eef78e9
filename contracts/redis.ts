import { SecretShapeError } from './errors';
import { optionalBoolean, optionalString, parseJsonObject, refusePlaceholder, requiredPort, requiredString, requireSchema, unknownFields } from './fields';
import { stripUndefined } from './database';

/**
 * Redis/ElastiCache user credential. Exactly one of `adminarn` (self-managed Redis 6+: the admin credential
 * that may run ACL SETUSER) or `userId` (ElastiCache RBAC user, changed through the ElastiCache API).
 */
export interface RedisSecret {
  schema: 1;
  host: string;
  port: number;
  username: string;
  password: string;
  tls: boolean;
  adminarn?: string;
  userId?: string;
  url: string;
}

const SHAPE = 'redis-password';
const REDIS_FIELDS = ['schema', 'host', 'port', 'username', 'password', 'tls', 'adminarn', 'userId', 'url'] as const;

export function buildRedisUrl(value: Pick<RedisSecret, 'host' | 'port' | 'username' | 'password' | 'tls'>): string {
  const scheme = value.tls ? 'rediss' : 'redis';
  const host = value.host.includes(':') ? `[${value.host}]` : value.host;
  return `${scheme}://${encodeURIComponent(value.username)}:${encodeURIComponent(value.password)}@${host}:${value.port}`;
}

/**
 * The redis-password fields of a `redis://` or `rediss://` URL, the inverse of buildRedisUrl (`rediss` is TLS).
 * Undefined for any other scheme. A port or user the URL leaves out stays undefined for the caller's default.
 */
export function redisFieldsFromUrl(url: URL): { host: string; port?: number; username?: string; password: string; tls: boolean } | undefined {
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return undefined;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    ...(url.port ? { port: Number(url.port) } : {}),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    password: decodeURIComponent(url.password),
    tls: url.protocol === 'rediss:',
  };
}

export function parseRedisSecret(input: unknown): RedisSecret {
  const obj = parseJsonObject(SHAPE, input);
  refusePlaceholder(SHAPE, obj, 'the credential has not been seeded yet (see the runbook, first deploy)');
  requireSchema(SHAPE, obj, 1);
  const tls = optionalBoolean(SHAPE, obj, 'tls');
  if (tls === undefined) throw new SecretShapeError(SHAPE, 'tls', 'is missing');
  const base = {
    host: requiredString(SHAPE, obj, 'host'),
    port: requiredPort(SHAPE, obj, 'port'),
    username: requiredString(SHAPE, obj, 'username'),
    password: requiredString(SHAPE, obj, 'password'),
    tls,
    adminarn: optionalString(SHAPE, obj, 'adminarn'),
    userId: optionalString(SHAPE, obj, 'userId'),
  };
  if ((base.adminarn === undefined) === (base.userId === undefined)) {
    throw new SecretShapeError(SHAPE, 'adminarn', 'or "userId" must be set, exactly one of them');
  }
  if (base.adminarn !== undefined && !base.adminarn.startsWith('arn:')) {
    throw new SecretShapeError(SHAPE, 'adminarn', 'must be a Secrets Manager secret ARN');
  }
  const url = optionalString(SHAPE, obj, 'url') ?? buildRedisUrl(base);
  return stripUndefined({ ...unknownFields(obj, REDIS_FIELDS), schema: 1 as const, ...base, url });
}
