/** `gaara-secrets rollback`: the real CLI against the MODELLED Secrets Manager over HTTP; the prompt in a real terminal (tmux). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDatabaseUrl, buildRedisUrl } from '../../contracts';
import { ENVIRONMENTS, type EnvironmentConfig } from '../../lib/config';
import { startPostgres, type PostgresTestServer } from '../support/postgres-server';
import { startRedisServer, type RedisTestServer, APP_USER_RULES } from '../support/redis-server';
import { freePort } from '../support/free-port';
import { startInTmux, type Terminal } from './support/tmux';
import { createWorld, gen, type World } from './support/world';

let w: World;
let redis: RedisTestServer | undefined;
let pg: PostgresTestServer | undefined;
let term: Terminal | undefined;

beforeAll(async () => {
  w = await createWorld();
  w.arns('dev');
  await w.seed('dev', 40);
  await w.seed('dev', 2, ['secret-key', 'jwt-secret', 'mail-password']);
});
afterAll(async () => {
  term?.kill();
  await redis?.stop();
  await pg?.stop();
  await w.server.close();
});
afterEach(() => {
  term?.kill();
  term = undefined;
  expect(w.leaks()).toEqual([]);
});

const id = (name: string) => w.arns('dev')[name];
/** An environments file (--config) whose dev database or cache is the test's local server, as the stack would be configured. */
function devConfigFile(change: (dev: EnvironmentConfig) => EnvironmentConfig): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cli-rollback-')), 'envs.json');
  writeFileSync(file, JSON.stringify([change(ENVIRONMENTS[0]!)]));
  return file;
}
/** A TCP listener that only counts connections: proves a credential was sent nowhere. */
async function countingListener(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server: Server = createServer((socket) => {
    count += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { port, connections: () => count, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
const cur = (name: string) => w.model.versionAt(id(name), 'AWSCURRENT')!.versionId;
const prev = (name: string) => w.model.versionAt(id(name), 'AWSPREVIOUS')!.versionId;

describe('rollback (modelled Secrets Manager over HTTP)', () => {
  it('modelled: without a terminal and without --yes nothing changes (exit 10); the break-glass note comes first', async () => {
    const before = w.model.stagesOf(id('mail-password'));
    const r = await w.cli(['rollback', 'mail-password', '--env', 'dev']);
    expect(r.code).toBe(10);
    expect(r.stderr.split('\n')[0]).toContain(
      'note: rollback changes which value of gaara-store/dev/mail-password is current: run it as the break-glass role (gaara-store-break-glass); its use fires the break-glass alarm',
    );
    expect(r.stdout).toContain(`AWSCURRENT   ${cur('mail-password')} -> ${prev('mail-password')}`);
    expect(r.stderr).toContain('no terminal to confirm on and no --yes: nothing changed');
    expect(w.model.stagesOf(id('mail-password'))).toEqual(before);
    expect(w.model.calls.some((c) => c.command === 'UpdateSecretVersionStage')).toBe(false);
  });

  it('modelled: --yes moves AWSCURRENT to AWSPREVIOUS and AWSPREVIOUS to the old current; no value read for a third-party secret', async () => {
    const [c, p] = [cur('mail-password'), prev('mail-password')];
    const before = w.model.calls.length;
    const r = await w.cli(['rollback', 'mail-password', '--env', 'dev', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`✓ mail-password: AWSCURRENT is now ${p}; AWSPREVIOUS is ${c}.`);
    expect([cur('mail-password'), prev('mail-password')]).toEqual([p, c]);
    expect(w.model.calls.slice(before).map((x) => x.command)).toEqual(['ListSecretVersionIds', 'UpdateSecretVersionStage']);
  });

  it('modelled: refused while a rotation is in progress (exit 8) and for a version that does not exist (exit 9); nothing changed', async () => {
    const token = w.model.startRotation(id('jwt-secret'));
    const before = w.model.stagesOf(id('jwt-secret'));
    let r = await w.cli(['rollback', 'jwt-secret', '--env', 'dev', '--yes']);
    expect(r.code).toBe(8);
    expect(r.stderr).toContain(`jwt-secret has a rotation in progress (AWSPENDING on ${token.slice(0, 8)})`);
    expect(w.model.stagesOf(id('jwt-secret'))).toEqual(before);
    w.model.completeRotation(id('jwt-secret'));
    r = await w.cli(['rollback', 'jwt-secret', '--env', 'dev', '--yes', '--to-version', '00000000-0000-0000-0000-000000000000']);
    expect(r.code).toBe(9);
    expect(r.stderr).toContain('jwt-secret has no version "00000000-0000-0000-0000-000000000000": list them with gaara-secrets history jwt-secret');
  });

  it('modelled: database-url whose older credential cannot be checked from here (unreachable): refused with what to do (exit 8); --skip-login-check --yes proceeds', async () => {
    const port = await freePort(); // nothing listens
    const config = devConfigFile((dev) => ({ ...dev, database: { ...dev.database, host: '127.0.0.1', port, tls: false } }));
    const password = gen('dbold');
    w.values.push(password);
    const base = { engine: 'postgres' as const, host: '127.0.0.1', port, username: 'gaara_app', password, dbname: 'gaara', ssl: false };
    const old = await w.model.putCurrent(id('database-url'), JSON.stringify({ schema: 1, ...base, url: buildDatabaseUrl(base) }), 30);
    const newer = await w.model.putCurrent(id('database-url'), JSON.stringify({ schema: 1, ...base, password: gen('dbnew'), url: 'postgresql://x' }), 1);
    let r = await w.cli(['rollback', 'database-url', '--env', 'dev', '--config', config, '--yes']);
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(
      new RegExp(
        `cannot check that the credential in version ${old.slice(0, 8)} logs in: unreachable \\(ECONNREFUSED\\) from this machine; run from inside the database's network, or check by hand and pass --skip-login-check; nothing changed`,
      ),
    );
    expect(cur('database-url')).toBe(newer);
    r = await w.cli(['rollback', 'database-url', '--env', 'dev', '--config', config, '--yes', '--skip-login-check']);
    expect(r.code).toBe(0);
    expect(cur('database-url')).toBe(old);
  });

  it('modelled, attack: an older database-url version naming another host or port than the config is refused (exit 8); its password reaches no server', async () => {
    const elsewhere = await countingListener();
    try {
      const configuredPort = await freePort();
      const config = devConfigFile((dev) => ({ ...dev, database: { ...dev.database, host: '127.0.0.1', port: configuredPort, tls: false } }));
      const password = gen('dbhostile');
      w.values.push(password);
      const hostile = { engine: 'postgres' as const, host: '127.0.0.1', port: elsewhere.port, username: 'gaara_app', password, dbname: 'gaara', ssl: false };
      const old = await w.model.putCurrent(id('database-url'), JSON.stringify({ schema: 1, ...hostile, url: buildDatabaseUrl(hostile) }), 20);
      const newer = await w.model.putCurrent(
        id('database-url'),
        JSON.stringify({ schema: 1, ...hostile, port: configuredPort, password: gen('dbnow'), url: 'postgresql://x' }),
        1,
      );
      const r = await w.cli(['rollback', 'database-url', '--env', 'dev', '--config', config, '--yes']);
      expect(r.code).toBe(8);
      expect(r.stderr).toContain(
        `version ${old.slice(0, 8)} names another port than the environment config (database.port): the rotator would refuse it and its password is sent nowhere`,
      );
      expect(elsewhere.connections()).toBe(0);
      expect(cur('database-url')).toBe(newer);
    } finally {
      await elsewhere.close();
    }
  });

  it('modelled: database-url against a real PostgreSQL (password auth): an older password that still logs in is restored; after the password changed it is refused (exit 8, 28P01)', async () => {
    pg = await startPostgres();
    const oldPw = gen('pgold');
    const newPw = gen('pgnew');
    const resetPw = gen('pgreset');
    w.values.push(oldPw, newPw, resetPw);
    await pg.adminQuery(`CREATE ROLE gaara_app LOGIN PASSWORD '${oldPw}'`);
    await pg.adminQuery('CREATE DATABASE gaara OWNER gaara_app');
    const config = devConfigFile((dev) => ({
      ...dev,
      database: { ...dev.database, engine: 'postgres', host: '127.0.0.1', port: pg!.port, dbname: 'gaara', username: 'gaara_app', tls: false },
    }));
    const shape = (password: string) => {
      const base = { engine: 'postgres' as const, host: '127.0.0.1', port: pg!.port, username: 'gaara_app', password, dbname: 'gaara', ssl: false };
      return JSON.stringify({ schema: 1, ...base, url: buildDatabaseUrl(base) });
    };
    const old = await w.model.putCurrent(id('database-url'), shape(oldPw), 30);
    const newer = await w.model.putCurrent(id('database-url'), shape(newPw), 1);
    let r = await w.cli(['rollback', 'database-url', '--env', 'dev', '--config', config, '--yes']);
    expect(r.stderr).not.toContain('cannot check');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('login check  ok');
    expect([cur('database-url'), prev('database-url')]).toEqual([old, newer]);
    // The database password moves on (a reset by hand): the stored old password no longer logs in.
    await pg.adminQuery(`ALTER ROLE gaara_app PASSWORD '${resetPw}'`);
    r = await w.cli(['rollback', 'database-url', '--env', 'dev', '--config', config, '--yes']);
    expect(r.code).toBe(8);
    expect(r.stderr).toContain(`the credential in version ${newer.slice(0, 8)} no longer logs in (28P01): rolling back would break the application`);
    expect(cur('database-url')).toBe(old);
  });

  it('modelled: redis-password against a real redis-server: an older password that still logs in is restored; one that no longer does is refused (exit 8)', async () => {
    const oldPw = gen('redisold');
    const newPw = gen('redisnew');
    const gonePw = gen('redisgone');
    w.values.push(oldPw, newPw, gonePw);
    redis = await startRedisServer({ users: [{ name: 'gaara_app', passwords: [oldPw, newPw], rules: APP_USER_RULES }] });
    const shape = (password: string) =>
      JSON.stringify({
        schema: 1,
        host: '127.0.0.1',
        port: redis!.port,
        username: 'gaara_app',
        password,
        tls: false,
        url: buildRedisUrl({ host: '127.0.0.1', port: redis!.port, username: 'gaara_app', password, tls: false }),
        adminarn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:gaara-store/dev/admin/redis-AbCdEf',
      });
    const gone = await w.model.putCurrent(id('redis-password'), shape(gonePw), 60);
    const old = await w.model.putCurrent(id('redis-password'), shape(oldPw), 30);
    const newer = await w.model.putCurrent(id('redis-password'), shape(newPw), 1);
    const config = devConfigFile((dev) => ({ ...dev, redis: { ...dev.redis, host: '127.0.0.1', port: redis!.port, tls: false } }));
    let r = await w.cli(['rollback', 'redis-password', '--env', 'dev', '--config', config, '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('login check  ok');
    expect([cur('redis-password'), prev('redis-password')]).toEqual([old, newer]);
    r = await w.cli(['rollback', 'redis-password', '--env', 'dev', '--config', config, '--yes', '--to-version', gone]);
    expect(r.code).toBe(8);
    expect(r.stderr).toContain(`the credential in version ${gone.slice(0, 8)} no longer logs in (WRONGPASS): rolling back would break the application`);
    expect(cur('redis-password')).toBe(old);
  });

  it('modelled, in a real terminal (tmux): the prompt shows the plan; a wrong answer changes nothing; the secret name confirms', async () => {
    const [c, p] = [cur('secret-key'), prev('secret-key')];
    term = startInTmux(['rollback', 'secret-key', '--env', 'dev'], w.env);
    let screen = await term.waitFor('Type secret-key to confirm:');
    expect(screen).toContain(`AWSCURRENT   ${c} -> ${p}`);
    expect(screen).toContain('key rings: prefer rotating forward');
    term.type('yes');
    screen = await term.waitFor('EXIT=');
    w.outputs.push(screen);
    expect(screen).toContain('not confirmed (expected "secret-key"): nothing changed');
    expect(screen).toContain('EXIT=10');
    expect(cur('secret-key')).toBe(c);
    term.kill();

    term = startInTmux(['rollback', 'secret-key', '--env', 'dev'], w.env);
    await term.waitFor('Type secret-key to confirm:');
    term.type('secret-key');
    screen = await term.waitFor('EXIT=');
    w.outputs.push(screen);
    expect(screen).toContain(`✓ secret-key: AWSCURRENT is now ${p}`);
    expect(screen).toContain('EXIT=0');
    expect([cur('secret-key'), prev('secret-key')]).toEqual([p, c]);
  });
});
