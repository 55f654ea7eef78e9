/**
 * The trust boundary the shared lifecycle enforces for every rotator, against the MODELLED Secrets Manager:
 * a function touches only its own application's and environment's secrets that it serves, in its own account and
 * region; finishSecret never moves AWSCURRENT onto an empty or invalid version; fields the contract does not know
 * survive a rotation; identifiers from an event are quoted as a short, sanitized prefix only.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { FIXTURE_REDIS_ADMIN_ARN, databaseSecretFixture, keyRingFixture, redisSecretFixture } from '../../../contracts/fixtures';
import { createDatabaseRotator } from '../../../lambdas/database/rotator';
import { cryptoKeyMaterial } from '../../../lambdas/key-ring/key-material';
import { createKeyRingRotator } from '../../../lambdas/key-ring/rotator';
import { createRedisRotator } from '../../../lambdas/redis/rotator';
import { createRotationHandler, RotationHandlerDeps } from '../../../lambdas/rotation/handler';
import type { Rotator } from '../../../lambdas/rotation/rotator';
import type { SecretsManagerSender } from '../../../lambdas/rotation/secrets-api';
import { driveRotation, rotationEvent } from '../../support/drive-rotation';
import { rejection } from '../../support/rejection';
import { SecretsManagerModel } from '../../support/secrets-manager-model';

const DEV = { app: 'gaara-store', environment: 'dev' };
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:111111111111:function:gaara-store-dev-key-ring-rotator';

function handlerFor<T>(rotator: Rotator<T>, model: SecretsManagerModel, deps: Partial<RotationHandlerDeps> = {}) {
  const failures: string[] = [];
  const handler = createRotationHandler(rotator, {
    secretsManager: model as unknown as SecretsManagerSender,
    logger: new Logger({ serviceName: 'trust-test', logLevel: 'SILENT' }),
    metrics: { stepSucceeded: () => undefined, stepFailed: (secret) => void failures.push(secret) },
    versionCache: false,
    scope: DEV,
    ...deps,
  });
  return { handler, failures };
}

const keyRing = () => createKeyRingRotator({ keyMaterial: cryptoKeyMaterial, onRingFull: () => undefined, onRingSize: () => undefined });
const database = () =>
  createDatabaseRotator({
    target: { engine: 'postgres', host: 'db.internal.example', port: 5432, dbname: 'gaara', username: 'gaara_app', tls: true, strategy: 'single-user' },
    driver: { family: 'postgres', maxUsernameLength: 63, connect: async () => Promise.reject(new Error('no database in this test')) },
  });
const redis = () =>
  createRedisRotator({ target: { host: 'cache.internal.example', port: 6379, username: 'gaara_app', tls: true, adminSecretArn: FIXTURE_REDIS_ADMIN_ARN } });

/** Versions and their stages and values: what "nothing changed" compares. */
const stateOf = (model: SecretsManagerModel, id: string) =>
  [...model.find(id).versions.values()].map((v) => [v.versionId, v.secretString ?? null, [...v.stages].sort()]);

describe('a function refuses secrets outside its scope before any Secrets Manager call (Secrets Manager modelled)', () => {
  it.each([
    [
      'another environment',
      'gaara-store/prod/jwt-secret',
      'is not a secret of gaara-store/dev/* (this function serves only its own application and environment)',
    ],
    ['another application', 'other-app/dev/jwt-secret', 'is not a secret of gaara-store/dev/* (this function serves only its own application and environment)'],
    ['a secret it does not serve', 'gaara-store/dev/database-url', 'is not one of the secrets this function serves (secret-key, jwt-secret, encryption-key)'],
    [
      'a name outside the catalog',
      'gaara-store/dev/jwt-secret-copy',
      'is not one of the secrets this function serves (secret-key, jwt-secret, encryption-key)',
    ],
  ])('the dev key-ring function invoked on %s: OutOfScope, no call, nothing changed', async (_label, name, problem) => {
    const model = new SecretsManagerModel();
    const id = model.createSecret(name, JSON.stringify(keyRingFixture));
    const before = stateOf(model, id);
    const token = model.startRotation(id);
    model.calls.length = 0;
    const { handler, failures } = handlerFor(keyRing(), model);
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      const e = await rejection(handler(rotationEvent(step, id, token), { invokedFunctionArn: FUNCTION_ARN }));
      expect(e.errorClass).toBe('OutOfScope');
      expect(e.message).toBe(`secret "${name}", step ${step}: refused: the secret ${problem}`);
    }
    expect(model.calls).toEqual([]);
    expect(stateOf(model, id).filter(([, v]) => v !== null)).toEqual(before);
    // No metric: a hostile SecretId cannot invent a Secret dimension.
    expect(failures).toEqual([]);
  });

  it('the database function refuses a key ring of its own environment (it serves database-url only)', async () => {
    const model = new SecretsManagerModel();
    const id = model.createSecret('gaara-store/dev/jwt-secret', JSON.stringify(keyRingFixture));
    const e = await rejection(driveRotation(model, id, handlerFor(database(), model).handler));
    expect([e.errorClass, e.message]).toEqual(['OutOfScope', expect.stringContaining('is not one of the secrets this function serves (database-url)')]);
  });

  it('a secret ARN in another account or region than the function (from the invoked function ARN): OutOfScope', async () => {
    const model = new SecretsManagerModel();
    const id = model.createSecret('gaara-store/dev/jwt-secret', JSON.stringify(keyRingFixture));
    const token = model.startRotation(id);
    model.calls.length = 0;
    const { handler } = handlerFor(keyRing(), model);
    for (const functionArn of [FUNCTION_ARN.replace('111111111111', '222222222222'), FUNCTION_ARN.replace('eu-west-1', 'us-east-1')]) {
      const e = await rejection(handler(rotationEvent('createSecret', id, token), { invokedFunctionArn: functionArn }));
      expect([e.errorClass, e.message]).toEqual(['OutOfScope', expect.stringContaining('is in another account or region than this function')]);
    }
    expect(model.calls).toEqual([]);
    await handler(rotationEvent('createSecret', id, token), { invokedFunctionArn: FUNCTION_ARN });
    expect(model.valueAt(id, 'AWSPENDING')).toBeDefined();
  });

  it('without APP_ENVIRONMENT the function refuses every secret', async () => {
    const model = new SecretsManagerModel();
    const id = model.createSecret('gaara-store/dev/jwt-secret', JSON.stringify(keyRingFixture));
    const { handler } = handlerFor(keyRing(), model, { scope: undefined, env: { APP_NAME: 'gaara-store' } });
    const e = await rejection(driveRotation(model, id, handler));
    expect([e.errorClass, e.message]).toEqual(['OutOfScope', expect.stringContaining('the function has no APP_ENVIRONMENT configuration')]);
  });

  it('a 2,000-character SecretId is quoted as a short, sanitized prefix', async () => {
    const model = new SecretsManagerModel();
    const { handler } = handlerFor(keyRing(), model);
    const e = await rejection(handler(rotationEvent('createSecret', `gaara-store/dev/${'k'.repeat(1_990)}`, '00000000-1111-2222-3333-444444444444')));
    expect(e.errorClass).toBe('OutOfScope');
    expect(e.message.length).toBeLessThan(300);
    expect(e.message).toContain('…"');
  });
});

describe('finishSecret never moves AWSCURRENT onto an empty or invalid version (Secrets Manager modelled)', () => {
  it.each([
    ['key ring', 'gaara-store/dev/jwt-secret', keyRing, keyRingFixture],
    ['database', 'gaara-store/dev/database-url', database, databaseSecretFixture],
    ['redis', 'gaara-store/dev/redis-password', redis, redisSecretFixture],
  ] as const)('%s: finishSecret before createSecret is refused; AWSCURRENT stays readable and unchanged', async (_label, name, make, fixture) => {
    const model = new SecretsManagerModel();
    const id = model.createSecret(name, JSON.stringify(fixture));
    const token = model.startRotation(id);
    const before = stateOf(model, id);
    const e = await rejection(handlerFor(make() as Rotator<unknown>, model).handler(rotationEvent('finishSecret', id, token)));
    expect([e.errorClass, e.message]).toEqual([
      'InvalidState',
      `secret ${name}, step finishSecret: the AWSPENDING version has no value (createSecret has not completed for this token); AWSCURRENT was not moved`,
    ]);
    expect(stateOf(model, id)).toEqual(before);
    expect(JSON.parse(model.valueAt(id, 'AWSCURRENT') as string)).toEqual(fixture);
  });

  it('a pending version holding a value of the wrong shape is not made AWSCURRENT', async () => {
    const model = new SecretsManagerModel();
    const id = model.createSecret('gaara-store/dev/jwt-secret', JSON.stringify(keyRingFixture));
    const token = model.startRotation(id);
    await model.send({
      input: { SecretId: id, ClientRequestToken: token, SecretString: '{"schema":1,"current":{"kid":"x"}}', VersionStages: ['AWSPENDING'] },
      constructor: { name: 'PutSecretValueCommand' },
    });
    const e = await rejection(handlerFor(keyRing(), model).handler(rotationEvent('finishSecret', id, token)));
    expect(e.errorClass).toBe('BadSecretShape');
    expect(model.versionAt(id, 'AWSCURRENT')?.versionId).not.toBe(token);
  });
});

describe('fields the contract does not know are kept through a rotation (Secrets Manager modelled)', () => {
  it('a key ring keeps its own `owner` and each key keeps its `alg`', async () => {
    const model = new SecretsManagerModel();
    const ring = { ...keyRingFixture, owner: 'team-payments', current: { ...keyRingFixture.current, alg: 'HS256' } };
    const id = model.createSecret('gaara-store/dev/jwt-secret', JSON.stringify(ring));
    await driveRotation(model, id, handlerFor(keyRing(), model).handler);
    const after = JSON.parse(model.valueAt(id, 'AWSCURRENT') as string);
    expect(after.owner).toBe('team-payments');
    expect(after.previous[0]).toMatchObject({ kid: keyRingFixture.current.kid, alg: 'HS256' });
    expect(after.current.kid).not.toBe(keyRingFixture.current.kid);
  });

  it('known fields keep their strict validation: an unknown field never overrides one', async () => {
    const model = new SecretsManagerModel();
    const id = model.createSecret('gaara-store/dev/jwt-secret', JSON.stringify({ ...keyRingFixture, previous: 'not-a-list' }));
    const e = await rejection(driveRotation(model, id, handlerFor(keyRing(), model).handler));
    expect([e.errorClass, e.message]).toEqual(['BadSecretShape', expect.stringContaining('field "previous" must be an array')]);
  });
});
