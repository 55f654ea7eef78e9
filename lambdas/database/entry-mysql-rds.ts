/** Bundle entry of the database rotator for mysql-family engines whose configuration names an RDS instance or cluster. */
import { databaseRotationHandler } from './handler';
import { mysqlDriver } from './mysql-driver';
import { rdsApiCheck } from './rds-check';

export const handler = databaseRotationHandler(mysqlDriver, rdsApiCheck());
