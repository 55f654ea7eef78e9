import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { EncryptionSdkMode } from '../src/field-encryption/esdk-mode';
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node';
import type { KeyRing } from '../../contracts';
import { BlindIndexer } from '../src/field-encryption/blind-index';
import { DataKeys } from '../src/field-encryption/data-keys';
import { FieldEncryptor } from '../src/field-encryption/field-encryptor';
import { MemoryFieldKeyStore } from '../src/field-encryption/key-store';
import { deriveFieldKey, StoredKeys } from '../src/field-encryption/stored-keys';
import { KeyRingKeys } from '../src/keyring/key-ring';
import { SecretsClient } from '../src/secrets/secrets-client';
import { KEY_ID, mockedKms } from './support/mocked-kms';

/** Every spelling of key bytes a printer could produce. */
function spellings(bytes: Buffer): string[] {
  const spaced = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const decimal = [...bytes.subarray(0, 8)].join(','); // util.inspect of a Buffer with customInspect: false
  return [bytes.toString('hex').slice(0, 16), spaced, decimal, bytes.toString('base64').slice(0, 12), bytes.toString('base64url').slice(0, 12)];
}

/**
 * Every string and byte reachable by walking own properties (enumerable or not, symbols too), Map, Set and array
 * entries, and the items of any other iterable (a cache object such as lru-cache's iterates its entries).
 */
function reachable(root: unknown): string {
  const seen = new Set<unknown>();
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') return void out.push(v);
    if (v === null || (typeof v !== 'object' && typeof v !== 'function') || seen.has(v)) return;
    seen.add(v);
    if (v instanceof Uint8Array) return void out.push(Buffer.from(v).toString('hex'), Buffer.from(v).toString('base64url'));
    if (v instanceof Map) {
      for (const [k, x] of v) {
        walk(k);
        walk(x);
      }
    }
    if (v instanceof Set) for (const x of v) walk(x);
    if (!(v instanceof Map) && !(v instanceof Set) && typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function') {
      try {
        for (const x of v as Iterable<unknown>) walk(x);
      } catch {
        // not re-iterable: its own properties are still walked below
      }
    }
    for (const key of Reflect.ownKeys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, key);
      if (d && 'value' in d) walk(d.value);
    }
  };
  walk(root);
  return out.join('\n');
}

function jsonWithoutCycles(v: unknown): string {
  const seen = new WeakSet<object>();
  return (
    JSON.stringify(v, (_k, x: unknown) => {
      if (typeof x === 'object' && x !== null) {
        if (seen.has(x)) return '[cycle]';
        seen.add(x);
      }
      return x;
    }) ?? ''
  );
}

const deep = (v: unknown) => `${inspect(v, { depth: Infinity, showHidden: true })}\n${JSON.stringify(v)}`;

describe('inspecting library objects never shows values or keys (Secrets Manager and KMS mocked)', () => {
  it('SecretsClient with cached plain and parsed values', async () => {
    const canary = `canary-${randomBytes(8).toString('hex')}`;
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ dsn: `https://${canary}@o0.ingest.example.io/1` }), VersionId: 'v1' });
    const client = new SecretsClient({ client: new SecretsManagerClient({ region: 'eu-west-1' }), source: 'aws' });
    await client.getSecret('gaara-store/test/sentry-dsn');
    await client.getSentrySecret('gaara-store/test/sentry-dsn');
    expect(deep(client)).not.toContain(canary);
    expect(deep({ client })).toContain('SecretsClient { source: aws, entries: 1');
    sm.restore();
  });

  it('FieldEncryptor after use, KeyRingKeys and BlindIndexer', async () => {
    const dataKey = randomBytes(32);
    const kms = mockedKms(() => Buffer.from(dataKey));
    const encryptor = new FieldEncryptor({ kms: kms.client, keyId: KEY_ID, app: 'gaara-store', env: 'test' });
    await encryptor.decryptField(await encryptor.encryptField('v', { table: 't', column: 'c' }), { table: 't', column: 'c' });
    const ringKey = randomBytes(32);
    const ring: KeyRing = { schema: 1, current: { kid: 'k1', key: ringKey.toString('base64url'), createdAt: '2026-11-01T00:00:00Z' }, previous: [] };
    const keys = new KeyRingKeys(ring);
    const indexer = BlindIndexer.fromKeyRing(ring);
    const printed = [deep(encryptor), deep(keys), deep(indexer), deep({ encryptor, keys, indexer })].join('\n');
    for (const s of [...spellings(dataKey), ...spellings(ringKey)]) expect(printed).not.toContain(s);
    expect(printed).toContain('kmsCalls');
  });

  it('key material is out of reach with customInspect: false, showHidden, JSON, enumeration and structured serialization', async () => {
    const dataKey = randomBytes(32);
    const kms = mockedKms(() => Buffer.from(dataKey));
    const encryptor = new FieldEncryptor({ kms: kms.client, keyId: KEY_ID, app: 'gaara-store', env: 'test' });
    const ct = await encryptor.encryptField('v', { table: 't', column: 'c' });
    const other = new FieldEncryptor({ kms: kms.client, keyId: KEY_ID, app: 'gaara-store', env: 'test' });
    await other.decryptField(ct, { table: 't', column: 'c' }); // a decrypted-key cache entry too
    const ringKey = randomBytes(32);
    const ring: KeyRing = { schema: 1, current: { kid: 'k1', key: ringKey.toString('base64url'), createdAt: '2026-11-01T00:00:00Z' }, previous: [] };
    const indexer = BlindIndexer.fromKeyRing(ring);
    indexer.blindIndex('x', { label: 'users.email' });
    const wrapKey = randomBytes(32);
    const esdk = new EncryptionSdkMode({
      keyring: new RawAesKeyringNode({
        keyName: 'k',
        keyNamespace: 'ns',
        unencryptedMasterKey: new Uint8Array(wrapKey),
        wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
      }),
      encryptionContext: { app: 'gaara-store' },
      cache: { maxAgeMs: 60_000 },
    });
    await esdk.decrypt(await esdk.encrypt('v'));
    const envCanary = `env-${randomBytes(8).toString('hex')}`;
    const devClient = new SecretsClient({
      source: 'environment',
      env: { NODE_ENV: 'test', GAARA_SECRET_SMTP: envCanary },
      dotenvPath: false,
      warn: () => undefined,
    });
    const dataKeys = new DataKeys(
      kms.client,
      KEY_ID,
      { app: 'gaara-store', env: 'test', purpose: 'field-encryption' },
      { maxAgeMs: 60_000, maxMessages: 100, maxBytes: 1_000 },
      { maxEntries: 10, maxAgeMs: 60_000 },
      Date.now,
    );
    const { edk } = await dataKeys.forEncryption(1); // an active key and its decrypted-cache entry
    await new DataKeys(
      kms.client,
      KEY_ID,
      { app: 'gaara-store', env: 'test', purpose: 'field-encryption' },
      { maxAgeMs: 60_000, maxMessages: 100, maxBytes: 1_000 },
      { maxEntries: 10, maxAgeMs: 60_000 },
      Date.now,
    ).forDecryption(edk);
    const keyStore = new MemoryFieldKeyStore();
    const storedKeys = () =>
      new StoredKeys(
        { kms: kms.client, keyId: KEY_ID, context: { app: 'gaara-store', env: 'test', purpose: 'field-encryption' } },
        keyStore,
        { app: 'gaara-store', env: 'test' },
        { maxAgeMs: 60_000, maxMessages: 100, maxBytes: 1_000 },
        { maxEntries: 10, maxAgeMs: 60_000 },
        Date.now,
        randomBytes,
      );
    const writerKeys = storedKeys();
    const { id } = await writerKeys.forEncryption(1); // an active gf2 key and its cache entry
    const readerKeys = storedKeys();
    await readerKeys.forDecryption(id); // loaded through the store
    const gf2 = new FieldEncryptor({ kms: kms.client, keyId: KEY_ID, app: 'gaara-store', env: 'test', format: 'gf2', keyStore });
    await gf2.encryptField('v', { table: 't', column: 'c' });
    const derived = deriveFieldKey(dataKey, id).encryptionKey;
    const objects = { encryptor, other, dataKeys, keys: new KeyRingKeys(ring), indexer, devClient, writerKeys, readerKeys, gf2 };
    const printed: string[] = [];
    for (const o of Object.values(objects)) {
      printed.push(inspect(o, { customInspect: false, showHidden: true, depth: Infinity, getters: true }));
      printed.push(JSON.stringify(o), jsonWithoutCycles({ ...o }), JSON.stringify(Object.entries(Object.getOwnPropertyDescriptors(o)).map(([k]) => k)));
      printed.push(reachable(o));
      for (const key of Reflect.ownKeys(o))
        printed.push(inspect((o as unknown as Record<PropertyKey, unknown>)[key], { customInspect: false, showHidden: true, depth: Infinity }));
    }
    const text = printed.join('\n') + printed.join('').replace(/\s+/g, ''); // inspect spreads byte arrays over padded columns
    for (const s of [
      ...spellings(dataKey),
      ...spellings(ringKey),
      ...spellings(derived),
      dataKey.toString('latin1').slice(0, 12),
      ringKey.toString('latin1').slice(0, 12),
      envCanary,
    ]) {
      expect(text).not.toContain(s);
    }
    // The ESDK's keyring keeps its master key (its own design); our object does not expose the keyring or the materials cache.
    const esdkPrinted = inspect(esdk, { customInspect: false, showHidden: true, depth: Infinity }) + JSON.stringify(esdk) + reachable(esdk);
    const esdkText = esdkPrinted + esdkPrinted.replace(/\s+/g, '');
    for (const s of spellings(wrapKey)) expect(esdkText).not.toContain(s);
  });
});
