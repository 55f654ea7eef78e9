/**
 * Maps low-level failures (socket, DNS, TLS, AWS SDK) to an ErrorClass. Only codes and names are read, never a
 * message: driver and parser messages can echo SQL text or input, which may hold a value.
 */
import type { ErrorClass } from './errors';
import { RotationError } from './errors';

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ETIME',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ECONNRESET', 'EPIPE', 'ENETDOWN', 'ECONNABORTED']);
const TLS_CODE_PATTERN = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|HOSTNAME_MISMATCH|EPROTO$|ERR_OSSL_|HANDSHAKE_)/;

/** Codes/names of `e` and its cause chain (AggregateError members too: Node's happy-eyeballs connect throws one). */
export function errorCodes(e: unknown, depth = 0): string[] {
  if (depth > 5 || typeof e !== 'object' || e === null) return [];
  const o = e as { code?: unknown; name?: unknown; errno?: unknown; cause?: unknown; errors?: unknown };
  const own = [o.code, o.name, o.errno].filter((x): x is string => typeof x === 'string');
  const nested = [o.cause, ...(Array.isArray(o.errors) ? o.errors : [])].flatMap((c) => errorCodes(c, depth + 1));
  return [...own, ...nested];
}

/** The network class of an error (timeout, DNS, TLS, unreachable), or undefined when it is not a network error. */
export function classifyNetworkError(e: unknown): ErrorClass | undefined {
  const codes = errorCodes(e);
  if (codes.some((c) => TLS_CODE_PATTERN.test(c))) return 'Tls';
  if (codes.some((c) => DNS_CODES.has(c))) return 'Dns';
  if (codes.some((c) => TIMEOUT_CODES.has(c))) return 'Timeout';
  if (codes.some((c) => UNREACHABLE_CODES.has(c))) return 'Unreachable';
  return undefined;
}

const NETWORK_PHRASE: Partial<Record<ErrorClass, string>> = {
  Timeout: 'timed out',
  Dns: 'could not resolve the host name',
  Tls: 'TLS verification failed',
  Unreachable: 'could not connect',
};

export function describeNetworkClass(errorClass: ErrorClass): string {
  return NETWORK_PHRASE[errorClass] ?? 'failed';
}

/** A short, value-free description of an unexpected error: its name and code only. */
export function errorSummary(e: unknown): string {
  const codes = [...new Set(errorCodes(e))].slice(0, 3);
  return codes.length > 0 ? codes.join('/') : typeof e;
}

const AWS_ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'ExpiredTokenException',
  'KMSAccessDeniedException',
]);

/**
 * Turns an AWS SDK error from a Secrets Manager (or RDS) call into a RotationError. A network failure says that
 * the endpoint is unreachable and, from inside a VPC, needs an interface endpoint or a NAT gateway.
 */
/**
 * The SDK wraps a non-Error rejection (e.g. a socket error from another realm) as "AWS SDK error wrapper for
 * Error: connect ECONNREFUSED ...", keeping the code only in its own message, which holds no value: read it there.
 */
function wrappedNetworkCode(e: unknown): string | undefined {
  const message = (e as { message?: unknown } | null)?.message;
  if (typeof message !== 'string' || !message.startsWith('AWS SDK error wrapper for')) return undefined;
  return /\b(E[A-Z_]{3,}|ERR_TLS_[A-Z_]+)\b/.exec(message)?.[1];
}

export function awsCallError(e: unknown, service: string, what: string, where = ''): RotationError {
  if (e instanceof RotationError) return e;
  const at = where ? `${where}: ${what}` : what;
  const wrapped = wrappedNetworkCode(e);
  const network = classifyNetworkError(wrapped === undefined ? e : { code: wrapped });
  const status = (e as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  if (network !== undefined && status === undefined) {
    return new RotationError(
      network,
      `${at}: ${service} endpoint ${describeNetworkClass(network)} ` +
        `(a function in a VPC needs an interface VPC endpoint for ${service} or a NAT gateway, and a security group allowing HTTPS to it)`,
      { cause: e },
    );
  }
  const name = (e as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && AWS_ACCESS_DENIED.has(name)) {
    return new RotationError('AccessDenied', `${at}: ${service} refused the call (${name}): check the function role and the key/resource policies`, {
      cause: e,
    });
  }
  return new RotationError('Internal', `${at}: ${service} call failed (${errorSummary(e)})`, { cause: e });
}
