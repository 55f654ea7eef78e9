import { isIP } from 'node:net';
import { createClient } from 'redis';
import { classifyNetworkError, describeNetworkClass, errorCodes, errorSummary } from '../rotation/classify';
import { RotationError } from '../rotation/errors';

/** Where and as whom to connect. TLS verifies the certificate chain and the host name. */
export interface RedisEndpoint {
  host: string;
  port: number;
  tls: boolean;
  username: string;
  password: string;
}

export interface RedisConnectOptions {
  /** Extra trusted CA (PEM). In Lambda, NODE_EXTRA_CA_CERTS does this; tests pass their own CA here. */
  ca?: string;
  connectTimeoutMs?: number;
}

/** The commands the rotator uses on a connection. */
export interface RedisConnection {
  ping(): Promise<string>;
  sendCommand(args: string[]): Promise<unknown>;
}

/** Redis error replies carry no code property: the code is the reply's first word (`WRONGPASS`, `NOPERM`). */
const redisReplyCode = (e: unknown): string | undefined => {
  const message = (e as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? /^[A-Z]{3,}(?= )/.exec(message)?.[0] : undefined;
};

/**
 * Turns a Redis or socket error into a classified RotationError. `what` says which connection (e.g. `pending
 * password of user "app"`); the message carries the Redis reply code or the socket code, never the value.
 */
export function classifyRedisError(e: unknown, what: string, endpoint: Pick<RedisEndpoint, 'host' | 'port'>): RotationError {
  if (e instanceof RotationError) return e;
  const where = `Redis ${endpoint.host}:${endpoint.port}`;
  const reply = redisReplyCode(e);
  if (reply === 'WRONGPASS' || reply === 'NOAUTH') {
    return new RotationError('AuthFailed', `${where}: authentication refused for the ${what} (${reply})`, { cause: e });
  }
  if (reply === 'NOPERM') {
    return new RotationError('AccessDenied', `${where}: the ${what} lacks the ACL permission for this command (NOPERM)`, { cause: e });
  }
  const network = classifyNetworkError(e) ?? (errorCodes(e).includes('ConnectionTimeoutError') ? 'Timeout' : undefined);
  if (network) return new RotationError(network, `${where}: ${describeNetworkClass(network)} for the ${what} (${errorSummary(e)})`, { cause: e });
  if (errorCodes(e).includes('SocketClosedUnexpectedlyError')) {
    return new RotationError('Unreachable', `${where}: connection closed unexpectedly for the ${what}`, { cause: e });
  }
  return new RotationError('TargetUnavailable', `${where}: ${what} failed (${reply ?? errorSummary(e)})`, { cause: e });
}

function socketOptions(endpoint: RedisEndpoint, options: RedisConnectOptions) {
  const base = { host: endpoint.host, port: endpoint.port, connectTimeout: options.connectTimeoutMs ?? 5000, reconnectStrategy: false as const };
  if (!endpoint.tls) return base;
  return {
    ...base,
    tls: true as const,
    rejectUnauthorized: true,
    // SNI and the name check use the host; an IP address is checked against the certificate's IP SANs instead.
    ...(isIP(endpoint.host) ? {} : { servername: endpoint.host }),
    ...(options.ca ? { ca: options.ca } : {}),
  };
}

/**
 * Opens a NEW connection (AUTH username password happens on connect), runs `use`, and always closes it.
 * No reconnects: a failure must surface as a classified error, not a retry loop.
 */
export async function withRedis<R>(endpoint: RedisEndpoint, what: string, options: RedisConnectOptions, use: (c: RedisConnection) => Promise<R>): Promise<R> {
  const client = createClient({
    socket: socketOptions(endpoint, options),
    username: endpoint.username,
    password: endpoint.password,
    disableClientInfo: true,
  });
  // Errors are also emitted as events; without a listener Node would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await use(client);
  } catch (e) {
    throw classifyRedisError(e, what, endpoint);
  } finally {
    client.destroy();
  }
}

/** Proves a credential: a NEW connection authenticates, then PING answers PONG. */
export async function authenticateAndPing(endpoint: RedisEndpoint, what: string, options: RedisConnectOptions): Promise<void> {
  await withRedis(endpoint, what, options, async (c) => {
    const pong = await c.ping();
    if (pong !== 'PONG') throw new RotationError('TestFailed', `Redis ${endpoint.host}:${endpoint.port}: PING as the ${what} answered unexpectedly`);
  });
}
