/**
 * jose 6 ships only ES modules. Node >= 20.19 loads it through require() (what client/src compiles to), but Jest's
 * module sandbox cannot require an ES module before Node 24.9 (jest-runtime createRequireEsmError). Tests therefore
 * swap in a CommonJS bundle of the same installed jose, built once with esbuild:
 *   jest.mock('jose', () => jest.requireActual('./support/jose-cjs').loadJoseAsCommonJs());
 */
import { buildSync } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

export function loadJoseAsCommonJs(): unknown {
  const root = join(__dirname, '..', '..', '..', 'node_modules', 'jose');
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const dir = join(root, '..', '.cache', 'gaara-client-test'); // node_modules/.cache: a build cache, not a temp dir
  const outfile = join(dir, `jose-${version}.cjs`);
  if (!existsSync(outfile)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${outfile}.${process.pid}.tmp`; // parallel Jest workers: build aside, then rename atomically
    buildSync({ entryPoints: [join(root, 'dist', 'webapi', 'index.js')], bundle: true, format: 'cjs', platform: 'node', outfile: partial, logLevel: 'silent' });
    renameSync(partial, outfile);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(outfile);
}
