/**
 * The database rotator's Lambda handler, configured from DB_*, with the driver (and RDS check) its bundle entry
 * carries: each entry imports only what its engine family needs, so the bundle holds nothing else.
 */
import { createRotationHandler, RotationHandler } from '../rotation/handler';
import { passwordPolicyFromEnv } from '../rotation/password';
import { databaseTargetFromEnv } from './config';
import type { EngineDriver } from './driver';
import type { RdsCheck } from './rds-check';
import { createDatabaseRotator } from './rotator';

export function databaseRotationHandler(driver: EngineDriver, confirmRds?: RdsCheck): RotationHandler {
  return createRotationHandler(
    createDatabaseRotator({ target: databaseTargetFromEnv(), passwordPolicy: passwordPolicyFromEnv(), driver, ...(confirmRds ? { confirmRds } : {}) }),
  );
}
