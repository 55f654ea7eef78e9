import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier, AlgorithmSuiteIdentifier } from '@aws-crypto/client-node';
import { randomBytes } from 'node:crypto';
import { EncryptionSdkMode } from '../src/field-encryption/esdk-mode';

// No AWS here: a RawAesKeyringNode stands in for the KmsKeyringNode that EncryptionSdkMode.forKms builds.
function keyring(key: Uint8Array = randomBytes(32)) {
  // Each keyring gets its own copy: the SDK takes ownership of the master key buffer (and wants one not from Node's pool).
  return new RawAesKeyringNode({
    keyName: 'data',
    keyNamespace: 'gaara-test',
    unencryptedMasterKey: key,
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
}
const context = { app: 'gaara-store', env: 'test', purpose: 'field-encryption' };

describe('EncryptionSdkMode with a raw AES keyring instead of KMS', () => {
  it('writes standard committing, non-signing ESDK messages and reads them back', async () => {
    const mode = new EncryptionSdkMode({ keyring: keyring(), encryptionContext: context });
    const message = await mode.encrypt('123-45-6789');
    expect(message[0]).toBe(0x02); // ESDK message format version 2 (committing suites)
    expect(message.readUInt16BE(1)).toBe(AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY);
    expect((await mode.decrypt(message)).toString()).toBe('123-45-6789');
  });

  it('with the caching materials manager, round-trips and refuses a message under another context', async () => {
    const key = randomBytes(32);
    const cached = new EncryptionSdkMode({
      keyring: keyring(Uint8Array.from(key)),
      encryptionContext: context,
      cache: { maxAgeMs: 60_000, maxMessagesEncrypted: 1000 },
    });
    const messages = await Promise.all(['a', 'b', 'c'].map((v) => cached.encrypt(v)));
    expect(await Promise.all(messages.map(async (m) => (await cached.decrypt(m)).toString()))).toEqual(['a', 'b', 'c']);
    // The ESDK itself accepts any context the message carries; the mode checks the one it expects.
    const expectsMore = new EncryptionSdkMode({ keyring: keyring(Uint8Array.from(key)), encryptionContext: { ...context, table: 'customers' } });
    await expect(expectsMore.decrypt(messages[0])).rejects.toThrow('Encryption SDK message has another encryption context (field "table")');
    const otherEnv = new EncryptionSdkMode({ keyring: keyring(Uint8Array.from(key)), encryptionContext: { ...context, env: 'prod' } });
    await expect(otherEnv.decrypt(messages[0])).rejects.toThrow(/Encryption SDK message/);
  });

  it('refuses a tampered message', async () => {
    const mode = new EncryptionSdkMode({ keyring: keyring(), encryptionContext: context });
    const message = await mode.encrypt('value');
    message[message.length - 5] ^= 1;
    await expect(mode.decrypt(message)).rejects.toThrow(/Encryption SDK message refused/);
  });
});

describe('EncryptionSdkMode.forKms (no KMS call made)', () => {
  it('demands a key ARN, which the ESDK needs to match encrypted data keys on decrypt', () => {
    expect(() => EncryptionSdkMode.forKms({ keyId: 'alias/gaara-store/test/data', app: 'gaara-store', env: 'test' })).toThrow('keyId must be a KMS key ARN');
    expect(
      EncryptionSdkMode.forKms({ keyId: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab', app: 'gaara-store', env: 'test' }),
    ).toBeInstanceOf(EncryptionSdkMode);
  });
});
