/**
 * Wall time of `cdk synth` for every environment (bundling, nag and all), against a minimal one-stack app
 * measured in the same run. Prints numbers; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function timeSynth(app: string | undefined): number {
  const out = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  const args = ['cdk', 'synth', '--quiet', '--no-notices', '-o', out, ...(app ? ['--app', app] : [])];
  const start = process.hrtime.bigint();
  execFileSync('npx', args, { stdio: 'pipe' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  rmSync(out, { recursive: true, force: true });
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const full: number[] = [];
const minimal: number[] = [];
for (let i = 0; i < RUNS; i++) {
  full.push(timeSynth(undefined));
  minimal.push(timeSynth('npx tsx bench/minimal-app.ts'));
}
const f = median(full);
const m = median(minimal);
console.log(
  `cdk synth, all environments (3 stacks, 4 bundled functions each, nag): median ${(f / 1000).toFixed(2)} s over ${RUNS} runs [${full.map((x) => (x / 1000).toFixed(2)).join(', ')}]`,
);
console.log(
  `cdk synth, minimal one-stack app:                                      median ${(m / 1000).toFixed(2)} s over ${RUNS} runs [${minimal.map((x) => (x / 1000).toFixed(2)).join(', ')}]`,
);
console.log(`ratio full/minimal: ${(f / m).toFixed(2)}`);
