/** Bundle entry of the database rotator for postgres-family engines, without the RDS API check. */
import { databaseRotationHandler } from './handler';
import { postgresDriver } from './postgres-driver';

export const handler = databaseRotationHandler(postgresDriver);
