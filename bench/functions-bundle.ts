/**
 * Bundle size and cold-load time of the Lambda functions, bundled as the stack ships them (the entry each
 * construct's static `entry` picks for the dev environment; esbuild, platform node, minified, everything bundled, the AWS
 * SDK clients included), each beside a reference: the same function built from commit 1e5ebf7 (before the
 * rotators were split per engine) with that commit's bundling options.
 *
 * Load time: `require` of the bundle in a fresh `node` process (module evaluation only: no handler invocation, no
 * network), measured two ways: inside the process around `require`, and the process's wall time net of an empty
 * `node -e ""` start. The processes of all bundles and the empty start are interleaved round by round, so load
 * from other processes spreads over all of them; ratios are computed from medians of the same run.
 *
 *   npx tsx bench/functions-bundle.ts [runs=15]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, BuildOptions } from 'esbuild';
import type { FunctionKind } from '../contracts/function-names';
import { ENVIRONMENTS } from '../lib/config';
import { ROTATORS, SecretAgeCheck } from '../lib/rotators';
import { CONFIGURED_TARGET_ENV } from '../test/support/bundle-runner';
import { extractReference, REFERENCE_COMMIT, ROOT } from './reference-tree';

/** What the stack used at the reference commit, in esbuild's terms. */
const REFERENCE_BUNDLING: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  external: ['pg-native'],
};
/** The stack's bundling options now (lib/rotators/secure-function.ts `bundling`): ES modules first. */
const STACK_BUNDLING: BuildOptions = { ...REFERENCE_BUNDLING, mainFields: ['module', 'main'] };

/** The dev environment decides the entries (PostgreSQL, no RDS identifier, Redis ACL via an admin secret). */
const DEV = ENVIRONMENTS.find((e) => e.envName === 'dev')!;
/** Every function the stack ships, with the entry it picks for the dev environment: the registered rotators, then the age check. */
const FUNCTIONS: { kind: FunctionKind; entry: string }[] = [
  ...ROTATORS.map((rotator) => ({ kind: rotator.KIND, entry: rotator.entry(DEV) })),
  { kind: 'secret-age', entry: SecretAgeCheck.entry() },
];

/** What the stack sets, so module-level configuration parsing succeeds. */
const FUNCTION_ENV = {
  METRICS_NAMESPACE: 'GaaraStore/Secrets',
  APP_ENVIRONMENT: 'dev',
  APP_NAME: 'gaara-store',
  AWS_REGION: 'eu-west-1',
  SECRETS_JSON: JSON.stringify([{ name: 'secret-key', id: 'gaara-store/dev/secret-key', maxAgeDays: 90 }]),
  ...CONFIGURED_TARGET_ENV.KeyRing,
  ...CONFIGURED_TARGET_ENV.Redis,
  ...CONFIGURED_TARGET_ENV.Database,
};

interface Bundle {
  name: string;
  file: string;
  bytes: number;
  gzipBytes: number;
  requireMs: number[];
  wallMs: number[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

async function bundle(name: string, entry: string, outfile: string, options: BuildOptions): Promise<Bundle> {
  await build({ ...options, entryPoints: [entry], outfile, logLevel: 'silent' });
  return { name, file: outfile, bytes: statSync(outfile).size, gzipBytes: gzipSync(readFileSync(outfile)).length, requireMs: [], wallMs: [] };
}

/** One fresh process: [require ms measured inside it, wall ms of the whole process]. */
function loadOnce(file: string | undefined): [number, number] {
  const script = file
    ? `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`
    : 'process.stdout.write("0")';
  const started = process.hrtime.bigint();
  const inside = Number(
    execFileSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH, ...FUNCTION_ENV, NODE_NO_WARNINGS: '1' }, encoding: 'utf8' }),
  );
  return [inside, Number(process.hrtime.bigint() - started) / 1e6];
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 15);
  const out = mkdtempSync(join(tmpdir(), 'functions-bundle-'));
  try {
    const reference = extractReference(out);
    // A kind registered after the reference commit has no entry there (its functionEntry returns undefined).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const referenceEntry: (kind: FunctionKind, engine?: string) => string | undefined = require(join(reference, 'lib/rotators/entries.ts')).functionEntry;
    const pairs: { kind: FunctionKind; current: Bundle; reference?: Bundle }[] = [];
    for (const { kind, entry: currentEntry } of FUNCTIONS) {
      const refEntry = kind === 'database' ? referenceEntry(kind, 'postgres') : referenceEntry(kind);
      pairs.push({
        kind,
        current: await bundle(`${kind} (${currentEntry})`, join(ROOT, currentEntry), join(out, `${kind}.js`), STACK_BUNDLING),
        reference:
          refEntry === undefined
            ? undefined
            : await bundle(`${kind} @${REFERENCE_COMMIT} (${refEntry})`, join(reference, refEntry), join(out, `${kind}.reference.js`), REFERENCE_BUNDLING),
      });
    }
    const empty: number[] = [];
    const all = pairs.flatMap((p) => (p.reference ? [p.reference, p.current] : [p.current]));
    for (let i = 0; i < runs; i++) {
      empty.push(loadOnce(undefined)[1]);
      for (const b of all) {
        const [inside, wall] = loadOnce(b.file);
        b.requireMs.push(inside);
        b.wallMs.push(wall);
      }
    }
    const emptyMs = median(empty);
    const netOf = (b: Bundle) => median(b.wallMs) - emptyMs;
    console.log(`node ${process.version}, ${runs} interleaved rounds of fresh processes; empty node start: median ${round(emptyMs)} ms`);
    console.table(
      all.map((b) => ({
        bundle: b.name,
        bytes: b.bytes,
        gzipBytes: b.gzipBytes,
        requireMsMedian: round(median(b.requireMs)),
        requireMsMin: round(Math.min(...b.requireMs)),
        netWallMsMedian: round(netOf(b)),
      })),
    );
    console.table(
      pairs.map(({ kind, current, reference }) =>
        reference
          ? {
              function: kind,
              bytesRatio: round(current.bytes / reference.bytes, 2),
              gzipRatio: round(current.gzipBytes / reference.gzipBytes, 2),
              requireRatio: round(median(current.requireMs) / median(reference.requireMs), 2),
              netWallRatio: round(netOf(current) / netOf(reference), 2),
            }
          : { function: kind, bytesRatio: 'new (no reference)' },
      ),
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
