/** Writes docs/access-matrix.md from the simulated access matrix (test/support/iam-simulation-doc.ts). */
import { writeFileSync } from 'node:fs';
import { ACCESS_MATRIX_DOC, accessMatrixMarkdown, simulateDocumentedEnvironments } from '../test/support/iam-simulation-doc';

simulateDocumentedEnvironments().then(
  (envs) => writeFileSync(ACCESS_MATRIX_DOC, accessMatrixMarkdown(envs)),
  (e: Error) => {
    console.error(e.message);
    process.exitCode = 1;
  },
);
