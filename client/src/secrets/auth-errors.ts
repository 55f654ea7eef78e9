/**
 * Recognises "the password was refused" from the common drivers, and nothing else: a network or TLS failure must
 * never trigger a credential fallback.
 */
export type AuthErrorPredicate = (error: unknown) => boolean;

interface DriverError {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
}

const fields = (error: unknown): DriverError => (typeof error === 'object' && error !== null ? (error as DriverError) : {});

/** node-postgres: SQLSTATE 28P01 invalid_password. */
export const isPgAuthError: AuthErrorPredicate = (error) => fields(error).code === '28P01';

/** mysql2: ER_ACCESS_DENIED_ERROR (1045). */
export const isMysqlAuthError: AuthErrorPredicate = (error) => {
  const e = fields(error);
  return e.code === 'ER_ACCESS_DENIED_ERROR' || e.errno === 1045;
};

/** node-redis: WRONGPASS (AUTH/HELLO refused) or NOAUTH (no or failed AUTH). */
export const isRedisAuthError: AuthErrorPredicate = (error) => {
  const message = fields(error).message;
  return typeof message === 'string' && /^(WRONGPASS|NOAUTH)\b/.test(message);
};

export const isAuthenticationError: AuthErrorPredicate = (error) => isPgAuthError(error) || isMysqlAuthError(error) || isRedisAuthError(error);
