import { connect as netConnect, isIP, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { classifyNetworkError, describeNetworkClass, errorSummary } from '../rotation/classify';
import { RotationError } from '../rotation/errors';
import { RespConnection } from './resp';

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
  const network = classifyNetworkError(e);
  if (network) return new RotationError(network, `${where}: ${describeNetworkClass(network)} for the ${what} (${errorSummary(e)})`, { cause: e });
  return new RotationError('TargetUnavailable', `${where}: ${what} failed (${reply ?? errorSummary(e)})`, { cause: e });
}

/**
 * A connected socket: TLS verifies the chain and the host name (SNI and the name check use the host; an IP
 * address is checked against the certificate's IP SANs instead). Fails with ETIMEDOUT after `connectTimeoutMs`.
 */
function openSocket(endpoint: RedisEndpoint, options: RedisConnectOptions): Promise<Socket> {
  const { host, port } = endpoint;
  const socket = endpoint.tls
    ? tlsConnect({ host, port, rejectUnauthorized: true, ...(isIP(host) ? {} : { servername: host }), ...(options.ca ? { ca: options.ca } : {}) })
    : netConnect({ host, port });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error('Redis connection timed out'), { code: 'ETIMEDOUT' }));
    }, options.connectTimeoutMs ?? 5000);
    const settle = (error?: Error) => {
      clearTimeout(timer);
      socket.removeListener('error', settle);
      if (error) {
        socket.destroy();
        reject(error);
      } else resolve(socket);
    };
    socket.once(endpoint.tls ? 'secureConnect' : 'connect', () => settle());
    socket.once('error', settle);
    // Errors after connect reach the RESP connection's listener; this one only keeps a late error from crashing.
    socket.on('error', () => undefined);
  });
}

/**
 * Opens a NEW connection, authenticates (AUTH username password), runs `use`, and always closes it. No
 * reconnects: a failure must surface as a classified error, not a retry loop.
 */
export async function withRedis<R>(endpoint: RedisEndpoint, what: string, options: RedisConnectOptions, use: (c: RedisConnection) => Promise<R>): Promise<R> {
  let resp: RespConnection | undefined;
  try {
    const socket = await openSocket(endpoint, options);
    socket.setNoDelay(true);
    resp = new RespConnection(socket);
    const connection = resp;
    await connection.command(['AUTH', endpoint.username, endpoint.password]);
    return await use({ ping: async () => String(await connection.command(['PING'])), sendCommand: (args) => connection.command(args) });
  } catch (e) {
    throw classifyRedisError(e, what, endpoint);
  } finally {
    resp?.close();
  }
}

/** Proves a credential: a NEW connection authenticates, then PING answers PONG. */
export async function authenticateAndPing(endpoint: RedisEndpoint, what: string, options: RedisConnectOptions): Promise<void> {
  await withRedis(endpoint, what, options, async (c) => {
    const pong = await c.ping();
    if (pong !== 'PONG') throw new RotationError('TestFailed', `Redis ${endpoint.host}:${endpoint.port}: PING as the ${what} answered unexpectedly`);
  });
}
