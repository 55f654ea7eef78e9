/**
 * withCredentialRetry against a real PostgreSQL 15 (scram-sha-256 enforced, TLS verified with the test CA) across a
 * real password change, with Secrets Manager's side modelled (test/support/secrets-manager-model.ts).
 */
import { PutSecretValueCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { buildDatabaseUrl, type DatabaseSecret } from '../../contracts';
import { startPostgres, type PostgresTestServer } from '../../test/support/postgres-server';
import { SecretsManagerModel } from '../../test/support/secrets-manager-model';
import { pgClientConfig } from '../src/adapters';
import type { SecretsManagerSender } from '../src/secrets/aws-source';
import { SecretsClient } from '../src/secrets/secrets-client';
import { captureOutput, renderings } from './support/capture';

const NAME = 'gaara-store/test/database-url';
const newPassword = () => `Pw${randomBytes(12).toString('hex')}`;

describe('withCredentialRetry with a real PostgreSQL server across a password change (Secrets Manager modelled)', () => {
  let pg: PostgresTestServer;
  const passwords: string[] = [];

  const secretWith = (password: string, host = pg.host): string => {
    const fields = { engine: 'postgres' as const, host, port: pg.port, username: 'gaara_app', password, dbname: 'postgres' };
    return JSON.stringify({ schema: 1, ...fields, url: buildDatabaseUrl(fields) });
  };
  const connect = async (db: DatabaseSecret): Promise<Client> => {
    const client = new Client({ ...pgClientConfig(db, { ca: pg.ca }), connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  const whoAmI = async (client: Client) => {
    try {
      return (await client.query<{ u: string; ssl: boolean }>('SELECT current_user AS u, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0];
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    pg = await startPostgres({ tls: true });
    passwords.push(newPassword());
    await pg.adminQuery(`CREATE ROLE gaara_app LOGIN PASSWORD '${passwords[0]}'`);
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('the server really refuses a wrong password (28P01)', async () => {
    const db = JSON.parse(secretWith('wrong-password')) as DatabaseSecret;
    await expect(connect(db)).rejects.toMatchObject({ code: '28P01' });
  });

  it('single-user rotation: AWSPENDING during the window, then the new AWSCURRENT; no password in output', async () => {
    const model = new SecretsManagerModel();
    model.createSecret(NAME, secretWith(passwords[0]));
    const secrets = new SecretsClient({ client: model as unknown as SecretsManagerSender, source: 'aws' });
    const stages: string[] = [];
    const tracked = (db: DatabaseSecret, attempt: { stage: string }) => (stages.push(attempt.stage), connect(db));

    await expect(whoAmI(await secrets.withCredentialRetry(NAME, tracked))).resolves.toEqual({ u: 'gaara_app', ssl: true });
    expect(stages).toEqual(['AWSCURRENT']);

    // createSecret + setSecret of a single-user rotation: AWSPENDING holds the new password, the server has it.
    passwords.push(newPassword());
    const token = model.startRotation(NAME);
    await model.send(
      new PutSecretValueCommand({ SecretId: NAME, ClientRequestToken: token, SecretString: secretWith(passwords[1]), VersionStages: ['AWSPENDING'] }),
    );
    await pg.adminQuery(`ALTER ROLE gaara_app PASSWORD '${passwords[1]}'`);

    stages.length = 0;
    const { result, output } = await captureOutput(() => secrets.withCredentialRetry(NAME, tracked));
    await expect(whoAmI(result as Client)).resolves.toEqual({ u: 'gaara_app', ssl: true });
    expect(stages).toEqual(['AWSCURRENT', 'AWSPENDING']);

    // finishSecret, and the service removes AWSPENDING.
    const currentVersion = [...[...model.secrets.values()][0].versions.values()].find((v) => v.stages.has('AWSCURRENT'))?.versionId;
    await model.send(
      new UpdateSecretVersionStageCommand({ SecretId: NAME, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: currentVersion }),
    );
    model.completeRotation(NAME);

    stages.length = 0;
    await expect(whoAmI(await secrets.withCredentialRetry(NAME, tracked))).resolves.toEqual({ u: 'gaara_app', ssl: true });
    expect(stages).toEqual(['AWSCURRENT', 'AWSCURRENT']); // cached old password refused, refreshed AWSCURRENT works

    for (const pw of passwords) expect(output).not.toContain(pw);
  });

  it('a TLS failure (certificate does not name the host) is thrown at once, never treated as a refused password', async () => {
    const model = new SecretsManagerModel();
    model.createSecret(NAME, secretWith(passwords[passwords.length - 1], pg.mismatchHost));
    const secrets = new SecretsClient({ client: model as unknown as SecretsManagerSender, source: 'aws' });
    let attempts = 0;
    const { error } = await captureOutput(() => secrets.withCredentialRetry(NAME, (db: DatabaseSecret) => (attempts++, connect(db))));
    expect(String((error as Error).message)).toMatch(/IP: 127\.0\.0\.2 is not in the cert's list|altnames/);
    expect(attempts).toBe(1);
    expect(model.calls.filter((c) => c.command === 'GetSecretValue')).toHaveLength(1);
    for (const pw of passwords) expect(renderings(error)).not.toContain(pw);
  });
});
