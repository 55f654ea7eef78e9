import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { KMSClient } from '@aws-sdk/client-kms';
import { dataKeyEncryptionContext } from '../../../contracts';
import { FieldDecryptionError, FieldEncryptionError } from '../errors';
import { deriveMessageKeys, open, seal, verifyCommitment } from './cipher';
import { DataKeys, type DataKeyLimits, type DecryptedKeyCacheLimits, type KmsSender } from './data-keys';
import {
  buildHeader, canonicalContext, COMMITMENT_BYTES, decodeMessage, encodeMessage, IV_BYTES, PREFIX, SALT_BYTES, TAG_BYTES, type FieldContext, type FieldMessage,
} from './format';

export interface FieldEncryptorOptions {
  /** The data key: `alias/<app>/<env>/data` (or its ARN). */
  keyId: string;
  app: string;
  env: string;
  /** A KMSClient (or anything with its `send`); default: a new client for the ambient region. */
  kms?: KmsSender;
  dataKey?: Partial<DataKeyLimits>;
  decryptedKeys?: Partial<DecryptedKeyCacheLimits>;
  /** Source of salts and IVs; injectable only so documented test vectors are reproducible. */
  random?: (size: number) => Buffer;
  now?: () => number;
}

export interface DecryptManyItem {
  ciphertext: string;
  context: FieldContext;
}

const RESERVED = ['app', 'env'] as const;

/**
 * Envelope encryption of single fields (format: format.ts, docs/field-encryption.md).
 * KMS encryption context: exactly {app, env, purpose} (contracts/field-encryption.ts; the key policy demands it).
 * Per-value binding: {app, env, table, column, ...caller fields such as a row id} is GCM additional data, so a
 * ciphertext copied to another row, column, table or environment fails to decrypt while data keys stay cacheable.
 */
export class FieldEncryptor {
  readonly #keys: DataKeys;
  private readonly random: (size: number) => Buffer;
  private readonly app: string;
  private readonly env: string;

  constructor(options: FieldEncryptorOptions) {
    for (const name of ['keyId', 'app', 'env'] as const) {
      if (typeof options[name] !== 'string' || options[name].length === 0) throw new TypeError(`FieldEncryptor option ${name} must be a non-empty string`);
    }
    const limits: DataKeyLimits = { maxAgeMs: 300_000, maxMessages: 2 ** 20, maxBytes: 2 ** 32, ...options.dataKey };
    const cache: DecryptedKeyCacheLimits = { maxEntries: 1000, maxAgeMs: 300_000, ...options.decryptedKeys };
    for (const [name, value] of Object.entries({ ...limits, ...cache })) {
      if (!Number.isFinite(value) || value < 1) throw new RangeError(`FieldEncryptor limit ${name} must be a number >= 1`);
    }
    this.app = options.app;
    this.env = options.env;
    this.random = options.random ?? randomBytes;
    const kms = options.kms ?? (new KMSClient({}) as unknown as KmsSender);
    this.#keys = new DataKeys(kms, options.keyId, dataKeyEncryptionContext(options.app, options.env), limits, cache, options.now ?? Date.now);
  }

  /** The field format encryptField writes. */
  readonly format = 'gf1';

  /** Length in characters of the text encryptField writes for a plaintext of `plaintextBytes` bytes, with the current data key. */
  async ciphertextLength(plaintextBytes: number): Promise<number> {
    if (!Number.isInteger(plaintextBytes) || plaintextBytes < 0) throw new RangeError('plaintextBytes must be an integer >= 0');
    const { plaintext: dataKey, edk } = await this.#keys.forEncryption(0);
    dataKey.fill(0);
    const bytes = 4 + edk.length + SALT_BYTES + IV_BYTES + COMMITMENT_BYTES + plaintextBytes + TAG_BYTES;
    return PREFIX.length + Math.ceil((bytes * 4) / 3);
  }

  /** KMS calls made so far (GenerateDataKey, Decrypt). */
  get kmsCalls(): Readonly<{ generateDataKey: number; decrypt: number }> {
    return { ...this.#keys.calls };
  }

  /** Inspecting shows the configuration and call counts, never key material. */
  [inspect.custom](): string {
    return `FieldEncryptor { app: ${this.app}, env: ${this.env}, kmsCalls: ${JSON.stringify(this.#keys.calls)} }`;
  }

  toJSON(): Record<string, unknown> {
    return { app: this.app, env: this.env, kmsCalls: this.kmsCalls };
  }

  async encryptField(plaintext: string | Uint8Array, context: FieldContext): Promise<string> {
    const aadContext = this.fullContext(context, FieldEncryptionError);
    const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : Buffer.from(plaintext);
    const { plaintext: dataKey, edk } = await this.#keys.forEncryption(data.length);
    try {
      const salt = this.random(SALT_BYTES);
      const iv = this.random(IV_BYTES);
      if (salt.length !== SALT_BYTES || iv.length !== IV_BYTES) throw new FieldEncryptionError('random source returned the wrong number of bytes');
      const { encryptionKey, commitment } = deriveMessageKeys(dataKey, salt);
      const header = buildHeader(edk, salt, iv, commitment);
      const { ciphertext, tag } = seal(encryptionKey, iv, data, Buffer.concat([header, aadContext]));
      encryptionKey.fill(0);
      return encodeMessage(header, ciphertext, tag);
    } finally {
      dataKey.fill(0);
    }
  }

  async decryptField(ciphertext: string, context: FieldContext): Promise<string> {
    return (await this.decryptFieldBytes(ciphertext, context)).toString('utf8');
  }

  async decryptFieldBytes(ciphertext: string, context: FieldContext): Promise<Buffer> {
    const aadContext = this.fullContext(context, FieldDecryptionError);
    const message = decodeMessage(ciphertext);
    const dataKey = await this.#keys.forDecryption(message.edk);
    return this.openWith(dataKey, message, aadContext, context);
  }

  /**
   * Decrypts a page of values with one KMS Decrypt per distinct data key (cached keys: none), in input order.
   * Any failure rejects the whole call, naming the index.
   */
  async decryptMany(items: readonly DecryptManyItem[], options: { concurrency?: number } = {}): Promise<string[]> {
    const parsed = items.map((item, index) => {
      try {
        return { message: decodeMessage(item.ciphertext), aad: this.fullContext(item.context, FieldDecryptionError), context: item.context };
      } catch (error) {
        throw new FieldDecryptionError(`item ${index}: ${(error as Error).message}`);
      }
    });
    const byEdk = new Map<string, Buffer>();
    for (const { message } of parsed) byEdk.set(message.edk.toString('base64'), message.edk);
    const keys = new Map<string, Buffer>();
    const pending = [...byEdk.entries()];
    const workers = Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 8, pending.length)) }, async () => {
      for (let next = pending.shift(); next; next = pending.shift()) keys.set(next[0], await this.#keys.forDecryption(next[1]));
    });
    try {
      await Promise.all(workers);
      return parsed.map(({ message, aad, context }, index) => {
        const key = keys.get(message.edk.toString('base64')) as Buffer;
        try {
          return this.openWith(key, message, aad, context, false).toString('utf8');
        } catch (error) {
          throw new FieldDecryptionError(`item ${index}: ${(error as Error).message}`);
        }
      });
    } finally {
      for (const key of keys.values()) key.fill(0);
    }
  }

  private openWith(dataKey: Buffer, message: FieldMessage, aadContext: Buffer, context: FieldContext, wipe = true): Buffer {
    try {
      const { encryptionKey, commitment } = deriveMessageKeys(dataKey, message.salt);
      verifyCommitment(commitment, message.commitment);
      const plaintext = open(encryptionKey, message.iv, message.ciphertext, message.tag, Buffer.concat([message.header, aadContext]));
      encryptionKey.fill(0);
      return plaintext;
    } catch (error) {
      throw new FieldDecryptionError(`${context.table}.${context.column}: ${(error as Error).message}`);
    } finally {
      if (wipe) dataKey.fill(0);
    }
  }

  private fullContext(context: FieldContext, ErrorType: new (message: string) => Error): Buffer {
    if (typeof context !== 'object' || context === null) throw new ErrorType('context must be an object with table and column');
    for (const name of ['table', 'column'] as const) {
      if (typeof context[name] !== 'string' || context[name].length === 0) throw new ErrorType(`context.${name} must be a non-empty string`);
    }
    for (const name of RESERVED) {
      if (name in context) throw new ErrorType(`context.${name} is set by the FieldEncryptor (its app and env options)`);
    }
    try {
      return canonicalContext({ ...context, app: this.app, env: this.env });
    } catch (error) {
      throw new ErrorType((error as Error).message);
    }
  }
}
