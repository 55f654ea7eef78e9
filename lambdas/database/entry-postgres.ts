/** Bundle entry of the database rotator for postgres-family engines (the stack picks it from the configured engine). */
export { handler } from './index';
