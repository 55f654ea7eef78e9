import { DecryptCommand, GenerateDataKeyCommand, type DecryptCommandOutput, type GenerateDataKeyCommandOutput } from '@aws-sdk/client-kms';
import { awsErrorInfo } from '../aws-errors';
import { FieldDecryptionError, FieldEncryptionError } from '../errors';

/** The two KMS calls field encryption makes: anything with the SDK's `send` (a KMSClient, or a fake in tests/benches). */
export interface KmsSender {
  send(command: GenerateDataKeyCommand | DecryptCommand): Promise<GenerateDataKeyCommandOutput | DecryptCommandOutput>;
}

/** The data key (and its KMS context) every field key comes from: gf1's data keys and gf2's stored keys alike. */
export interface KmsDataKeySource {
  kms: KmsSender;
  keyId: string;
  context: Record<string, string>;
}

/** GenerateDataKey AES_256: a fresh 256-bit key and its CiphertextBlob. Errors name the key and the AWS error, nothing else. */
export async function generateDataKey(source: KmsDataKeySource): Promise<{ plaintext: Buffer; edk: Buffer }> {
  let out: GenerateDataKeyCommandOutput;
  try {
    out = (await source.kms.send(
      new GenerateDataKeyCommand({ KeyId: source.keyId, KeySpec: 'AES_256', EncryptionContext: source.context }),
    )) as GenerateDataKeyCommandOutput;
  } catch (error) {
    throw new FieldEncryptionError(`KMS GenerateDataKey with key "${source.keyId}" failed (${awsErrorInfo(error).name})`);
  }
  if (!out.Plaintext || out.Plaintext.length !== 32 || !out.CiphertextBlob) {
    throw new FieldEncryptionError(`KMS GenerateDataKey with key "${source.keyId}" returned no 256-bit data key`);
  }
  return { plaintext: Buffer.from(out.Plaintext), edk: Buffer.from(out.CiphertextBlob) };
}

/** Decrypt with KeyId pinned and the same context: the 256-bit key inside `edk`. */
export async function decryptDataKey(source: KmsDataKeySource, edk: Buffer): Promise<Buffer> {
  let out: DecryptCommandOutput;
  try {
    out = (await source.kms.send(new DecryptCommand({ CiphertextBlob: edk, KeyId: source.keyId, EncryptionContext: source.context }))) as DecryptCommandOutput;
  } catch (error) {
    throw new FieldDecryptionError(`KMS Decrypt of the field's data key with key "${source.keyId}" failed (${awsErrorInfo(error).name})`);
  }
  if (!out.Plaintext || out.Plaintext.length !== 32) throw new FieldDecryptionError('KMS Decrypt returned no 256-bit data key');
  return Buffer.from(out.Plaintext);
}
