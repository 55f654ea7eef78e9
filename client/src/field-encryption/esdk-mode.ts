import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  KmsKeyringNode,
  NodeCachingMaterialsManager,
  type KeyringNode,
  type NodeMaterialsManager,
} from '@aws-crypto/client-node';
import { dataKeyEncryptionContext } from '../../../contracts';
import { FieldDecryptionError } from '../errors';

export interface EncryptionSdkCacheOptions {
  /** Entries in the local materials cache; default 100. */
  capacity?: number;
  maxAgeMs: number;
  maxMessagesEncrypted?: number;
  maxBytesEncrypted?: number;
}

export interface EncryptionSdkModeOptions {
  /** A KmsKeyringNode in production (see `forKms`); tests here use a RawAesKeyringNode (no AWS). */
  keyring: KeyringNode;
  /** Authenticated in every message header and checked on decrypt (the ESDK itself does not check it). */
  encryptionContext: Record<string, string>;
  /** Caching materials manager: fewer KMS calls; needs the plaintext length, which encrypt() always knows. */
  cache?: EncryptionSdkCacheOptions;
  /** Default: AES_256_GCM_HKDF_SHA512_COMMIT_KEY (committing, not signing: ~10x cheaper, ~200 B smaller). */
  suiteId?: AlgorithmSuiteIdentifier;
}

/**
 * Standard AWS Encryption SDK messages (CommitmentPolicy REQUIRE_ENCRYPT_REQUIRE_DECRYPT), for data that systems
 * using another ESDK implementation must read. Larger than gf1 (docs/field-encryption.md has the numbers).
 */
type EsdkClient = ReturnType<typeof buildClient>;

export class EncryptionSdkMode {
  readonly #client = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  readonly #materials: KeyringNode | NodeMaterialsManager;
  private readonly suiteId: AlgorithmSuiteIdentifier;
  private readonly context: Record<string, string>;

  constructor(options: EncryptionSdkModeOptions) {
    this.context = { ...options.encryptionContext };
    this.suiteId = options.suiteId ?? AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
    this.#materials = options.cache
      ? new NodeCachingMaterialsManager({
          backingMaterials: options.keyring,
          cache: getLocalCryptographicMaterialsCache(options.cache.capacity ?? 100),
          maxAge: options.cache.maxAgeMs,
          ...(options.cache.maxMessagesEncrypted ? { maxMessagesEncrypted: options.cache.maxMessagesEncrypted } : {}),
          ...(options.cache.maxBytesEncrypted ? { maxBytesEncrypted: options.cache.maxBytesEncrypted } : {}),
        })
      : options.keyring;
  }

  /**
   * The KMS keyring on the data key with this app's context ({app, env, purpose}: what the key policy admits).
   * keyId must be the key ARN: on decrypt the ESDK matches encrypted data keys by key ARN (an alias only encrypts).
   */
  static forKms(options: { keyId: string; app: string; env: string; cache?: EncryptionSdkCacheOptions }): EncryptionSdkMode {
    if (!/^arn:aws[a-z-]*:kms:[^:]+:\d{12}:key\//.test(options.keyId)) {
      throw new TypeError('EncryptionSdkMode.forKms keyId must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)');
    }
    return new EncryptionSdkMode({
      keyring: new KmsKeyringNode({ generatorKeyId: options.keyId }),
      encryptionContext: dataKeyEncryptionContext(options.app, options.env),
      cache: options.cache,
    });
  }

  async encrypt(plaintext: string | Uint8Array): Promise<Buffer> {
    const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : Buffer.from(plaintext);
    const { result } = await this.#client.encrypt(this.#materials, data, {
      encryptionContext: this.context,
      suiteId: this.suiteId,
      plaintextLength: data.length,
    });
    return result;
  }

  async decrypt(message: Uint8Array): Promise<Buffer> {
    let out: Awaited<ReturnType<EsdkClient['decrypt']>>;
    try {
      out = await this.#client.decrypt(this.#materials, message);
    } catch (error) {
      throw new FieldDecryptionError(`Encryption SDK message refused (${(error as Error).name})`);
    }
    const found = out.messageHeader.encryptionContext;
    for (const [key, value] of Object.entries(this.context)) {
      if (found[key] !== value) throw new FieldDecryptionError(`Encryption SDK message has another encryption context (field "${key}")`);
    }
    return out.plaintext;
  }
}
