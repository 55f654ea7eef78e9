/**
 * Secret reads: client/ SecretsClient vs @aws-lambda-powertools/parameters SecretsProvider, both over a
 * SecretsManagerClient mocked with aws-sdk-client-mock (5 ms simulated latency per call).
 * Cached reads are timed in batches of 1,000 sequential awaited reads (a single sub-microsecond read is below the
 * timer's resolution); one sample = the batch's time / 1,000. The series (a floor: awaiting a settled promise; ours raw,
 * Powertools raw, ours typed, Powertools JSON) are interleaved sample by sample in one process, so machine load hits
 * all of them alike.
 * Prints the median and p99 of the per-read batch means, the ratio ours / Powertools, and the API calls made by
 * 100 concurrent cold reads.
 *   npx tsx bench/client-secret-reads.ts [samples]
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretsClient } from '../client/src/secrets/secrets-client';
import { databaseSecretFixture } from '../contracts/fixtures';

const ID = 'gaara-store/bench/database-url';
const BATCH = 1_000;
const SAMPLES = Number(process.argv[2] ?? 2_000);
const mock = mockClient(SecretsManagerClient);
mock.on(GetSecretValueCommand).callsFake(async () => {
  await new Promise((r) => setTimeout(r, 5));
  return { SecretString: JSON.stringify(databaseSecretFixture), VersionId: 'v1' };
});
const calls = () => mock.commandCalls(GetSecretValueCommand).length;

type Read = () => Promise<unknown>;

async function batchNs(read: Read): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < BATCH; i++) await read();
  return Number(process.hrtime.bigint() - start) / BATCH;
}

function summary(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: sorted[Math.floor(sorted.length * 0.5)], p99: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] };
}

async function coldBurst(read: Read): Promise<number> {
  const before = calls();
  await Promise.all(Array.from({ length: 100 }, read));
  return calls() - before;
}

async function main() {
  const sdk = new SecretsManagerClient({ region: 'eu-west-1' });
  const client = new SecretsClient({ client: sdk, source: 'aws' });
  const provider = new SecretsProvider({ awsSdkV3Client: sdk });
  const settled = Promise.resolve('value');
  const series: Record<string, Read> = {
    'floor: await': () => settled, // the loop and the await of a settled promise, which every series pays
    'ours raw': () => client.getSecret(ID),
    'Powertools raw': () => provider.get(ID, { maxAge: 300 }),
    'ours typed': () => client.getDatabaseSecret(ID),
    'Powertools JSON': () => provider.get(ID, { maxAge: 300, transform: 'json' }),
  };
  const burst = { ours: await coldBurst(series['ours raw']), powertools: await coldBurst(series['Powertools raw']) };
  for (const read of Object.values(series)) await read(); // typed / JSON views cached too
  for (let i = 0; i < 20; i++) for (const read of Object.values(series)) await batchNs(read); // warm-up (JIT)

  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(series).map((name) => [name, []]));
  for (let s = 0; s < SAMPLES; s++) {
    for (const [name, read] of Object.entries(series)) samples[name].push(await batchNs(read));
  }
  const stats = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, summary(values)]));

  console.log(
    `Cached secret reads, mocked SecretsManagerClient, ${SAMPLES.toLocaleString('en-US')} interleaved samples of ${BATCH.toLocaleString('en-US')} reads per series, Node ${process.version}`,
  );
  console.log(['series'.padEnd(16), 'p50 ns/read', 'p99 ns/read'].join(' | '));
  for (const [name, s] of Object.entries(stats)) console.log([name.padEnd(16), s.p50.toFixed(1).padStart(11), s.p99.toFixed(1).padStart(11)].join(' | '));
  const ratio = (a: string, b: string, k: 'p50' | 'p99') => (stats[a][k] / stats[b][k]).toFixed(2);
  console.log(
    `ratio ours / Powertools: raw p50 ${ratio('ours raw', 'Powertools raw', 'p50')}, p99 ${ratio('ours raw', 'Powertools raw', 'p99')}; ` +
      `typed p50 ${ratio('ours typed', 'Powertools JSON', 'p50')}, p99 ${ratio('ours typed', 'Powertools JSON', 'p99')} (goal: at most 0.5)`,
  );
  const net = (name: string) => stats[name].p50 - stats['floor: await'].p50;
  console.log(
    `net of the floor (p50): ours raw ${net('ours raw').toFixed(1)} ns vs Powertools ${net('Powertools raw').toFixed(1)} ns; ` +
      `typed ${net('ours typed').toFixed(1)} vs ${net('Powertools JSON').toFixed(1)} ns`,
  );
  console.log(`API calls for 100 concurrent cold reads: ours ${burst.ours}, Powertools ${burst.powertools}`);
  console.log(
    'Typed: client/ getDatabaseSecret (parsed once per version by contracts/ parseDatabaseSecret, wrapped); Powertools transform "json" (parsed on every read).',
  );
}

void main();
