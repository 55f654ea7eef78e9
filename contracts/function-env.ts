/**
 * The environment of each function, defined once: the stack writes the variables from it (`writeEnv`) and the
 * function reads and validates them at cold start (`readEnv`). A variable's name, its type and whether it is
 * required live only here, so the two sides cannot drift.
 */
import { DATABASE_ENGINES, DatabaseEngine } from './database';

/** The database rotation strategies (DB_STRATEGY): the one list the config, its validation and the rotator use. */
export const DATABASE_STRATEGIES = ['single-user', 'alternating-users', 'dual-password'] as const;
export type DatabaseStrategyName = (typeof DATABASE_STRATEGIES)[number];

export const KEY_MATERIAL_SOURCES = ['crypto', 'kms'] as const;
export type KeyMaterialSourceName = (typeof KEY_MATERIAL_SOURCES)[number];

/** A bad or missing variable: the message names every variable concerned, never a value. */
export class FunctionConfigError extends Error {
  constructor(message: string) {
    super(`configuration: ${message}`);
    this.name = 'FunctionConfigError';
  }
}

/** Why a variable's text is not a value: "must be ...", and for a JSON variable where inside it (`[0].name`). */
export interface Problem {
  readonly problem: string;
  readonly at?: string;
}

export interface Variable<T> {
  readonly name: string;
  readonly required: boolean;
  /** The value, or a problem when the text is not one. */
  parse(raw: string): { value: T } | Problem;
  write(value: T): string;
}

function variable<T>(name: string, parse: Variable<T>['parse'], write: (v: T) => string = String): Variable<T> & { optional(): Variable<T | undefined> } {
  const required: Variable<T> = { name, required: true, parse, write };
  return { ...required, optional: () => ({ ...required, required: false }) as Variable<T | undefined> };
}

export const text = (name: string) => variable<string>(name, (raw) => ({ value: raw }));
export const oneOf = <V extends string>(name: string, values: readonly V[]) =>
  variable<V>(name, (raw) => ((values as readonly string[]).includes(raw) ? { value: raw as V } : { problem: `must be one of ${values.join(', ')}` }));
export const port = (name: string) =>
  variable<number>(name, (raw) =>
    /^\d+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 65535 ? { value: Number(raw) } : { problem: 'must be an integer port between 1 and 65535' },
  );
export const bool = (name: string) =>
  variable<boolean>(name, (raw) => (raw === 'true' || raw === 'false' ? { value: raw === 'true' } : { problem: 'must be true or false' }));
export const integer = (name: string) => variable<number>(name, (raw) => (/^\d+$/.test(raw) ? { value: Number(raw) } : { problem: 'must be a whole number' }));
export const secretArn = (name: string) => variable<string>(name, (raw) => (raw.startsWith('arn:') ? { value: raw } : { problem: 'must be a secret ARN' }));

/** A function's variables by field; `check` adds the rules that span several variables. */
export interface EnvSpec<T> {
  readonly variables: { readonly [K in keyof T]: Variable<T[K]> };
  readonly check?: (values: T) => string | undefined;
}

export function defineEnv<T>(variables: { readonly [K in keyof T]: Variable<T[K]> }, check?: (values: T) => string | undefined): EnvSpec<T> {
  return { variables, ...(check ? { check } : {}) };
}

/** Reads and validates a function's variables, reporting every missing one together, then the first bad one. */
export function readEnv<T>(spec: EnvSpec<T>, env: Record<string, string | undefined>): T {
  const entries = Object.entries(spec.variables) as [keyof T & string, Variable<unknown>][];
  const missing = entries.filter(([, v]) => v.required && !env[v.name]).map(([, v]) => v.name);
  if (missing.length > 0) {
    throw new FunctionConfigError(
      `environment variable ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set: the function only acts on what it is configured for`,
    );
  }
  const values: Record<string, unknown> = {};
  for (const [field, v] of entries) {
    const raw = env[v.name];
    if (raw === undefined || raw === '') continue;
    const parsed = v.parse(raw);
    if ('problem' in parsed) throw new FunctionConfigError(`environment variable ${v.name}${parsed.at ?? ''} ${parsed.problem}`);
    values[field] = parsed.value;
  }
  const problem = spec.check?.(values as T);
  if (problem) throw new FunctionConfigError(problem);
  return values as T;
}

/** The variables the stack sets for a function (undefined optional values are left out). */
export function writeEnv<T>(spec: EnvSpec<T>, values: T): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, v] of Object.entries(spec.variables) as [keyof T & string, Variable<unknown>][]) {
    const value = values[field];
    if (value !== undefined) out[v.name] = v.write(value);
  }
  return out;
}

export interface DatabaseRotatorEnv {
  engine: DatabaseEngine;
  host: string;
  port: number;
  dbname: string;
  username: string;
  tls: boolean;
  strategy: DatabaseStrategyName;
  masterSecretArn: string | undefined;
}

export const DATABASE_ROTATOR_ENV = defineEnv<DatabaseRotatorEnv>(
  {
    engine: oneOf('DB_ENGINE', DATABASE_ENGINES),
    host: text('DB_HOST'),
    port: port('DB_PORT'),
    dbname: text('DB_NAME'),
    username: text('DB_USERNAME'),
    tls: bool('DB_TLS'),
    strategy: oneOf('DB_STRATEGY', DATABASE_STRATEGIES),
    masterSecretArn: secretArn('DB_MASTER_SECRET_ARN').optional(),
  },
  (v) =>
    v.strategy === 'alternating-users' && !v.masterSecretArn
      ? 'environment variable DB_MASTER_SECRET_ARN is not set: alternating users need the master secret ARN'
      : undefined,
);

export interface RedisRotatorEnv {
  host: string;
  port: number;
  username: string;
  tls: boolean;
  adminSecretArn: string | undefined;
  elastiCacheUserId: string | undefined;
}

export const REDIS_ROTATOR_ENV = defineEnv<RedisRotatorEnv>(
  {
    host: text('REDIS_HOST'),
    port: port('REDIS_PORT'),
    username: text('REDIS_USERNAME'),
    tls: bool('REDIS_TLS'),
    adminSecretArn: secretArn('REDIS_ADMIN_SECRET_ARN').optional(),
    elastiCacheUserId: text('REDIS_ELASTICACHE_USER_ID').optional(),
  },
  (v) =>
    (v.adminSecretArn === undefined) === (v.elastiCacheUserId === undefined)
      ? 'environment variable REDIS_ADMIN_SECRET_ARN or REDIS_ELASTICACHE_USER_ID must be set, exactly one of them'
      : undefined,
);

export interface KeyRingRotatorEnv {
  keyMaterial: KeyMaterialSourceName | undefined;
}

export const KEY_RING_ROTATOR_ENV = defineEnv<KeyRingRotatorEnv>({ keyMaterial: oneOf('KEY_MATERIAL_SOURCE', KEY_MATERIAL_SOURCES).optional() });

/**
 * New passwords of the database and Redis rotators (lambdas/rotation/password.ts checks the bounds and the alphabet
 * that is left). Written by the stack from the rotator constructs' `passwordLength` and `passwordExcludeCharacters`.
 */
export const DEFAULT_PASSWORD_LENGTH = 32;

export interface PasswordPolicyEnv {
  length: number | undefined;
  excludeCharacters: string | undefined;
}

export const PASSWORD_POLICY_ENV = defineEnv<PasswordPolicyEnv>({
  length: integer('PASSWORD_LENGTH').optional(),
  excludeCharacters: text('PASSWORD_EXCLUDE_CHARACTERS').optional(),
});

/** One secret the age function watches: its catalog name (the `Secret` dimension), id and overdue age. */
export interface WatchedSecretEntry {
  name: string;
  /** Secret name or ARN passed to DescribeSecret and ListSecretVersionIds. */
  id: string;
  /** Absent: the function takes the catalog's period (lambdas/secret-age/config.ts). */
  maxAgeDays?: number;
}

function parseWatched(raw: string): { value: WatchedSecretEntry[] } | Problem {
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    return { problem: 'is not valid JSON' };
  }
  if (!Array.isArray(list)) return { problem: 'must be a JSON array' };
  const value: WatchedSecretEntry[] = [];
  for (const [i, item] of list.entries()) {
    const at = (field: string, problem: string): Problem => ({ at: `[${i}].${field}`, problem });
    if (typeof item !== 'object' || item === null) return at('(entry)', 'must be an object');
    const { name, id, maxAgeDays } = item as Record<string, unknown>;
    if (typeof name !== 'string' || name === '') return at('name', 'must be a non-empty string');
    if (typeof id !== 'string' || id === '') return at('id', 'must be a non-empty string');
    if (maxAgeDays !== undefined && (typeof maxAgeDays !== 'number' || !(maxAgeDays > 0))) return at('maxAgeDays', 'must be a positive number');
    value.push({ name, id, ...(maxAgeDays !== undefined ? { maxAgeDays: maxAgeDays as number } : {}) });
  }
  return { value };
}

export interface SecretAgeEnv {
  secrets: WatchedSecretEntry[];
}

/** The age function: the secrets it watches, as a JSON array (SECRETS_JSON). */
export const SECRET_AGE_ENV = defineEnv<SecretAgeEnv>({ secrets: variable('SECRETS_JSON', parseWatched, (v) => JSON.stringify(v)) });
