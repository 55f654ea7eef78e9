/**
 * The sources of a reference commit (the functions, contracts and the entry chooser) extracted from git into a
 * temporary directory, with this checkout's node_modules: what the benches compare today's code against in the
 * same run. Nothing is written inside the repository.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');
/** The code before the issue-15 work (rotators bundled with both database drivers, the RDS client and `redis`). */
export const REFERENCE_COMMIT = '1e5ebf7';

/** Extracts `paths` of the reference commit into `<dir>/reference` and returns that directory. */
export function extractReference(dir: string, paths: string[] = ['lambdas', 'contracts', 'lib/rotators/entries.ts']): string {
  const tree = join(dir, 'reference');
  mkdirSync(tree);
  const archive = execFileSync('git', ['-C', ROOT, 'archive', REFERENCE_COMMIT, ...paths]);
  execFileSync('tar', ['-x', '-C', tree], { input: archive });
  symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'));
  return tree;
}
