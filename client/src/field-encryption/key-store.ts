/**
 * Where gf2's field keys live: each row holds a 256-bit key encrypted by KMS (a GenerateDataKey blob on the data key,
 * with the usual {app, env, purpose} context) under a random 16-byte id that gf2 values carry instead of the blob.
 * The store holds only KMS-encrypted keys: reading it gives nothing without KMS Decrypt on the data key.
 * Implementations: in memory (tests, one process), PostgreSQL and MySQL/MariaDB (key-store-sql.ts).
 */
export interface StoredFieldKey {
  /** 16 random bytes, referenced by every gf2 value under this key. */
  id: Buffer;
  app: string;
  env: string;
  /** The KMS CiphertextBlob of the key. */
  wrappedKey: Buffer;
  createdAt: Date;
}

export interface FieldKeyStore {
  /** Saves a new key; an existing id is an error (ids are random: a clash means a bug, never overwrite). */
  put(key: StoredFieldKey): Promise<void>;
  /** The key with this id, or undefined. */
  get(id: Buffer): Promise<StoredFieldKey | undefined>;
}

export class KeyStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyStoreError';
  }
}

/** Keys in this process's memory: for tests and single-process tools (values are unreadable once it exits). */
export class MemoryFieldKeyStore implements FieldKeyStore {
  readonly #keys = new Map<string, StoredFieldKey>();

  async put(key: StoredFieldKey): Promise<void> {
    const id = checkedId(key.id);
    if (this.#keys.has(id)) throw new KeyStoreError(`field key ${id} already exists`);
    this.#keys.set(id, { ...key, id: Buffer.from(key.id), wrappedKey: Buffer.from(key.wrappedKey) });
  }

  async get(id: Buffer): Promise<StoredFieldKey | undefined> {
    const key = this.#keys.get(checkedId(id));
    return key && { ...key, id: Buffer.from(key.id), wrappedKey: Buffer.from(key.wrappedKey) };
  }

  get size(): number {
    return this.#keys.size;
  }
}

export function checkedId(id: Buffer): string {
  if (!Buffer.isBuffer(id) || id.length !== 16) throw new KeyStoreError('a field key id is 16 bytes');
  return id.toString('hex');
}
