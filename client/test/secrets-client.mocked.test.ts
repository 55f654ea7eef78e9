import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes } from 'node:crypto';
import { databaseSecretFixture, keyRingFixture } from '../../contracts/fixtures';
import { SecretsClientError } from '../src/errors';
import { SecretsClient, type StaleEvent } from '../src/secrets/secrets-client';
import { captureOutput, renderings } from './support/capture';

const ID = 'gaara-store/test/database-url';
const sm = mockClient(SecretsManagerClient);

function awsError(name: string, httpStatusCode: number): Error {
  return Object.assign(new Error(`${name}: upstream text`), { name, $metadata: { httpStatusCode, requestId: 'req-1' } });
}

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

function newClient(extra: Partial<ConstructorParameters<typeof SecretsClient>[0]> = {}) {
  return new SecretsClient({ client: new SecretsManagerClient({ region: 'eu-west-1' }), source: 'aws', random: () => 0, ...extra });
}

beforeEach(() => sm.reset());

describe('SecretsClient (Secrets Manager mocked)', () => {
  it('coalesces 100 concurrent cold reads of one secret into exactly one GetSecretValue call', async () => {
    sm.on(GetSecretValueCommand).callsFake(async () => {
      await new Promise((r) => setTimeout(r, 20));
      return { SecretString: 'value-1', VersionId: 'v1' };
    });
    const client = newClient();
    const values = await Promise.all(Array.from({ length: 100 }, () => client.getSecret(ID)));
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(new Set(values.map((v) => v.reveal()))).toEqual(new Set(['value-1']));
  });

  it('serves from cache within the TTL and reads again after it (5 minute default, jittered down by at most 10%)', async () => {
    const c = clock();
    let n = 0;
    sm.on(GetSecretValueCommand).callsFake(async () => ({ SecretString: `value-${++n}`, VersionId: `v${n}` }));
    const client = newClient({ now: c.now, random: () => 1 }); // jitter draw 1: shortest TTL, 270 s
    expect((await client.getSecret(ID)).reveal()).toBe('value-1');
    c.t += 269_000;
    expect((await client.getSecret(ID)).reveal()).toBe('value-1');
    c.t += 2_000;
    expect((await client.getSecret(ID)).reveal()).toBe('value-2');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('keys the cache by stage and version id, and passes them to GetSecretValue', async () => {
    sm.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: 'current', VersionId: 'v1' });
    sm.on(GetSecretValueCommand, { VersionStage: 'AWSPENDING' }).resolves({ SecretString: 'pending', VersionId: 'v2' });
    sm.on(GetSecretValueCommand, { VersionId: 'v0' }).resolves({ SecretString: 'old', VersionId: 'v0' });
    const client = newClient();
    expect((await client.getSecret(ID)).reveal()).toBe('current');
    expect((await client.getSecret(ID, { stage: 'AWSPENDING' })).reveal()).toBe('pending');
    expect((await client.getSecret(ID, { versionId: 'v0' })).reveal()).toBe('old');
    expect((await client.getSecret(ID, { stage: 'AWSCURRENT' })).versionId).toBe('v1');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(3);
  });

  it('forceRefresh skips the cache, and a burst of forced reads shares one call', async () => {
    const c = clock();
    let n = 0;
    sm.on(GetSecretValueCommand).callsFake(async () => ({ SecretString: `value-${++n}`, VersionId: `v${n}` }));
    const client = newClient({ now: c.now });
    await client.getSecret(ID);
    c.t += 5_000;
    const forced = await Promise.all(Array.from({ length: 10 }, () => client.getSecret(ID, { forceRefresh: true })));
    expect(forced.map((v) => v.reveal())).toEqual(Array(10).fill('value-2'));
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    // Within minRefreshIntervalMs of the last fetch a forced read reuses it.
    await client.getSecret(ID, { forceRefresh: true });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it.each([
    ['ThrottlingException', 400],
    ['InternalServiceError', 500],
    ['TimeoutError', 0],
  ])('after expiry, on %s, serves the stale value for at most maxStale and emits "stale"', async (name, status) => {
    const c = clock();
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'good', VersionId: 'v1' }).rejects(awsError(name, status));
    const client = newClient({ now: c.now, ttlMs: 60_000, maxStaleMs: 120_000, staleRetryMs: 10_000 });
    const events: StaleEvent[] = [];
    client.on('stale', (e: StaleEvent) => events.push(e));
    await client.getSecret(ID);
    c.t += 61_000;
    expect((await client.getSecret(ID)).reveal()).toBe('good');
    expect(events).toEqual([{ secretId: ID, stage: 'AWSCURRENT', versionId: 'v1', staleForMs: 1_000, awsErrorName: name }]);
    c.t += 5_000; // within staleRetryMs: no new call
    await client.getSecret(ID);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    c.t += 115_000; // past expiry + maxStale
    await expect(client.getSecret(ID)).rejects.toMatchObject({ reason: 'unavailable', secretId: ID, awsErrorName: name });
  });

  it('a network error (ECONNRESET) after expiry is served stale too', async () => {
    const c = clock();
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 'good', VersionId: 'v1' })
      .rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const client = newClient({ now: c.now, ttlMs: 1_000 });
    await client.getSecret(ID);
    c.t += 2_000;
    expect((await client.getSecret(ID)).reveal()).toBe('good');
  });

  it('a call that hangs times out after fetchTimeoutMs and counts as unavailable (stale served)', async () => {
    const c = clock();
    let calls = 0;
    const hangingAfterFirst = {
      send: async () => {
        calls += 1;
        if (calls === 1) return { SecretString: 'good', VersionId: 'v1', $metadata: {} };
        return new Promise<never>(() => undefined); // ignores abortSignal, never settles
      },
    };
    const client = new SecretsClient({ client: hangingAfterFirst, source: 'aws', now: c.now, ttlMs: 1_000, fetchTimeoutMs: 50 });
    const stale: StaleEvent[] = [];
    client.on('stale', (e: StaleEvent) => stale.push(e));
    await client.getSecret(ID);
    c.t += 2_000;
    expect((await client.getSecret(ID)).reveal()).toBe('good');
    expect(stale[0]?.awsErrorName).toBe('TimeoutError');
  });

  it.each([
    ['AccessDeniedException', 'access-denied'],
    ['ResourceNotFoundException', 'not-found'],
  ])('%s fails at once with one call, even when a stale value exists', async (name, reason) => {
    const c = clock();
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'good', VersionId: 'v1' }).rejects(awsError(name, 400));
    const client = newClient({ now: c.now, ttlMs: 1_000 });
    await client.getSecret(ID);
    c.t += 2_000;
    await expect(client.getSecret(ID)).rejects.toMatchObject({ reason, secretId: ID });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('never caches an error: the next read calls again and succeeds', async () => {
    sm.on(GetSecretValueCommand).rejectsOnce(awsError('ThrottlingException', 400)).resolves({ SecretString: 'ok', VersionId: 'v1' });
    const client = newClient();
    await expect(client.getSecret(ID)).rejects.toBeInstanceOf(SecretsClientError);
    expect((await client.getSecret(ID)).reveal()).toBe('ok');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('returns the default only when the secret does not exist', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'missing' }).rejects(awsError('ResourceNotFoundException', 400));
    sm.on(GetSecretValueCommand, { SecretId: 'denied' }).rejects(awsError('AccessDeniedException', 400));
    const client = newClient();
    expect((await client.getSecret('missing', { default: 'fallback' })).reveal()).toBe('fallback');
    await expect(client.getSecret('denied', { default: 'fallback' })).rejects.toMatchObject({ reason: 'access-denied' });
  });

  it('getDatabaseSecret returns the parsed DatabaseSecret (with url), parsed once per version', async () => {
    const { url: _url, ...withoutUrl } = databaseSecretFixture;
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(withoutUrl), VersionId: 'v1' });
    const client = newClient();
    const db = await client.getDatabaseSecret(ID);
    expect(db.reveal().url).toBe(databaseSecretFixture.url);
    expect(await client.getDatabaseSecret(ID)).toBe(db);
    expect(String(db)).toBe('[REDACTED]');
  });

  it('getKeyRing applies the catalog bounds of the secret name', async () => {
    const previous = Array.from({ length: 5 }, (_, i) => ({ ...keyRingFixture.previous[0], kid: `old-${i}` }));
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ ...keyRingFixture, previous }), VersionId: 'v1' });
    const client = newClient();
    await expect(client.getKeyRing('gaara-store/test/jwt-secret')).rejects.toThrow(/jwt-secret secret: field "previous" holds more than the 4 keys/);
    expect((await client.getKeyRing('gaara-store/test/encryption-key')).reveal().previous).toHaveLength(5);
  });

  it('rejects bad input and bad options with clear errors', async () => {
    const client = newClient();
    await expect(client.getSecret('')).rejects.toThrow('secretId must be a non-empty string');
    expect(() => newClient({ ttlMs: -1 })).toThrow('SecretsClient option ttlMs must be a finite number >= 0');
    expect(() => newClient({ jitter: 2 })).toThrow('jitter must be between 0 and 1');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('keeps the cache bounded (least recently used evicted)', async () => {
    sm.on(GetSecretValueCommand).callsFake(async (input: { SecretId: string }) => ({ SecretString: input.SecretId, VersionId: 'v' }));
    const client = newClient({ maxEntries: 2 });
    await client.getSecret('a');
    await client.getSecret('b');
    await client.getSecret('c');
    expect(client.cachedVersionId('a')).toBeUndefined();
    expect(client.cachedVersionId('c')).toBe('v');
  });

  it('evicts the least recently read entry, counting cached (hot-path) reads as uses', async () => {
    sm.on(GetSecretValueCommand).callsFake(async (input: { SecretId: string }) => ({ SecretString: input.SecretId, VersionId: 'v' }));
    const client = newClient({ maxEntries: 2 });
    await client.getSecret('a');
    await client.getSecret('b');
    expect((await client.getSecret('a')).reveal()).toBe('a'); // a cached read: a is now more recent than b
    await client.getSecret('c');
    expect(client.cachedVersionId('b')).toBeUndefined();
    expect(client.cachedVersionId('a')).toBe('v');
    expect(client.cachedVersionId('c')).toBe('v');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(3);
  });

  it('a cached read after invalidate() or expiry reaches Secrets Manager again (the hot path follows the cache)', async () => {
    const c = clock();
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 'one', VersionId: 'v1' })
      .resolvesOnce({ SecretString: 'two', VersionId: 'v2' })
      .resolves({ SecretString: 'three', VersionId: 'v3' });
    const client = newClient({ now: c.now, ttlMs: 1_000, jitter: 0 });
    expect((await client.getSecret(ID)).reveal()).toBe('one');
    expect((await client.getSecret(ID)).reveal()).toBe('one');
    client.invalidate(ID);
    expect((await client.getSecret(ID)).reveal()).toBe('two');
    c.t += 1_000;
    expect((await client.getSecret(ID)).reveal()).toBe('two'); // ttl inclusive
    c.t += 1;
    expect((await client.getSecret(ID)).reveal()).toBe('three');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(3);
  });

  it('no value in errors, events or output: invalid JSON, shape errors and stale events (canary search)', async () => {
    const canary = `pw-${randomBytes(12).toString('hex')}`;
    const c = clock();
    sm.on(GetSecretValueCommand, { SecretId: 'bad-json' }).resolves({ SecretString: `not json ${canary}`, VersionId: 'v1' });
    sm.on(GetSecretValueCommand, { SecretId: 'bad-shape' }).resolves({
      SecretString: JSON.stringify({ ...databaseSecretFixture, port: canary }),
      VersionId: 'v1',
    });
    sm.on(GetSecretValueCommand, { SecretId: ID }).resolvesOnce({ SecretString: canary, VersionId: 'v1' }).rejects(awsError('ThrottlingException', 400));
    const client = newClient({ now: c.now, ttlMs: 1_000 });
    const seen: unknown[] = [];
    for (const event of ['stale', 'refresh', 'fetch-error']) client.on(event, (e) => seen.push(e));
    const { output } = await captureOutput(async () => {
      const errors: unknown[] = [];
      await client.getDatabaseSecret('bad-json').catch((e) => errors.push(e));
      await client.getDatabaseSecret('bad-shape').catch((e) => errors.push(e));
      const value = await client.getSecret(ID);
      c.t += 2_000;
      await client.getSecret(ID);
      console.log(value, { value }, seen);
      for (const e of errors) console.error(e);
      expect(errors).toHaveLength(2);
      expect(String((errors[1] as Error).message)).toContain('field "port"');
      return errors;
    });
    expect(output).toContain('database-url secret: field "port"');
    expect(output).not.toContain(canary);
    expect(renderings(seen)).not.toContain(canary);
  });
});
