import type { SecretErrorReason } from './errors';

/** What the client needs to know about an AWS SDK (or network) error; reads only names and codes. */
export interface AwsErrorInfo {
  name: string;
  httpStatusCode?: number;
  requestId?: string;
}

const ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'KMSAccessDeniedException',
  'DecryptionFailure',
]);
const NOT_FOUND = new Set(['ResourceNotFoundException', 'NotFoundException']);
const UNAVAILABLE = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'InternalServiceError',
  'InternalServiceErrorException',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'AbortError',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

export function awsErrorInfo(error: unknown): AwsErrorInfo {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    code?: unknown;
    $metadata?: { httpStatusCode?: number; requestId?: string };
  };
  const name = typeof e.name === 'string' && e.name !== 'Error' ? e.name : typeof e.code === 'string' ? e.code : 'Error';
  return { name, httpStatusCode: e.$metadata?.httpStatusCode, requestId: e.$metadata?.requestId };
}

export function classifyAwsError(error: unknown): SecretErrorReason {
  const info = awsErrorInfo(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (ACCESS_DENIED.has(info.name)) return 'access-denied';
  if (NOT_FOUND.has(info.name)) return 'not-found';
  if (UNAVAILABLE.has(info.name)) return 'unavailable';
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'unavailable';
  if (info.httpStatusCode !== undefined && info.httpStatusCode >= 500) return 'unavailable';
  if (info.httpStatusCode === 429) return 'unavailable';
  if ((error as { $retryable?: unknown } | null)?.$retryable) return 'unavailable';
  return 'other';
}
