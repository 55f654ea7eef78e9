/**
 * Runs a bundled function's handler in a fresh Node.js process, the way Lambda runs it, against a modelled Secrets
 * Manager served over HTTP (asynchronously: the model answers from the test's process). The environment is the one
 * every rotator sees in the stack, with fake credentials; callers add what their function needs.
 */
import { spawn } from 'node:child_process';

/** What the stack sets beside the common variables (dev-like values): the target each rotator is confined to. */
export const CONFIGURED_TARGET_ENV = {
  Database: {
    DB_ENGINE: 'postgres',
    DB_HOST: 'db.internal.example',
    DB_PORT: '5432',
    DB_NAME: 'gaara',
    DB_USERNAME: 'gaara_app',
    DB_TLS: 'true',
    DB_STRATEGY: 'single-user',
  },
  Redis: {
    REDIS_HOST: 'cache.internal.example',
    REDIS_PORT: '6379',
    REDIS_USERNAME: 'gaara_app',
    REDIS_TLS: 'true',
    REDIS_ADMIN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:gaara-store/dev/admin/redis-AbCdEf',
  },
  KeyRing: { KEY_MATERIAL_SOURCE: 'crypto' },
} as const satisfies Record<string, Record<string, string>>;

export interface BundleRun {
  /** Everything the process printed, stdout and stderr, ending with the RESULT line when the handler settled. */
  output: string;
  /** `{ ok: true, result }` or `{ ok: false, name, message }` as the handler settled. */
  outcome: any;
}

/** Invokes `handler(event, {})` of `bundle`; `env` is added to (and may override) the common environment. */
export function invokeBundle(bundle: string, event: unknown, secretsManagerEndpoint: string, env: Record<string, string> = {}): Promise<BundleRun> {
  const runner = `
    const { handler } = require(${JSON.stringify(bundle)});
    handler(JSON.parse(process.argv[1]), {}).then(
      (r) => process.stderr.write('\\nRESULT ' + JSON.stringify({ ok: true, result: r ?? null }) + '\\n'),
      (e) => process.stderr.write('\\nRESULT ' + JSON.stringify({ ok: false, name: e.name, message: e.message }) + '\\n'),
    );`;
  const child = spawn(process.execPath, ['-e', runner, JSON.stringify(event)], {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'modelled-not-a-real-key',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManagerEndpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      METRICS_NAMESPACE: 'GaaraStore/Secrets',
      APP_ENVIRONMENT: 'dev',
      APP_NAME: 'gaara-store',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60000);
  return new Promise((resolve) => {
    child.on('close', () => {
      clearTimeout(timer);
      const line = output
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('RESULT '));
      resolve({ output, outcome: line ? JSON.parse(line.slice(7)) : { ok: false, message: `no result: ${output.slice(-2000)}` } });
    });
  });
}
