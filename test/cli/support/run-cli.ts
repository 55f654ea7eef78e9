/**
 * Runs the real CLI (bin/gaara-secrets.js) as a process, asynchronously (the modelled service answers from the
 * test's process), with the SDK pointed at the modelled Secrets Manager by AWS_ENDPOINT_URL_SECRETS_MANAGER.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const CLI = join(__dirname, '..', '..', '..', 'bin', 'gaara-secrets.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Both streams, for leak searches. */
  all: string;
}

export function modelEnv(endpoint: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'modelled-not-a-real-key',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    // Nothing leaves the machine: the other services go to a closed port unless a test points them at moto or a model.
    AWS_ENDPOINT_URL_CLOUDWATCH: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_CLOUDFORMATION: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_SNS: 'http://127.0.0.1:9',
    NO_COLOR: '1',
  };
}

export function runCli(args: string[], env: Record<string, string>, stdin?: string): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let all = '';
  child.stdout.on('data', (d: Buffer) => ((stdout += d.toString('utf8')), (all += d.toString('utf8'))));
  child.stderr.on('data', (d: Buffer) => ((stderr += d.toString('utf8')), (all += d.toString('utf8'))));
  child.stdin.end(stdin ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, all });
    });
  });
}
