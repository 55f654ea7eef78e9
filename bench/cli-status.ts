/**
 * Prints the API calls and wall time of `gaara-secrets status` for one environment (seven secrets) against the
 * MODELLED Secrets Manager over HTTP, the real CLI run as a process (so the time includes Node.js start-up, the
 * tsx loader and the AWS SDK load). Also the time of `--help` (start-up alone, no AWS call) for comparison.
 * The one CloudWatch GetMetricData call (the rotators' outcomes) goes to moto's server mode (`moto_server`); a
 * healthy environment makes no CloudWatch Logs call (the error class is looked up only for a failure).
 * Run: npx tsx bench/cli-status.ts [runs]
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CliModel } from '../test/cli/support/cli-model';
import { serveModel } from '../test/support/secrets-manager-http';
import { startMoto } from '../test/cli/support/moto';

const CLI = join(__dirname, '..', 'bin', 'gaara-secrets.js');
const runs = Number(process.argv[2] ?? 7);

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; ms: number }> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, ms: Number(process.hrtime.bigint() - started) / 1e6 })));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const model = new CliModel();
  model.seedEnvironment('gaara-store', 'dev');
  const server = await serveModel(model);
  const moto = await startMoto();
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'modelled-not-a-real-key',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: server.url,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_CLOUDWATCH: moto.url,
    // Read only when a rotator's last run failed (none here): FilterLogEvents on that rotator's log group.
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: moto.url,
  };
  await run(['--help'], env); // warm the tsx compile cache
  const help: number[] = [];
  const status: number[] = [];
  let calls: Record<string, number> = {};
  for (let i = 0; i < runs; i++) {
    help.push((await run(['--help'], env)).ms);
    const before = model.calls.length;
    const r = await run(['status', '--env', 'dev'], env);
    if (r.code !== 0) throw new Error(`status exited ${r.code}`);
    status.push(r.ms);
    calls = {};
    for (const c of model.calls.slice(before)) calls[c.command] = (calls[c.command] ?? 0) + 1;
  }
  await server.close();
  moto.stop();
  const total = Object.values(calls).reduce((a, b) => a + b, 0);
  console.log(`gaara-secrets status, one environment (7 secrets), modelled Secrets Manager over HTTP, ${runs} runs`);
  console.log(
    `  API calls per run: ${total} (${Object.entries(calls)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}); GetSecretValue: ${calls.GetSecretValue ?? 0}; plus 1 CloudWatch GetMetricData (moto, not counted here)`,
  );
  console.log(`  wall time, status: median ${median(status).toFixed(0)} ms (min ${Math.min(...status).toFixed(0)}, max ${Math.max(...status).toFixed(0)})`);
  console.log(`  wall time, --help (start-up only): median ${median(help).toFixed(0)} ms`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
