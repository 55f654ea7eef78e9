import { createCipheriv, createDecipheriv, hkdfSync, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import { LRUCache } from 'lru-cache';
import { FieldDecryptionError, FieldEncryptionError } from '../errors';
import type { DataKeyLimits, DecryptedKeyCacheLimits } from './data-keys';
import { GF2_HEADER_BYTES, GF2_PREFIX, GF2_TAG_BYTES, gf2KeyHeader, KEY_ID_BYTES, type Gf2Message } from './format-gf2';
import { KeyStoreError, type FieldKeyStore } from './key-store';
import { decryptDataKey, generateDataKey, type KmsDataKeySource } from './kms-data-key';

const ENCRYPTION_LABEL = Buffer.from('gaara-field/v2 suite 0x02 encryption key', 'utf8');
const COMMITMENT_LABEL = Buffer.from('gaara-field/v2 suite 0x02 key commitment', 'utf8');

/** A stored key made ready: derived once (HKDF), used for every value under it. */
export interface ReadyFieldKey {
  readonly id: Buffer;
  readonly encryptionKey: Buffer;
  readonly commitment: Buffer;
  /** version, suite, key id, commitment: the start of every gf2 header under this key. */
  readonly keyHeader: Buffer;
}

interface ActiveFieldKey extends ReadyFieldKey {
  createdAt: number;
  messages: number;
  bytes: number;
  /** Replaced: never active again (it is zeroed after this microtask phase). */
  retired: boolean;
}

/** encryptionKey and commitment of a field key: HKDF-SHA256(ikm = key, salt = key id, info = label), two labels. */
export function deriveFieldKey(fieldKey: Buffer, id: Buffer): ReadyFieldKey {
  const commitment = Buffer.from(hkdfSync('sha256', fieldKey, id, COMMITMENT_LABEL, 32));
  return {
    id: Buffer.from(id),
    encryptionKey: Buffer.from(hkdfSync('sha256', fieldKey, id, ENCRYPTION_LABEL, 32)),
    commitment,
    keyHeader: gf2KeyHeader(id, commitment),
  };
}

function wipe(key: ReadyFieldKey): void {
  key.encryptionKey.fill(0);
}

/**
 * Zeroes a key that was replaced or evicted once the current microtask phase is over: callers that already took it
 * use it synchronously when their await resumes, within this phase (zeroing it at once would hand them a zero key).
 */
function wipeLater(key: ReadyFieldKey): void {
  setImmediate(wipe, key);
}

/** One gf2 value: header (key header + iv), AES-256-GCM over the plaintext with AAD = header || context. */
export function sealGf2(key: ReadyFieldKey, iv: Buffer, plaintext: Buffer, aadContext: Buffer): string {
  const out = Buffer.allocUnsafe(GF2_HEADER_BYTES + plaintext.length + GF2_TAG_BYTES);
  key.keyHeader.copy(out, 0);
  iv.copy(out, key.keyHeader.length);
  const cipher = createCipheriv('aes-256-gcm', key.encryptionKey, iv, { authTagLength: GF2_TAG_BYTES });
  cipher.setAAD(out.subarray(0, GF2_HEADER_BYTES)); // two AAD calls = the concatenated AAD (GHASH is streamed)
  cipher.setAAD(aadContext);
  let at = GF2_HEADER_BYTES;
  at += cipher.update(plaintext).copy(out, at);
  at += cipher.final().copy(out, at);
  cipher.getAuthTag().copy(out, at);
  return GF2_PREFIX + out.toString('base64url');
}

/** Commitment first (constant time), then GCM: a value whose commitment is not its key's is refused even with a valid tag. */
export function openGf2(key: ReadyFieldKey, message: Gf2Message, aadContext: Buffer): Buffer {
  if (!timingSafeEqual(key.commitment, message.commitment)) {
    throw new FieldDecryptionError('key commitment does not match (wrong field key or tampered ciphertext)');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.encryptionKey, message.iv, { authTagLength: GF2_TAG_BYTES });
    decipher.setAAD(message.header);
    decipher.setAAD(aadContext);
    decipher.setAuthTag(message.tag);
    const head = decipher.update(message.ciphertext);
    const tail = decipher.final();
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    throw new FieldDecryptionError('authentication failed (wrong context, row or column, or tampered ciphertext)');
  }
}

/**
 * gf2's keys (hierarchical, after the Database Encryption SDK's branch keys): a key is a KMS GenerateDataKey result
 * whose encrypted form is saved in a FieldKeyStore under a random 16-byte id; values carry the id. Encrypting uses one
 * active key (created once for concurrent callers, replaced at its age, message or byte limit); decrypting finds keys
 * by id in a bounded, aging cache (no call at all), else one store read and one KMS Decrypt shared by concurrent misses.
 * Each key is derived (encryption key, commitment) once, not per value.
 */
export class StoredKeys {
  readonly calls = { generateDataKey: 0, decrypt: 0, storeWrites: 0, storeReads: 0 };
  #active: ActiveFieldKey | undefined;
  #creating: Promise<ActiveFieldKey> | undefined;
  readonly #ready: LRUCache<string, ReadyFieldKey, Buffer>;

  constructor(
    private readonly source: KmsDataKeySource,
    private readonly store: FieldKeyStore,
    private readonly owner: { app: string; env: string },
    private readonly limits: DataKeyLimits,
    cacheLimits: DecryptedKeyCacheLimits,
    private readonly now: () => number,
    private readonly newId: (size: number) => Buffer,
  ) {
    this.#ready = new LRUCache<string, ReadyFieldKey, Buffer>({
      max: cacheLimits.maxEntries,
      ttl: cacheLimits.maxAgeMs,
      ttlResolution: 0,
      perf: { now },
      dispose: wipeLater,
      ignoreFetchAbort: true, // a load evicted by a later one (a cache smaller than the keys in flight) still answers its callers
      fetchMethod: (_id, _stale, { context }) => this.load(context),
    });
  }

  [inspect.custom](): string {
    return `StoredKeys { keyId: ${this.source.keyId}, cached: ${this.#ready.size}, keys: [REDACTED] }`;
  }

  toJSON(): Record<string, unknown> {
    return { keyId: this.source.keyId, cached: this.#ready.size, calls: this.calls };
  }

  /** The active key for `bytes` more plaintext bytes: synchronously while it lasts. Use it at once (before any await). */
  forEncryption(bytes: number): ActiveFieldKey | Promise<ActiveFieldKey> {
    const key = this.#active;
    if (key !== undefined && this.usable(key, bytes)) {
      key.messages += 1;
      key.bytes += bytes;
      return key;
    }
    return this.nextActive(bytes);
  }

  /** The key with this id: synchronously when cached. Use it at once (before any await). */
  forDecryption(id: Buffer): ReadyFieldKey | Promise<ReadyFieldKey> {
    const hex = id.toString('hex');
    return this.#ready.get(hex) ?? this.fetchReady(hex, id);
  }

  private async fetchReady(hex: string, id: Buffer): Promise<ReadyFieldKey> {
    const key = await this.#ready.fetch(hex, { context: id });
    if (!key) throw new FieldDecryptionError(`field key ${hex} could not be loaded`);
    return key;
  }

  private async nextActive(bytes: number): Promise<ActiveFieldKey> {
    if (bytes > this.limits.maxBytes)
      throw new FieldEncryptionError(`a value of ${bytes} bytes exceeds the field key limit maxBytes (${this.limits.maxBytes})`);
    for (;;) {
      const current = this.#active;
      if (current !== undefined) {
        if (this.usable(current, bytes)) {
          current.messages += 1;
          current.bytes += bytes;
          return current;
        }
        this.#active = undefined;
        current.retired = true;
        wipeLater(current);
      }
      const pending = (this.#creating ??= this.create());
      try {
        const created = await pending;
        if (this.#active === undefined && !created.retired) this.#active = created;
      } finally {
        if (this.#creating === pending) this.#creating = undefined;
      }
    }
  }

  private usable(key: ActiveFieldKey, bytes: number): boolean {
    return (
      !key.retired && this.now() - key.createdAt < this.limits.maxAgeMs && key.messages < this.limits.maxMessages && key.bytes + bytes <= this.limits.maxBytes
    );
  }

  private async create(): Promise<ActiveFieldKey> {
    this.calls.generateDataKey += 1;
    const { plaintext, edk } = await generateDataKey(this.source);
    try {
      const id = this.newId(KEY_ID_BYTES);
      if (id.length !== KEY_ID_BYTES) throw new FieldEncryptionError('random source returned the wrong number of bytes');
      const ready = deriveFieldKey(plaintext, id);
      this.calls.storeWrites += 1;
      try {
        await this.store.put({ id, app: this.owner.app, env: this.owner.env, wrappedKey: edk, createdAt: new Date(this.now()) });
      } catch (error) {
        wipe(ready);
        throw new FieldEncryptionError(`saving a new field key in the key store failed (${storeFailure(error)})`);
      }
      // Reading our own writes needs no store read and no Decrypt.
      this.#ready.set(id.toString('hex'), deriveFieldKey(plaintext, id));
      return { ...ready, createdAt: this.now(), messages: 0, bytes: 0, retired: false };
    } finally {
      plaintext.fill(0);
    }
  }

  private async load(id: Buffer): Promise<ReadyFieldKey> {
    const hex = id.toString('hex');
    this.calls.storeReads += 1;
    let stored;
    try {
      stored = await this.store.get(id);
    } catch (error) {
      throw new FieldDecryptionError(`reading field key ${hex} from the key store failed (${storeFailure(error)})`);
    }
    if (!stored) throw new FieldDecryptionError(`field key ${hex} is not in the key store`);
    if (stored.app !== this.owner.app || stored.env !== this.owner.env)
      throw new FieldDecryptionError(`field key ${hex} belongs to another app or environment`);
    this.calls.decrypt += 1;
    const plaintext = await decryptDataKey(this.source, stored.wrappedKey);
    try {
      return deriveFieldKey(plaintext, id);
    } finally {
      plaintext.fill(0);
    }
  }
}

/** A KeyStoreError's message (ids and driver codes only); for anything else only its name (a driver may quote values). */
function storeFailure(error: unknown): string {
  if (error instanceof KeyStoreError) return error.message;
  return error instanceof Error ? error.name : 'error';
}
