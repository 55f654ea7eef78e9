/**
 * The trust boundary of the database rotator, in one place: every value it reads (AWSCURRENT, AWSPENDING,
 * AWSPREVIOUS, the master secret) is compared with the configured target before any connection, and every
 * connection is built from the configuration, never from a value. A value may choose only the password (and,
 * with alternating users, which of the two users).
 */
import { DatabaseMasterSecret, DatabaseSecret } from '../../contracts/database';
import { quoteIdentifier } from '../../contracts/secret-identity';
import { RotationError } from '../rotation/errors';
import { DatabaseTarget, envVarOf, TargetField } from './config';
import type { DbEndpoint } from './driver';

export const CLONE_SUFFIX = '_clone';
export const baseUser = (username: string): string => (username.endsWith(CLONE_SUFFIX) ? username.slice(0, -CLONE_SUFFIX.length) : username);
export const otherUser = (username: string): string => (username.endsWith(CLONE_SUFFIX) ? baseUser(username) : `${username}${CLONE_SUFFIX}`);

/** The users a value of this secret may name: the configured user, and with alternating users its clone. */
export function allowedUsers(target: DatabaseTarget): string[] {
  return target.strategy === 'alternating-users' ? [target.username, `${target.username}${CLONE_SUFFIX}`] : [target.username];
}

const mismatch = (which: string, field: TargetField, problem = 'does not match the database this function is configured for') =>
  new RotationError('TargetMismatch', `${which} field "${field}" ${problem} (${envVarOf(field)}); nothing was changed`);

const sameHost = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function checkTls(ssl: boolean | undefined, target: DatabaseTarget, which: string): void {
  if (target.tls && ssl === false) throw mismatch(which, 'tls', 'asks for plaintext ("ssl": false) but the function is configured for verified TLS');
}

/** Refuses a secret version that names another engine, host, port, database, user, master secret or TLS mode. */
export function checkValue(value: DatabaseSecret, target: DatabaseTarget, which: string): void {
  if (value.engine !== target.engine) throw mismatch(which, 'engine');
  if (!sameHost(value.host, target.host)) throw mismatch(which, 'host');
  if (value.port !== target.port) throw mismatch(which, 'port');
  if (value.dbname !== target.dbname) throw mismatch(which, 'dbname');
  if (!allowedUsers(target).includes(value.username)) {
    throw mismatch(which, 'username', `names user ${quoteIdentifier(value.username)}, not ${allowedUsers(target).map(quoteIdentifier).join(' or ')}`);
  }
  checkTls(value.ssl, target, which);
  if (!target.tls && value.ssl !== false)
    throw mismatch(which, 'tls', 'asks for TLS but the function is configured for a database without TLS ("ssl": false expected)');
  if (target.strategy === 'alternating-users' && value.masterarn !== target.masterSecretArn) {
    throw mismatch(
      which,
      'masterarn',
      value.masterarn === undefined ? 'is missing: alternating users need the master secret ARN' : 'names another master secret than the configured one',
    );
  }
}

/** The master secret may differ from the configuration only in its user name and password. */
export function checkMaster(master: DatabaseMasterSecret, target: DatabaseTarget): void {
  const which = 'master secret';
  if (master.engine !== undefined && master.engine !== target.engine) throw mismatch(which, 'engine');
  if (master.host !== undefined && !sameHost(master.host, target.host)) throw mismatch(which, 'host');
  if (master.port !== undefined && master.port !== target.port) throw mismatch(which, 'port');
  if (master.dbname !== undefined && master.dbname !== target.dbname) throw mismatch(which, 'dbname');
  checkTls(master.ssl, target, which);
  if (allowedUsers({ ...target, strategy: 'alternating-users' }).includes(master.username)) {
    throw new RotationError('TargetMismatch', 'the rotated user must not be the master user; nothing was changed');
  }
}

/** Where and as whom to log in: always the configured database and TLS mode, with a checked value's credential. */
export function connectionTo(target: DatabaseTarget, credential: { username: string; password: string }): DbEndpoint {
  return {
    engine: target.engine,
    host: target.host,
    port: target.port,
    dbname: target.dbname,
    username: credential.username,
    password: credential.password,
    ...(target.tls ? {} : { ssl: false }),
  };
}
