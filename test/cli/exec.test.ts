/** `gaara-secrets exec`: the real CLI against the MODELLED Secrets Manager over HTTP. */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDatabaseSecret, parseKeyRing, parseRedisSecret } from '../../contracts';
import { createWorld, type World } from './support/world';

let w: World;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
/** A child that prints only hashes of the variables it got (never a value). */
const HASHER = `const c=require('crypto');const o={};for(const n of process.argv.slice(1))o[n]=process.env[n]===undefined?null:c.createHash('sha256').update(process.env[n]).digest('hex');process.stdout.write(JSON.stringify(o)+'\\n')`;

beforeAll(async () => {
  w = await createWorld();
  w.arns('dev');
  await w.seed('dev', 2, ['secret-key', 'database-url', 'redis-password']);
});
afterAll(async () => {
  await w.server.close();
});
afterEach(() => expect(w.leaks()).toEqual([]));

const id = (name: string) => w.arns('dev')[name];

describe('exec (modelled Secrets Manager over HTTP)', () => {
  it('modelled: the command gets the secrets as variables (checked by hash), placeholders are left unset and named, nothing is printed or changed', async () => {
    const stagesBefore = w.model.stagesOf(id('database-url'));
    const r = await w.cli([
      'exec',
      '--env',
      'dev',
      '--',
      process.execPath,
      '-e',
      HASHER,
      'DATABASE_URL',
      'REDIS_PASSWORD',
      'SECRET_KEY',
      'MAIL_PASSWORD',
      'SENTRY_DSN',
    ]);
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout.trim());
    expect(got.DATABASE_URL).toBe(sha(parseDatabaseSecret(w.model.valueAt(id('database-url'), 'AWSCURRENT')).url));
    expect(got.REDIS_PASSWORD).toBe(sha(parseRedisSecret(w.model.valueAt(id('redis-password'), 'AWSCURRENT')).password));
    expect(got.SECRET_KEY).toBe(sha(parseKeyRing(w.model.valueAt(id('secret-key'), 'AWSCURRENT'), { shape: 'secret-key' }).current.key));
    expect(got.MAIL_PASSWORD).toBeNull();
    expect(got.SENTRY_DSN).toBeNull();
    expect(r.stderr).toContain("note: exec reads secret values of gaara-store/dev into the command's environment: run it as the break-glass role");
    expect(r.stderr).toContain('note: not set (still placeholders): jwt-secret, encryption-key, mail-password, sentry-dsn');
    expect(w.model.stagesOf(id('database-url'))).toEqual(stagesBefore);
    expect(new Set(w.model.calls.map((c) => c.command))).not.toContain('PutSecretValue');
  });

  it("modelled: --names chooses the variable names; the exit code is the command's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-exec-'));
    const names = join(dir, 'names.json');
    writeFileSync(names, JSON.stringify({ APP_DB: 'database-url.url' }));
    let r = await w.cli(['exec', '--env', 'dev', '--names', names, '--', process.execPath, '-e', HASHER, 'APP_DB', 'DATABASE_URL']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({
      APP_DB: sha(parseDatabaseSecret(w.model.valueAt(id('database-url'), 'AWSCURRENT')).url),
      DATABASE_URL: null,
    });
    expect(w.model.calls.filter((c) => c.command === 'GetSecretValue').map((c) => c.input.SecretId)).toContain('gaara-store/dev/database-url');
    r = await w.cli(['exec', '--env', 'dev', '--names', names, '--', process.execPath, '-e', 'process.exit(3)']);
    expect(r.code).toBe(3);
  });

  it('modelled: AccessDenied on GetSecretValue names the break-glass role (exit 6) and runs nothing', async () => {
    w.model.beforeCall = (name) => {
      if (name === 'GetSecretValue') throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    };
    const r = await w.cli(['exec', '--env', 'dev', '--', process.execPath, '-e', 'process.stdout.write("RAN")']);
    w.model.beforeCall = undefined;
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(
      /AWS refused secretsmanager:GetSecretValue on gaara-store\/dev\/[a-z-]+ \(AccessDenied\): this command needs the break-glass role \(gaara-store-break-glass\)/,
    );
    expect(r.stdout).not.toContain('RAN');
  });
});
