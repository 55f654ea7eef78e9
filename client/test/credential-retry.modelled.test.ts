import { PutSecretValueCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { randomBytes } from 'node:crypto';
import { buildDatabaseUrl, type DatabaseSecret } from '../../contracts';
import { databaseSecretFixture } from '../../contracts/fixtures';
import { SecretsManagerModel } from '../../test/support/secrets-manager-model';
import type { SecretsManagerSender } from '../src/secrets/aws-source';
import { SecretsClient } from '../src/secrets/secrets-client';
import { captureOutput, renderings } from './support/capture';

const NAME = 'gaara-store/test/database-url';
const password = () => `pw-${randomBytes(9).toString('base64url')}`;
const secretWith = (pw: string): string => {
  const { url: _u, schema: _s, ...fields } = databaseSecretFixture;
  return JSON.stringify({ schema: 1, ...fields, password: pw, url: buildDatabaseUrl({ ...fields, password: pw }) });
};

/** A database that accepts exactly the passwords in `valid`, refusing others with PostgreSQL's 28P01. */
function fakeDatabase(valid: Set<string>) {
  const attempts: string[] = [];
  const connect = async (db: DatabaseSecret) => {
    attempts.push(db.password);
    if (!valid.has(db.password)) throw Object.assign(new Error(`password authentication failed for user "${db.username}"`), { code: '28P01' });
    return { connectedAs: db.username, password: db.password };
  };
  return { attempts, connect };
}

async function setup() {
  const model = new SecretsManagerModel();
  const first = password();
  model.createSecret(NAME, secretWith(first));
  const client = new SecretsClient({ client: model as unknown as SecretsManagerSender, source: 'aws' });
  const gets = () => model.calls.filter((c) => c.command === 'GetSecretValue').length;
  return { model, first, client, gets };
}

/** Single-user rotation up to and including setSecret: AWSPENDING holds the new password, the database has it. */
async function rotateToPending(model: SecretsManagerModel, next: string, valid: Set<string>): Promise<string> {
  const token = model.startRotation(NAME);
  await model.send(new PutSecretValueCommand({ SecretId: NAME, ClientRequestToken: token, SecretString: secretWith(next), VersionStages: ['AWSPENDING'] }));
  valid.clear();
  valid.add(next);
  return token;
}

async function finishRotation(model: SecretsManagerModel, token: string): Promise<void> {
  const current = [...model.secrets.values()][0];
  const holder = [...current.versions.values()].find((v) => v.stages.has('AWSCURRENT'));
  await model.send(
    new UpdateSecretVersionStageCommand({ SecretId: NAME, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: holder?.versionId }),
  );
  model.completeRotation(NAME);
}

describe('withCredentialRetry (Secrets Manager modelled, database faked)', () => {
  it('connects with the cached AWSCURRENT when it works: one read, one attempt', async () => {
    const { first, client, gets } = await setup();
    const db = fakeDatabase(new Set([first]));
    await expect(client.withCredentialRetry(NAME, db.connect)).resolves.toMatchObject({ password: first });
    expect(gets()).toBe(1);
    expect(db.attempts).toEqual([first]);
  });

  it('in the single-user window (database changed, AWSCURRENT not yet) falls back to AWSPENDING', async () => {
    const { model, first, client, gets } = await setup();
    const valid = new Set([first]);
    const db = fakeDatabase(valid);
    await client.withCredentialRetry(NAME, db.connect);
    const next = password();
    await rotateToPending(model, next, valid);
    const stages: string[] = [];
    await expect(client.withCredentialRetry(NAME, (c, attempt) => (stages.push(attempt.stage), db.connect(c)))).resolves.toMatchObject({ password: next });
    expect(stages).toEqual(['AWSCURRENT', 'AWSPENDING']); // the refreshed AWSCURRENT was the same version: not retried
    expect(gets()).toBe(3); // first read, forced AWSCURRENT refresh, AWSPENDING
  });

  it('after the rotation finished, a stale cached credential is replaced by the refreshed AWSCURRENT', async () => {
    const { model, first, client } = await setup();
    const valid = new Set([first]);
    const db = fakeDatabase(valid);
    await client.withCredentialRetry(NAME, db.connect);
    const next = password();
    await finishRotation(model, await rotateToPending(model, next, valid));
    const stages: string[] = [];
    await expect(client.withCredentialRetry(NAME, (c, a) => (stages.push(a.stage), db.connect(c)))).resolves.toMatchObject({ password: next });
    expect(stages).toEqual(['AWSCURRENT', 'AWSCURRENT']);
  });

  it('a rotation finishing right after a retry still leads the next retry to the new AWSCURRENT (no refresh skipped)', async () => {
    const { model, first, client } = await setup();
    const valid = new Set([first]);
    const db = fakeDatabase(valid);
    await client.withCredentialRetry(NAME, db.connect);
    const next = password();
    const token = await rotateToPending(model, next, valid);
    await client.withCredentialRetry(NAME, db.connect); // via AWSPENDING; AWSCURRENT was refreshed just now
    await finishRotation(model, token);
    const stages: string[] = [];
    await expect(client.withCredentialRetry(NAME, (c, a) => (stages.push(a.stage), db.connect(c)))).resolves.toMatchObject({ password: next });
    expect(stages).toEqual(['AWSCURRENT', 'AWSCURRENT']);
  });

  it('a burst of 20 refused connections costs one AWSCURRENT refresh and one AWSPENDING read in total', async () => {
    const { model, first, client, gets } = await setup();
    const valid = new Set([first]);
    const db = fakeDatabase(valid);
    await client.withCredentialRetry(NAME, db.connect);
    await rotateToPending(model, password(), valid);
    const before = gets();
    model.beforeCall = async () => new Promise((r) => setTimeout(r, 10)); // calls overlap, as over a network
    await Promise.all(Array.from({ length: 20 }, () => client.withCredentialRetry(NAME, db.connect)));
    expect(gets() - before).toBe(2);
  });

  it('does not retry on a non-authentication error (network, TLS): thrown at once, no refresh', async () => {
    const { client, gets } = await setup();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    let calls = 0;
    await expect(
      client.withCredentialRetry(NAME, async () => {
        calls += 1;
        throw refused;
      }),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
    expect(gets()).toBe(1);
  });

  it('recognises mysql2 1045, redis WRONGPASS/NOAUTH and a custom predicate; throws the last refusal when all fail', async () => {
    const { client } = await setup();
    for (const error of [
      Object.assign(new Error("Access denied for user 'app'@'host' (using password: YES)"), { code: 'ER_ACCESS_DENIED_ERROR', errno: 1045 }),
      new Error('WRONGPASS invalid username-password pair or user is disabled.'),
      new Error('NOAUTH Authentication required.'),
    ]) {
      let calls = 0;
      await expect(
        client.withCredentialRetry(NAME, async () => {
          calls += 1;
          throw error;
        }),
      ).rejects.toBe(error);
      expect(calls).toBe(1); // refreshed AWSCURRENT is the same version and there is no AWSPENDING: nothing else to try
    }
    const custom = Object.assign(new Error('login refused by proxy'), { code: 'PROXY_AUTH' });
    const stages: string[] = [];
    await expect(
      client.withCredentialRetry(
        NAME,
        async (_c, a) => {
          stages.push(a.stage);
          throw custom;
        },
        { isAuthError: (e) => (e as { code?: string }).code === 'PROXY_AUTH' },
      ),
    ).rejects.toBe(custom);
    expect(stages).toEqual(['AWSCURRENT']);
  });

  it('no password in output or errors across a failed retry (canary search)', async () => {
    const { model, first, client } = await setup();
    const valid = new Set([first]);
    await rotateToPending(model, password(), valid);
    valid.clear(); // nothing logs in
    const db = fakeDatabase(valid);
    const { error, output } = await captureOutput(() => client.withCredentialRetry(NAME, db.connect));
    expect(db.attempts).toHaveLength(2);
    const everything = `${output}\n${renderings(error)}`;
    for (const pw of db.attempts) expect(everything).not.toContain(pw);
  });
});
