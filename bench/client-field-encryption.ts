/**
 * Field encryption: gf1 (client/) vs the AWS Encryption SDK (@aws-crypto/client-node, caching materials manager,
 * suite AES_256_GCM_HKDF_SHA512_COMMIT_KEY, KmsKeyringNode), both over the same in-process fake KMS that counts calls
 * and returns 184-byte blobs like real KMS. Prints ops/s, overhead for a 16-byte value, KMS calls per 10,000 ops.
 *   npx tsx bench/client-field-encryption.ts
 */
import {
  AlgorithmSuiteIdentifier, buildClient, CommitmentPolicy, getLocalCryptographicMaterialsCache, KmsKeyringNode, NodeCachingMaterialsManager,
} from '@aws-crypto/client-node';
import { FieldEncryptor } from '../client/src/field-encryption/field-encryptor';
import type { KmsSender } from '../client/src/field-encryption/data-keys';
import { FakeKms } from '../client/test/support/fake-kms';

const N = 10_000;
const KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const VALUE = '123-45-6789-abcd'; // 16 bytes
const ctx = (i: number) => ({ table: 'customers', column: 'ssn', id: String(i) });

async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { result, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

async function ours() {
  const kms = new FakeKms(KEY_ARN, undefined, 184);
  const writer = new FieldEncryptor({ kms: kms as unknown as KmsSender, keyId: KEY_ARN, app: 'gaara-store', env: 'bench' });
  const enc = await timed(async () => {
    const out: string[] = [];
    for (let i = 0; i < N; i++) out.push(await writer.encryptField(VALUE, ctx(i)));
    return out;
  });
  const afterEncrypt = { ...kms.calls };
  const reader = new FieldEncryptor({ kms: kms as unknown as KmsSender, keyId: KEY_ARN, app: 'gaara-store', env: 'bench' }); // cold key cache
  const dec = await timed(async () => {
    for (let i = 0; i < N; i++) await reader.decryptField(enc.result[i], ctx(i));
  });
  const decryptCalls = kms.calls.decrypt - afterEncrypt.decrypt;
  const page = await timed(() => new FieldEncryptor({ kms: kms as unknown as KmsSender, keyId: KEY_ARN, app: 'gaara-store', env: 'bench' })
    .decryptMany(enc.result.map((ciphertext, i) => ({ ciphertext, context: ctx(i) }))));
  const text = enc.result[0];
  const burstKms = new FakeKms(KEY_ARN, undefined, 184);
  const burstWriter = new FieldEncryptor({ kms: burstKms as unknown as KmsSender, keyId: KEY_ARN, app: 'gaara-store', env: 'bench' });
  await Promise.all(Array.from({ length: 50 }, (_, i) => burstWriter.encryptField(VALUE, ctx(i))));
  return {
    coldBurst: burstKms.calls.generateDataKey,
    name: 'gf1 (client/, FieldEncryptor)',
    encryptOps: N / (enc.ms / 1000),
    decryptOps: N / (dec.ms / 1000),
    decryptManyOps: N / (page.ms / 1000),
    overheadBytes: Buffer.from(text.slice(4), 'base64url').length - 16,
    overheadChars: text.length - 16,
    kms: { generateDataKey: afterEncrypt.generateDataKey, decrypt: decryptCalls },
  };
}

async function esdk() {
  const kms = new FakeKms(KEY_ARN, undefined, 184);
  const client = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const cmm = () => new NodeCachingMaterialsManager({
    backingMaterials: new KmsKeyringNode({ generatorKeyId: KEY_ARN, clientProvider: () => kms as never }),
    cache: getLocalCryptographicMaterialsCache(1000),
    maxAge: 300_000,
    maxMessagesEncrypted: 2 ** 20,
  });
  const encryptionContext = { app: 'gaara-store', env: 'bench', purpose: 'field-encryption' };
  const suiteId = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
  const writer = cmm();
  const plaintext = Buffer.from(VALUE);
  const enc = await timed(async () => {
    const out: Buffer[] = [];
    for (let i = 0; i < N; i++) out.push((await client.encrypt(writer, plaintext, { encryptionContext, suiteId, plaintextLength: 16 })).result);
    return out;
  });
  const afterEncrypt = { ...kms.calls };
  const reader = cmm();
  const dec = await timed(async () => {
    for (let i = 0; i < N; i++) await client.decrypt(reader, enc.result[i]);
  });
  const decryptCalls = kms.calls.decrypt - afterEncrypt.decrypt;
  const message = enc.result[0];
  const before = kms.calls.generateDataKey;
  const burstWriter = cmm();
  await Promise.all(Array.from({ length: 50 }, () => client.encrypt(burstWriter, plaintext, { encryptionContext, suiteId, plaintextLength: 16 })));
  return {
    coldBurst: kms.calls.generateDataKey - before,
    name: 'ESDK 0x0478 + caching CMM',
    encryptOps: N / (enc.ms / 1000),
    decryptOps: N / (dec.ms / 1000),
    decryptManyOps: NaN,
    overheadBytes: message.length - 16,
    overheadChars: message.toString('base64').length - 16,
    kms: { generateDataKey: afterEncrypt.generateDataKey, decrypt: decryptCalls },
  };
}

async function main() {
  await ours(); // warm up both (JIT), then measure
  await esdk();
  const rows = [await ours(), await esdk()];
  const fmt = (n: number) => (Number.isNaN(n) ? 'n/a' : Math.round(n).toLocaleString('en-US'));
  console.log(`Field encryption, ${N.toLocaleString('en-US')} values of 16 bytes, per-row context, fake in-process KMS (184-byte blobs), Node ${process.version}`);
  console.log(['implementation'.padEnd(32), 'encrypt ops/s', 'decrypt ops/s', 'decryptMany ops/s', 'overhead B', 'overhead chars (text)', 'KMS GenerateDataKey per 10k enc / Decrypt per 10k dec', 'GenerateDataKey for 50 concurrent cold encrypts'].join(' | '));
  for (const r of rows) {
    console.log([
      r.name.padEnd(32), fmt(r.encryptOps).padStart(13), fmt(r.decryptOps).padStart(13), fmt(r.decryptManyOps).padStart(17),
      String(r.overheadBytes).padStart(10), String(r.overheadChars).padStart(21),
      `${r.kms.generateDataKey} / ${r.kms.decrypt}`.padStart(10), String(r.coldBurst).padStart(6),
    ].join(' | '));
  }
  console.log('Decrypts run in a new reader (cold data-key cache), sequentially, one value per call; decryptMany: one call for the 10,000 values.');
  console.log('Text: gf1 is "gf1." + base64url; the ESDK message is base64. Overhead = size - 16.');
}

void main();
