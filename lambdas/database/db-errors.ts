/**
 * Classifies database driver errors by code only (messages can echo SQL text, which may hold a password).
 */
import { classifyNetworkError, describeNetworkClass, errorSummary } from '../rotation/classify';
import { ErrorClass, RotationError } from '../rotation/errors';

const AUTH_CODES = new Set(['28P01', 'ER_ACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR', 'ER_PASSWORD_NO_MATCH']);
const ACCESS_CODES = new Set([
  '42501',
  'ER_SPECIFIC_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_TABLEACCESS_DENIED_ERROR',
  'ER_CANNOT_USER',
  'ER_PASSWORD_NOT_ALLOWED',
]);
const UNAVAILABLE_CODES = new Set(['57P03', '53300', '57P01', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN']);
const MISSING_DB_CODES = new Set(['3D000', 'ER_BAD_DB_ERROR']);

const codeOf = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};
const messageOf = (e: unknown): string => String((e as { message?: unknown } | null)?.message ?? '');

/**
 * When the error came: at login an access-denied code means the credential was refused; in a statement of a
 * logged-in session it means a missing privilege (MariaDB answers a GRANT of a role without ADMIN OPTION with
 * ER_ACCESS_DENIED_NO_PASSWORD_ERROR).
 */
export type DbPhase = 'login' | 'statement';

export function classifyDbError(e: unknown, during: DbPhase = 'login'): ErrorClass {
  if (e instanceof RotationError) return e.errorClass;
  const code = codeOf(e);
  const message = messageOf(e);
  if (code === '28000') return /encryption|SSL/i.test(message) ? 'Tls' : 'AuthFailed'; // pg_hba: "no encryption" means TLS required
  if (code !== undefined && AUTH_CODES.has(code)) return during === 'login' ? 'AuthFailed' : 'AccessDenied';
  if (code !== undefined && ACCESS_CODES.has(code)) return 'AccessDenied';
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) return 'TargetUnavailable';
  if (code !== undefined && MISSING_DB_CODES.has(code)) return 'InvalidState';
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT' || /does not support SSL|does not support secure connection/i.test(message)) return 'Tls';
  const network = classifyNetworkError(e);
  if (network) return network;
  // pg reports its own connect timeout without a code.
  if (/timeout|timed out/i.test(message)) return 'Timeout';
  return 'Internal';
}

const PHRASE: Partial<Record<ErrorClass, string>> = {
  AuthFailed: 'the credential was refused',
  AccessDenied: 'permission denied',
  TargetUnavailable: 'the database is not accepting connections',
  InvalidState: 'the database does not exist',
};

/**
 * `what` names the action and user (e.g. `login as "app" (AWSPENDING) to db.example:5432`), never a value;
 * `during` says whether a session was logged in (default: login).
 */
export function dbError(e: unknown, what: string, opts: { hint?: string; during?: DbPhase } = {}): RotationError {
  if (e instanceof RotationError) return e;
  const { hint, during } = opts;
  const errorClass = classifyDbError(e, during);
  const refusesPlaintext = errorClass === 'Tls' && codeOf(e) === '28000';
  const phrase = refusesPlaintext
    ? 'the server refuses plaintext connections (set up TLS, or fix "ssl": false in the secret)'
    : (PHRASE[errorClass] ?? describeNetworkClass(errorClass));
  const detail = errorClass === 'Internal' ? `failed (${errorSummary(e)})` : `${phrase} (${errorSummary(e)})`;
  return new RotationError(errorClass, `${what}: ${detail}${hint ? `; ${hint}` : ''}`, { cause: e });
}
