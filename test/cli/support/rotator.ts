/**
 * The key-ring rotator bundled by esbuild (the same entry and bundling the stack uses) and run in a fresh Node.js
 * process per step against the modelled service, as Secrets Manager invokes it after RotateSecret.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

export function bundleKeyRingRotator(): string {
  const outfile = join(mkdtempSync(join(tmpdir(), 'cli-rotator-')), 'index.js');
  buildSync({ entryPoints: [join(__dirname, '..', '..', '..', 'lambdas', 'key-ring', 'index.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, outfile, external: ['pg-native'], logLevel: 'silent' });
  return outfile;
}

export function invokeStep(bundle: string, endpoint: string, event: Record<string, string>): Promise<{ ok: boolean; output: string }> {
  const runner = `
    const { handler } = require(${JSON.stringify(bundle)});
    handler(JSON.parse(process.argv[1]), {}).then(() => process.exit(0), () => process.exit(1));`;
  const child = spawn(process.execPath, ['-e', runner, JSON.stringify(event)], {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'modelled-not-a-real-key',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      METRICS_NAMESPACE: 'GaaraStore/Secrets',
      APP_ENVIRONMENT: 'dev',
      APP_NAME: 'gaara-store',
      KEY_MATERIAL_SOURCE: 'crypto',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ ok: code === 0, output })));
}

/** The service's side of a rotation: the four steps in order, stopping at the first failure. */
export async function runRotation(bundle: string, endpoint: string, arn: string, token: string, outputs: string[]): Promise<void> {
  for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
    const r = await invokeStep(bundle, endpoint, { Step, SecretId: arn, ClientRequestToken: token });
    outputs.push(r.output);
    if (!r.ok) throw new Error(`${Step} failed`);
  }
}
