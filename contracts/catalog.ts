import { parseDatabaseSecret } from './database';
import { parseKeyRing } from './keyring';
import { parseRedisSecret } from './redis';
import { parseMailSecret, parseSentrySecret } from './third-party';

export const SECRET_NAMES = ['secret-key', 'jwt-secret', 'encryption-key', 'database-url', 'redis-password', 'mail-password', 'sentry-dsn'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

export type SecretKind = 'key-ring' | 'database' | 'redis' | 'third-party';
/** The rotation functions, one per kind of secret they rotate (lib/rotators registers one construct each). */
export const ROTATOR_KINDS = ['database', 'redis', 'key-ring'] as const;
export type RotatorKind = (typeof ROTATOR_KINDS)[number];

export interface KeyRingBounds {
  /** Previous keys kept after a rotation. */
  keepPrevious: number;
  /** Hard bound on previous keys (a SecretString holds at most 64 KiB). */
  maxPrevious: number;
  /** false: at the bound the rotation fails (testSecret) and alarms instead of dropping a key. */
  dropOldest: boolean;
}

export interface CatalogEntry {
  name: SecretName;
  kind: SecretKind;
  description: string;
  /** Which rotation Lambda rotates it; undefined for third-party secrets (rotated by hand, age alarmed). */
  rotator?: RotatorKind;
  /** Automatic rotation period, or, for manual secrets, the age after which the age alarm fires. */
  rotationDays: number;
  ring?: KeyRingBounds;
  /** Parses a value of this secret; throws SecretShapeError naming the field. */
  parse: (value: unknown) => unknown;
  /** The deploy-time value (never a real credential). */
  initialValue: () => Record<string, unknown>;
}

/**
 * A key ring rotated by the key-ring rotator from a placeholder. Its parser takes the entry's own name and bound, so
 * the bound the rotator keeps and the one every reader checks are one number.
 */
function keyRingEntry(entry: { name: SecretName; description: string; rotationDays: number; ring: KeyRingBounds }): CatalogEntry {
  const { name, description, rotationDays, ring } = entry;
  return {
    name,
    kind: 'key-ring',
    description,
    rotator: 'key-ring',
    rotationDays,
    ring,
    parse: (v) => parseKeyRing(v, { shape: name, maxPrevious: ring.maxPrevious }),
    initialValue: () => ({ schema: 1, placeholder: true, note: 'replaced by the first rotation' }),
  };
}

export const CATALOG: readonly CatalogEntry[] = [
  keyRingEntry({
    name: 'secret-key',
    description: 'Framework signing key ring (Flask/Django SECRET_KEY and fallbacks). Rotated by the key-ring rotator.',
    rotationDays: 90,
    ring: { keepPrevious: 1, maxPrevious: 4, dropOldest: true },
  }),
  keyRingEntry({
    name: 'jwt-secret',
    description: 'JWT HMAC signing key ring with key ids (kid); previous key kept so issued tokens still verify.',
    rotationDays: 90,
    ring: { keepPrevious: 1, maxPrevious: 4, dropOldest: true },
  }),
  keyRingEntry({
    name: 'encryption-key',
    description: 'Application data-encryption key ring; old keys are kept so data encrypted under them stays readable.',
    rotationDays: 90,
    ring: { keepPrevious: 64, maxPrevious: 64, dropOldest: false },
  }),
  {
    name: 'database-url',
    kind: 'database',
    description: 'Application database credential (RDS secret fields) with its ready url. Rotated by the database rotator.',
    rotator: 'database',
    rotationDays: 30,
    parse: parseDatabaseSecret,
    initialValue: () => ({ schema: 1, placeholder: true, note: 'seed with the runbook first-deploy step' }),
  },
  {
    name: 'redis-password',
    kind: 'redis',
    description: 'Redis/ElastiCache user credential with its ready url; two live passwords during rotation.',
    rotator: 'redis',
    rotationDays: 30,
    parse: parseRedisSecret,
    initialValue: () => ({ schema: 1, placeholder: true, note: 'seed with the runbook first-deploy step' }),
  },
  {
    name: 'mail-password',
    kind: 'third-party',
    description: 'SMTP credential issued by the mail provider. Rotated by hand (runbook); age is measured and alarmed.',
    rotationDays: 90,
    parse: parseMailSecret,
    initialValue: () => ({ placeholder: true }),
  },
  {
    name: 'sentry-dsn',
    kind: 'third-party',
    description: 'Sentry DSN issued by Sentry. Rotated by hand (runbook); age is measured and alarmed.',
    rotationDays: 90,
    parse: parseSentrySecret,
    initialValue: () => ({ placeholder: true }),
  },
];

export function catalogEntry(name: SecretName): CatalogEntry {
  const entry = CATALOG.find((e) => e.name === name);
  if (!entry) throw new Error(`unknown secret "${name}"`);
  return entry;
}

/** The application name when none is configured (APP_NAME). */
export const DEFAULT_APP_NAME = 'gaara-store';

/** `<app>-<env>-secrets`: the CloudFormation stack of an environment (the stack names it; the CLI reads it). */
export function secretsStackName(app: string, env: string): string {
  return `${app}-${env}-secrets`;
}

/** `<app>/<env>/`: the prefix of every secret of an application's environment (policies, filters, scope checks). */
export function secretNamePrefix(app: string, env: string): string {
  return `${app}/${env}/`;
}

/** `<app>/<env>/<name>`: the secret naming rule used by the stack, the rotators and the client. */
export function secretId(app: string, env: string, name: SecretName): string {
  return `${secretNamePrefix(app, env)}${name}`;
}
