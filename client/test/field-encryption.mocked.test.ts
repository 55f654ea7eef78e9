import { DecryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { FieldEncryptor, type FieldEncryptorOptions } from '../src/field-encryption/field-encryptor';
import { FieldDecryptionError } from '../src/errors';
import { captureOutput, renderings } from './support/capture';
import { KEY_ID, mockedKms } from './support/mocked-kms';

const ctx = { table: 'customers', column: 'ssn', id: '42' };

function setup(extra: Partial<FieldEncryptorOptions> = {}) {
  const kms = mockedKms();
  const clock = { t: 1_000_000 };
  const encryptor = new FieldEncryptor({ kms: kms.client, keyId: KEY_ID, app: 'gaara-store', env: 'test', now: () => clock.t, ...extra });
  return { ...kms, encryptor, clock };
}

function flipByte(text: string, index: number, xor: number): string {
  const bytes = Buffer.from(text.slice(4), 'base64url');
  bytes[index % bytes.length] ^= xor;
  return `gf1.${bytes.toString('base64url')}`;
}

describe('FieldEncryptor (KMS mocked)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('round-trips strings and bytes of any content (property)', async () => {
    const { encryptor } = setup();
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.uint8Array({ maxLength: 300 }), async (text, bytes) => {
        expect(await encryptor.decryptField(await encryptor.encryptField(text, ctx), ctx)).toBe(text);
        expect(await encryptor.decryptFieldBytes(await encryptor.encryptField(bytes, ctx), ctx)).toEqual(Buffer.from(bytes));
      }),
      { numRuns: 150 },
    );
  });

  it('rejects any single-byte change of the ciphertext (property)', async () => {
    const { encryptor } = setup();
    const ciphertext = await encryptor.encryptField('123-45-6789', ctx);
    const length = Buffer.from(ciphertext.slice(4), 'base64url').length;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: length - 1 }), fc.integer({ min: 1, max: 255 }), async (index, xor) => {
        await expect(encryptor.decryptField(flipByte(ciphertext, index, xor), ctx)).rejects.toBeInstanceOf(FieldDecryptionError);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects any single-character change of the text form (property)', async () => {
    const { encryptor } = setup();
    const ciphertext = await encryptor.encryptField('123-45-6789', ctx);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: ciphertext.length - 1 }), fc.constantFrom(...alphabet), async (index, char) => {
        fc.pre(ciphertext[index] !== char);
        const changed = ciphertext.slice(0, index) + char + ciphertext.slice(index + 1);
        await expect(encryptor.decryptField(changed, ctx)).rejects.toBeInstanceOf(FieldDecryptionError);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a ciphertext moved to another row, column, table or with any context change (property)', async () => {
    const { encryptor } = setup();
    const ciphertext = await encryptor.encryptField('secret value', ctx);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('table', 'column', 'id', 'extra'), fc.string({ minLength: 1, maxLength: 20 }), async (field, value) => {
        const changed = { ...ctx, [field]: value };
        fc.pre(JSON.stringify(changed) !== JSON.stringify(ctx));
        await expect(encryptor.decryptField(ciphertext, changed)).rejects.toThrow(/authentication failed/);
      }),
      { numRuns: 200 },
    );
    const otherEnv = setup().encryptor; // same KMS fake not shared: a different environment cannot even unwrap the key
    await expect(otherEnv.decryptField(ciphertext, ctx)).rejects.toBeInstanceOf(FieldDecryptionError);
  });

  it('binds app and env: another environment cannot decrypt, and GenerateDataKey carries exactly {app, env, purpose}', async () => {
    const fixedKey = randomBytes(32);
    const kms = mockedKms(() => fixedKey);
    const prod = new FieldEncryptor({ kms: kms.client, keyId: KEY_ID, app: 'gaara-store', env: 'test' });
    const ciphertext = await prod.encryptField('v', ctx);
    const staging = new FieldEncryptor({ kms: kms.client, keyId: KEY_ID, app: 'gaara-store', env: 'staging' });
    await expect(staging.decryptField(ciphertext, ctx)).rejects.toThrow(/KMS Decrypt .* failed \(InvalidCiphertextException\)/);
    const input = kms.mock.commandCalls(GenerateDataKeyCommand)[0].args[0].input;
    expect(input).toEqual({ KeyId: KEY_ID, KeySpec: 'AES_256', EncryptionContext: { app: 'gaara-store', env: 'test', purpose: 'field-encryption' } });
  });

  it('50 concurrent cold encrypts cost one GenerateDataKey; decrypting own writes costs no Decrypt', async () => {
    const { encryptor, mock } = setup();
    const cts = await Promise.all(Array.from({ length: 50 }, (_, i) => encryptor.encryptField(`v${i}`, { ...ctx, id: String(i) })));
    expect(mock.commandCalls(GenerateDataKeyCommand)).toHaveLength(1);
    await Promise.all(cts.map((c, i) => encryptor.decryptField(c, { ...ctx, id: String(i) })));
    expect(mock.commandCalls(DecryptCommand)).toHaveLength(0);
    expect(encryptor.kmsCalls).toEqual({ generateDataKey: 1, decrypt: 0 });
  });

  it('replaces the data key at its maximum age, message count and byte count', async () => {
    const { encryptor, clock, mock } = setup({ dataKey: { maxAgeMs: 60_000, maxMessages: 3, maxBytes: 10 } });
    await encryptor.encryptField('a', ctx);
    await encryptor.encryptField('b', ctx);
    await encryptor.encryptField('c', ctx);
    expect(mock.commandCalls(GenerateDataKeyCommand)).toHaveLength(1);
    await encryptor.encryptField('d', ctx); // 4th message
    expect(mock.commandCalls(GenerateDataKeyCommand)).toHaveLength(2);
    clock.t += 61_000;
    await encryptor.encryptField('e', ctx); // too old
    expect(mock.commandCalls(GenerateDataKeyCommand)).toHaveLength(3);
    await encryptor.encryptField('0123456789', ctx); // 1 + 10 bytes > maxBytes 10
    expect(mock.commandCalls(GenerateDataKeyCommand)).toHaveLength(4);
    await expect(encryptor.encryptField('0123456789a', ctx)).rejects.toThrow('a value of 11 bytes exceeds the data key limit maxBytes (10)');
  });

  it('decryptMany costs one KMS Decrypt per distinct data key, and keeps those keys cached (bounded, max age)', async () => {
    const writer = setup({ dataKey: { maxMessages: 10 } });
    const items = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => ({
        ciphertext: await writer.encryptor.encryptField(`row-${i}`, { ...ctx, id: String(i) }),
        context: { ...ctx, id: String(i) },
      })),
    );
    expect(writer.mock.commandCalls(GenerateDataKeyCommand)).toHaveLength(3);
    const clock = { t: 1_000_000 };
    const reader = new FieldEncryptor({
      kms: writer.client,
      keyId: KEY_ID,
      app: 'gaara-store',
      env: 'test',
      now: () => clock.t,
      decryptedKeys: { maxAgeMs: 60_000 },
    });
    const before = writer.mock.commandCalls(DecryptCommand).length;
    expect(await reader.decryptMany(items)).toEqual(items.map((_, i) => `row-${i}`));
    expect(writer.mock.commandCalls(DecryptCommand).length - before).toBe(3);
    await reader.decryptMany(items);
    expect(writer.mock.commandCalls(DecryptCommand).length - before).toBe(3);
    clock.t += 61_000;
    await reader.decryptMany(items);
    expect(writer.mock.commandCalls(DecryptCommand).length - before).toBe(6);
    await expect(reader.decryptMany([items[0], { ...items[1], context: items[2].context }])).rejects.toThrow(/^item 1: customers.ssn: authentication failed/);
  });

  it('KMS failures are not cached, and their errors name the key and the error only', async () => {
    const { encryptor, mock } = setup();
    mock.on(GenerateDataKeyCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(encryptor.encryptField('x', ctx)).rejects.toThrow(`KMS GenerateDataKey with key "${KEY_ID}" failed (ThrottlingException)`);
  });

  it('rejects bad input with clear errors naming what is wrong', async () => {
    const { encryptor } = setup();
    await expect(encryptor.encryptField('x', { table: '', column: 'c' })).rejects.toThrow('context.table must be a non-empty string');
    await expect(encryptor.encryptField('x', { table: 't', column: 'c', env: 'prod' })).rejects.toThrow('context.env is set by the FieldEncryptor');
    await expect(encryptor.decryptField('plaintext', ctx)).rejects.toThrow('missing "gf1." prefix');
    await expect(encryptor.decryptField('gf1.AQE', ctx)).rejects.toThrow('truncated');
    expect(() => new FieldEncryptor({ keyId: '', app: 'a', env: 'e' })).toThrow('FieldEncryptor option keyId must be a non-empty string');
    expect(() => new FieldEncryptor({ keyId: 'k', app: 'a', env: 'e', dataKey: { maxMessages: 0 } })).toThrow(
      'FieldEncryptor limit maxMessages must be a number >= 1',
    );
  });

  it('no plaintext or data key in errors or output (canary search)', async () => {
    const dataKey = randomBytes(32);
    const kms = mockedKms(() => dataKey);
    const encryptor = new FieldEncryptor({ kms: kms.client, keyId: KEY_ID, app: 'gaara-store', env: 'test' });
    const canary = `ssn-${randomBytes(8).toString('hex')}`;
    const { output, error } = await captureOutput(async () => {
      const ct = await encryptor.encryptField(canary, ctx);
      console.log(encryptor, { ct });
      return encryptor.decryptField(ct, { ...ctx, id: 'other' });
    });
    const everything = `${output}\n${renderings(error)}`;
    expect(error).toBeInstanceOf(FieldDecryptionError);
    for (const secret of [canary, dataKey.toString('hex'), dataKey.toString('base64'), dataKey.toString('base64url')]) expect(everything).not.toContain(secret);
  });
});
