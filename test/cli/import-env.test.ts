/** `gaara-secrets import-env`: the real CLI against the MODELLED Secrets Manager over HTTP. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDatabaseSecret, parseKeyRing, parseMailSecret, parseRedisSecret } from '../../contracts';
import { createWorld, gen, type World } from './support/world';

let w: World;
const dir = mkdtempSync(join(tmpdir(), 'cli-import-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
};

const v = {
  secretKey: gen('flask-secret-key-0123456789abcdef'),
  jwt: gen('jwt-secret-key-0123456789abcdefghij'),
  dbPassword: gen('db'),
  redis: gen('redis'),
  mail: gen('mail'),
  sentryKey: gen('sentrykey').replace(/[-_]/g, 'x'),
  flask: gen('other-name-key-0123456789abcdefghijk'),
};
let envFile: string;

beforeAll(async () => {
  w = await createWorld();
  w.arns('staging');
  w.values.push(...Object.values(v));
  envFile = file(
    '.env',
    [
      "# the teams' .env",
      `SECRET_KEY=${v.secretKey}`,
      `JWT_SECRET_KEY="${v.jwt}"`,
      `DATABASE_URL=postgresql://gaara_app:${encodeURIComponent(v.dbPassword)}@staging-db.gaara.internal:5432/gaara`,
      `REDIS_PASSWORD=${v.redis}`,
      'MAIL_SERVER=smtp.example.com',
      'MAIL_PORT=587',
      'MAIL_USERNAME=mailer',
      `export MAIL_PASSWORD=${v.mail}`,
      `SENTRY_DSN=https://${v.sentryKey}@o1.ingest.sentry.io/42`,
      'DEBUG=false',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await w.server.close();
});
afterEach(() => expect(w.leaks()).toEqual([]));

const id = (name: string) => w.arns('staging')[name];
const writes = (since: number) => w.model.calls.slice(since).filter((c) => c.command === 'PutSecretValue');

describe('import-env (modelled Secrets Manager over HTTP)', () => {
  it('modelled: --dry-run shows which secrets, variables and fields (never values), writes nothing, exit 0', async () => {
    const before = w.model.calls.length;
    const r = await w.cli(['import-env', envFile, '--env', 'staging', '--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/database-url\s+DATABASE_URL\s+dbname,engine,host,password,port,url,username\s+placeholder\s+write/);
    expect(r.stdout).toMatch(
      /mail-password\s+MAIL_PASSWORD,MAIL_SERVER,MAIL_PORT,MAIL_USERNAME|mail-password\s+MAIL_SERVER,MAIL_PORT,MAIL_USERNAME,MAIL_PASSWORD/,
    );
    expect(r.stdout).toMatch(/redis-password\s+REDIS_PASSWORD\s+adminarn,host,password,port,tls,url,username/);
    expect(r.stdout).toContain('not imported (no mapping; add them with --map): DEBUG');
    expect(r.stdout).toContain('dry run: nothing written');
    expect(r.stdout).not.toContain('encryption-key');
    expect(writes(before)).toEqual([]);
  });

  it('modelled: without a terminal and without --yes nothing is written (exit 10)', async () => {
    const before = w.model.calls.length;
    const r = await w.cli(['import-env', envFile, '--env', 'staging']);
    expect(r.code).toBe(10);
    expect(writes(before)).toEqual([]);
  });

  it('modelled: --yes writes every placeholder in its value shape, validated by contracts/; the stored values are the .env values', async () => {
    const r = await w.cli(['import-env', envFile, '--env', 'staging', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('note: import-env writes secret values of gaara-store/staging: run it as the break-glass role (gaara-store-break-glass)');
    const db = parseDatabaseSecret(w.model.valueAt(id('database-url'), 'AWSCURRENT'));
    expect(db).toMatchObject({
      engine: 'postgres',
      host: 'staging-db.gaara.internal',
      port: 5432,
      username: 'gaara_app',
      password: v.dbPassword,
      dbname: 'gaara',
    });
    expect(Buffer.from(parseKeyRing(w.model.valueAt(id('secret-key'), 'AWSCURRENT'), { shape: 'secret-key' }).current.key, 'base64url').toString('utf8')).toBe(
      v.secretKey,
    );
    expect(Buffer.from(parseKeyRing(w.model.valueAt(id('jwt-secret'), 'AWSCURRENT'), { shape: 'jwt-secret' }).current.key, 'base64url').toString('utf8')).toBe(
      v.jwt,
    );
    expect(parseRedisSecret(w.model.valueAt(id('redis-password'), 'AWSCURRENT'))).toMatchObject({
      host: 'staging-cache.gaara.internal',
      password: v.redis,
      tls: true,
    });
    expect(parseMailSecret(w.model.valueAt(id('mail-password'), 'AWSCURRENT'))).toEqual({
      host: 'smtp.example.com',
      port: 587,
      username: 'mailer',
      password: v.mail,
    });
    expect(JSON.parse(w.model.valueAt(id('sentry-dsn'), 'AWSCURRENT')!).dsn).toContain(v.sentryKey);
    // The placeholder stays as AWSPREVIOUS; encryption-key (not in the file) is untouched.
    expect(JSON.parse(w.model.valueAt(id('mail-password'), 'AWSPREVIOUS')!)).toEqual({ placeholder: true });
    expect(w.model.versionAt(id('encryption-key'), 'AWSPREVIOUS')).toBeUndefined();
  });

  it('modelled: a second import skips secrets that hold a value; --force overwrites them; --map covers other names', async () => {
    const before = w.model.calls.length;
    const map = file('map.json', JSON.stringify({ FLASK_SECRET: 'secret-key' }));
    const other = file('other.env', `FLASK_SECRET=${v.flask}\n`);
    let r = await w.cli(['import-env', other, '--env', 'staging', '--map', map, '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/secret-key\s+FLASK_SECRET\s+current,previous\s+has a value\s+skip: holds a value \(use --force\)/);
    expect(writes(before)).toEqual([]);
    r = await w.cli(['import-env', other, '--env', 'staging', '--map', map, '--yes', '--force']);
    expect(r.code).toBe(0);
    expect(writes(before).map((c) => c.input.SecretId)).toEqual(['gaara-store/staging/secret-key']);
    expect(Buffer.from(parseKeyRing(w.model.valueAt(id('secret-key'), 'AWSCURRENT'), { shape: 'secret-key' }).current.key, 'base64url').toString('utf8')).toBe(
      v.flask,
    );
  });

  it('modelled: a malformed .env line, a DATABASE_URL that does not parse, and a short key: one line each naming the problem (exit 11), no value, nothing written', async () => {
    const before = w.model.calls.length;
    const leaky = gen('leaky');
    w.values.push(leaky);
    let r = await w.cli(['import-env', file('bad.env', `SECRET_KEY=${v.secretKey}\nthis line ${leaky} is wrong\n`), '--env', 'staging', '--yes', '--force']);
    expect(r.code).toBe(11);
    expect(r.stderr).toMatch(/bad\.env line 2 is not NAME=value: fix that line/);
    r = await w.cli(['import-env', file('badurl.env', `DATABASE_URL=not a url ${leaky}\n`), '--env', 'staging', '--yes', '--force']);
    expect(r.code).toBe(11);
    expect(r.stderr).toContain('DATABASE_URL does not parse as a URL (expected postgresql://user:password@host:port/dbname)');
    r = await w.cli(['import-env', file('short.env', 'JWT_SECRET_KEY=short\n'), '--env', 'staging', '--yes', '--force']);
    expect(r.code).toBe(11);
    expect(r.stderr).toContain('JWT_SECRET_KEY: a key must be at least 32 bytes');
    // Two names of the shared table (contracts/env-names.ts) for one value: refused, not picked from.
    r = await w.cli(['import-env', file('twice.env', `JWT_SECRET_KEY=${v.jwt}\nJWT_SECRET=${v.flask}\n`), '--env', 'staging', '--yes', '--force']);
    expect(r.code).toBe(11);
    expect(r.stderr).toContain(
      'JWT_SECRET_KEY and JWT_SECRET both set jwt-secret: keep one in the .env (or map one elsewhere with --map); nothing was written',
    );
    r = await w.cli(['import-env', file('badredis.env', `REDIS_URL=http://${leaky}@cache:6379\n`), '--env', 'staging', '--yes', '--force']);
    expect(r.code).toBe(11);
    expect(r.stderr).toContain('REDIS_URL: the URL scheme must be redis or rediss; nothing was written');
    expect(writes(before)).toEqual([]);
    expect(w.model.calls.length).toBe(before);
  });

  it('modelled: the other names of the shared table: REDIS_URL, SMTP_* and JWT_SECRET; a Redis target other than the config is warned about (dry run, nothing written)', async () => {
    const before = w.model.calls.length;
    const r = await w.cli([
      'import-env',
      file(
        'other-names.env',
        [
          `JWT_SECRET=${v.jwt}`,
          `REDIS_URL=rediss://gaara_app:${v.redis}@other-cache.internal:6380`,
          'SMTP_HOST=smtp.example.com',
          'SMTP_USER=mailer',
          `SMTP_PASSWORD=${v.mail}`,
        ].join('\n') + '\n',
      ),
      '--env',
      'staging',
      '--dry-run',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout).plan as { secret: string; from: string[]; fields: string[]; differsFromConfig: string[] }[];
    expect(plan.map((p) => [p.secret, [...p.from].sort(), p.differsFromConfig])).toEqual([
      ['jwt-secret', ['JWT_SECRET'], []],
      ['redis-password', ['REDIS_URL'], ['host', 'port']],
      ['mail-password', ['SMTP_HOST', 'SMTP_PASSWORD', 'SMTP_USER'], []],
    ]);
    expect(writes(before)).toEqual([]);
  });
});
