/**
 * Secret reads: client/ SecretsClient vs @aws-lambda-powertools/parameters SecretsProvider, both over a
 * SecretsManagerClient mocked with aws-sdk-client-mock (5 ms simulated latency per call).
 * Prints cached read latency (p50/p99, ns) and the API calls made by 100 concurrent cold reads.
 *   npx tsx bench/client-secret-reads.ts
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretsClient } from '../client/src/secrets/secrets-client';
import { databaseSecretFixture } from '../contracts/fixtures';

const ID = 'gaara-store/bench/database-url';
const READS = 200_000;
const mock = mockClient(SecretsManagerClient);
mock.on(GetSecretValueCommand).callsFake(async () => {
  await new Promise((r) => setTimeout(r, 5));
  return { SecretString: JSON.stringify(databaseSecretFixture), VersionId: 'v1' };
});
const calls = () => mock.commandCalls(GetSecretValueCommand).length;

async function latency(read: () => Promise<unknown>): Promise<{ p50: number; p99: number; mean: number }> {
  await read();
  for (let i = 0; i < 10_000; i++) await read(); // warm-up
  const samples = new Float64Array(READS);
  for (let i = 0; i < READS; i++) {
    const start = process.hrtime.bigint();
    await read();
    samples[i] = Number(process.hrtime.bigint() - start);
  }
  samples.sort();
  return { p50: samples[Math.floor(READS * 0.5)], p99: samples[Math.floor(READS * 0.99)], mean: samples.reduce((a, b) => a + b, 0) / READS };
}

async function coldBurst(read: () => Promise<unknown>): Promise<number> {
  const before = calls();
  await Promise.all(Array.from({ length: 100 }, read));
  return calls() - before;
}

async function main() {
  const sdk = new SecretsManagerClient({ region: 'eu-west-1' });
  const rows: { name: string; burst: number; raw: Awaited<ReturnType<typeof latency>>; typed?: Awaited<ReturnType<typeof latency>> }[] = [];

  {
    const client = new SecretsClient({ client: sdk, source: 'aws' });
    const coldCalls = await coldBurst(() => client.getSecret(ID));
    const raw = await latency(() => client.getSecret(ID));
    const typed = await latency(() => client.getDatabaseSecret(ID));
    rows.push({ name: 'client/ SecretsClient (TTL 5 min)', burst: coldCalls, raw, typed });
  }
  {
    const provider = new SecretsProvider({ awsSdkV3Client: sdk });
    const coldCalls = await coldBurst(() => provider.get(ID, { maxAge: 300 }));
    const raw = await latency(() => provider.get(ID, { maxAge: 300 }));
    const typed = await latency(() => provider.get(ID, { maxAge: 300, transform: 'json' }));
    rows.push({ name: 'Powertools SecretsProvider (maxAge 300 s)', burst: coldCalls, raw, typed });
  }

  console.log(`Secret reads, mocked SecretsManagerClient (5 ms per call), ${READS.toLocaleString('en-US')} cached reads each, Node ${process.version}`);
  console.log(['implementation'.padEnd(42), 'cached raw p50 ns', 'p99 ns', 'cached JSON/typed p50 ns', 'p99 ns', 'API calls for 100 concurrent cold reads'].join(' | '));
  for (const r of rows) {
    console.log([
      r.name.padEnd(42), String(Math.round(r.raw.p50)).padStart(17), String(Math.round(r.raw.p99)).padStart(6),
      String(Math.round(r.typed?.p50 ?? NaN)).padStart(24), String(Math.round(r.typed?.p99 ?? NaN)).padStart(6), String(r.burst).padStart(10),
    ].join(' | '));
  }
  console.log('Typed: client/ getDatabaseSecret (parsed once per version by contracts/ parseDatabaseSecret, wrapped); Powertools transform "json".');
}

void main();
