import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { KMSClient } from '@aws-sdk/client-kms';
import { dataKeyEncryptionContext } from '../../../contracts';
import { FieldDecryptionError, FieldEncryptionError } from '../errors';
import { deriveMessageKeys, open, seal, verifyCommitment } from './cipher';
import { DataKeys, type DataKeyLimits, type DecryptedKeyCacheLimits, type KmsSender } from './data-keys';
import {
  buildHeader,
  canonicalContext,
  COMMITMENT_BYTES,
  decodeMessage,
  encodeMessage,
  IV_BYTES,
  PREFIX,
  SALT_BYTES,
  TAG_BYTES,
  type FieldContext,
  type FieldMessage,
} from './format';
import { decodeGf2, GF2_IV_BYTES, GF2_OVERHEAD_BYTES, GF2_PREFIX } from './format-gf2';
import type { FieldKeyStore } from './key-store';
import { RandomPool } from './random-pool';
import { openGf2, sealGf2, StoredKeys } from './stored-keys';

export type FieldFormatName = 'gf1' | 'gf2';

export interface FieldEncryptorOptions {
  /** The data key: `alias/<app>/<env>/data` (or its ARN). */
  keyId: string;
  app: string;
  env: string;
  /** A KMSClient (or anything with its `send`); default: a new client for the ambient region. */
  kms?: KmsSender;
  /** gf1's data keys: replaced after 5 minutes, 2^20 values or 2^32 bytes by default. */
  dataKey?: Partial<DataKeyLimits>;
  /** Decrypted keys kept (gf1 data keys and gf2 field keys, each cache): 1000 for 5 minutes by default. */
  decryptedKeys?: Partial<DecryptedKeyCacheLimits>;
  /**
   * The format encryptField writes: 'gf1' (default; the KMS-encrypted data key in every value, 280 B for 16 bytes) or
   * 'gf2' (compact, 94 B for 16 bytes: values reference a field key saved in `keyStore`). Both are always read.
   */
  format?: FieldFormatName;
  /** Where gf2's KMS-encrypted field keys live (a table in the application's database: key-store-sql.ts). Needed to write or read gf2. */
  keyStore?: FieldKeyStore;
  /** gf2's field keys: a new one (one store row, one GenerateDataKey) after 24 hours, 2^24 values or 2^36 bytes by default. */
  fieldKey?: Partial<DataKeyLimits>;
  /**
   * Source of salts, IVs and gf2 key ids; injectable only so documented test vectors are reproducible.
   * Default: node:crypto randomBytes (gf2 IVs from a pooled buffer of it).
   */
  random?: (size: number) => Buffer;
  now?: () => number;
}

export interface DecryptManyItem {
  ciphertext: string;
  context: FieldContext;
}

/**
 * Envelope encryption of single fields (format: format.ts, docs/field-encryption.md).
 * KMS encryption context: exactly {app, env, purpose} (contracts/field-encryption.ts; the key policy demands it).
 * Per-value binding: {app, env, table, column, ...caller fields such as a row id} is GCM additional data, so a
 * ciphertext copied to another row, column, table or environment fails to decrypt while data keys stay cacheable.
 */
export class FieldEncryptor {
  readonly #keys: DataKeys;
  readonly #stored: StoredKeys | undefined;
  private readonly random: (size: number) => Buffer;
  private readonly ivs: (size: number) => Buffer;
  private readonly app: string;
  private readonly env: string;

  constructor(options: FieldEncryptorOptions) {
    for (const name of ['keyId', 'app', 'env'] as const) {
      if (typeof options[name] !== 'string' || options[name].length === 0) throw new TypeError(`FieldEncryptor option ${name} must be a non-empty string`);
    }
    const limits: DataKeyLimits = { maxAgeMs: 300_000, maxMessages: 2 ** 20, maxBytes: 2 ** 32, ...options.dataKey };
    const cache: DecryptedKeyCacheLimits = { maxEntries: 1000, maxAgeMs: 300_000, ...options.decryptedKeys };
    // 2^24 values per key with random 96-bit IVs: an IV repeats with probability about 2^-49 (NIST's bound is 2^-32).
    const fieldKeyLimits: DataKeyLimits = { maxAgeMs: 86_400_000, maxMessages: 2 ** 24, maxBytes: 2 ** 36, ...options.fieldKey };
    for (const [name, value] of Object.entries({ ...limits, ...cache })) {
      if (!Number.isFinite(value) || value < 1) throw new RangeError(`FieldEncryptor limit ${name} must be a number >= 1`);
    }
    for (const [name, value] of Object.entries(fieldKeyLimits)) {
      if (!Number.isFinite(value) || value < 1) throw new RangeError(`FieldEncryptor limit fieldKey.${name} must be a number >= 1`);
    }
    if (fieldKeyLimits.maxMessages > 2 ** 30) throw new RangeError('FieldEncryptor limit fieldKey.maxMessages must be at most 2^30 (random IVs)');
    const format = options.format ?? 'gf1';
    if (format !== 'gf1' && format !== 'gf2') throw new TypeError('FieldEncryptor option format must be "gf1" or "gf2"');
    if (format === 'gf2' && !options.keyStore) throw new TypeError('FieldEncryptor format "gf2" needs the keyStore option (where its field keys live)');
    this.format = format;
    this.app = options.app;
    this.env = options.env;
    this.random = options.random ?? randomBytes;
    const pool = new RandomPool();
    this.ivs = options.random ?? ((size) => pool.take(size));
    const kms = options.kms ?? (new KMSClient({}) as unknown as KmsSender);
    const now = options.now ?? Date.now;
    const context = dataKeyEncryptionContext(options.app, options.env);
    this.#keys = new DataKeys(kms, options.keyId, context, limits, cache, now);
    this.#stored = options.keyStore
      ? new StoredKeys(
          { kms, keyId: options.keyId, context },
          options.keyStore,
          { app: options.app, env: options.env },
          fieldKeyLimits,
          cache,
          now,
          this.random,
        )
      : undefined;
  }

  /** The field format encryptField writes. */
  readonly format: FieldFormatName;

  /** Length in characters of the text encryptField writes for a plaintext of `plaintextBytes` bytes, with the current data key. */
  async ciphertextLength(plaintextBytes: number): Promise<number> {
    if (!Number.isInteger(plaintextBytes) || plaintextBytes < 0) throw new RangeError('plaintextBytes must be an integer >= 0');
    if (this.format === 'gf2') return GF2_PREFIX.length + Math.ceil(((GF2_OVERHEAD_BYTES + plaintextBytes) * 4) / 3);
    const { plaintext: dataKey, edk } = await this.#keys.forEncryption(0);
    dataKey.fill(0);
    const bytes = 4 + edk.length + SALT_BYTES + IV_BYTES + COMMITMENT_BYTES + plaintextBytes + TAG_BYTES;
    return PREFIX.length + Math.ceil((bytes * 4) / 3);
  }

  /** KMS calls made so far (GenerateDataKey, Decrypt), gf1 and gf2 together. */
  get kmsCalls(): Readonly<{ generateDataKey: number; decrypt: number }> {
    const stored = this.#stored?.calls ?? { generateDataKey: 0, decrypt: 0 };
    return { generateDataKey: this.#keys.calls.generateDataKey + stored.generateDataKey, decrypt: this.#keys.calls.decrypt + stored.decrypt };
  }

  /** gf2 key store rows written and read so far. */
  get keyStoreCalls(): Readonly<{ writes: number; reads: number }> {
    return { writes: this.#stored?.calls.storeWrites ?? 0, reads: this.#stored?.calls.storeReads ?? 0 };
  }

  /** Inspecting shows the configuration and call counts, never key material. */
  [inspect.custom](): string {
    return `FieldEncryptor { app: ${this.app}, env: ${this.env}, format: ${this.format}, kmsCalls: ${JSON.stringify(this.kmsCalls)} }`;
  }

  toJSON(): Record<string, unknown> {
    return { app: this.app, env: this.env, format: this.format, kmsCalls: this.kmsCalls };
  }

  async encryptField(plaintext: string | Uint8Array, context: FieldContext): Promise<string> {
    const aadContext = this.fullContext(context, FieldEncryptionError);
    const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : Buffer.from(plaintext);
    if (this.format === 'gf2') return this.encryptGf2(data, aadContext);
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
    if (typeof ciphertext === 'string' && ciphertext.startsWith(GF2_PREFIX)) return this.decryptGf2(ciphertext, aadContext, context);
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
        const aad = this.fullContext(item.context, FieldDecryptionError);
        if (typeof item.ciphertext === 'string' && item.ciphertext.startsWith(GF2_PREFIX)) {
          return { gf2: decodeGf2(item.ciphertext), text: item.ciphertext, aad, context: item.context };
        }
        return { message: decodeMessage(item.ciphertext), aad, context: item.context };
      } catch (error) {
        throw new FieldDecryptionError(`item ${index}: ${(error as Error).message}`);
      }
    });
    // One load per distinct key: gf1 by encrypted data key (KMS Decrypt), gf2 by key id (store read + KMS Decrypt).
    const distinct = new Map<string, () => Promise<unknown>>();
    const keys = new Map<string, Buffer>();
    for (const [index, item] of parsed.entries()) {
      if (item.message) {
        const edk = item.message.edk;
        const id = `gf1:${edk.toString('base64')}`;
        if (!distinct.has(id)) distinct.set(id, async () => keys.set(id, await this.#keys.forDecryption(edk)));
      } else if (this.#stored) {
        const stored = this.#stored;
        const keyId = item.gf2.keyId;
        distinct.set(`gf2:${keyId.toString('hex')}`, async () => stored.forDecryption(keyId));
      } else {
        throw new FieldDecryptionError(`item ${index}: a gf2 value needs the keyStore option (where its field keys live)`);
      }
    }
    const pending = [...distinct.values()];
    const workers = Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 8, pending.length)) }, async () => {
      for (let next = pending.shift(); next; next = pending.shift()) await next();
    });
    try {
      await Promise.all(workers);
      const out: string[] = [];
      for (const [index, item] of parsed.entries()) {
        try {
          if (item.message) {
            const key = keys.get(`gf1:${item.message.edk.toString('base64')}`) as Buffer;
            out.push(this.openWith(key, item.message, item.aad, item.context, false).toString('utf8'));
          } else {
            out.push((await this.decryptGf2(item.text, item.aad, item.context)).toString('utf8'));
          }
        } catch (error) {
          throw new FieldDecryptionError(`item ${index}: ${(error as Error).message}`);
        }
      }
      return out;
    } finally {
      for (const key of keys.values()) key.fill(0);
    }
  }

  private async encryptGf2(data: Buffer, aadContext: Buffer): Promise<string> {
    const stored = this.#stored as StoredKeys;
    let key = stored.forEncryption(data.length);
    if (key instanceof Promise) key = await key;
    // Used synchronously from here: a replaced key is zeroed only after this microtask phase (stored-keys.ts).
    const iv = this.ivs(GF2_IV_BYTES);
    if (iv.length !== GF2_IV_BYTES) throw new FieldEncryptionError('random source returned the wrong number of bytes');
    return sealGf2(key, iv, data, aadContext);
  }

  private async decryptGf2(text: string, aadContext: Buffer, context: FieldContext): Promise<Buffer> {
    try {
      const message = decodeGf2(text);
      if (!this.#stored) throw new FieldDecryptionError('a gf2 value needs the keyStore option (where its field keys live)');
      let key = this.#stored.forDecryption(message.keyId);
      if (key instanceof Promise) key = await key;
      return openGf2(key, message, aadContext);
    } catch (error) {
      throw new FieldDecryptionError(`${context.table}.${context.column}: ${(error as Error).message}`);
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
    if (typeof context.table !== 'string' || context.table.length === 0) throw new ErrorType('context.table must be a non-empty string');
    if (typeof context.column !== 'string' || context.column.length === 0) throw new ErrorType('context.column must be a non-empty string');
    if ('app' in context || 'env' in context)
      throw new ErrorType(`context.${'app' in context ? 'app' : 'env'} is set by the FieldEncryptor (its app and env options)`);
    try {
      return canonicalContext(context, this.app, this.env);
    } catch (error) {
      throw new ErrorType((error as Error).message);
    }
  }
}
