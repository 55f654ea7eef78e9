import { CATALOG } from '../../contracts/catalog';

export interface WatchedSecret {
  /** Catalog name: the `Secret` dimension. */
  name: string;
  /** Secret name or ARN passed to ListSecretVersionIds. */
  id: string;
  /** Age beyond which the secret is overdue (logged; the alarm threshold lives in the stack). */
  maxAgeDays: number;
}

/** Third-party secrets have no rotation period of their own: they are due after this many days. */
export const DEFAULT_MAX_AGE_DAYS = 90;

/** Parses SECRETS_JSON (a JSON array of {name, id, maxAgeDays?}); a bad entry fails naming its index and field. */
export function parseWatchedSecrets(raw: string | undefined): WatchedSecret[] {
  if (raw === undefined || raw.trim() === '') throw new Error('SECRETS_JSON is not set');
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new Error('SECRETS_JSON is not valid JSON');
  }
  if (!Array.isArray(list)) throw new Error('SECRETS_JSON must be a JSON array');
  return list.map((item, i) => {
    const at = (field: string, problem: string) => new Error(`SECRETS_JSON[${i}].${field} ${problem}`);
    if (typeof item !== 'object' || item === null) throw at('(entry)', 'must be an object');
    const { name, id, maxAgeDays } = item as Record<string, unknown>;
    if (typeof name !== 'string' || name === '') throw at('name', 'must be a non-empty string');
    if (typeof id !== 'string' || id === '') throw at('id', 'must be a non-empty string');
    if (maxAgeDays !== undefined && (typeof maxAgeDays !== 'number' || !(maxAgeDays > 0))) throw at('maxAgeDays', 'must be a positive number');
    const catalogDays = CATALOG.find((e) => e.name === name)?.rotationDays;
    return { name, id, maxAgeDays: (maxAgeDays as number | undefined) ?? catalogDays ?? DEFAULT_MAX_AGE_DAYS };
  });
}
