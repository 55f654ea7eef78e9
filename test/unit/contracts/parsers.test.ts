import {
  buildDatabaseUrl,
  buildRedisUrl,
  databaseFieldsFromUrl,
  redisFieldsFromUrl,
  CATALOG,
  parseDatabaseSecret,
  parseKeyRing,
  parseMailSecret,
  parseRedisSecret,
  parseSentrySecret,
  SecretShapeError,
  SECRET_NAMES,
  isPlaceholder,
  assertDatabaseUrlConsistent,
} from '../../../contracts';
import {
  databaseSecretFixture,
  keyRingFixture,
  mailSecretFixture,
  mysqlSecretFixture,
  redisSecretFixture,
  sentrySecretFixture,
} from '../../../contracts/fixtures';

/** Runs a parser on a bad value and returns the error, proving it names the field and never echoes a value. */
function rejection(parse: (v: unknown) => unknown, value: unknown, secretValues: string[]): SecretShapeError {
  let caught: unknown;
  try {
    parse(value);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SecretShapeError);
  const message = (caught as Error).message;
  for (const v of secretValues) expect(message).not.toContain(v);
  return caught as SecretShapeError;
}

describe('database-url shape', () => {
  it('parses the fixtures (object and JSON string) unchanged', () => {
    expect(parseDatabaseSecret(databaseSecretFixture)).toEqual(databaseSecretFixture);
    expect(parseDatabaseSecret(JSON.stringify(mysqlSecretFixture))).toEqual(mysqlSecretFixture);
  });

  it('builds url with the password percent-encoded and the TLS mode explicit', () => {
    const url = buildDatabaseUrl({ ...databaseSecretFixture, password: 'p@ss:w/rd?#%' });
    expect(url).toBe('postgresql://gaara_app:p%40ss%3Aw%2Frd%3F%23%25@db.internal.example:5432/gaara?sslmode=verify-full');
    expect(new URL(url).password).toBe(encodeURIComponent('p@ss:w/rd?#%'));
    expect(buildDatabaseUrl({ ...mysqlSecretFixture })).toContain('ssl-mode=DISABLED');
    expect(buildDatabaseUrl({ ...mysqlSecretFixture, ssl: undefined })).toContain('ssl-mode=VERIFY_IDENTITY');
    expect(buildDatabaseUrl({ ...databaseSecretFixture, ssl: false })).toContain('sslmode=disable');
  });

  it('derives url when an RDS secret has none, and accepts a string port', () => {
    const { url: _url, schema: _schema, ...rds } = databaseSecretFixture;
    const parsed = parseDatabaseSecret({ ...rds, port: '5432' });
    expect(parsed.url).toBe(databaseSecretFixture.url);
    expect(parsed.port).toBe(5432);
  });

  const password = databaseSecretFixture.password;
  it.each([
    ['host', { host: undefined }, 'is missing'],
    ['port', { port: 70000 }, 'must be an integer port'],
    ['port', { port: 'abc' }, 'must be an integer port'],
    ['username', { username: '' }, 'must not be empty'],
    ['password', { password: 42 }, 'must be a string'],
    ['dbname', { dbname: null }, 'is missing'],
    ['engine', { engine: 'oracle-ee' }, 'is not a supported engine'],
    ['ssl', { ssl: 'maybe' }, 'must be true or false'],
    ['masterarn', { masterarn: 'not-an-arn' }, 'must be a Secrets Manager secret ARN'],
    ['schema', { schema: 2 }, 'must be 1'],
  ])('names the field %s when it is wrong, never the value', (field, patch, problem) => {
    const error = rejection(parseDatabaseSecret, { ...databaseSecretFixture, ...patch }, [password]);
    expect(error.field).toBe(field);
    expect(error.message).toContain(`"${field}"`);
    expect(error.message).toContain(problem);
  });

  it('refuses a placeholder with a pointer to the runbook', () => {
    expect(rejection(parseDatabaseSecret, { schema: 1, placeholder: true }, []).message).toContain('runbook');
  });

  it('refuses malformed JSON without echoing it', () => {
    const raw = `{"password": "${password}"`;
    expect(rejection(parseDatabaseSecret, raw, [password]).message).toContain('not valid JSON');
    expect(rejection(parseDatabaseSecret, '[1,2]', []).message).toContain('must be a JSON object');
  });

  it('detects a url that went stale against the credential', () => {
    expect(() => assertDatabaseUrlConsistent(databaseSecretFixture)).not.toThrow();
    const stale = { ...databaseSecretFixture, password: 'new-password-123' };
    const error = rejection(() => assertDatabaseUrlConsistent(stale), undefined, ['new-password-123', password]);
    expect(error.field).toBe('url');
  });
});

describe('redis-password shape', () => {
  it('parses the fixture and builds rediss:// when TLS is on', () => {
    expect(parseRedisSecret(redisSecretFixture)).toEqual(redisSecretFixture);
    expect(buildRedisUrl({ ...redisSecretFixture, tls: false })).toBe('redis://gaara_app:fixture-redis-pass@cache.internal.example:6379');
  });

  it.each([
    ['tls', { tls: undefined }],
    ['adminarn', { adminarn: undefined }],
    ['adminarn', { userId: 'gaara-app-user' }],
    ['port', { port: 0 }],
  ])('names %s', (field, patch) => {
    expect(rejection(parseRedisSecret, { ...redisSecretFixture, ...patch }, [redisSecretFixture.password]).field).toBe(field);
  });

  it('accepts an ElastiCache user instead of an admin credential', () => {
    const { adminarn: _a, ...rest } = redisSecretFixture;
    expect(parseRedisSecret({ ...rest, userId: 'gaara-app' }).userId).toBe('gaara-app');
  });
});

describe('key ring shape', () => {
  const keys = [keyRingFixture.current.key, ...keyRingFixture.previous.map((k) => k.key)];

  it('parses the fixture', () => {
    expect(parseKeyRing(keyRingFixture)).toEqual(keyRingFixture);
  });

  it.each([
    ['current.key', (r: any) => ({ ...r, current: { ...r.current, key: 'c2hvcnQ' } }), 'at least 32 bytes'],
    ['current.key', (r: any) => ({ ...r, current: { ...r.current, key: 'not base64url!' } }), 'base64url'],
    ['previous[0].retiredAt', (r: any) => ({ ...r, previous: [{ ...r.previous[0], retiredAt: 'yesterday' }] }), 'ISO-8601'],
    ['previous[0].kid', (r: any) => ({ ...r, previous: [{ ...r.previous[0], kid: r.current.kid }] }), 'not unique'],
    ['previous', (r: any) => ({ ...r, previous: {} }), 'must be an array'],
    ['schema', (r: any) => ({ ...r, schema: undefined }), 'is missing'],
    ['current', (r: any) => ({ ...r, current: 'x' }), 'must be an object'],
  ])('names %s', (field, mutate, problem) => {
    const error = rejection((v) => parseKeyRing(v, { shape: 'jwt-secret' }), mutate(keyRingFixture), keys);
    expect(error.field).toBe(field);
    expect(error.message).toContain(problem);
    expect(error.message).toContain('jwt-secret');
  });

  it('enforces the catalog bound', () => {
    expect(rejection((v) => parseKeyRing(v, { maxPrevious: 0 }), keyRingFixture, keys).field).toBe('previous');
  });
});

describe('third-party shapes', () => {
  it('parses mail and sentry fixtures', () => {
    expect(parseMailSecret(mailSecretFixture)).toEqual(mailSecretFixture);
    expect(parseSentrySecret(sentrySecretFixture)).toEqual(sentrySecretFixture);
  });

  it('rejects bad values naming the field', () => {
    expect(rejection(parseMailSecret, { ...mailSecretFixture, password: undefined }, []).field).toBe('password');
    expect(rejection(parseSentrySecret, { dsn: 'not a url' }, ['not a url']).field).toBe('dsn');
    expect(rejection(parseSentrySecret, { dsn: 'https://o0.ingest.example.io/1' }, []).message).toContain('public key');
    expect(rejection(parseSentrySecret, { placeholder: true }, []).field).toBe('placeholder');
  });
});

describe('catalog', () => {
  it('lists the seven secrets once each, with a parser and a placeholder initial value', () => {
    expect(CATALOG.map((e) => e.name)).toEqual([...SECRET_NAMES]);
    for (const entry of CATALOG) {
      expect(isPlaceholder(entry.initialValue())).toBe(true);
      expect(() => entry.parse(entry.initialValue())).toThrow(SecretShapeError);
    }
  });

  it('rotates credentials every 30 days and key rings every 90, third-party by hand', () => {
    const byName = Object.fromEntries(CATALOG.map((e) => [e.name, e]));
    expect(byName['database-url'].rotationDays).toBe(30);
    expect(byName['redis-password'].rotationDays).toBe(30);
    expect(byName['jwt-secret'].rotationDays).toBe(90);
    expect(byName['mail-password'].rotator).toBeUndefined();
    expect(byName['sentry-dsn'].rotator).toBeUndefined();
    expect(byName['encryption-key'].ring?.dropOldest).toBe(false);
  });

  it('keeps every ring within the 64 KiB SecretString limit at its bound', () => {
    for (const entry of CATALOG.filter((e) => e.ring)) {
      const previous = Array.from({ length: entry.ring!.maxPrevious }, (_, i) => ({
        ...keyRingFixture.previous[0],
        kid: `k-2026-01-01-${String(i).padStart(6, '0')}`,
      }));
      const size = Buffer.byteLength(JSON.stringify({ ...keyRingFixture, previous }));
      expect(size).toBeLessThan(64 * 1024);
    }
  });
});

describe('databaseFieldsFromUrl (the inverse of buildDatabaseUrl, shared by the client fallback and gaara-secrets import-env)', () => {
  it('round-trips a built url, percent-encoding and TLS mode included', () => {
    const fields = { engine: 'postgres' as const, host: 'db.internal', port: 5433, username: 'app', password: 'p@ss/w:rd', dbname: 'gaara', ssl: false };
    expect(databaseFieldsFromUrl(new URL(buildDatabaseUrl(fields)))).toEqual(fields);
  });
  it("takes the engine family's default port and maps postgresql:// to postgres; an unknown scheme is undefined", () => {
    expect(databaseFieldsFromUrl(new URL('postgresql://a:b@h/d'))).toMatchObject({ engine: 'postgres', port: 5432 });
    expect(databaseFieldsFromUrl(new URL('aurora-postgresql://a:b@h/d'))).toMatchObject({ port: 5432 });
    expect(databaseFieldsFromUrl(new URL('mariadb://a:b@h/d'))).toMatchObject({ engine: 'mariadb', port: 3306 });
    expect(databaseFieldsFromUrl(new URL('oracle://a:b@h/d'))).toBeUndefined();
  });
});

describe('redisFieldsFromUrl (the inverse of buildRedisUrl, shared by the client fallback and gaara-secrets import-env)', () => {
  it('round-trips a built url: IPv6 host, percent-encoded user and password, rediss as TLS', () => {
    const fields = { host: '::1', port: 6380, username: 'app user', password: 'p@ss/w:rd', tls: true };
    expect(redisFieldsFromUrl(new URL(buildRedisUrl(fields)))).toEqual(fields);
  });
  it('leaves an absent port and user undefined for the caller, reads redis:// as plain text, and refuses other schemes', () => {
    expect(redisFieldsFromUrl(new URL('redis://:secret@cache.internal'))).toEqual({ host: 'cache.internal', password: 'secret', tls: false });
    expect(redisFieldsFromUrl(new URL('http://a:b@h:6379'))).toBeUndefined();
  });
});
