/**
 * SecretsClient over HashiCorp Vault KV v2 (VaultSecretSource) against a modelled Vault HTTP API
 * (client/test/support/vault-model.ts: real HTTP on 127.0.0.1, answers written from Vault's API documentation).
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { databaseSecretFixture } from '../../contracts/fixtures';
import { SecretsClientError } from '../src/errors';
import { SecretsClient, type StaleEvent } from '../src/secrets/secrets-client';
import { VaultSecretSource, type VaultSourceOptions } from '../src/secrets/vault-source';
import { freePort } from '../../test/support/free-port';
import { VaultModel } from './support/vault-model';

const ID = 'gaara-store/test/database-url';
const PATH = `secret/${ID}`;

function clock(start = Date.now()) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('Vault KV v2 source (modelled Vault HTTP API)', () => {
  let vault: VaultModel;
  const c = clock();
  beforeEach(async () => {
    c.t = Date.now();
    vault = await new VaultModel().start();
    vault.now = c.now;
  });
  afterEach(async () => vault.stop());

  const client = (
    auth: VaultSourceOptions['auth'],
    extra: Partial<VaultSourceOptions> = {},
    clientExtra: ConstructorParameters<typeof SecretsClient>[0] = {},
  ) => {
    const source = new VaultSecretSource({ address: vault.address, auth, now: c.now, ...extra });
    return { source, secrets: new SecretsClient({ vault: source, now: c.now, random: () => 0, env: {}, ...clientExtra }) };
  };

  it('modelled: token auth reads the latest version through the cache (100 concurrent cold reads: one Vault read), namespace header sent', async () => {
    vault.namespace = 'team-a';
    vault.put(PATH, databaseSecretFixture as unknown as Record<string, unknown>);
    vault.put('secret/gaara-store/test/smtp-password', { value: 'bare-string' });
    vault.readDelayMs = 10;
    const { source, secrets } = client({ method: 'token', token: vault.issueToken() }, { namespace: 'team-a' });
    expect(secrets.source.kind).toBe('vault');
    expect(source.dataPath(ID)).toBe('secret/data/gaara-store/test/database-url');
    const values = await Promise.all(Array.from({ length: 100 }, () => secrets.getDatabaseSecret(ID)));
    expect(new Set(values.map((v) => v.reveal().host))).toEqual(new Set([databaseSecretFixture.host]));
    expect(values[0].versionId).toBe('1');
    await secrets.getDatabaseSecret(ID);
    expect(vault.dataReads()).toBe(1);
    expect((await secrets.getSecret('gaara-store/test/smtp-password')).reveal()).toBe('bare-string');
    expect(vault.requests.every((r) => r.namespace === 'team-a')).toBe(true);
    // Without the namespace the token is not valid (tokens belong to their namespace).
    const other = client({ method: 'token', token: vault.issueToken() }).secrets;
    await expect(other.getSecret(ID)).rejects.toMatchObject({ reason: 'access-denied', httpStatusCode: 403 });
  });

  it('modelled: AppRole login, renew-self once two thirds of the lease passed, a new login past the max TTL or after a revocation', async () => {
    vault.put(PATH, { value: 'v1' });
    vault.approle.ttlSeconds = 60;
    vault.approle.maxTtlSeconds = 150;
    const { source, secrets } = client({ method: 'approle', roleId: vault.approle.roleId, secretId: vault.approle.secretId }, {}, { ttlMs: 1_000 });
    await secrets.getSecret(ID);
    expect(source.calls).toMatchObject({ login: 1, renew: 0 });
    c.t += 30_000; // half the lease: no renewal
    await secrets.getSecret(ID);
    expect(source.calls).toMatchObject({ login: 1, renew: 0 });
    c.t += 15_000; // 45 s: past two thirds, before expiry
    await secrets.getSecret(ID);
    expect(source.calls).toMatchObject({ login: 1, renew: 1 });
    c.t += 100_000; // past the max TTL: the token expired, renewing is refused, log in again
    await secrets.getSecret(ID);
    expect(source.calls).toMatchObject({ login: 2 });
    for (const token of vault.tokens.values()) token.revoked = true;
    c.t += 2_000;
    expect((await secrets.getSecret(ID)).reveal()).toBe('v1'); // 403, one new login, the read retried
    expect(source.calls.login).toBe(3);
    await expect(client({ method: 'approle', roleId: vault.approle.roleId, secretId: 'wrong' }).secrets.getSecret(ID)).rejects.toMatchObject({
      httpStatusCode: 400,
    });
  });

  it('modelled: versions: versionId reads a given version, AWSPREVIOUS the one before the latest, AWSPENDING is not found (no stages)', async () => {
    vault.put(PATH, { value: 'v1' });
    vault.put(PATH, { value: 'v2' });
    const { secrets } = client({ method: 'token', token: vault.issueToken() });
    expect((await secrets.getSecret(ID)).reveal()).toBe('v2');
    expect((await secrets.getSecret(ID, { versionId: '1' })).reveal()).toBe('v1');
    expect((await secrets.getSecret(ID, { stage: 'AWSPREVIOUS' })).versionId).toBe('1');
    await expect(secrets.getSecret(ID, { stage: 'AWSPENDING' })).rejects.toMatchObject({ reason: 'not-found' });
    await expect(secrets.getSecret('gaara-store/test/absent')).rejects.toMatchObject({ reason: 'not-found', httpStatusCode: 404 });
    expect((await secrets.getSecret('gaara-store/test/absent', { default: '' })).reveal()).toBe('');
    await fetch(`${vault.address}/v1/secret/data/${ID}`, { method: 'DELETE', headers: { 'X-Vault-Token': vault.issueToken() } });
    await expect(secrets.getSecret(ID, { forceRefresh: true })).rejects.toMatchObject({ reason: 'not-found' }); // latest soft-deleted
  });

  it('modelled: write with check-and-set: the expected version writes, a stale one is a conflict', async () => {
    vault.put(PATH, { value: 'v1' });
    const { source, secrets } = client({ method: 'token', token: vault.issueToken() });
    expect(await source.write(ID, JSON.stringify({ user: 'app', password: 'p2' }), { cas: 1 })).toEqual({ versionId: '2' });
    const lost = await source.write(ID, 'p3', { cas: 1 }).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(SecretsClientError);
    expect(lost).toMatchObject({ reason: 'conflict', httpStatusCode: 400 });
    expect(await source.write('gaara-store/test/new-one', 'fresh', { cas: 0 })).toEqual({ versionId: '1' });
    expect(JSON.parse((await secrets.getSecret(ID)).reveal())).toEqual({ user: 'app', password: 'p2' });
    expect((await secrets.getSecret('gaara-store/test/new-one')).reveal()).toBe('fresh');
  });

  it('modelled: health reports active, standby, performance standby, sealed, uninitialized and unreachable', async () => {
    const { source } = client({ method: 'token', token: vault.issueToken() });
    const seen: string[] = [];
    for (const state of ['active', 'standby', 'performance-standby', 'sealed', 'uninitialized'] as const) {
      vault.state = state;
      seen.push((await source.health()).status);
    }
    expect(seen).toEqual(['active', 'standby', 'performance-standby', 'sealed', 'uninitialized']);
    expect(await source.health()).toMatchObject({ httpStatus: 501 });
    const closed = new VaultSecretSource({ address: `http://127.0.0.1:${await freePort()}`, auth: { method: 'token', token: 't' } });
    expect(await closed.health()).toMatchObject({ status: 'unreachable', error: 'ECONNREFUSED' });
  });

  it.each([429, 412, 503])('modelled: %i after expiry serves the stale value (and emits "stale"); 403 and 404 fail at once', async (status) => {
    const canary = `pw-${randomBytes(8).toString('hex')}`;
    vault.put(PATH, { value: canary });
    const { secrets } = client({ method: 'token', token: vault.issueToken() }, {}, { ttlMs: 1_000 });
    const stale: StaleEvent[] = [];
    secrets.on('stale', (e: StaleEvent) => stale.push(e));
    await secrets.getSecret(ID);
    c.t += 2_000;
    vault.inject.push(status);
    expect((await secrets.getSecret(ID)).reveal()).toBe(canary);
    expect(stale).toEqual([expect.objectContaining({ secretId: ID, versionId: '1', awsErrorName: `VaultHttp${status}` })]);
    c.t += 10_000;
    vault.inject.push(403);
    const denied = await secrets.getSecret(ID).catch((e: unknown) => e);
    expect(denied).toMatchObject({ reason: 'access-denied' });
    expect(`${String(denied)} ${inspect(denied)} ${JSON.stringify(stale)}`).not.toContain(canary);
  });

  it('modelled: withCredentialRetry over Vault refreshes the latest version, then tries the previous one (no stages in KV v2)', async () => {
    vault.put(PATH, { value: 'old-password' });
    const { secrets } = client({ method: 'token', token: vault.issueToken() }, {}, { minRefreshIntervalMs: 0 });
    const refused = Object.assign(new Error('password authentication failed'), { code: '28P01' });
    let accepted = 'old-password';
    const connect = async (password: string) => {
      if (password !== accepted) throw refused;
      return password;
    };
    await secrets.getSecret(ID); // cached: old-password (version 1)
    vault.put(PATH, { value: 'new-password' }); // rotated: the database took it too
    accepted = 'new-password';
    await expect(secrets.withCredentialRetry<string, string>(ID, connect, { parse: (raw) => raw })).resolves.toBe('new-password');
    vault.put(PATH, { value: 'newest-password' }); // written, but the database change was rolled back
    await secrets.getSecret(ID, { forceRefresh: true });
    const attempts: string[] = [];
    await expect(secrets.withCredentialRetry<string, string>(ID, async (p, a) => (attempts.push(a.stage), connect(p)), { parse: (raw) => raw })).resolves.toBe(
      'new-password',
    );
    expect(attempts).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
  });

  it('modelled: the development fallback still wins in development; source "vault" needs the vault option; tokens are not inspectable', async () => {
    const token = vault.issueToken();
    const dev = new SecretsClient({
      vault: { address: vault.address, auth: { method: 'token', token } },
      env: { NODE_ENV: 'development' },
      dotenvPath: false,
      warn: () => undefined,
    });
    expect(dev.source.kind).toBe('environment');
    expect(() => new SecretsClient({ source: 'vault', env: {} })).toThrow(/needs the vault option/);
    const { source, secrets } = client({ method: 'token', token });
    vault.put(PATH, { value: 'x' });
    await secrets.getSecret(ID);
    const printed = [
      inspect(source, { customInspect: false, showHidden: true, depth: Infinity }),
      JSON.stringify(source),
      inspect(secrets, { customInspect: false, showHidden: true, depth: 4 }),
    ].join('\n');
    expect(printed).not.toContain(token);
    expect(printed).not.toContain(vault.approle.secretId);
  });
});
