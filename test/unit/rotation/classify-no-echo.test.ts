/**
 * "Classify by code, never echo the driver's message" (issue 9 item 9b). Driver errors are MODELLED on the shapes
 * mysql2, pg, Node's TLS/socket layer and the AWS SDK really produce (message, sqlMessage, sql, detail, query all
 * carrying the value, as a syntax error or a server-side echo would); the rotation in the second part runs the
 * real handler and rotator over the MODELLED Secrets Manager with an in-memory FAKE database whose password
 * change fails with such an error. The real mysql2 error object is covered in the MariaDB TLS integration test.
 */
import { classifyDbError, dbError } from '../../../lambdas/database/db-errors';
import type { EngineDriver } from '../../../lambdas/database/driver';
import { awsCallError } from '../../../lambdas/rotation/classify';
import { ErrorClass, RotationError } from '../../../lambdas/rotation/errors';
import { rotationEvent } from '../../support/drive-rotation';
import { captureOutput, describeError, findLeaks } from '../../support/log-capture';
import { SecretsManagerModel } from '../../support/secrets-manager-model';
import { makeHandler, SECRET_NAME, SecretValues, secretValue, Target } from '../../integration/database/harness';
import { FakeDatabase } from '../database/fake-driver';

const VALUE = 'Pw-0f-the-app-9c41e7d2b8a6';

/** A mysql2 query error: the server's message near the failing text, the SQL itself on the error. */
const mysql2Error = (code: string, errno: number, sqlState: string) =>
  Object.assign(new Error(`You have an error in your SQL syntax; check the manual near '${VALUE}' at line 1`), {
    code,
    errno,
    sqlState,
    sqlMessage: `You have an error in your SQL syntax near '${VALUE}' at line 1`,
    sql: `SET PASSWORD = PASSWORD('${VALUE}')`,
    fatal: false,
  });

/** A pg DatabaseError: the value in message, detail and the failing query. */
const pgError = (code: string, message = `invalid input syntax for type integer: "${VALUE}"`) =>
  Object.assign(new Error(message), {
    code,
    severity: 'ERROR',
    detail: `Key (password)=(${VALUE}) is invalid.`,
    where: `SQL statement "ALTER ROLE app PASSWORD '${VALUE}'"`,
    query: `ALTER ROLE app PASSWORD '${VALUE}'`,
  });

/** A Node socket/TLS error whose message names what it was connecting to (a hostile value can be that). */
const nodeError = (code: string) => Object.assign(new Error(`${code}: connect to ${VALUE}.example:3306`), { code, syscall: 'connect' });

describe('driver errors carrying a value are classified by code, and the value never reaches the RotationError (modelled driver errors)', () => {
  it.each<[string, unknown, ErrorClass]>([
    ['mysql2 access denied', mysql2Error('ER_ACCESS_DENIED_ERROR', 1045, '28000'), 'AuthFailed'],
    ['mysql2 syntax error echoing the statement', mysql2Error('ER_PARSE_ERROR', 1064, '42000'), 'Internal'],
    ['mysql2 table access denied', mysql2Error('ER_TABLEACCESS_DENIED_ERROR', 1142, '42000'), 'AccessDenied'],
    ['mysql2 unknown database', mysql2Error('ER_BAD_DB_ERROR', 1049, '42000'), 'InvalidState'],
    ['pg password authentication failed', pgError('28P01', `password authentication failed for user "${VALUE}"`), 'AuthFailed'],
    ['pg hba "no encryption" (TLS required)', pgError('28000', `no pg_hba.conf entry for host "${VALUE}", SSL off`), 'Tls'],
    ['pg invalid input echoing the value', pgError('22P02'), 'Internal'],
    ['pg insufficient privilege', pgError('42501'), 'AccessDenied'],
    ['TLS: certificate host name mismatch', nodeError('ERR_TLS_CERT_ALTNAME_INVALID'), 'Tls'],
    ['TLS: unknown CA', nodeError('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'Tls'],
    ['socket: connection refused', nodeError('ECONNREFUSED'), 'Unreachable'],
    ['DNS: not found', nodeError('ENOTFOUND'), 'Dns'],
    ['an error with no code at all', new Error(`something failed for ${VALUE}`), 'Internal'],
    ['a thrown string', `failed: ${VALUE}`, 'Internal'],
  ])('%s: class by code, message and printed error free of the value', (_name, error, errorClass) => {
    expect(classifyDbError(error)).toBe(errorClass);
    const e = dbError(error, 'SET PASSWORD as "app" on db.example.internal:3306');
    expect(e).toBeInstanceOf(RotationError);
    expect(e.errorClass).toBe(errorClass);
    expect(e.message).toMatch(/^SET PASSWORD as "app" on db\.example\.internal:3306: /);
    expect(findLeaks(e.message, [VALUE])).toEqual([]);
    expect(findLeaks(describeError(e), [VALUE])).toEqual([]);
  });

  it('an AWS SDK error whose message carries a value: class by name, message free of it', () => {
    const sdk = Object.assign(new Error(`Value ${VALUE} at 'secretString' failed to satisfy constraint`), {
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
    const e = awsCallError(sdk, 'Secrets Manager', 'PutSecretValue', 'secret gaara-store/test/database-url, step createSecret');
    expect(e.errorClass).toBe('Internal');
    expect(findLeaks(e.message + describeError(e), [VALUE])).toEqual([]);
  });
});

/** Only what makeHandler reads: no server behind it (the fake database answers). */
const FAKE_TARGET = { label: 'fake', engine: 'mysql', host: 'db.example.internal', port: 3306, dbname: 'app', ssl: false } as unknown as Target;

/** A driver whose password change fails with a driver error echoing the new password: raw, or already classified. */
function leakyDriver(db: FakeDatabase, classified: boolean): EngineDriver {
  const inner = db.driver();
  return {
    ...inner,
    async connect(endpoint, opts) {
      const session = await inner.connect(endpoint, opts);
      return {
        ...session,
        async setOwnPassword(password: string) {
          const raw = Object.assign(new Error(`near '${password}' at line 1`), {
            code: 'ER_PARSE_ERROR',
            errno: 1064,
            sqlMessage: `near '${password}'`,
            sql: `SET PASSWORD = PASSWORD('${password}')`,
          });
          throw classified ? dbError(raw, 'SET PASSWORD as "app"') : raw;
        },
      };
    },
  };
}

describe('a rotation whose driver fails with an error echoing the new password (real handler and rotator; Secrets Manager modelled; fake database)', () => {
  it.each([
    ['classified by the driver (dbError)', true],
    ['thrown raw by the driver (the handler classifies it)', false],
  ])('%s: setSecret fails as a RotationError, and neither it nor any log line holds a password', async (_name, classified) => {
    const out = captureOutput();
    const values = new SecretValues();
    try {
      const db = new FakeDatabase('10.11.6-MariaDB');
      const current = values.generator();
      db.addUser('app', current);
      const model = new SecretsManagerModel();
      const arn = model.createSecret(SECRET_NAME, JSON.stringify(secretValue(FAKE_TARGET, 'app', current)));
      const handler = makeHandler(model, FAKE_TARGET, values, { strategy: 'single-user', driver: leakyDriver(db, classified) });
      const token = model.startRotation(arn);
      await handler(rotationEvent('createSecret', arn, token));
      values.collectFrom(model);
      let failure: unknown;
      await handler(rotationEvent('setSecret', arn, token)).catch((e: unknown) => (failure = e));
      expect(failure).toBeInstanceOf(RotationError);
      expect((failure as RotationError).errorClass).toBe('Internal');
      expect((failure as RotationError).message).toContain(`secret ${SECRET_NAME}, step setSecret`);
      out.addError(failure);
      expect(values.all.size).toBeGreaterThanOrEqual(2);
      expect(findLeaks(out.text, values.all)).toEqual([]);
      expect(out.json().some((line) => line.message === 'rotation step failed')).toBe(true);
    } finally {
      out.stop();
    }
  });
});
