/**
 * In-process stand-in for the two KMS calls of field encryption, used behind aws-sdk-client-mock in tests and
 * directly in benches. Like KMS: the blob is authenticated under a master key with the encryption context, so
 * Decrypt refuses a changed blob or context (InvalidCiphertextException), and it counts calls.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DecryptCommandInput, DecryptCommandOutput, GenerateDataKeyCommandInput, GenerateDataKeyCommandOutput } from '@aws-sdk/client-kms';

class KmsError extends Error {
  readonly $metadata = { httpStatusCode: 400 };
  constructor(name: string) {
    super(name);
    this.name = name;
  }
}

const contextBytes = (ec: Record<string, string> = {}) => Buffer.from(JSON.stringify(Object.entries(ec).sort()), 'utf8');

export class FakeKms {
  readonly calls = { generateDataKey: 0, decrypt: 0 };
  private readonly master = randomBytes(32);

  /** blobBytes pads the encrypted data key to a realistic size (a real KMS blob for a 256-bit key is about 184 bytes). */
  constructor(
    private readonly keyId = 'alias/gaara-store/test/data',
    private readonly dataKeySource: () => Buffer = () => randomBytes(32),
    private readonly blobBytes = 60,
  ) {}

  generateDataKey(input: GenerateDataKeyCommandInput): GenerateDataKeyCommandOutput {
    this.calls.generateDataKey += 1;
    if (input.KeyId !== this.keyId) throw new KmsError('NotFoundException');
    const plaintext = this.dataKeySource();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.master, iv, { authTagLength: 16 });
    cipher.setAAD(contextBytes(input.EncryptionContext));
    const sealed = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    const blob = Buffer.concat([sealed, Buffer.alloc(Math.max(0, this.blobBytes - sealed.length))]);
    return { KeyId: this.keyId, Plaintext: new Uint8Array(plaintext), CiphertextBlob: new Uint8Array(blob), $metadata: {} };
  }

  decrypt(input: DecryptCommandInput): DecryptCommandOutput {
    this.calls.decrypt += 1;
    if (input.KeyId !== undefined && input.KeyId !== this.keyId) throw new KmsError('IncorrectKeyException');
    const padded = Buffer.from(input.CiphertextBlob ?? new Uint8Array());
    const blob = padded.subarray(0, 60);
    try {
      if (padded.subarray(60).some((b) => b !== 0)) throw new Error('padding');
      const decipher = createDecipheriv('aes-256-gcm', this.master, blob.subarray(0, 12), { authTagLength: 16 });
      decipher.setAAD(contextBytes(input.EncryptionContext));
      decipher.setAuthTag(blob.subarray(blob.length - 16));
      const plaintext = Buffer.concat([decipher.update(blob.subarray(12, blob.length - 16)), decipher.final()]);
      return { KeyId: this.keyId, Plaintext: new Uint8Array(plaintext), $metadata: {} };
    } catch {
      throw new KmsError('InvalidCiphertextException');
    }
  }

  /** Direct use (benches): the `send` the client library calls. */
  async send(command: { constructor: { name: string }; input: unknown }): Promise<unknown> {
    if (command.constructor.name === 'GenerateDataKeyCommand') return this.generateDataKey(command.input as GenerateDataKeyCommandInput);
    if (command.constructor.name === 'DecryptCommand') return this.decrypt(command.input as DecryptCommandInput);
    throw new KmsError('UnsupportedOperationException');
  }
}
