/**
 * Bundle size and cold-load time of the Lambda functions, bundled as the stack ships them: esbuild, platform
 * node, target node22, minified, everything bundled (the AWS SDK clients included). Load time is measured in a
 * fresh `node` process per run (module evaluation only: no handler invocation, no network).
 *
 *   npx tsx bench/functions-bundle.ts [runs=7]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = join(__dirname, '..');
const ENTRIES: Record<string, string> = {
  'key-ring': 'lambdas/key-ring/index.ts',
  redis: 'lambdas/redis/index.ts',
  'secret-age': 'lambdas/secret-age/index.ts',
  database: 'lambdas/database/index.ts',
};

/** What the stack sets, so module-level configuration parsing succeeds. */
const FUNCTION_ENV = {
  METRICS_NAMESPACE: 'GaaraStore/Secrets',
  APP_ENVIRONMENT: 'dev',
  APP_NAME: 'gaara-store',
  AWS_REGION: 'eu-west-1',
  KEY_MATERIAL_SOURCE: 'crypto',
  SECRETS_JSON: JSON.stringify([{ name: 'secret-key', id: 'gaara-store/dev/secret-key', maxAgeDays: 90 }]),
  REDIS_HOST: 'cache.internal.example',
  REDIS_PORT: '6379',
  REDIS_USERNAME: 'gaara_app',
  REDIS_TLS: 'true',
  REDIS_ADMIN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:gaara-store/dev/admin/redis-AbCdEf',
  DB_ENGINE: 'postgres',
  DB_HOST: 'db.internal.example',
  DB_PORT: '5432',
  DB_NAME: 'gaara',
  DB_USERNAME: 'gaara_app',
  DB_TLS: 'true',
  DB_STRATEGY: 'single-user',
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 7);
  const out = mkdtempSync(join(tmpdir(), 'functions-bundle-'));
  const rows: Array<Record<string, string | number>> = [];
  try {
    for (const [name, entry] of Object.entries(ENTRIES)) {
      if (!existsSync(join(ROOT, entry))) {
        rows.push({ function: name, note: `${entry} does not exist yet` });
        continue;
      }
      const outfile = join(out, `${name}.js`);
      const result = await build({
        entryPoints: [join(ROOT, entry)],
        outfile,
        bundle: true,
        platform: 'node',
        target: 'node22',
        format: 'cjs',
        minify: true,
        metafile: true,
        logLevel: 'silent',
        // pg's optional native binding is never installed nor loaded (the stack marks it external too).
        external: name === 'database' ? ['pg-native'] : [],
      });
      const bytes = statSync(outfile).size;
      const loadMs: number[] = [];
      for (let i = 0; i < runs; i++) {
        const script = `const t=process.hrtime.bigint();require(${JSON.stringify(outfile)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
        loadMs.push(Number(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, ...FUNCTION_ENV, NODE_NO_WARNINGS: '1' }, encoding: 'utf8' })));
      }
      rows.push({
        function: name,
        bytes,
        gzipBytes: gzipSync(readFileSync(outfile)).length,
        inputs: Object.keys(result.metafile.inputs).length,
        loadMsMedian: Number(median(loadMs).toFixed(1)),
        loadMsMin: Number(Math.min(...loadMs).toFixed(1)),
        loadMsMax: Number(Math.max(...loadMs).toFixed(1)),
      });
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  console.log(`node ${process.version}, ${runs} fresh processes per function`);
  console.table(rows);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
