/**
 * The database rotator against a REAL PostgreSQL 15 cluster of the test's own: scram-sha-256 enforced for every
 * TCP connection, TLS only (hostssl), server certificate from the test's CA. Secrets Manager is MODELLED.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { RotationError } from '../../../lambdas/rotation/errors';
import { driveRotation, rotationEvent } from '../../support/drive-rotation';
import { captureOutput, findLeaks, OutputCapture } from '../../support/log-capture';
import { PostgresTestServer, startPostgres } from '../../support/postgres-server';
import { SecretsManagerModel } from '../../support/secrets-manager-model';
import { makeHandler, modelSnapshot, postgresTarget, SECRET_NAME, SecretValues, secretValue, Target } from './harness';
import { rotationScenarios } from './scenarios';

let pg: PostgresTestServer;
let dir: string;

rotationScenarios('PostgreSQL 15 (scram-sha-256 enforced, TLS verified with the test CA)', {
  async start() {
    dir = mkdtempSync(join(tmpdir(), 'pg-rot-'));
    pg = await startPostgres({ tls: true });
    return postgresTarget(pg, dir);
  },
  async stop() {
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  },
  userName: (prefix) => `${prefix}_${randomBytes(3).toString('hex')}`,
});

describe('database rotator TLS verification against a real PostgreSQL (Secrets Manager modelled)', () => {
  let server: PostgresTestServer;
  let t: Target;
  let tdir: string;
  const values = new SecretValues();
  let output: OutputCapture;
  const models: SecretsManagerModel[] = [];
  beforeAll(async () => {
    output = captureOutput();
    tdir = mkdtempSync(join(tmpdir(), 'pg-tls-'));
    server = await startPostgres({ tls: true });
    t = await postgresTarget(server, tdir);
  });
  afterAll(async () => {
    output?.stop();
    await server?.stop();
    rmSync(tdir, { recursive: true, force: true });
  });

  async function tlsFailure(host: string, ca: string | null) {
    const model = new SecretsManagerModel();
    models.push(model);
    const username = `tls_${randomBytes(3).toString('hex')}`;
    const password = values.generator();
    await t.createUser(username, password);
    const target = { ...t, host };
    const arn = model.createSecret(SECRET_NAME, JSON.stringify(secretValue(target, username, password)));
    const handler = makeHandler(model, target, values, { strategy: 'single-user', ca });
    const token = model.startRotation(arn);
    await handler(rotationEvent('createSecret', arn, token));
    const before = modelSnapshot(model, arn);
    const hash = await t.storedHash(username);
    let error: unknown;
    try {
      await handler(rotationEvent('setSecret', arn, token));
    } catch (e) {
      error = e;
      output.addError(e);
    }
    expect(error).toBeInstanceOf(RotationError);
    expect(modelSnapshot(model, arn)).toBe(before);
    expect(await t.storedHash(username)).toBe(hash);
    expect(await t.logsIn(username, password)).toBe(true);
    return error as RotationError;
  }

  it('a server certificate from a CA the function does not trust: Tls error naming secret and step, nothing changed, no fallback', async () => {
    const e = await tlsFailure(t.host, null);
    expect(e.errorClass).toBe('Tls');
    expect(e.message).toMatch(SECRET_NAME);
    expect(e.message).toMatch('setSecret');
  });

  it('a host name the certificate does not name (127.0.0.2): Tls error, nothing changed', async () => {
    const e = await tlsFailure(server.mismatchHost, t.ca as string);
    expect(e.errorClass).toBe('Tls');
    expect(e.message).toMatch(/ALTNAME|TLS/);
  });

  it('a function configured for plaintext (DB_TLS=false, the secret agreeing) against a TLS-only server: Tls error, never a silent downgrade', async () => {
    const model = new SecretsManagerModel();
    models.push(model);
    const username = `plain_${randomBytes(3).toString('hex')}`;
    const password = values.generator();
    await t.createUser(username, password);
    const plaintextTarget: Target = { ...t, ssl: false };
    const arn = model.createSecret(SECRET_NAME, JSON.stringify(secretValue(plaintextTarget, username, password)));
    const handler = makeHandler(model, plaintextTarget, values, { strategy: 'single-user' });
    const token = model.startRotation(arn);
    await handler(rotationEvent('createSecret', arn, token));
    await expect(handler(rotationEvent('setSecret', arn, token))).rejects.toMatchObject({ errorClass: 'Tls' });
    expect(await t.logsIn(username, password)).toBe(true);
  });

  it('the stored password is a SCRAM-SHA-256 verifier computed by the function (the plaintext never reaches the server)', async () => {
    const model = new SecretsManagerModel();
    models.push(model);
    const username = `scram_${randomBytes(3).toString('hex')}`;
    const password = values.generator();
    await t.createUser(username, password);
    const arn = model.createSecret(SECRET_NAME, JSON.stringify(secretValue(t, username, password)));
    await driveRotation(model, arn, makeHandler(model, t, values, { strategy: 'single-user' }), { token: randomUUID() });
    expect(await t.storedHash(username)).toMatch(/^SCRAM-SHA-256\$4096:/);
  });

  it('with no injected CA the driver trusts NODE_EXTRA_CA_CERTS (how Lambda loads the RDS CAs) and nothing else', async () => {
    const { execFileSync } = await import('node:child_process');
    const { writeFileSync } = await import('node:fs');
    const username = `extra_${randomBytes(3).toString('hex')}`;
    const password = values.generator();
    await t.createUser(username, password);
    const caFile = join(tdir, 'extra-ca.pem');
    writeFileSync(caFile, t.ca as string);
    const login = (extraCa: string | undefined) =>
      execFileSync(process.execPath, [require.resolve('tsx/cli'), join(__dirname, 'login-child.ts')], {
        env: {
          ...process.env,
          ...(extraCa ? { NODE_EXTRA_CA_CERTS: extraCa } : { NODE_EXTRA_CA_CERTS: '' }),
          LOGIN_ENDPOINT: JSON.stringify({ engine: 'postgres', host: t.host, port: t.port, username, password, dbname: t.dbname }),
        },
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .toString()
        .trim();
    expect(login(caFile)).toBe('OK');
    expect(login(undefined)).toBe('Tls');
  });

  it('no password from these tests appears in the captured logs, metrics or errors', () => {
    for (const m of models) values.collectFrom(m);
    expect(output.text).toContain('rotation step failed');
    expect(findLeaks(output.text, values.all, 'generated value')).toEqual([]);
  });
});
