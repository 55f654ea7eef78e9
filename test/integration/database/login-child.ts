/**
 * Run in a child process by postgres.test.ts: logs in with the database driver exactly as the rotator does,
 * with NO injected CA, so only Node's default store (plus NODE_EXTRA_CA_CERTS, set by the parent) is trusted.
 * Prints OK or the error class.
 */
import { postgresDriver } from '../../../lambdas/database/postgres-driver';
import { RotationError } from '../../../lambdas/rotation/errors';

const endpoint = JSON.parse(process.env.LOGIN_ENDPOINT as string);
postgresDriver
  .connect(endpoint, { connectTimeoutMs: 3000 })
  .then(async (session) => {
    await session.ping();
    await session.close();
    console.log('OK');
  })
  .catch((e: unknown) => console.log(e instanceof RotationError ? e.errorClass : 'UNEXPECTED'));
