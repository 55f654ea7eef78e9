/**
 * The key-ring rotator bundled by esbuild (the same entry and bundling the stack uses) and run in a fresh Node.js
 * process per step against the modelled service, as Secrets Manager invokes it after RotateSecret.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { KeyRingRotation, PROJECT_ROOT } from '../../../lib/rotators';
import { invokeBundle } from '../../support/bundle-runner';

export function bundleKeyRingRotator(): string {
  const outfile = join(mkdtempSync(join(tmpdir(), 'cli-rotator-')), 'index.js');
  buildSync({
    entryPoints: [join(PROJECT_ROOT, KeyRingRotation.entry())],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    outfile,
    external: ['pg-native'],
    logLevel: 'silent',
  });
  return outfile;
}

export async function invokeStep(bundle: string, endpoint: string, event: Record<string, string>): Promise<{ ok: boolean; output: string }> {
  const { outcome, output } = await invokeBundle(bundle, event, endpoint, { KEY_MATERIAL_SOURCE: 'crypto' });
  return { ok: outcome.ok === true, output };
}

/** The service's side of a rotation: the four steps in order, stopping at the first failure. */
export async function runRotation(bundle: string, endpoint: string, arn: string, token: string, outputs: string[]): Promise<void> {
  for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
    const r = await invokeStep(bundle, endpoint, { Step, SecretId: arn, ClientRequestToken: token });
    outputs.push(r.output);
    if (!r.ok) throw new Error(`${Step} failed`);
  }
}
