/**
 * Cached read latency: SecretsClient over the Vault KV v2 source (modelled Vault HTTP API on 127.0.0.1,
 * client/test/support/vault-model.ts) beside the Secrets Manager source (SecretsManagerClient mocked with
 * aws-sdk-client-mock), 5 ms simulated upstream latency each. Also: upstream calls for 100 concurrent cold reads
 * and the cold read time. Prints p50/p99 in ns.
 *   npx tsx bench/vault-reads.ts
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretsClient } from '../client/src/secrets/secrets-client';
import { VaultModel } from '../client/test/support/vault-model';
import { databaseSecretFixture } from '../contracts/fixtures';

const ID = 'gaara-store/bench/database-url';
const READS = 200_000;

async function latency(read: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 10_000; i++) await read(); // warm-up
  const samples = new Float64Array(READS);
  for (let i = 0; i < READS; i++) {
    const start = process.hrtime.bigint();
    await read();
    samples[i] = Number(process.hrtime.bigint() - start);
  }
  samples.sort();
  return { p50: samples[Math.floor(READS * 0.5)], p99: samples[Math.floor(READS * 0.99)] };
}

async function cold(read: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: 100 }, read));
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function main(): Promise<void> {
  const mock = mockClient(SecretsManagerClient);
  mock.on(GetSecretValueCommand).callsFake(async () => {
    await new Promise((r) => setTimeout(r, 5));
    return { SecretString: JSON.stringify(databaseSecretFixture), VersionId: 'v1' };
  });
  const aws = new SecretsClient({ client: new SecretsManagerClient({ region: 'eu-west-1' }), source: 'aws', env: {} });
  const vault = await new VaultModel().start();
  vault.readDelayMs = 5;
  vault.put(`secret/${ID}`, databaseSecretFixture as unknown as Record<string, unknown>);
  const viaVault = new SecretsClient({ vault: { address: vault.address, auth: { method: 'token', token: vault.issueToken() } }, env: {} });

  const rows: string[] = [];
  for (const [name, client, calls] of [
    ['Secrets Manager source (mocked SDK)', aws, () => mock.commandCalls(GetSecretValueCommand).length],
    ['Vault KV v2 source (modelled HTTP API)', viaVault, () => vault.dataReads()],
  ] as const) {
    const coldMs = await cold(() => client.getDatabaseSecret(ID));
    const coldCalls = calls();
    const raw = await latency(() => client.getSecret(ID));
    const typed = await latency(() => client.getDatabaseSecret(ID));
    rows.push(
      `| ${name} | ${Math.round(raw.p50)} / ${Math.round(raw.p99)} | ${Math.round(typed.p50)} / ${Math.round(typed.p99)} | ${coldCalls} | ${coldMs.toFixed(1)} ms |`,
    );
  }
  await vault.stop();
  mock.restore();
  console.log(`Cached reads, ${READS.toLocaleString('en-US')} sequential reads, Node ${process.version}; 5 ms simulated upstream latency`);
  console.log('| source | getSecret p50 / p99 (ns) | getDatabaseSecret p50 / p99 (ns) | upstream calls, 100 concurrent cold reads | cold burst time |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
