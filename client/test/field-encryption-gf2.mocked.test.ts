import { DecryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { FieldDecryptionError } from '../src/errors';
import { FieldEncryptor, type FieldEncryptorOptions } from '../src/field-encryption/field-encryptor';
import { fieldFormatOf } from '../src/field-encryption/format';
import { KeyStoreError, MemoryFieldKeyStore, type FieldKeyStore, type StoredFieldKey } from '../src/field-encryption/key-store';
import { captureOutput, renderings } from './support/capture';
import { KEY_ID, mockedKms } from './support/mocked-kms';

const ctx = { table: 'customers', column: 'ssn', id: '42' };

/** A store that counts calls and can be told to fail. */
class CountingStore implements FieldKeyStore {
  readonly inner = new MemoryFieldKeyStore();
  reads = 0;
  writes = 0;
  failNextPut = false;
  async put(key: StoredFieldKey): Promise<void> {
    this.writes += 1;
    if (this.failNextPut) {
      this.failNextPut = false;
      throw new Error('connection reset');
    }
    return this.inner.put(key);
  }
  async get(id: Buffer): Promise<StoredFieldKey | undefined> {
    this.reads += 1;
    return this.inner.get(id);
  }
}

function setup(extra: Partial<FieldEncryptorOptions> = {}, dataKey?: () => Buffer) {
  const kms = mockedKms(dataKey);
  const store = new CountingStore();
  const clock = { t: 1_000_000 };
  const options = { kms: kms.client, keyId: KEY_ID, app: 'gaara-store', env: 'test', now: () => clock.t, keyStore: store, ...extra };
  const encryptor = new FieldEncryptor({ ...options, format: 'gf2' });
  return { ...kms, store, clock, encryptor, reader: () => new FieldEncryptor(options) };
}

/** The full context's canonical bytes, written from docs/field-encryption.md (not from client/src). */
function canonical(context: Record<string, string>): Buffer {
  const keys = Object.keys(context).sort();
  const parts = [Buffer.from([keys.length >> 8, keys.length & 255])];
  for (const key of keys) {
    const k = Buffer.from(key);
    const v = Buffer.from(context[key]);
    parts.push(Buffer.from([k.length >> 8, k.length & 255]), k, Buffer.from([v.length >> 8, v.length & 255]), v);
  }
  return Buffer.concat(parts);
}

function seal(key: Buffer, iv: Buffer, aad: Buffer, plaintext: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

const hkdf = (ikm: Buffer, salt: Buffer, info: string) => Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from(info), 32));

describe('FieldEncryptor gf2: compact values referencing a stored field key (KMS mocked, in-memory key store)', () => {
  it('round-trips strings and bytes of any content (property)', async () => {
    const { encryptor } = setup();
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.uint8Array({ maxLength: 300 }), async (text, bytes) => {
        const ct = await encryptor.encryptField(text, ctx);
        expect(fieldFormatOf(ct)).toBe('gf2');
        expect(await encryptor.decryptField(ct, ctx)).toBe(text);
        expect(await encryptor.decryptFieldBytes(await encryptor.encryptField(bytes, ctx), ctx)).toEqual(Buffer.from(bytes));
      }),
      { numRuns: 150 },
    );
  });

  it('a 16-byte value takes 94 bytes (78 B overhead), 130 characters, as ciphertextLength says', async () => {
    const { encryptor } = setup();
    const ct = await encryptor.encryptField('123-45-6789-abcd', ctx);
    expect(ct.startsWith('gf2.')).toBe(true);
    expect(Buffer.from(ct.slice(4), 'base64url').length).toBe(94);
    expect(ct.length).toBe(130);
    expect(await encryptor.ciphertextLength(16)).toBe(130);
  });

  it('rejects any single-byte change of the ciphertext and any context change (property)', async () => {
    const { encryptor } = setup();
    const ciphertext = await encryptor.encryptField('123-45-6789', ctx);
    const bytes = Buffer.from(ciphertext.slice(4), 'base64url');
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), async (index, xor) => {
        const changed = Buffer.from(bytes);
        changed[index] ^= xor;
        await expect(encryptor.decryptField(`gf2.${changed.toString('base64url')}`, ctx)).rejects.toBeInstanceOf(FieldDecryptionError);
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('table', 'column', 'id', 'extra'), fc.string({ minLength: 1, maxLength: 20 }), async (field, value) => {
        const changed = { ...ctx, [field]: value };
        fc.pre(JSON.stringify(changed) !== JSON.stringify(ctx));
        await expect(encryptor.decryptField(ciphertext, changed)).rejects.toThrow(/authentication failed/);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a value whose key commitment is wrong even though its GCM tag is valid', async () => {
    const fieldKey = randomBytes(32);
    const { encryptor } = setup({}, () => Buffer.from(fieldKey));
    const genuine = Buffer.from((await encryptor.encryptField('x', ctx)).slice(4), 'base64url');
    const keyId = genuine.subarray(2, 18);
    const iv = randomBytes(12);
    const forgedCommitment = randomBytes(32);
    const header = Buffer.concat([Buffer.from([2, 2]), keyId, forgedCommitment, iv]);
    const aad = Buffer.concat([header, canonical({ ...ctx, app: 'gaara-store', env: 'test' })]);
    const sealed = seal(hkdf(fieldKey, keyId, 'gaara-field/v2 suite 0x02 encryption key'), iv, aad, Buffer.from('attacker-chosen'));
    const forged = `gf2.${Buffer.concat([header, sealed]).toString('base64url')}`;
    await expect(encryptor.decryptField(forged, ctx)).rejects.toThrow('customers.ssn: key commitment does not match');
    // Control: the same construction with the true commitment decrypts, so only the commitment check refuses the forgery.
    const trueHeader = Buffer.concat([Buffer.from([2, 2]), keyId, hkdf(fieldKey, keyId, 'gaara-field/v2 suite 0x02 key commitment'), iv]);
    const trueAad = Buffer.concat([trueHeader, canonical({ ...ctx, app: 'gaara-store', env: 'test' })]);
    const control = `gf2.${Buffer.concat([trueHeader, seal(hkdf(fieldKey, keyId, 'gaara-field/v2 suite 0x02 encryption key'), iv, trueAad, Buffer.from('attacker-chosen'))]).toString('base64url')}`;
    expect(await encryptor.decryptField(control, ctx)).toBe('attacker-chosen');
  });

  it('gf1 too: refuses a value whose key commitment is wrong even though its GCM tag is valid', async () => {
    const dataKey = randomBytes(32);
    const kms = mockedKms(() => Buffer.from(dataKey));
    const encryptor = new FieldEncryptor({ kms: kms.client, keyId: KEY_ID, app: 'gaara-store', env: 'test' });
    const genuine = Buffer.from((await encryptor.encryptField('x', ctx)).slice(4), 'base64url');
    const edkEnd = 4 + genuine.readUInt16BE(2);
    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const build = (commitment: Buffer) => {
      const header = Buffer.concat([genuine.subarray(0, edkEnd), salt, iv, commitment]);
      const aad = Buffer.concat([header, canonical({ ...ctx, app: 'gaara-store', env: 'test' })]);
      return `gf1.${Buffer.concat([header, seal(hkdf(dataKey, salt, 'gaara-field/v1 suite 0x01 encryption key'), iv, aad, Buffer.from('attacker-chosen'))]).toString('base64url')}`;
    };
    await expect(encryptor.decryptField(build(randomBytes(32)), ctx)).rejects.toThrow('customers.ssn: key commitment does not match');
    expect(await encryptor.decryptField(build(hkdf(dataKey, salt, 'gaara-field/v1 suite 0x01 key commitment')), ctx)).toBe('attacker-chosen');
  });

  it('50 concurrent cold encrypts: one GenerateDataKey and one key-store row; own writes and cached keys decrypt without any call', async () => {
    const { encryptor, mock, store, reader } = setup();
    const cts = await Promise.all(Array.from({ length: 50 }, (_, i) => encryptor.encryptField(`v${i}`, { ...ctx, id: String(i) })));
    expect(mock.commandCalls(GenerateDataKeyCommand)).toHaveLength(1);
    expect(store.writes).toBe(1);
    expect(store.inner.size).toBe(1);
    await Promise.all(cts.map((c, i) => encryptor.decryptField(c, { ...ctx, id: String(i) })));
    expect(mock.commandCalls(DecryptCommand)).toHaveLength(0);
    expect(store.reads).toBe(0);
    const cold = reader(); // another process: a gf1 writer that reads gf2
    expect(await Promise.all(cts.map((c, i) => cold.decryptField(c, { ...ctx, id: String(i) })))).toEqual(cts.map((_, i) => `v${i}`));
    expect(mock.commandCalls(DecryptCommand)).toHaveLength(1);
    expect(store.reads).toBe(1);
    expect(cold.keyStoreCalls).toEqual({ writes: 0, reads: 1 });
    expect(cold.kmsCalls).toEqual({ generateDataKey: 0, decrypt: 1 });
  });

  it('rotates the field key at its age, message and byte limits; every key stays readable', async () => {
    const { encryptor, clock, store, mock, reader } = setup({ fieldKey: { maxAgeMs: 60_000, maxMessages: 2, maxBytes: 10 } });
    const written: [string, string][] = [];
    const put = async (v: string) => written.push([v, await encryptor.encryptField(v, ctx)]);
    await put('a');
    await put('b');
    expect(store.writes).toBe(1);
    await put('c'); // 3rd message
    expect(store.writes).toBe(2);
    clock.t += 61_000;
    await put('d'); // too old
    expect(store.writes).toBe(3);
    await put('0123456789'); // 1 + 10 bytes > 10
    expect(store.writes).toBe(4);
    expect(mock.commandCalls(GenerateDataKeyCommand)).toHaveLength(4);
    await expect(encryptor.encryptField('0123456789a', ctx)).rejects.toThrow('a value of 11 bytes exceeds the field key limit maxBytes (10)');
    const keyIds = new Set(written.map(([, ct]) => Buffer.from(ct.slice(4), 'base64url').subarray(2, 18).toString('hex')));
    expect(keyIds.size).toBe(4);
    const cold = reader();
    for (const [plain, ct] of written) expect(await cold.decryptField(ct, ctx)).toBe(plain);
    expect(cold.kmsCalls.decrypt).toBe(4);
  });

  it('concurrent encrypts across key replacements all use live keys (a replaced key is zeroed, never used)', async () => {
    const { encryptor, store, reader } = setup({ fieldKey: { maxMessages: 3 } });
    const cts = await Promise.all(Array.from({ length: 30 }, (_, i) => encryptor.encryptField(`v${i}`, { ...ctx, id: String(i) })));
    expect(store.writes).toBeGreaterThanOrEqual(10);
    const cold = reader();
    expect(await Promise.all(cts.map((c, i) => cold.decryptField(c, { ...ctx, id: String(i) })))).toEqual(cts.map((_, i) => `v${i}`));
  });

  it('concurrent decrypts through a one-entry key cache all use live keys (an evicted key is zeroed only after use)', async () => {
    const { encryptor, reader, client, store: storeOf } = setup({ fieldKey: { maxMessages: 1 }, decryptedKeys: { maxEntries: 1 } });
    const cts = await Promise.all(Array.from({ length: 12 }, (_, i) => encryptor.encryptField(`v${i}`, { ...ctx, id: String(i) })));
    const tiny = reader();
    expect(await Promise.all(cts.map((c, i) => tiny.decryptField(c, { ...ctx, id: String(i) })))).toEqual(cts.map((_, i) => `v${i}`));
    // Loads that finish in the same tick: each one's set evicts the previous key before its caller resumes.
    const gate = { open: () => undefined as void, opened: undefined as unknown as Promise<void> };
    gate.opened = new Promise<void>((resolve) => (gate.open = resolve));
    const gated: FieldKeyStore = {
      put: async () => undefined,
      get: async (id) => {
        await gate.opened;
        return storeOf.inner.get(id);
      },
    };
    const lockstep = new FieldEncryptor({ kms: client, keyId: KEY_ID, app: 'gaara-store', env: 'test', keyStore: gated, decryptedKeys: { maxEntries: 1 } });
    const all = Promise.all(cts.map((c, i) => lockstep.decryptField(c, { ...ctx, id: String(i) })));
    gate.open();
    expect(await all).toEqual(cts.map((_, i) => `v${i}`));
  });

  it('keeps decrypted field keys in a bounded, aging cache', async () => {
    const { encryptor, store, reader, clock } = setup({ decryptedKeys: { maxAgeMs: 60_000, maxEntries: 1 }, fieldKey: { maxMessages: 1 } });
    const a = await encryptor.encryptField('a', ctx);
    const b = await encryptor.encryptField('b', ctx);
    const cold = reader();
    await cold.decryptField(a, ctx);
    await cold.decryptField(a, ctx);
    expect(store.reads).toBe(1);
    await cold.decryptField(b, ctx); // evicts a's key (one entry)
    await cold.decryptField(a, ctx);
    expect(store.reads).toBe(3);
    clock.t += 61_000;
    await cold.decryptField(a, ctx);
    expect(store.reads).toBe(4);
  });

  it('decryptMany reads gf1 and gf2 values with one load per distinct key', async () => {
    const { encryptor, store, reader, client } = setup({ fieldKey: { maxMessages: 5 } });
    const gf1Writer = new FieldEncryptor({ kms: client, keyId: KEY_ID, app: 'gaara-store', env: 'test' });
    const items = [];
    for (let i = 0; i < 20; i++) {
      const context = { ...ctx, id: String(i) };
      items.push({ ciphertext: await (i % 2 === 0 ? encryptor : gf1Writer).encryptField(`row-${i}`, context), context });
    }
    const cold = reader();
    expect(await cold.decryptMany(items)).toEqual(items.map((_, i) => `row-${i}`));
    expect(store.reads).toBe(2); // 10 gf2 values, 5 per key
    expect(cold.kmsCalls.decrypt).toBe(3); // 2 field keys + 1 gf1 data key
    await expect(cold.decryptMany([items[0], { ...items[2], context: items[4].context }])).rejects.toThrow(/^item 1: customers.ssn: authentication failed/);
  });

  it('a key store failure on write fails the encrypt (no value under an unsaved key) and is not cached', async () => {
    const { encryptor, store } = setup();
    store.failNextPut = true;
    await expect(encryptor.encryptField('x', ctx)).rejects.toThrow('saving a new field key in the key store failed (Error)');
    const ct = await encryptor.encryptField('x', ctx);
    expect(store.inner.size).toBe(1);
    expect(await encryptor.decryptField(ct, ctx)).toBe('x');
  });

  it('clear errors: unknown key id, key of another environment, gf2 without a key store, bad options', async () => {
    const { encryptor, store, client } = setup();
    const ct = await encryptor.encryptField('x', ctx);
    const bytes = Buffer.from(ct.slice(4), 'base64url');
    bytes.fill(7, 2, 18);
    await expect(setup().encryptor.decryptField(`gf2.${bytes.toString('base64url')}`, ctx)).rejects.toThrow(
      `customers.ssn: field key ${'07'.repeat(16)} is not in the key store`,
    );
    const staging = new FieldEncryptor({ kms: client, keyId: KEY_ID, app: 'gaara-store', env: 'staging', keyStore: store });
    await expect(staging.decryptField(ct, ctx)).rejects.toThrow('belongs to another app or environment');
    await expect(new FieldEncryptor({ kms: client, keyId: KEY_ID, app: 'gaara-store', env: 'test' }).decryptField(ct, ctx)).rejects.toThrow(
      'a gf2 value needs the keyStore option',
    );
    await expect(encryptor.decryptField('gf2.AgI', ctx)).rejects.toThrow('gf2 field ciphertext is truncated');
    await expect(encryptor.decryptField(`${ct}B`, ctx)).rejects.toThrow('not canonical base64url');
    expect(() => new FieldEncryptor({ keyId: 'k', app: 'a', env: 'e', format: 'gf2' })).toThrow('FieldEncryptor format "gf2" needs the keyStore option');
    expect(() => new FieldEncryptor({ keyId: 'k', app: 'a', env: 'e', format: 'gf3' as never })).toThrow('FieldEncryptor option format must be "gf1" or "gf2"');
    expect(() => new FieldEncryptor({ keyId: 'k', app: 'a', env: 'e', keyStore: store, fieldKey: { maxMessages: 2 ** 31 } })).toThrow(
      'fieldKey.maxMessages must be at most 2^30',
    );
    await expect(new MemoryFieldKeyStore().get(Buffer.alloc(3))).rejects.toBeInstanceOf(KeyStoreError);
  });

  it('no plaintext or key in errors, the store or output (canary search)', async () => {
    const fieldKey = randomBytes(32);
    const { encryptor, store } = setup({}, () => Buffer.from(fieldKey));
    const canary = `ssn-${randomBytes(8).toString('hex')}`;
    const { output, error } = await captureOutput(async () => {
      const ct = await encryptor.encryptField(canary, ctx);
      console.log(encryptor, { ct }, store);
      return encryptor.decryptField(ct, { ...ctx, id: 'other' });
    });
    const everything = `${output}\n${renderings(error)}\n${renderings(store)}`;
    expect(error).toBeInstanceOf(FieldDecryptionError);
    for (const secret of [canary, fieldKey.toString('hex'), fieldKey.toString('base64'), fieldKey.toString('base64url')])
      expect(everything).not.toContain(secret);
    expect(output).toContain('format: gf2');
  });
});
