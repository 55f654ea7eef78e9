/**
 * `npm ci --omit=dev` installs only `dependencies`: everything the CLI loads at run time (found by esbuild
 * following cli/main.ts's imports, as Node would) and tsx, which bin/gaara-secrets.js runs it with, must be there.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

it('every package the CLI loads, and tsx, is a runtime dependency (not a devDependency)', () => {
  const result = buildSync({
    entryPoints: [join(root, 'cli', 'main.ts')],
    bundle: true,
    platform: 'node',
    packages: 'external',
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const loaded = new Set<string>(['tsx']);
  for (const output of Object.values(result.metafile!.outputs)) {
    for (const i of output.imports) {
      if (!i.external || i.path.startsWith('node:') || builtinModules.includes(i.path.split('/')[0]!)) continue;
      loaded.add(i.path.startsWith('@') ? i.path.split('/').slice(0, 2).join('/') : i.path.split('/')[0]!);
    }
  }
  expect([...loaded].filter((p) => !(p in pkg.dependencies)).sort()).toEqual([]);
  expect(loaded).toContain('@aws-sdk/client-secrets-manager');
});
