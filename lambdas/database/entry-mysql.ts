/** Bundle entry of the database rotator for mysql-family engines, without the RDS API check. */
import { databaseRotationHandler } from './handler';
import { mysqlDriver } from './mysql-driver';

export const handler = databaseRotationHandler(mysqlDriver);
