import { randomBytes } from 'node:crypto';
import { GenerateRandomCommand, KMSClient } from '@aws-sdk/client-kms';
import { awsClientSettings } from '../rotation/aws-clients';
import { awsCallError } from '../rotation/classify';
import { RotationError } from '../rotation/errors';

/** Where new key material comes from: Node's CSPRNG, or KMS GenerateRandom where FIPS-validated randomness is required. */
export interface KeyMaterialSource {
  readonly name: 'crypto' | 'kms';
  /** `where` names the secret and step in error messages. */
  randomBytes(bytes: number, where: string): Promise<Buffer>;
}

export const cryptoKeyMaterial: KeyMaterialSource = {
  name: 'crypto',
  randomBytes: async (bytes) => randomBytes(bytes),
};

export function kmsKeyMaterial(kms: Pick<KMSClient, 'send'>): KeyMaterialSource {
  return {
    name: 'kms',
    async randomBytes(bytes, where) {
      let plaintext: Uint8Array | undefined;
      try {
        ({ Plaintext: plaintext } = await kms.send(new GenerateRandomCommand({ NumberOfBytes: bytes })));
      } catch (e) {
        // A network failure says that a function in a VPC needs a KMS interface endpoint or a NAT gateway.
        throw awsCallError(e, 'KMS', 'GenerateRandom', where);
      }
      if (!plaintext || plaintext.length !== bytes) {
        throw new RotationError('TargetUnavailable', `${where}: KMS GenerateRandom returned ${plaintext?.length ?? 0} bytes instead of ${bytes}`);
      }
      return Buffer.from(plaintext);
    },
  };
}

/**
 * The KMS client for GenerateRandom: always the standard regional endpoint (`kms.<region>.amazonaws.com`, reached
 * through the stack's KMS interface endpoint). GenerateRandom there already comes from KMS's FIPS 140-validated
 * HSMs; `kms-fips` endpoints exist in few regions and the VPC has no endpoint for them, so an inherited
 * AWS_USE_FIPS_ENDPOINT must not redirect this client. The functions' common settings: a missing endpoint fails, it does not hang.
 */
export function createKeyMaterialKmsClient(): KMSClient {
  return new KMSClient({ useFipsEndpoint: false, ...awsClientSettings() });
}

/** KEY_MATERIAL_SOURCE: `crypto` (default) or `kms` (FIPS-validated HSMs). Anything else is a deployment error, caught at cold start. */
export function keyMaterialFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  makeKms: () => Pick<KMSClient, 'send'> = createKeyMaterialKmsClient,
): KeyMaterialSource {
  const source = env.KEY_MATERIAL_SOURCE ?? 'crypto';
  if (source === 'crypto') return cryptoKeyMaterial;
  if (source === 'kms') return kmsKeyMaterial(makeKms());
  throw new Error(`KEY_MATERIAL_SOURCE must be "crypto" or "kms", got "${source}"`);
}
