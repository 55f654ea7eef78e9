import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { createDecipheriv, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FieldEncryptor } from '../src/field-encryption/field-encryptor';
import type { FieldContext } from '../src/field-encryption/format';
import { MemoryFieldKeyStore } from '../src/field-encryption/key-store';

interface Vector {
  app: string;
  env: string;
  dataKeyHex: string;
  encryptedDataKeyHex: string;
  saltHex: string;
  ivHex: string;
  context: FieldContext;
  plaintext: string;
  ciphertext: string;
}

const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'field-encryption.md'), 'utf8');
const block = /```json test-vectors\n([\s\S]*?)\n```/.exec(doc);
const vectors: Vector[] = block ? JSON.parse(block[1]) : [];

/** Written from the description in docs/field-encryption.md with node:crypto only, not from client/src. */
function independentDecrypt(v: Vector): string {
  const bytes = Buffer.from(v.ciphertext.slice('gf1.'.length), 'base64url');
  const edkLength = bytes.readUInt16BE(2);
  let at = 4 + edkLength;
  const salt = bytes.subarray(at, (at += 16));
  const iv = bytes.subarray(at, (at += 12));
  const commitment = bytes.subarray(at, (at += 32));
  const header = bytes.subarray(0, at);
  const dataKey = Buffer.from(v.dataKeyHex, 'hex');
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', dataKey, salt, Buffer.from(info), 32));
  expect(commitment.equals(derive('gaara-field/v1 suite 0x01 key commitment'))).toBe(true);
  const full: Record<string, string> = { ...v.context, app: v.app, env: v.env };
  const parts = [Buffer.from([0, Object.keys(full).length])];
  for (const key of Object.keys(full).sort()) {
    const k = Buffer.from(key);
    const val = Buffer.from(full[key]);
    parts.push(Buffer.from([k.length >> 8, k.length & 255]), k, Buffer.from([val.length >> 8, val.length & 255]), val);
  }
  const decipher = createDecipheriv('aes-256-gcm', derive('gaara-field/v1 suite 0x01 encryption key'), iv, { authTagLength: 16 });
  decipher.setAAD(Buffer.concat([header, ...parts]));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([decipher.update(bytes.subarray(at, bytes.length - 16)), decipher.final()]).toString('utf8');
}

describe('documented gf1 test vectors (docs/field-encryption.md; KMS mocked with the vector keys)', () => {
  it('the document holds vectors', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(3);
  });

  it.each(vectors.map((v, i) => [i, v] as const))('vector %i: encrypts to the documented ciphertext and decrypts back', async (_i, v) => {
    const kms = mockClient(KMSClient);
    kms.on(GenerateDataKeyCommand).resolves({ Plaintext: Buffer.from(v.dataKeyHex, 'hex'), CiphertextBlob: Buffer.from(v.encryptedDataKeyHex, 'hex') });
    kms.on(DecryptCommand).callsFake(async (input) => {
      if (!Buffer.from(input.CiphertextBlob).equals(Buffer.from(v.encryptedDataKeyHex, 'hex')))
        throw Object.assign(new Error('x'), { name: 'InvalidCiphertextException' });
      return { Plaintext: Buffer.from(v.dataKeyHex, 'hex') };
    });
    const queue = [Buffer.from(v.saltHex, 'hex'), Buffer.from(v.ivHex, 'hex')];
    const options = { kms: new KMSClient({ region: 'eu-west-1' }), keyId: 'alias/gaara-store/prod/data', app: v.app, env: v.env };
    const writer = new FieldEncryptor({ ...options, random: () => queue.shift() as Buffer });
    expect(await writer.encryptField(v.plaintext, v.context)).toBe(v.ciphertext);
    const reader = new FieldEncryptor(options);
    expect(await reader.decryptField(v.ciphertext, v.context)).toBe(v.plaintext);
    expect(independentDecrypt(v)).toBe(v.plaintext);
    kms.restore();
  });
});

interface Gf2Vector {
  app: string;
  env: string;
  fieldKeyHex: string;
  wrappedKeyHex: string;
  keyIdHex: string;
  ivHex: string;
  context: FieldContext;
  plaintext: string;
  ciphertext: string;
}

const gf2Block = /```json test-vectors-gf2\n([\s\S]*?)\n```/.exec(doc);
const gf2Vectors: Gf2Vector[] = gf2Block ? JSON.parse(gf2Block[1]) : [];

/** Written from the gf2 description in docs/field-encryption.md with node:crypto only, not from client/src. */
function independentGf2Decrypt(v: Gf2Vector): string {
  const bytes = Buffer.from(v.ciphertext.slice('gf2.'.length), 'base64url');
  expect([bytes[0], bytes[1]]).toEqual([2, 2]);
  const keyId = bytes.subarray(2, 18);
  const commitment = bytes.subarray(18, 50);
  const iv = bytes.subarray(50, 62);
  const header = bytes.subarray(0, 62);
  const fieldKey = Buffer.from(v.fieldKeyHex, 'hex');
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', fieldKey, keyId, Buffer.from(info), 32));
  expect(commitment.equals(derive('gaara-field/v2 suite 0x02 key commitment'))).toBe(true);
  const full: Record<string, string> = { ...v.context, app: v.app, env: v.env };
  const parts = [Buffer.from([0, Object.keys(full).length])];
  for (const key of Object.keys(full).sort()) {
    const k = Buffer.from(key);
    const val = Buffer.from(full[key]);
    parts.push(Buffer.from([k.length >> 8, k.length & 255]), k, Buffer.from([val.length >> 8, val.length & 255]), val);
  }
  const decipher = createDecipheriv('aes-256-gcm', derive('gaara-field/v2 suite 0x02 encryption key'), iv, { authTagLength: 16 });
  decipher.setAAD(Buffer.concat([header, ...parts]));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([decipher.update(bytes.subarray(62, bytes.length - 16)), decipher.final()]).toString('utf8');
}

describe('documented gf2 test vectors (docs/field-encryption.md; KMS mocked with the vector keys, in-memory key store)', () => {
  it('the document holds vectors', () => {
    expect(gf2Vectors.length).toBeGreaterThanOrEqual(3);
  });

  it.each(gf2Vectors.map((v, i) => [i, v] as const))('vector %i: encrypts to the documented ciphertext and decrypts back', async (_i, v) => {
    const kms = mockClient(KMSClient);
    kms.on(GenerateDataKeyCommand).resolves({ Plaintext: Buffer.from(v.fieldKeyHex, 'hex'), CiphertextBlob: Buffer.from(v.wrappedKeyHex, 'hex') });
    kms.on(DecryptCommand).callsFake(async (input) => {
      if (!Buffer.from(input.CiphertextBlob).equals(Buffer.from(v.wrappedKeyHex, 'hex')))
        throw Object.assign(new Error('x'), { name: 'InvalidCiphertextException' });
      return { Plaintext: Buffer.from(v.fieldKeyHex, 'hex') };
    });
    const keyStore = new MemoryFieldKeyStore();
    const queue = [Buffer.from(v.keyIdHex, 'hex'), Buffer.from(v.ivHex, 'hex')];
    const options = { kms: new KMSClient({ region: 'eu-west-1' }), keyId: 'alias/gaara-store/prod/data', app: v.app, env: v.env, keyStore };
    const writer = new FieldEncryptor({ ...options, format: 'gf2', random: () => queue.shift() as Buffer });
    expect(await writer.encryptField(v.plaintext, v.context)).toBe(v.ciphertext);
    const stored = await keyStore.get(Buffer.from(v.keyIdHex, 'hex'));
    expect(stored?.wrappedKey.toString('hex')).toBe(v.wrappedKeyHex);
    const reader = new FieldEncryptor(options);
    expect(await reader.decryptField(v.ciphertext, v.context)).toBe(v.plaintext);
    expect(independentGf2Decrypt(v)).toBe(v.plaintext);
    kms.restore();
  });
});
