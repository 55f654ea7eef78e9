/**
 * Errors of the client. Messages name the secret id (and stage or version), the AWS error name and the HTTP status,
 * never a value, and never carry the SDK error object (its $response may hold request details).
 */
export type SecretErrorReason =
  | 'access-denied' // AccessDeniedException and friends: fails at once, never served stale
  | 'not-found' // ResourceNotFoundException: fails at once (or the caller's default)
  | 'unavailable' // throttling, timeout, 5xx, network: retried by the SDK, then stale within maxStale
  | 'invalid-value' // the value does not match its contract (SecretShapeError names the field)
  | 'not-allowed' // a mode refused by configuration (e.g. environment fallback in production)
  | 'conflict' // a check-and-set write lost (Vault KV: another version was written first)
  | 'other';

export class SecretsClientError extends Error {
  readonly secretId: string;
  readonly reason: SecretErrorReason;
  readonly awsErrorName: string | undefined;
  readonly httpStatusCode: number | undefined;
  readonly requestId: string | undefined;

  constructor(
    secretId: string,
    reason: SecretErrorReason,
    message: string,
    details: { awsErrorName?: string; httpStatusCode?: number; requestId?: string } = {},
  ) {
    super(message);
    this.name = 'SecretsClientError';
    this.secretId = secretId;
    this.reason = reason;
    this.awsErrorName = details.awsErrorName;
    this.httpStatusCode = details.httpStatusCode;
    this.requestId = details.requestId;
  }
}

export class FieldEncryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldEncryptionError';
  }
}

/** Any failure to decrypt a field: tampering, wrong row/column context, wrong key, malformed text. */
export class FieldDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldDecryptionError';
  }
}

export class KeyRingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyRingError';
  }
}
