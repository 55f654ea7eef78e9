/**
 * The `.env` variable names the teams' services used for each secret: one table for the client's development
 * fallback (client/src/secrets/env-source.ts) and `gaara-secrets import-env` (cli/import/convert.ts).
 * Where a secret has several names, the first is preferred.
 */
import type { SecretName } from './catalog';

export interface EnvNames {
  /** Variables holding the whole value (a key, a URL, a DSN, or the JSON shape). */
  readonly value: readonly string[];
  /** Variables holding one field of the JSON shape. */
  readonly fields: Readonly<Record<string, readonly string[]>>;
}

export const ENV_NAMES: Readonly<Record<SecretName, EnvNames>> = {
  'secret-key': { value: ['SECRET_KEY'], fields: {} },
  'jwt-secret': { value: ['JWT_SECRET_KEY', 'JWT_SECRET'], fields: {} },
  'encryption-key': { value: ['ENCRYPTION_KEY'], fields: {} },
  'database-url': { value: ['DATABASE_URL'], fields: {} },
  'redis-password': {
    value: ['REDIS_URL'],
    fields: { password: ['REDIS_PASSWORD'], host: ['REDIS_HOST'], port: ['REDIS_PORT'], username: ['REDIS_USERNAME'] },
  },
  'mail-password': {
    value: [],
    fields: {
      password: ['MAIL_PASSWORD', 'SMTP_PASSWORD'],
      host: ['MAIL_SERVER', 'MAIL_HOST', 'SMTP_HOST'],
      port: ['MAIL_PORT', 'SMTP_PORT'],
      username: ['MAIL_USERNAME', 'SMTP_USER', 'SMTP_USERNAME'],
    },
  },
  'sentry-dsn': { value: ['SENTRY_DSN'], fields: {} },
};

/** The first of `names` set (non-empty) in `values`. */
export function firstSet(values: Readonly<Record<string, string | undefined>>, names: readonly string[]): string | undefined {
  return names.find((n) => values[n] !== undefined && values[n] !== '');
}
