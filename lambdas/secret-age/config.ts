import { CATALOG } from '../../contracts/catalog';
import { readEnv, SECRET_AGE_ENV } from '../../contracts/function-env';

export interface WatchedSecret {
  /** Catalog name: the `Secret` dimension. */
  name: string;
  /** Secret name or ARN passed to DescribeSecret and ListSecretVersionIds. */
  id: string;
  /** Age beyond which the secret is overdue (logged; the alarm threshold lives in the stack). */
  maxAgeDays: number;
}

/** Third-party secrets have no rotation period of their own: they are due after this many days. */
export const DEFAULT_MAX_AGE_DAYS = 90;

/**
 * Reads SECRETS_JSON (contracts/function-env.ts: a JSON array of {name, id, maxAgeDays?}); a bad entry fails naming
 * its index and field. A missing maxAgeDays is the catalog's period, else DEFAULT_MAX_AGE_DAYS.
 */
export function parseWatchedSecrets(raw: string | undefined): WatchedSecret[] {
  const { secrets } = readEnv(SECRET_AGE_ENV, { SECRETS_JSON: raw?.trim() === '' ? undefined : raw });
  return secrets.map(({ name, id, maxAgeDays }) => ({
    name,
    id,
    maxAgeDays: maxAgeDays ?? CATALOG.find((e) => e.name === name)?.rotationDays ?? DEFAULT_MAX_AGE_DAYS,
  }));
}
