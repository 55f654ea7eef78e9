/** Bundle entry of the database rotator for postgres-family engines whose configuration names an RDS instance or cluster. */
import { databaseRotationHandler } from './handler';
import { postgresDriver } from './postgres-driver';
import { rdsApiCheck } from './rds-check';

export const handler = databaseRotationHandler(postgresDriver, rdsApiCheck());
