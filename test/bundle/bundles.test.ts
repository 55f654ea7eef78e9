/**
 * The esbuild output that `cdk synth` writes to cdk.out, loaded and run in a fresh Node.js process the way Lambda
 * runs it, against the MODELLED Secrets Manager served over HTTP (the bundle carries its own AWS SDK). The dev
 * environment is synthesized twice: as configured (PostgreSQL: the postgres entry of the database rotator) and with
 * a MariaDB database (the mysql entry), and each database bundle rotates a user on a real server of its engine.
 */
import { App } from 'aws-cdk-lib';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { buildDatabaseUrl, buildRedisUrl, parseDatabaseSecret, parseKeyRing, parseRedisSecret } from '../../contracts';
import { buildApp } from '../../lib/app';
import { ENVIRONMENTS } from '../../lib/config';
import { type BundleRun, CONFIGURED_TARGET_ENV, invokeBundle } from '../support/bundle-runner';
import { SecretsManagerModel } from '../support/secrets-manager-model';
import { connectMariaDbAdmin, MariaDbAdmin, uniqueName } from '../support/mariadb';
import { startPostgres } from '../support/postgres-server';
import { APP_USER_RULES, makeTestCertificates, startRedisServer } from '../support/redis-server';
import { ModelServer, serveModel } from '../support/secrets-manager-http';

const outdir = mkdtempSync(join(tmpdir(), 'bundle-test-'));
let bundles: Record<string, string>;
/** The database bundle of the dev environment synthesized with a MariaDB database (the mysql-family entry). */
let mysqlDatabaseBundle: string;
let server: ModelServer;
const model = new SecretsManagerModel();

/** Synthesizes the dev environment of `environments` into its own directory; the bundle of each function by name. */
function synthesizeDev(environments: typeof ENVIRONMENTS, dir: string): Record<string, string> {
  const app = new App({ outdir: dir, context: { env: 'dev', 'aws:cdk:enable-asset-metadata': true } });
  buildApp(app, environments);
  app.synth();
  const template = JSON.parse(readFileSync(join(dir, 'gaara-store-dev-secrets.template.json'), 'utf8'));
  const found: Record<string, string> = {};
  for (const [id, resource] of Object.entries<any>(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    found[id.replace(/(Rotation)?(Rotator)?Function.*$/, '')] = join(dir, resource.Metadata['aws:asset:path'], 'index.js');
  }
  return found;
}

beforeAll(async () => {
  bundles = synthesizeDev(ENVIRONMENTS, join(outdir, 'dev'));
  const withMariaDb = ENVIRONMENTS.map((e) => (e.envName === 'dev' ? { ...e, database: { ...e.database, engine: 'mariadb' as const, port: 3306 } } : e));
  mysqlDatabaseBundle = synthesizeDev(withMariaDb, join(outdir, 'dev-mariadb')).Database;
  server = await serveModel(model);
}, 300000);

let mariadb: MariaDbAdmin | undefined;

afterAll(async () => {
  await mariadb?.cleanup();
  await server?.close();
  rmSync(outdir, { recursive: true, force: true });
});

/** Invokes a bundle's handler in a fresh node process against the modelled service; what it printed and its outcome. */
function invoke(bundle: string, event: unknown, env: Record<string, string> = {}): Promise<BundleRun> {
  return invokeBundle(bundle, event, server.url, { POWERTOOLS_SERVICE_NAME: 'gaara-store-bundle-test', ...env });
}

describe('bundles written by cdk synth', () => {
  it('one bundle per function, each self-contained and small', () => {
    expect(Object.keys(bundles).sort()).toEqual(['Database', 'KeyRing', 'Redis', 'SecretAge']);
    for (const file of [...Object.values(bundles), mysqlDatabaseBundle]) {
      const source = readFileSync(file, 'utf8');
      expect(statSync(file).size).toBeLessThan(3 * 1024 * 1024);
      // The AWS SDK is bundled, not taken from the runtime.
      expect(source).not.toMatch(/require\(["']@aws-sdk\/client-/);
      expect(source).not.toMatch(/require\(["']@aws-lambda-powertools\//);
      expect(source).not.toMatch(/require\(["']aws-cdk-lib/);
    }
  });

  it('each database bundle carries only the driver of its engine family', () => {
    const postgres = readFileSync(bundles.Database, 'utf8');
    const mysql = readFileSync(mysqlDatabaseBundle, 'utf8');
    // Strings of each driver's own source (error texts it defines), which minification keeps.
    const PG_MARK = 'SASL: SCRAM-SERVER-FIRST-MESSAGE';
    const MYSQL_MARK = 'Unexpected packet during handshake phase';
    expect(postgres).toContain(PG_MARK);
    expect(postgres).not.toContain(MYSQL_MARK);
    expect(mysql).toContain(MYSQL_MARK);
    expect(mysql).not.toContain(PG_MARK);
    // dev names no RDS instance or cluster: no RDS client either.
    for (const bundle of [postgres, mysql]) expect(bundle).not.toContain('DescribeDBInstances');
  });

  /** What the stack sets beside the common variables: the target each rotator is confined to. */
  const CONFIGURED: Record<string, Record<string, string>> = CONFIGURED_TARGET_ENV;

  it.each([
    ['Database', 'configuration: environment variable DB_ENGINE, DB_HOST, DB_PORT, DB_NAME, DB_USERNAME, DB_TLS, DB_STRATEGY are not set'],
    ['Redis', 'configuration: environment variable REDIS_HOST, REDIS_PORT, REDIS_USERNAME, REDIS_TLS are not set'],
  ])('%s rotator started without its target configuration refuses to run, naming the variables', async (name, message) => {
    const before = model.calls.length;
    const { outcome, output } = await invoke(bundles[name], {
      Step: 'createSecret',
      SecretId: 'gaara-store/dev/x',
      ClientRequestToken: '00000000-1111-2222-3333-444444444444',
    });
    expect(outcome.ok).toBe(false);
    expect(output).toContain(message);
    expect(model.calls.length).toBe(before);
  });

  it("the dev key-ring rotator invoked on another environment's or application's secret: OutOfScope, no AWS call, nothing changed", async () => {
    for (const name of ['gaara-store/prod/jwt-secret', 'other-app/dev/jwt-secret']) {
      const arn = model.createSecret(name, JSON.stringify({ schema: 1, placeholder: true }));
      const token = model.startRotation(arn);
      const before = model.calls.length;
      const { outcome } = await invoke(bundles.KeyRing, { Step: 'createSecret', SecretId: arn, ClientRequestToken: token }, CONFIGURED.KeyRing);
      expect(outcome).toMatchObject({
        ok: false,
        name: 'RotationError(OutOfScope)',
        message: expect.stringContaining(`secret "${name}", step createSecret: refused`),
      });
      expect(model.calls.length).toBe(before);
      expect(model.valueAt(arn, 'AWSPENDING')).toBeUndefined();
    }
  });

  it.each(['Database', 'Redis', 'KeyRing'])('%s rotator: a malformed event is refused with a clear error and no AWS call', async (name) => {
    const before = model.calls.length;
    const { outcome, output } = await invoke(bundles[name], { Step: 'createSecret', SecretId: 'gaara-store/dev/x' }, CONFIGURED[name]);
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/ClientRequestToken/);
    expect(model.calls.length).toBe(before);
    expect(output).not.toMatch(/AKIDEXAMPLE|modelled-not-a-real-key/);
  });

  it('key-ring rotator: a full rotation from the deploy-time placeholder, driven like the service (modelled Secrets Manager over HTTP)', async () => {
    const arn = model.createSecret('gaara-store/dev/jwt-secret', JSON.stringify({ schema: 1, placeholder: true }));
    const token = model.startRotation(arn);
    const outputs: string[] = [];
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      const { outcome, output } = await invoke(bundles.KeyRing, { Step, SecretId: arn, ClientRequestToken: token });
      outputs.push(output);
      expect(outcome).toEqual({ ok: true, result: null });
    }
    model.completeRotation(arn);
    const ring = parseKeyRing(model.valueAt(arn, 'AWSCURRENT'), { shape: 'jwt-secret' });
    expect(ring.previous).toEqual([]);
    expect(Buffer.from(ring.current.key, 'base64url')).toHaveLength(32);
    // The generated key never appears in what the function printed.
    expect(outputs.join('\n')).not.toContain(ring.current.key);
    expect(outputs.join('\n')).toContain('RotationSucceeded');
  });

  it('secret-age function: publishes figures for every secret without reading a value (modelled Secrets Manager over HTTP)', async () => {
    const arn = model.createSecret('gaara-store/dev/sentry-dsn', JSON.stringify({ placeholder: true }));
    const secrets = JSON.stringify([{ name: 'sentry-dsn', id: arn, maxAgeDays: 90 }]);
    const before = model.calls.length;
    const { outcome, output } = await invoke(bundles.SecretAge, {}, { SECRETS_JSON: secrets });
    expect(outcome.ok).toBe(true);
    const calls = model.calls.slice(before).map((c) => c.command);
    expect(calls).not.toContain('GetSecretValue');
    expect(calls).toContain('ListSecretVersionIds');
    expect(output).toContain('DaysSinceRotation');
    expect(output).toContain('PlaceholderSecret');
  });

  it('database rotator, mysql entry: a single-user rotation on the real MariaDB server, driven like the service (modelled Secrets Manager over HTTP)', async () => {
    mariadb = await connectMariaDbAdmin({ prefix: 'bundle' });
    const username = uniqueName('bundle_app');
    const oldPassword = `old-${uniqueName('pw')}`;
    await mariadb.createUser(username, oldPassword);
    const base = { engine: 'mariadb' as const, host: mariadb.host, port: mariadb.port, username, password: oldPassword, dbname: mariadb.dbname, ssl: false };
    const arn = model.createSecret('gaara-store/dev/database-url', JSON.stringify({ schema: 1, ...base, url: buildDatabaseUrl(base) }));
    const env = {
      DB_ENGINE: 'mariadb',
      DB_HOST: mariadb.host,
      DB_PORT: String(mariadb.port),
      DB_NAME: mariadb.dbname,
      DB_USERNAME: username,
      DB_TLS: 'false',
      DB_STRATEGY: 'single-user',
    };
    const token = model.startRotation(arn);
    const outputs: string[] = [];
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      const { outcome, output } = await invoke(mysqlDatabaseBundle, { Step, SecretId: arn, ClientRequestToken: token }, env);
      outputs.push(output);
      expect(outcome).toEqual({ ok: true, result: null });
    }
    model.completeRotation(arn);
    const current = parseDatabaseSecret(model.valueAt(arn, 'AWSCURRENT'));
    expect(current.password).not.toBe(oldPassword);
    const login = (password: string) =>
      createConnection({ host: mariadb!.host, port: mariadb!.port, user: username, password, database: mariadb!.dbname }).then((c) => c.end());
    await expect(login(current.password)).resolves.toBeUndefined();
    await expect(login(oldPassword)).rejects.toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });
    expect(parseDatabaseSecret(model.valueAt(arn, 'AWSPREVIOUS')).password).toBe(oldPassword);
    for (const secret of [current.password, encodeURIComponent(current.password), oldPassword]) expect(outputs.join('\n')).not.toContain(secret);
  });

  it('database rotator, mysql entry: a secret naming another MariaDB user than DB_USERNAME is refused; that user keeps its password (real MariaDB, modelled Secrets Manager over HTTP)', async () => {
    mariadb ??= await connectMariaDbAdmin({ prefix: 'bundle' });
    const app = uniqueName('bundle_app');
    const victim = uniqueName('bundle_victim');
    const victimPassword = `victim-${uniqueName('pw')}`;
    await mariadb.createUser(app, `app-${uniqueName('pw')}`);
    await mariadb.createUser(victim, victimPassword);
    const base = {
      engine: 'mariadb' as const,
      host: mariadb.host,
      port: mariadb.port,
      username: victim,
      password: 'attacker-chosen-password',
      dbname: mariadb.dbname,
      ssl: false,
    };
    const arn = model.createSecret('gaara-store/dev/database-url', JSON.stringify({ schema: 1, ...base, url: buildDatabaseUrl(base) }));
    const env = {
      DB_ENGINE: 'mariadb',
      DB_HOST: mariadb.host,
      DB_PORT: String(mariadb.port),
      DB_NAME: mariadb.dbname,
      DB_USERNAME: app,
      DB_TLS: 'false',
      DB_STRATEGY: 'single-user',
    };
    const token = model.startRotation(arn);
    const { outcome } = await invoke(mysqlDatabaseBundle, { Step: 'createSecret', SecretId: arn, ClientRequestToken: token }, env);
    expect(outcome).toMatchObject({ ok: false, name: 'RotationError(TargetMismatch)', message: expect.stringContaining('AWSCURRENT field "username"') });
    expect(model.valueAt(arn, 'AWSPENDING')).toBeUndefined();
    const login = (user: string, password: string) =>
      createConnection({ host: mariadb!.host, port: mariadb!.port, user, password, database: mariadb!.dbname }).then((c) => c.end());
    await expect(login(victim, victimPassword)).resolves.toBeUndefined();
  });

  /** Runs the four steps of one rotation through a bundle; returns what the function printed. */
  async function rotateThrough(bundle: string, arn: string, env: Record<string, string>): Promise<string> {
    const token = model.startRotation(arn);
    const outputs: string[] = [];
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      const { outcome, output } = await invoke(bundle, { Step, SecretId: arn, ClientRequestToken: token }, env);
      outputs.push(output);
      expect(outcome).toEqual({ ok: true, result: null });
    }
    model.completeRotation(arn);
    return outputs.join('\n');
  }

  it('database rotator, postgres entry: a single-user rotation on a real PostgreSQL over verified TLS (CA from NODE_EXTRA_CA_CERTS), driven like the service (modelled Secrets Manager over HTTP)', async () => {
    const pg = await startPostgres({ tls: true });
    try {
      const caFile = join(outdir, 'pg-ca.pem');
      writeFileSync(caFile, pg.ca);
      const oldPassword = `old-${uniqueName('pw')}`;
      await pg.adminQuery(`CREATE ROLE bundle_app LOGIN PASSWORD '${oldPassword}'`);
      const base = { engine: 'postgres' as const, host: 'localhost', port: pg.port, username: 'bundle_app', password: oldPassword, dbname: 'postgres' };
      const arn = model.createSecret('gaara-store/dev/database-url', JSON.stringify({ schema: 1, ...base, url: buildDatabaseUrl(base) }));
      const env = {
        DB_ENGINE: 'postgres',
        DB_HOST: 'localhost',
        DB_PORT: String(pg.port),
        DB_NAME: 'postgres',
        DB_USERNAME: 'bundle_app',
        DB_TLS: 'true',
        DB_STRATEGY: 'single-user',
        NODE_EXTRA_CA_CERTS: caFile,
      };
      const output = await rotateThrough(bundles.Database, arn, env);
      const current = parseDatabaseSecret(model.valueAt(arn, 'AWSCURRENT'));
      expect(current.password).not.toBe(oldPassword);
      const login = async (password: string) => {
        const client = new Client({ host: 'localhost', port: pg.port, user: 'bundle_app', password, database: 'postgres', ssl: { ca: pg.ca } });
        await client.connect();
        await client.end();
      };
      await expect(login(current.password)).resolves.toBeUndefined();
      await expect(login(oldPassword)).rejects.toMatchObject({ code: '28P01' });
      for (const secret of [current.password, encodeURIComponent(current.password), oldPassword]) expect(output).not.toContain(secret);
    } finally {
      await pg.stop();
    }
  });

  it('redis rotator: a rotation on a real TLS-only redis-server (CA from NODE_EXTRA_CA_CERTS): both passwords live, driven like the service (modelled Secrets Manager over HTTP)', async () => {
    const tls = makeTestCertificates(mkdtempSync(join(outdir, 'redis-tls-')));
    const oldPassword = `old-${uniqueName('pw')}`;
    const redis = await startRedisServer({ tls, users: [{ name: 'bundle_app', passwords: [oldPassword], rules: APP_USER_RULES }] });
    try {
      const adminArn = model.createSecret('gaara-store/dev/admin/redis', JSON.stringify(redis.admin));
      const base = { host: 'localhost', port: redis.port, username: 'bundle_app', password: oldPassword, tls: true };
      const arn = model.createSecret('gaara-store/dev/redis-password', JSON.stringify({ schema: 1, ...base, adminarn: adminArn, url: buildRedisUrl(base) }));
      const env = {
        REDIS_HOST: 'localhost',
        REDIS_PORT: String(redis.port),
        REDIS_USERNAME: 'bundle_app',
        REDIS_TLS: 'true',
        REDIS_ADMIN_SECRET_ARN: adminArn,
        NODE_EXTRA_CA_CERTS: tls.caFile,
      };
      const output = await rotateThrough(bundles.Redis, arn, env);
      const current = parseRedisSecret(model.valueAt(arn, 'AWSCURRENT'));
      expect(current.password).not.toBe(oldPassword);
      const acl = readFileSync(redis.aclFile, 'utf8');
      for (const password of [current.password, oldPassword]) expect(acl).toContain(createHash('sha256').update(password).digest('hex'));
      for (const secret of [current.password, oldPassword, redis.admin.password]) expect(output).not.toContain(secret);
    } finally {
      await redis.stop();
    }
  });
});
