/** Bundle entry of the database rotator for mysql-family engines (the stack picks it from the configured engine). */
export { handler } from './index';
