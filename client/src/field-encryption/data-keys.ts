import { inspect } from 'node:util';
import { LRUCache } from 'lru-cache';
import { FieldDecryptionError, FieldEncryptionError } from '../errors';
import { decryptDataKey, generateDataKey, type KmsSender } from './kms-data-key';

export type { KmsSender } from './kms-data-key';

export interface DataKeyLimits {
  /** A generated data key encrypts for at most this long; default 5 minutes. */
  maxAgeMs: number;
  /** ... at most this many values; default 2^20. */
  maxMessages: number;
  /** ... at most this many plaintext bytes; default 2^32. */
  maxBytes: number;
}

export interface DecryptedKeyCacheLimits {
  /** Decrypted data keys kept; default 1000. */
  maxEntries: number;
  /** Each kept at most this long; default 5 minutes. */
  maxAgeMs: number;
}

interface ActiveKey {
  plaintext: Buffer;
  edk: Buffer;
  createdAt: number;
  messages: number;
  bytes: number;
}

/**
 * Data keys for field encryption. Encrypting uses one active key at a time, generated once for concurrent callers
 * and replaced at its age, message or byte limit. Decrypting looks keys up by encrypted data key in a bounded,
 * aging cache whose concurrent misses share one KMS Decrypt. Keys handed out are copies; evicted keys are zeroed.
 */
export class DataKeys {
  readonly calls = { generateDataKey: 0, decrypt: 0 };
  // Private fields: key material is out of reach of util.inspect (even customInspect: false / showHidden), JSON and enumeration.
  #active: Promise<ActiveKey> | undefined;
  readonly #decrypted: LRUCache<string, Buffer, Buffer>;

  constructor(
    private readonly kms: KmsSender,
    private readonly keyId: string,
    private readonly kmsContext: Record<string, string>,
    private readonly limits: DataKeyLimits,
    cacheLimits: DecryptedKeyCacheLimits,
    private readonly now: () => number,
  ) {
    this.#decrypted = new LRUCache<string, Buffer, Buffer>({
      max: cacheLimits.maxEntries,
      ttl: cacheLimits.maxAgeMs,
      ttlResolution: 0,
      perf: { now },
      dispose: (key) => key.fill(0),
      fetchMethod: (_id, _stale, { context }) => this.kmsDecrypt(context),
    });
  }

  [inspect.custom](): string {
    return `DataKeys { keyId: ${this.keyId}, cached: ${this.#decrypted.size}, keys: [REDACTED] }`;
  }

  toJSON(): Record<string, unknown> {
    return { keyId: this.keyId, cached: this.#decrypted.size, calls: this.calls };
  }

  /** A data key (copy) and its encrypted form for encrypting `bytes` more plaintext bytes. */
  async forEncryption(bytes: number): Promise<{ plaintext: Buffer; edk: Buffer }> {
    if (bytes > this.limits.maxBytes) throw new FieldEncryptionError(`a value of ${bytes} bytes exceeds the data key limit maxBytes (${this.limits.maxBytes})`);
    for (;;) {
      const pending = (this.#active ??= this.generate());
      const key = await pending;
      if (this.usable(key, bytes)) {
        key.messages += 1;
        key.bytes += bytes;
        return { plaintext: Buffer.from(key.plaintext), edk: key.edk };
      }
      if (this.#active === pending) {
        this.#active = undefined;
        key.plaintext.fill(0);
      }
    }
  }

  /** The data key (copy) inside an encrypted data key: cached, or one KMS Decrypt shared by concurrent callers. */
  async forDecryption(edk: Buffer): Promise<Buffer> {
    const key = await this.#decrypted.fetch(edk.toString('base64'), { context: edk });
    if (!key) throw new FieldDecryptionError('KMS Decrypt returned no key');
    return Buffer.from(key);
  }

  private usable(key: ActiveKey, bytes: number): boolean {
    return this.now() - key.createdAt < this.limits.maxAgeMs && key.messages < this.limits.maxMessages && key.bytes + bytes <= this.limits.maxBytes;
  }

  private generate(): Promise<ActiveKey> {
    const pending = this.kmsGenerate();
    // Errors are never cached: the next caller tries again.
    pending.catch(() => {
      if (this.#active === pending) this.#active = undefined;
    });
    return pending;
  }

  private async kmsGenerate(): Promise<ActiveKey> {
    this.calls.generateDataKey += 1;
    const { plaintext, edk } = await generateDataKey({ kms: this.kms, keyId: this.keyId, context: this.kmsContext });
    // Reading our own writes needs no Decrypt.
    this.#decrypted.set(edk.toString('base64'), Buffer.from(plaintext));
    return { plaintext, edk, createdAt: this.now(), messages: 0, bytes: 0 };
  }

  private async kmsDecrypt(edk: Buffer): Promise<Buffer> {
    this.calls.decrypt += 1;
    return decryptDataKey({ kms: this.kms, keyId: this.keyId, context: this.kmsContext }, edk);
  }
}
