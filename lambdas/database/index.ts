/** Bundle entry of the database rotator (esbuild bundles this file with its AWS SDK clients and drivers). */
import { createRotationHandler } from '../rotation/handler';
import { passwordPolicyFromEnv } from '../rotation/password';
import { databaseTargetFromEnv } from './config';
import { createDatabaseRotator } from './rotator';

export const handler = createRotationHandler(createDatabaseRotator({ target: databaseTargetFromEnv(), passwordPolicy: passwordPolicyFromEnv() }));
