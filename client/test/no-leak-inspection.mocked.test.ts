import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { KeyRing } from '../../contracts';
import { BlindIndexer } from '../src/field-encryption/blind-index';
import { FieldEncryptor } from '../src/field-encryption/field-encryptor';
import { KeyRingKeys } from '../src/keyring/key-ring';
import { SecretsClient } from '../src/secrets/secrets-client';
import { KEY_ID, mockedKms } from './support/mocked-kms';

/** Every spelling of key bytes a printer could produce. */
function spellings(bytes: Buffer): string[] {
  const spaced = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return [bytes.toString('hex').slice(0, 16), spaced, bytes.toString('base64').slice(0, 12), bytes.toString('base64url').slice(0, 12)];
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
});
