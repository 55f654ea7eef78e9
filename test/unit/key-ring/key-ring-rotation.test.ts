/**
 * Key-ring rotations driven through the shared lifecycle (createRotationHandler) the way Secrets Manager drives
 * them, against the MODELLED Secrets Manager, with crashes injected at every AWS call and between steps.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { catalogEntry } from '../../../contracts/catalog';
import { KeyRing, parseKeyRing, ringKeys } from '../../../contracts/keyring';
import { cryptoKeyMaterial } from '../../../lambdas/key-ring/key-material';
import { createKeyRingRotator } from '../../../lambdas/key-ring/rotator';
import { RotationError } from '../../../lambdas/rotation/errors';
import { createRotationHandler } from '../../../lambdas/rotation/handler';
import type { RotationMetrics } from '../../../lambdas/rotation/observability';
import type { SecretsManagerSender } from '../../../lambdas/rotation/secrets-api';
import { VersionCache } from '../../../lambdas/rotation/secrets-api';
import { causedByInjectedCrash, CrashPoints, driveRotation, retryRotation } from '../../support/drive-rotation';
import { captureOutput, findLeaks } from '../../support/log-capture';
import { SecretsManagerModel } from '../../support/secrets-manager-model';
import { emfOf } from './emf';

const placeholder = JSON.stringify(catalogEntry('secret-key').initialValue());

function setup(name: 'secret-key' | 'jwt-secret' | 'encryption-key', initial = placeholder, opts: { logLevel?: 'SILENT' | 'DEBUG'; cache?: boolean } = {}) {
  const model = new SecretsManagerModel();
  const id = model.createSecret(`gaara-store/dev/${name}`, initial);
  const failures: string[] = [];
  const metrics: RotationMetrics = { stepSucceeded: () => undefined, stepFailed: (_s, step) => void failures.push(step) };
  const ringFull: string[] = [];
  const handler = createRotationHandler(
    createKeyRingRotator({ keyMaterial: cryptoKeyMaterial, onRingFull: (s) => ringFull.push(s), onRingSize: () => undefined }),
    {
      secretsManager: model as unknown as SecretsManagerSender,
      logger: new Logger({ serviceName: 'key-ring-test', logLevel: opts.logLevel ?? 'SILENT' }),
      metrics,
      versionCache: opts.cache ? new VersionCache() : false,
      scope: { app: 'gaara-store', environment: 'dev' },
    },
  );
  const ring = (stage: string) => parseKeyRing(model.valueAt(id, stage) as string);
  return { model, id, handler, ring, failures, ringFull };
}

/** What must hold after every completed rotation from `before` (undefined: bootstrap from the placeholder). */
function expectRotatedFrom(after: KeyRing, before: KeyRing | undefined, name: string) {
  const { ring: bounds } = catalogEntry(name as 'secret-key');
  const kids = ringKeys(after).map((k) => k.kid);
  expect(new Set(kids).size).toBe(kids.length);
  if (!before) return expect(after.previous).toEqual([]);
  expect(ringKeys(before).map((k) => k.kid)).not.toContain(after.current.kid);
  expect(after.previous[0]).toMatchObject(before.current);
  expect(after.previous.length).toBe(Math.min(before.previous.length + 1, bounds!.keepPrevious));
}

describe('key-ring rotation through the lifecycle (Secrets Manager modelled)', () => {
  it.each(['secret-key', 'jwt-secret', 'encryption-key'] as const)('%s: bootstraps from the placeholder, then rotates; every step run twice', async (name) => {
    const { model, id, handler, ring } = setup(name);
    await driveRotation(model, id, handler, { timesEachStep: 2 });
    const first = ring('AWSCURRENT');
    expectRotatedFrom(first, undefined, name);
    expect(model.valueAt(id, 'AWSPREVIOUS')).toBe(placeholder);
    let before = first;
    for (let i = 0; i < 3; i++) {
      await driveRotation(model, id, handler, { timesEachStep: 2 });
      const after = ring('AWSCURRENT');
      expectRotatedFrom(after, before, name);
      expect(ring('AWSPREVIOUS')).toEqual(before);
      before = after;
    }
    expect(model.versionAt(id, 'AWSPENDING')).toBeUndefined();
  });

  it('survives a crash at every AWS call and between steps: the retried rotation ends with exactly one new key', async () => {
    const clean = setup('jwt-secret', JSON.stringify(seedRing()));
    const counter = new CrashPoints();
    counter.attachToModel(clean.model);
    await driveRotation(clean.model, clean.id, clean.handler, { afterStep: (s) => counter.tick(`after ${s}`) });
    const points = counter.passed.length;
    expect(points).toBeGreaterThan(10);

    for (let crashAt = 1; crashAt <= points; crashAt++) {
      const { model, id, handler, ring } = setup('jwt-secret', JSON.stringify(seedRing()));
      const before = ring('AWSCURRENT');
      const crash = new CrashPoints(crashAt);
      crash.attachToModel(model);
      const hooks = { afterStep: (s: string) => crash.tick(`after ${s}`) };
      let token: string | undefined;
      try {
        token = await driveRotation(model, id, handler, { ...hooks, token: `tok-${crashAt}-0000-0000-0000-000000000000` });
      } catch (e) {
        expect(causedByInjectedCrash(e)).toBe(true);
        // Between the crash and the retry, AWSCURRENT is always a valid ring (the old one or the finished new one).
        parseKeyRing(model.valueAt(id, 'AWSCURRENT') as string);
        await retryRotation(model, id, handler, `tok-${crashAt}-0000-0000-0000-000000000000`, hooks);
        token = `tok-${crashAt}-0000-0000-0000-000000000000`;
      }
      const after = ring('AWSCURRENT');
      expect(model.versionAt(id, 'AWSCURRENT')?.versionId).toBe(token);
      expectRotatedFrom(after, before, 'jwt-secret');
      expect(ring('AWSPREVIOUS')).toEqual(before);
    }
  });

  it('a malformed ring fails createSecret naming the field, and changes nothing (model unchanged)', async () => {
    const bad = JSON.stringify({ ...seedRing(), previous: [{ ...seedRing().previous[0], key: Buffer.alloc(16, 3).toString('base64url') }] });
    const { model, id, handler, failures } = setup('jwt-secret', bad);
    const versionsBefore = [...model.find(id).versions.keys()];
    await expect(driveRotation(model, id, handler)).rejects.toMatchObject({
      errorClass: 'BadSecretShape',
      message: expect.stringMatching(/^secret gaara-store\/dev\/jwt-secret, step createSecret: .*field "previous\[0\]\.key" must hold at least 32 bytes/),
    });
    expect(model.valueAt(id, 'AWSCURRENT')).toBe(bad);
    const pending = model.versionAt(id, 'AWSPENDING');
    expect(pending?.secretString).toBeUndefined(); // only the empty version RotateSecret itself made
    expect([...model.find(id).versions.keys()].filter((v) => v !== pending?.versionId)).toEqual(versionsBefore);
    expect(model.calls.map((c) => c.command)).not.toContain('PutSecretValue');
    expect(failures).toEqual(['createSecret']);
  });

  it('encryption-key at its bound: RingFull at createSecret, KeyRingFull emitted, nothing changed (modelled)', async () => {
    const full: KeyRing = {
      ...seedRing(),
      previous: Array.from({ length: 64 }, (_, i) => ({ ...seedRing().previous[0], kid: `old-${i}`, key: Buffer.alloc(32, i + 20).toString('base64url') })),
    };
    const { model, id, handler, ringFull } = setup('encryption-key', JSON.stringify(full));
    const err = (await driveRotation(model, id, handler).catch((e) => e)) as RotationError;
    expect(err.errorClass).toBe('RingFull');
    expect(err.message).toMatch(
      /^secret gaara-store\/dev\/encryption-key, step createSecret: the key ring holds the maximum of 64 previous keys .* re-encrypt the data under the current key, then prune the ring/,
    );
    expect(ringFull).toEqual(['encryption-key']);
    expect(model.valueAt(id, 'AWSCURRENT')).toBe(JSON.stringify(full));
    expect(model.calls.map((c) => c.command)).not.toContain('PutSecretValue');
  });

  it('logs, metrics and errors of rotations (a failing one included) carry no key material', async () => {
    const env = { ...process.env };
    Object.assign(process.env, { METRICS_NAMESPACE: 'GaaraStore/Secrets', APP_ENVIRONMENT: 'dev' });
    const out = captureOutput();
    const keys: string[] = [];
    try {
      const model = new SecretsManagerModel();
      const id = model.createSecret('gaara-store/dev/encryption-key', placeholder);
      const handler = createRotationHandler(createKeyRingRotator({ keyMaterial: cryptoKeyMaterial }), {
        secretsManager: model as unknown as SecretsManagerSender,
        logger: new Logger({ serviceName: 'key-ring-test', logLevel: 'DEBUG' }),
      });
      for (let i = 0; i < 3; i++) {
        await driveRotation(model, id, handler);
        keys.push(...ringKeys(parseKeyRing(model.valueAt(id, 'AWSCURRENT') as string)).map((k) => k.key));
      }
      const token = model.startRotation(id);
      await model.send({
        input: {
          SecretId: id,
          ClientRequestToken: token,
          SecretString: '{"schema":1,"current":{"kid":"x","key":"short"},"previous":[]}',
          VersionStages: ['AWSPENDING'],
        },
        constructor: { name: 'PutSecretValueCommand' },
      });
      await handler({ Step: 'testSecret', SecretId: id, ClientRequestToken: token }).catch((e) => out.addError(e));
    } finally {
      out.stop();
      process.env = env;
    }
    expect(new Set(keys).size).toBe(3);
    expect(out.text).toMatch(/RotationError\(BadSecretShape\)/);
    expect(emfOf(out).length).toBeGreaterThan(4);
    expect(findLeaks(out.text, keys, 'ring key')).toEqual([]);
  });

  it.each([
    ['off (cold: every step in a new environment)', false, { DescribeSecret: 4, GetSecretValue: 6, PutSecretValue: 1, UpdateSecretVersionStage: 1 }],
    ['warm (steps in one environment)', true, { DescribeSecret: 4, GetSecretValue: 1, PutSecretValue: 1, UpdateSecretVersionStage: 1 }],
  ])('Secrets Manager calls per rotation, version cache %s (modelled); no KMS or other call', async (_label, cache, expected) => {
    const { model, id, handler } = setup('jwt-secret', JSON.stringify(seedRing()), { cache });
    await driveRotation(model, id, handler);
    expect(model.callsByCommand()).toEqual(expected);
  });
});

function seedRing(): KeyRing {
  return {
    schema: 1,
    current: { kid: '20260801T000000Z-aaaaaaaa', key: Buffer.alloc(32, 1).toString('base64url'), createdAt: '2026-08-01T00:00:00.000Z' },
    previous: [
      {
        kid: '20260501T000000Z-bbbbbbbb',
        key: Buffer.alloc(32, 2).toString('base64url'),
        createdAt: '2026-05-01T00:00:00.000Z',
        retiredAt: '2026-08-01T00:00:00.000Z',
      },
    ],
  };
}
