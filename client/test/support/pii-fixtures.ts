/** Shared pieces of the PII migration tests (PostgreSQL and MariaDB): rows, encryptors over an in-process KMS, checks. */
import { FieldDecryptionError } from '../../src/errors';
import { FieldEncryptor } from '../../src/field-encryption/field-encryptor';
import { fieldFormatOf } from '../../src/field-encryption/format';
import { FakeKms } from './fake-kms';

export const KEY_A = 'arn:aws:kms:eu-west-1:111122223333:key/aaaaaaaa-0000-0000-0000-000000000001';
export const KEY_B = 'arn:aws:kms:eu-west-1:111122223333:key/bbbbbbbb-0000-0000-0000-000000000002';

/** One KMS with two keys: routes by KeyId like KMS (a blob of one key does not open under the other). */
export function twoKeyKms() {
  const keys = { [KEY_A]: new FakeKms(KEY_A, undefined, 184), [KEY_B]: new FakeKms(KEY_B, undefined, 184) };
  return {
    keys,
    send: async (command: { constructor: { name: string }; input: { KeyId?: string } }) => {
      const kms = keys[command.input.KeyId as keyof typeof keys];
      if (!kms) throw Object.assign(new Error('NotFoundException'), { name: 'NotFoundException' });
      return kms.send(command);
    },
  };
}

export function encryptorFor(kms: ReturnType<typeof twoKeyKms>, keyId = KEY_A): FieldEncryptor {
  return new FieldEncryptor({ keyId, app: 'gaara-store', env: 'test', kms: kms as never });
}

export interface PiiRow {
  id: number;
  full_name: string | null;
  email: string | null;
  ssn: string | null;
}

export const PII_COLUMNS = ['full_name', 'email', 'ssn'] as const;

export function piiRows(n: number, tag = ''): PiiRow[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    full_name: i % 17 === 5 ? null : `Zoë Müller-${tag}${i} 東京`,
    email: i % 13 === 3 ? '' : `User.${tag}${i}@Example.com`,
    ssn: i % 11 === 7 ? null : `${String(100 + (i % 800)).padStart(3, '0')}-${String(10 + (i % 89)).padStart(2, '0')}-${String(1000 + i).padStart(4, '0')}`,
  }));
}

export type RowState = 'plaintext' | 'encrypted';

/**
 * Every row either holds its original plaintext or a field value that decrypts, in its own place, to exactly that
 * plaintext (never to another field value: no double encryption). Returns how many values are in each state.
 */
export async function checkRows(
  rows: Record<string, unknown>[],
  originals: PiiRow[],
  encryptor: FieldEncryptor,
  table: string,
): Promise<Record<RowState, number>> {
  const byId = new Map(originals.map((r) => [r.id, r]));
  const states: Record<RowState, number> = { plaintext: 0, encrypted: 0 };
  expect(rows).toHaveLength(originals.length);
  for (const row of rows) {
    const original = byId.get(Number(row.id)) as PiiRow;
    for (const column of PII_COLUMNS) {
      const value = row[column] as string | null;
      const expected = original[column];
      if (value === expected) {
        if (value !== null) states.plaintext += 1;
        continue;
      }
      expect(fieldFormatOf(value)).toBe('gf1');
      const plaintext = await encryptor.decryptField(value as string, { table, column, id: String(row.id) });
      expect(plaintext).toBe(expected);
      states.encrypted += 1;
    }
  }
  return states;
}

export async function expectNotDecryptable(encryptor: FieldEncryptor, value: string, context: { table: string; column: string; id: string }): Promise<void> {
  await expect(encryptor.decryptField(value, context)).rejects.toBeInstanceOf(FieldDecryptionError);
}
