/**
 * Field encryption of 16-byte values with a per-row context: gf2 (compact, keys by reference) and gf1 (client/) vs
 * the AWS Encryption SDK (@aws-crypto/client-node, caching materials manager, suite AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
 * KmsKeyringNode) and vs the physical reference: bare AES-256-GCM under one key with a fresh randomBytes IV per value,
 * and with IVs from a pooled random buffer. All over the same in-process fake KMS (184-byte blobs like real KMS);
 * gf2's key store in memory. Rounds interleave the implementations in one process (batches of sequential awaited calls),
 * so machine load hits all alike; each figure is the median over the rounds.
 * Prints ops/s, ratios (gf2 / ESDK, gf2 / reference), overhead for a 16-byte value, KMS calls.
 *   npx tsx bench/client-field-encryption.ts [rounds]
 */
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  KmsKeyringNode,
  NodeCachingMaterialsManager,
} from '@aws-crypto/client-node';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { FieldEncryptor, type FieldFormatName } from '../client/src/field-encryption/field-encryptor';
import type { KmsSender } from '../client/src/field-encryption/data-keys';
import { MemoryFieldKeyStore } from '../client/src/field-encryption/key-store';
import { FakeKms } from '../client/test/support/fake-kms';

const BATCH = 1_000;
const ESDK_BATCH = 250;
const ROUNDS = Number(process.argv[2] ?? 20);
const KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const VALUE = '123-45-6789-abcd'; // 16 bytes
const PLAINTEXT = Buffer.from(VALUE);
const ctx = (i: number) => ({ table: 'customers', column: 'ssn', id: String(i) });

/** One implementation: encrypt value i (kept for decrypt), decrypt value i; plus its one-off figures. */
interface Subject {
  name: string;
  batch: number;
  encrypt(i: number): Promise<void> | void;
  decrypt(i: number): Promise<void> | void;
  facts?: () => Promise<Facts>;
}
interface Facts {
  overheadBytes: number;
  overheadChars: number;
  kms: string;
  coldBurst: number;
  decryptManyOps?: number;
}

function ours(format: FieldFormatName): Subject {
  const kms = new FakeKms(KEY_ARN, undefined, 184);
  const keyStore = new MemoryFieldKeyStore();
  const make = (k = kms) => new FieldEncryptor({ kms: k as unknown as KmsSender, keyId: KEY_ARN, app: 'gaara-store', env: 'bench', format, keyStore });
  const writer = make();
  const reader = make(); // its own key cache: one load per key, then cached
  const out: string[] = [];
  return {
    name: `${format} (client/, FieldEncryptor)`,
    batch: BATCH,
    encrypt: async (i) => void (out[i] = await writer.encryptField(VALUE, ctx(i))),
    decrypt: async (i) => void (await reader.decryptField(out[i], ctx(i))),
    facts: async () => {
      const n = 10_000;
      const fresh = new FakeKms(KEY_ARN, undefined, 184);
      const w = make(fresh);
      const texts: string[] = [];
      for (let i = 0; i < n; i++) texts.push(await w.encryptField(VALUE, ctx(i)));
      const afterEncrypt = { ...fresh.calls };
      const r = make(fresh);
      for (let i = 0; i < n; i++) await r.decryptField(texts[i], ctx(i));
      const decryptCalls = fresh.calls.decrypt - afterEncrypt.decrypt;
      const t = process.hrtime.bigint();
      await make(fresh).decryptMany(texts.map((ciphertext, i) => ({ ciphertext, context: ctx(i) })));
      const decryptManyOps = n / (Number(process.hrtime.bigint() - t) / 1e9);
      const burstKms = new FakeKms(KEY_ARN, undefined, 184);
      const burst = make(burstKms);
      await Promise.all(Array.from({ length: 50 }, (_, i) => burst.encryptField(VALUE, ctx(i))));
      return {
        overheadBytes: Buffer.from(texts[0].slice(4), 'base64url').length - 16,
        overheadChars: texts[0].length - 16,
        kms: `${afterEncrypt.generateDataKey} / ${decryptCalls}`,
        coldBurst: burstKms.calls.generateDataKey,
        decryptManyOps,
      };
    },
  };
}

function esdk(): Subject {
  const kms = new FakeKms(KEY_ARN, undefined, 184);
  const client = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const cmm = (k = kms) =>
    new NodeCachingMaterialsManager({
      backingMaterials: new KmsKeyringNode({ generatorKeyId: KEY_ARN, clientProvider: () => k as never }),
      cache: getLocalCryptographicMaterialsCache(1000),
      maxAge: 300_000,
      maxMessagesEncrypted: 2 ** 20,
    });
  const encryptionContext = { app: 'gaara-store', env: 'bench', purpose: 'field-encryption' };
  const suiteId = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
  const writer = cmm();
  const reader = cmm();
  const out: Buffer[] = [];
  const encrypt = async (w: NodeCachingMaterialsManager) => (await client.encrypt(w, PLAINTEXT, { encryptionContext, suiteId, plaintextLength: 16 })).result;
  return {
    name: 'ESDK 0x0478 + caching CMM',
    batch: ESDK_BATCH,
    encrypt: async (i) => void (out[i] = await encrypt(writer)),
    decrypt: async (i) => void (await client.decrypt(reader, out[i])),
    facts: async () => {
      const fresh = new FakeKms(KEY_ARN, undefined, 184);
      const w = cmm(fresh);
      const messages: Buffer[] = [];
      for (let i = 0; i < 1_000; i++) messages.push(await encrypt(w));
      const afterEncrypt = { ...fresh.calls };
      const r = cmm(fresh);
      for (const m of messages) await client.decrypt(r, m);
      const burstKms = new FakeKms(KEY_ARN, undefined, 184);
      const burst = cmm(burstKms);
      await Promise.all(Array.from({ length: 50 }, () => encrypt(burst)));
      return {
        overheadBytes: messages[0].length - 16,
        overheadChars: messages[0].toString('base64').length - 16,
        kms: `${afterEncrypt.generateDataKey} / ${fresh.calls.decrypt - afterEncrypt.decrypt}`,
        coldBurst: burstKms.calls.generateDataKey,
      };
    },
  };
}

/** The physical reference: AES-256-GCM of the bare value under one key, 16-byte tag, fresh IV per value; no context, no format. */
function reference(pooled: boolean): Subject {
  const key = randomBytes(32);
  let pool = Buffer.alloc(0);
  let at = 0;
  const iv = () => {
    if (!pooled) return randomBytes(12);
    if (at + 12 > pool.length) {
      pool = randomBytes(4096);
      at = 0;
    }
    return pool.subarray(at, (at += 12));
  };
  const sealed: { iv: Buffer; ct: Buffer; tag: Buffer }[] = [];
  return {
    name: pooled ? 'reference: AES-GCM, pooled IVs' : 'reference: AES-GCM, randomBytes IV',
    batch: BATCH,
    encrypt: (i) => {
      const nonce = iv();
      const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
      const ct = Buffer.concat([cipher.update(PLAINTEXT), cipher.final()]);
      sealed[i] = { iv: nonce, ct, tag: cipher.getAuthTag() };
    },
    decrypt: (i) => {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed[i].iv, { authTagLength: 16 });
      decipher.setAuthTag(sealed[i].tag);
      Buffer.concat([decipher.update(sealed[i].ct), decipher.final()]);
    },
  };
}

/** ops/s of one batch: `batch` sequential calls (awaited, as an application does). */
async function batchOps(fn: (i: number) => Promise<void> | void, batch: number, offset: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < batch; i++) await fn(offset + i);
  return batch / (Number(process.hrtime.bigint() - start) / 1e9);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** The fastest batch: on a shared, loaded machine the least disturbed one, closest to what the code costs. */
const best = (xs: number[]) => Math.max(...xs);

async function main() {
  const subjects = [reference(false), reference(true), ours('gf2'), ours('gf1'), esdk()];
  const ops = new Map(subjects.map((s) => [s, { encrypt: [] as number[], decrypt: [] as number[] }]));
  for (let round = -2; round < ROUNDS; round++) {
    // two warm-up rounds (JIT, first key loads), not recorded
    for (const s of subjects) {
      const offset = (round + 2) * s.batch;
      const encrypt = await batchOps(s.encrypt, s.batch, offset);
      const decrypt = await batchOps(s.decrypt, s.batch, offset);
      if (round >= 0) {
        ops.get(s)?.encrypt.push(encrypt);
        ops.get(s)?.decrypt.push(decrypt);
      }
    }
  }
  const facts = new Map<Subject, Facts | undefined>();
  for (const s of subjects) facts.set(s, await s.facts?.());
  const rate = (s: Subject, k: 'encrypt' | 'decrypt') => median(ops.get(s)?.[k] ?? []);
  const top = (s: Subject, k: 'encrypt' | 'decrypt') => best(ops.get(s)?.[k] ?? []);
  const fmt = (n: number | undefined) => (n === undefined ? '' : Math.round(n).toLocaleString('en-US'));
  console.log(`Field encryption, 16-byte values, per-row context, fake in-process KMS (184-byte blobs), Node ${process.version}`);
  console.log(
    `Median ops/s over ${ROUNDS} rounds; each round times a batch of ${BATCH.toLocaleString('en-US')} encrypts then decrypts (ESDK ${ESDK_BATCH}) of every implementation in turn, in one process.`,
  );
  console.log(
    [
      'implementation'.padEnd(36),
      'encrypt ops/s',
      'decrypt ops/s',
      'best batch: encrypt',
      'decrypt',
      'decryptMany ops/s',
      'overhead B',
      'overhead chars',
      'KMS GenerateDataKey / Decrypt',
      'GenerateDataKey, 50 cold encrypts',
    ].join(' | '),
  );
  for (const s of subjects) {
    const f = facts.get(s);
    console.log(
      [
        s.name.padEnd(36),
        fmt(rate(s, 'encrypt')).padStart(13),
        fmt(rate(s, 'decrypt')).padStart(13),
        fmt(top(s, 'encrypt')).padStart(19),
        fmt(top(s, 'decrypt')).padStart(7),
        fmt(f?.decryptManyOps).padStart(17),
        String(f?.overheadBytes ?? '').padStart(10),
        String(f?.overheadChars ?? '').padStart(14),
        (f?.kms ?? '').padStart(10),
        String(f?.coldBurst ?? '').padStart(6),
      ].join(' | '),
    );
  }
  const [refRandom, refPooled, gf2, gf1, sdk] = subjects;
  const ratio = (a: Subject, b: Subject) =>
    `median: encrypt ${(rate(a, 'encrypt') / rate(b, 'encrypt')).toFixed(2)}x, decrypt ${(rate(a, 'decrypt') / rate(b, 'decrypt')).toFixed(2)}x; ` +
    `best batch: encrypt ${(top(a, 'encrypt') / top(b, 'encrypt')).toFixed(2)}x, decrypt ${(top(a, 'decrypt') / top(b, 'decrypt')).toFixed(2)}x`;
  console.log(`gf2 / ESDK: ${ratio(gf2, sdk)} (goal: at least 20x)`);
  console.log(`gf1 / ESDK: ${ratio(gf1, sdk)}`);
  console.log(`gf2 / reference (randomBytes IV): ${ratio(gf2, refRandom)}`);
  console.log(`gf2 / reference (pooled IVs): ${ratio(gf2, refPooled)}`);
  console.log('KMS calls: per 10,000 encrypts (1,000 for the ESDK) / per as many decrypts in a cold reader; decryptMany: one call for 10,000 values.');
  console.log('Text: gf1/gf2 are "gfN." + base64url; the ESDK message as base64. Overhead = size - 16. gf2: one key-store row per field key.');
}

void main();
