import { GenerateRandomCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { catalogEntry } from '../../../contracts/catalog';
import { keyRingFixture } from '../../../contracts/fixtures';
import { KeyRing, RetiredKey } from '../../../contracts/keyring';
import { cryptoKeyMaterial, keyMaterialFromEnv, kmsKeyMaterial } from '../../../lambdas/key-ring/key-material';
import { createKeyRingRotator } from '../../../lambdas/key-ring/rotator';
import { RotationError } from '../../../lambdas/rotation/errors';
import { captureOutput, findLeaks } from '../../support/log-capture';
import { emfOf } from './emf';
import { rotationContext } from './rotation-context';

const key = (fill: number, bytes = 32) => Buffer.alloc(bytes, fill).toString('base64url');
const placeholder = JSON.stringify(catalogEntry('encryption-key').initialValue());
const NOW = new Date('2026-11-23T10:00:00.000Z');

async function expectRotationError(p: Promise<unknown> | (() => unknown), errorClass: string, message: RegExp): Promise<RotationError> {
  let error: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(RotationError);
  expect((error as RotationError).errorClass).toBe(errorClass);
  expect((error as RotationError).message).toMatch(message);
  return error as RotationError;
}

function fullEncryptionRing(): KeyRing {
  const previous: RetiredKey[] = Array.from({ length: 64 }, (_, i) => ({
    kid: `k-${String(i).padStart(3, '0')}`,
    key: key(i + 10),
    createdAt: '2026-01-01T00:00:00.000Z',
    retiredAt: '2026-02-01T00:00:00.000Z',
  }));
  return { schema: 1, current: { kid: 'k-current', key: key(1), createdAt: '2026-03-01T00:00:00.000Z' }, previous };
}

describe('key-ring rotator', () => {
  const rotator = createKeyRingRotator({ keyMaterial: cryptoKeyMaterial, onRingFull: () => undefined, onRingSize: () => undefined });

  it('bootstraps a proper ring from the deploy-time placeholder', async () => {
    const ring = await rotator.createPending({ current: placeholder }, rotationContext('gaara-store/prod/secret-key', { now: NOW }));
    expect(ring.previous).toEqual([]);
    expect(ring.current.createdAt).toBe(NOW.toISOString());
    expect(ring.current.kid).toMatch(/^20261123T100000Z-[0-9a-f]{8}$/);
    expect(Buffer.from(ring.current.key, 'base64url')).toHaveLength(32);
    await rotator.testPending(ring, { current: placeholder }, rotationContext('gaara-store/prod/secret-key'));
  });

  it('retires the current key into previous and keeps one previous key for jwt-secret', async () => {
    const current = { ...keyRingFixture, previous: [...keyRingFixture.previous, { ...keyRingFixture.previous[0], kid: 'older', key: key(7) }] };
    const ctx = rotationContext('gaara-store/dev/jwt-secret', { now: NOW });
    const ring = await rotator.createPending({ current: JSON.stringify(current) }, ctx);
    expect(ring.previous).toEqual([{ ...keyRingFixture.current, retiredAt: NOW.toISOString() }]);
    expect(ring.current.key).not.toBe(keyRingFixture.current.key);
    expect(rotator.parse(rotator.serialize(ring), ctx)).toEqual(ring);
  });

  it('keeps every key of encryption-key', async () => {
    const ring = await rotator.createPending({ current: JSON.stringify(keyRingFixture) }, rotationContext('gaara-store/dev/encryption-key', { now: NOW }));
    expect(ring.previous.map((k) => k.kid)).toEqual([keyRingFixture.current.kid, ...keyRingFixture.previous.map((k) => k.kid)]);
  });

  it('refuses a secret that is not a key ring in the catalog', async () => {
    await expectRotationError(
      rotator.createPending({ current: placeholder }, rotationContext('gaara-store/dev/redis-password')),
      'UnsupportedEngine',
      /"redis-password" is not a key-ring secret/,
    );
  });

  it('parse refuses the placeholder as Placeholder (only createSecret bootstraps)', async () => {
    await expectRotationError(() => rotator.parse(placeholder, rotationContext('gaara-store/dev/jwt-secret')), 'Placeholder', /field "placeholder"/);
  });

  describe('bad input fails naming the field, never echoing a key', () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['not JSON', '{"schema":1,', /field "\(root\)" is not valid JSON/],
      ['missing current', { schema: 1, previous: [] }, /field "current" must be an object/],
      ['short current key', { ...keyRingFixture, current: { ...keyRingFixture.current, key: key(1, 16) } }, /field "current.key" must hold at least 32 bytes/],
      [
        'short previous key',
        { ...keyRingFixture, previous: [{ ...keyRingFixture.previous[0], key: key(2, 31) }] },
        /field "previous\[0\].key" must hold at least 32 bytes/,
      ],
      ['not base64url', { ...keyRingFixture, current: { ...keyRingFixture.current, key: `${key(1)}+/=` } }, /field "current.key" must be base64url/],
      [
        'duplicate kid',
        { ...keyRingFixture, previous: [{ ...keyRingFixture.previous[0], kid: keyRingFixture.current.kid }] },
        /field "previous\[0\].kid" is not unique/,
      ],
      ['previous not an array', { ...keyRingFixture, previous: {} }, /field "previous" must be an array/],
      [
        'retiredAt missing',
        { ...keyRingFixture, previous: [{ ...keyRingFixture.previous[0], retiredAt: undefined }] },
        /field "previous\[0\].retiredAt" is missing/,
      ],
    ];
    it.each(cases)('%s', async (_label, value, message) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      const err = await expectRotationError(
        rotator.createPending({ current: text }, rotationContext('gaara-store/dev/encryption-key')),
        'BadSecretShape',
        message,
      );
      expect(err.message).toContain('AWSCURRENT value: encryption-key secret: field');
      expect(findLeaks(err.message, [keyRingFixture.current.key, keyRingFixture.previous[0].key, key(1, 16), key(2, 31)])).toEqual([]);
    });
  });

  describe('encryption-key at its bound', () => {
    const full = JSON.stringify(fullEncryptionRing());

    it('createSecret fails with RingFull, asks KMS for no key (KMS mocked) and publishes KeyRingFull and KeyRingPreviousKeys with exactly {Environment, Secret}', async () => {
      const kms = mockClient(KMSClient);
      const env = { ...process.env };
      process.env.METRICS_NAMESPACE = 'GaaraStore/Secrets';
      process.env.APP_ENVIRONMENT = 'prod';
      process.env.POWERTOOLS_SERVICE_NAME = 'must-not-appear';
      const withMetric = createKeyRingRotator({ keyMaterial: kmsKeyMaterial(new KMSClient({})) });
      const out = captureOutput();
      try {
        const err = await expectRotationError(
          withMetric.createPending({ current: full }, rotationContext('gaara-store/prod/encryption-key')),
          'RingFull',
          /re-encrypt the data under the current key, then prune the ring/,
        );
        expect(err.message).toMatch(/maximum of 64 previous keys/);
      } finally {
        out.stop();
        process.env = env;
        kms.restore();
      }
      expect(kms.commandCalls(GenerateRandomCommand)).toHaveLength(0);
      const [emf, size, ...more] = emfOf(out);
      expect(more).toHaveLength(0);
      expect(emf._aws.CloudWatchMetrics[0].Namespace).toBe('GaaraStore/Secrets');
      expect(emf._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Environment', 'Secret']]);
      expect(emf._aws.CloudWatchMetrics[0].Metrics.map((m) => m.Name)).toEqual(['KeyRingFull']);
      expect(emf).toMatchObject({ Environment: 'prod', Secret: 'encryption-key', KeyRingFull: 1 });
      expect(emf).not.toHaveProperty('service');
      expect(size._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Environment', 'Secret']]);
      expect(size._aws.CloudWatchMetrics[0].Metrics.map((m) => m.Name)).toEqual(['KeyRingPreviousKeys']);
      expect(size).toMatchObject({ Environment: 'prod', Secret: 'encryption-key', KeyRingPreviousKeys: 64 });
      expect(size).not.toHaveProperty('service');
    });

    it('testSecret fails with RingFull on a pending ring past the bound', async () => {
      const seen: string[] = [];
      const r = createKeyRingRotator({ keyMaterial: cryptoKeyMaterial, onRingFull: (s) => seen.push(s), onRingSize: () => undefined });
      const ring = fullEncryptionRing();
      const pending: KeyRing = {
        schema: 1,
        current: { kid: 'k-new', key: key(200), createdAt: NOW.toISOString() },
        previous: [{ ...ring.current, retiredAt: NOW.toISOString() }, ...ring.previous],
      };
      await expectRotationError(r.testPending(pending, { current: full }, rotationContext('gaara-store/dev/encryption-key')), 'RingFull', /prune the ring/);
      expect(seen).toEqual(['encryption-key']);
    });

    it("testSecret reports the pending ring's number of previous keys (the gauge the near-full alarm watches)", async () => {
      const sizes: [string, number][] = [];
      const r = createKeyRingRotator({ keyMaterial: cryptoKeyMaterial, onRingFull: () => undefined, onRingSize: (s, n) => void sizes.push([s, n]) });
      const ring = fullEncryptionRing();
      const current: KeyRing = { ...ring, previous: ring.previous.slice(0, 10) };
      const pending = await r.createPending({ current: JSON.stringify(current) }, rotationContext('gaara-store/dev/encryption-key'));
      await r.testPending(pending, { current: JSON.stringify(current) }, rotationContext('gaara-store/dev/encryption-key'));
      expect(sizes).toEqual([['encryption-key', 11]]);
    });

    it('a ring one below the bound still rotates', async () => {
      const ring = fullEncryptionRing();
      ring.previous.pop();
      const pending = await rotator.createPending({ current: JSON.stringify(ring) }, rotationContext('gaara-store/dev/encryption-key'));
      expect(pending.previous).toHaveLength(64);
    });
  });

  it('logs of a whole rotation carry no key material', async () => {
    const out = captureOutput();
    let ring: KeyRing;
    try {
      const ctx = rotationContext('gaara-store/dev/jwt-secret', { logLevel: 'DEBUG' });
      ring = await rotator.createPending({ current: JSON.stringify(keyRingFixture) }, ctx);
      await rotator.applyPending(ring, { current: JSON.stringify(keyRingFixture) }, ctx);
      await rotator.testPending(ring, { current: JSON.stringify(keyRingFixture) }, ctx);
    } finally {
      out.stop();
    }
    expect(out.text.split('\n').length).toBeGreaterThanOrEqual(3);
    expect(findLeaks(out.text, [ring.current.key, keyRingFixture.current.key, keyRingFixture.previous[0].key])).toEqual([]);
  });
});

describe('key material (KMS mocked)', () => {
  it('KEY_MATERIAL_SOURCE=kms takes the key from KMS GenerateRandom with NumberOfBytes 32', async () => {
    const kms = mockClient(KMSClient);
    const bytes = Buffer.alloc(32, 0xab);
    kms.on(GenerateRandomCommand).resolves({ Plaintext: new Uint8Array(bytes) });
    try {
      const source = keyMaterialFromEnv({ KEY_MATERIAL_SOURCE: 'kms' });
      expect(source.name).toBe('kms');
      const ring = await createKeyRingRotator({ keyMaterial: source, onRingFull: () => undefined, onRingSize: () => undefined }).createPending(
        { current: placeholder },
        rotationContext('gaara-store/dev/encryption-key'),
      );
      expect(ring.current.key).toBe(bytes.toString('base64url'));
      expect(kms.commandCalls(GenerateRandomCommand).map((c) => c.args[0].input)).toEqual([{ NumberOfBytes: 32 }]);
    } finally {
      kms.restore();
    }
  });

  it('classifies an unreachable KMS endpoint and a short answer (mocked)', async () => {
    const kms = mockClient(KMSClient);
    try {
      kms
        .on(GenerateRandomCommand)
        .rejectsOnce(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }))
        .resolvesOnce({ Plaintext: new Uint8Array(16) });
      const source = kmsKeyMaterial(new KMSClient({}));
      await expectRotationError(
        source.randomBytes(32, 'secret s, step createSecret'),
        'Timeout',
        /secret s, step createSecret: GenerateRandom: KMS endpoint timed out \(a function in a VPC needs an interface VPC endpoint for KMS/,
      );
      await expectRotationError(source.randomBytes(32, 'secret s, step createSecret'), 'TargetUnavailable', /returned 16 bytes instead of 32/);
    } finally {
      kms.restore();
    }
  });

  it('defaults to crypto and refuses an unknown source', () => {
    expect(keyMaterialFromEnv({}).name).toBe('crypto');
    expect(() => keyMaterialFromEnv({ KEY_MATERIAL_SOURCE: 'dice' })).toThrow('KEY_MATERIAL_SOURCE must be "crypto" or "kms", got "dice"');
  });
});
