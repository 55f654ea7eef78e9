/**
 * Turns `.env` values into the secrets' value shapes, validated by contracts/ (the catalog's parse). The
 * conventions match the client's development fallback (client/src/secrets/env-source.ts): a key becomes a ring
 * holding its UTF-8 bytes (base64url), a DATABASE_URL is parsed into the database shape, a bare REDIS_PASSWORD
 * or MAIL_PASSWORD is completed from the environment config or the MAIL_* variables. Errors name the variable and
 * the field, never the value.
 */
import { randomBytes } from 'node:crypto';
import { buildDatabaseUrl, databaseFieldsFromUrl } from '../../contracts/database';
import { buildRedisUrl, redisFieldsFromUrl } from '../../contracts/redis';
import { catalogEntry, type SecretName, SECRET_NAMES } from '../../contracts/catalog';
import { ENV_NAMES } from '../../contracts/env-names';
import { SecretShapeError } from '../../contracts/errors';
import type { EnvironmentConfig } from '../../lib/config';
import { CliError, EXIT } from '../errors';

/**
 * The names the teams' `.env` files used (contracts/env-names.ts, shared with the client's development fallback):
 * variable -> `secret` (the whole value) or `secret.field` (one field of the JSON shape).
 */
export const DEFAULT_MAP: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ENV_NAMES).flatMap(([secret, names]) => [
    ...names.value.map((variable) => [variable, secret]),
    ...Object.entries(names.fields).flatMap(([field, variables]) => variables.map((variable) => [variable, `${secret}.${field}`])),
  ]),
);

export interface PlannedSecret {
  name: SecretName;
  /** From which variables (names only). */
  from: string[];
  /** Fields of the value written (names only). */
  fields: string[];
  /** The value to write: never printed. */
  value: string;
}

const bad = (msg: string) => new CliError(EXIT.badInput, msg);

export function planImport(vars: Record<string, string>, map: Record<string, string>, config: EnvironmentConfig): PlannedSecret[] {
  const bySecret = new Map<SecretName, { whole?: [string, string]; fields: Record<string, [string, string]> }>();
  for (const [variable, target] of Object.entries(map)) {
    if (!(variable in vars)) continue;
    const [secret, field, ...more] = target.split('.');
    if (!(SECRET_NAMES as readonly string[]).includes(secret) || more.length)
      throw bad(`mapping of ${variable} names "${target}": use one of ${SECRET_NAMES.join(', ')}, optionally .field`);
    const slot = bySecret.get(secret as SecretName) ?? { fields: {} };
    const taken = field ? slot.fields[field] : slot.whole;
    // Two names for one value (JWT_SECRET_KEY and JWT_SECRET): refuse rather than pick one silently.
    if (taken) throw bad(`${taken[0]} and ${variable} both set ${target}: keep one in the .env (or map one elsewhere with --map); nothing was written`);
    if (field) slot.fields[field] = [variable, vars[variable]];
    else slot.whole = [variable, vars[variable]];
    bySecret.set(secret as SecretName, slot);
  }
  const planned: PlannedSecret[] = [];
  for (const [name, slot] of bySecret) {
    // MAIL_SERVER alone (no password) does not make a mail secret.
    if (!slot.whole && name === 'mail-password' && !slot.fields.password) continue;
    const from = [slot.whole?.[0], ...Object.values(slot.fields).map((f) => f[0])].filter((x): x is string => Boolean(x));
    const value = convert(name, slot, config);
    try {
      catalogEntry(name).parse(value);
    } catch (e) {
      if (e instanceof SecretShapeError)
        throw bad(`${from.join(', ')} do not make a valid ${name}: ${e.message} (fix the .env or the mapping; nothing was written)`);
      throw e;
    }
    planned.push({
      name,
      from,
      fields: Object.keys(value)
        .filter((k) => k !== 'schema')
        .sort(),
      value: JSON.stringify(value),
    });
  }
  return planned.sort((a, b) => SECRET_NAMES.indexOf(a.name) - SECRET_NAMES.indexOf(b.name));
}

function convert(
  name: SecretName,
  slot: { whole?: [string, string]; fields: Record<string, [string, string]> },
  config: EnvironmentConfig,
): Record<string, unknown> {
  const whole = slot.whole;
  const fields = Object.fromEntries(Object.entries(slot.fields).map(([k, [, v]]) => [k, v]));
  if (whole && whole[1].trim().startsWith('{')) {
    try {
      return { ...JSON.parse(whole[1]), ...fields };
    } catch {
      throw bad(`${whole[0]} starts with { but is not valid JSON`);
    }
  }
  switch (catalogEntry(name).kind) {
    case 'key-ring': {
      if (!whole) throw bad(`${name} needs its whole key in one variable (e.g. SECRET_KEY), not fields`);
      const key = Buffer.from(whole[1], 'utf8');
      if (key.length < 32)
        throw bad(`${whole[0]}: a key must be at least 32 bytes; generate a new one or let the first rotation create the ring (nothing was written)`);
      const kid = `imported-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(4).toString('hex')}`;
      return { schema: 1, current: { kid, key: key.toString('base64url'), createdAt: new Date().toISOString() }, previous: [] };
    }
    case 'database':
      if (!whole) throw bad('database-url needs DATABASE_URL (a URL) or the JSON shape');
      return databaseFromUrl(whole[0], whole[1], config);
    case 'redis': {
      const url = whole ? redisFromUrl(whole[0], whole[1]) : {};
      const password = fields.password ?? url.password;
      if (password === undefined) throw bad('redis-password needs REDIS_PASSWORD or REDIS_URL');
      // The configured target unless the .env names another (then targetMismatches warns: the rotator would refuse it).
      const r = config.redis;
      const port = fields.port !== undefined ? Number(fields.port) : (url.port ?? r.port);
      const base = { host: fields.host ?? url.host ?? r.host, port, username: fields.username ?? url.username ?? r.username, password, tls: url.tls ?? r.tls };
      return { schema: 1, ...base, ...(r.elastiCacheUserId ? { userId: r.elastiCacheUserId } : { adminarn: r.adminSecretArn }), url: buildRedisUrl(base) };
    }
    default:
      if (name === 'sentry-dsn') return { dsn: (whole?.[1] ?? fields.dsn ?? '').trim() };
      return { ...fields, ...(fields.port !== undefined ? { port: Number(fields.port) } : { port: 587 }), ...(whole ? { password: whole[1] } : {}) };
  }
}

function redisFromUrl(variable: string, text: string): { host?: string; port?: number; username?: string; password?: string; tls?: boolean } {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw bad(`${variable} does not parse as a URL (expected rediss://user:password@host:port): fix it; nothing was written`);
  }
  const fields = redisFieldsFromUrl(url);
  if (!fields) throw bad(`${variable}: the URL scheme must be redis or rediss; nothing was written`);
  if (!url.password) throw bad(`${variable} lacks the password; nothing was written`);
  return fields;
}

function databaseFromUrl(variable: string, text: string, config: EnvironmentConfig): Record<string, unknown> {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw bad(`${variable} does not parse as a URL (expected postgresql://user:password@host:port/dbname): fix it; nothing was written`);
  }
  const parsed = databaseFieldsFromUrl(url);
  if (!parsed) throw bad(`${variable}: the URL scheme must be postgresql, postgres, mysql or mariadb; nothing was written`);
  if (!url.hostname || !url.username || !url.password || url.pathname.length < 2)
    throw bad(
      `${variable} lacks ${[!url.hostname && 'host', !url.username && 'user', !url.password && 'password', url.pathname.length < 2 && 'database name'].filter(Boolean).join(', ')}; nothing was written`,
    );
  const fields = {
    ...parsed,
    ...(config.database.tls === false ? { ssl: false } : {}),
    ...(config.database.masterSecretArn ? { masterarn: config.database.masterSecretArn } : {}),
  };
  return { schema: 1, ...fields, url: buildDatabaseUrl(fields) };
}

/** Fields where the imported value differs from the configured rotation target (the rotator would refuse it). */
export function targetMismatches(p: PlannedSecret, config: EnvironmentConfig): string[] {
  const v = JSON.parse(p.value) as Record<string, unknown>;
  if (p.name === 'database-url') {
    const d = config.database;
    const want: Record<string, unknown> = { engine: d.engine, host: d.host, port: d.port, dbname: d.dbname };
    return Object.keys(want).filter((k) => v[k] !== want[k]);
  }
  if (p.name === 'redis-password') {
    const r = config.redis;
    const want: Record<string, unknown> = { host: r.host, port: r.port, username: r.username, tls: r.tls };
    return Object.keys(want).filter((k) => v[k] !== want[k]);
  }
  return [];
}
