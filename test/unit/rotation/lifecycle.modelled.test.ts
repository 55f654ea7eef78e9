/**
 * The shared lifecycle driven like the service against the MODELLED Secrets Manager: re-entry of every step,
 * crash and resume at every AWS call, the Secrets Manager API calls per rotation, and the exact EMF dimension
 * sets the metrics emit.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { RotationError } from '../../../lambdas/rotation/errors';
import { createRotationHandler } from '../../../lambdas/rotation/handler';
import type { Rotator } from '../../../lambdas/rotation/rotator';
import { SecretsManagerSender, VersionCache } from '../../../lambdas/rotation/secrets-api';
import { CrashPoints, driveRotation, retryRotation, rotationEvent, STEPS } from '../../support/drive-rotation';
import { captureOutput } from '../../support/log-capture';
import { SecretsManagerModel } from '../../support/secrets-manager-model';

const NAME = 'gaara-store/dev/database-url';

/** A rotator whose "target system" is a counter: the pending value is the next number. */
function counterRotator(applied: number[]): Rotator<{ n: number }> {
  return {
    kind: 'counter',
    serves: ['database-url', 'jwt-secret'],
    parse: (s) => JSON.parse(s) as { n: number },
    serialize: (v) => JSON.stringify(v),
    createPending: async ({ current }) => ({ n: (JSON.parse(current) as { n: number }).n + 1 }),
    applyPending: async (pending) => {
      if (!applied.includes(pending.n)) applied.push(pending.n);
    },
    testPending: async (pending) => {
      if (!applied.includes(pending.n)) throw new RotationError('TestFailed', 'pending not applied');
    },
  };
}

function setup(cache: boolean) {
  const model = new SecretsManagerModel();
  const arn = model.createSecret(NAME, JSON.stringify({ n: 1 }));
  const applied: number[] = [];
  const make = () =>
    createRotationHandler(counterRotator(applied), {
      secretsManager: model as unknown as SecretsManagerSender,
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
      metrics: { stepSucceeded: () => undefined, stepFailed: () => undefined },
      versionCache: cache ? new VersionCache() : false,
      scope: { app: 'gaara-store', environment: 'dev' },
    });
  return { model, arn, applied, make };
}

describe('rotation lifecycle driven like the service (Secrets Manager modelled)', () => {
  it('every step run three times in a row: one rotation, AWSPREVIOUS follows AWSCURRENT', async () => {
    const { model, arn, applied, make } = setup(true);
    const before = model.versionAt(arn, 'AWSCURRENT')?.versionId;
    const token = await driveRotation(model, arn, make(), { timesEachStep: 3 });
    expect(model.valueAt(arn, 'AWSCURRENT')).toBe('{"n":2}');
    expect(model.versionAt(arn, 'AWSCURRENT')?.versionId).toBe(token);
    expect(model.versionAt(arn, 'AWSPREVIOUS')?.versionId).toBe(before);
    expect(applied).toEqual([2]);
  });

  it('the whole rotation re-run with the same token after it completed changes nothing', async () => {
    const { model, arn, make } = setup(false);
    const token = await driveRotation(model, arn, make());
    const versions = model.find(arn).versions.size;
    await retryRotation(model, arn, make(), token);
    expect(model.find(arn).versions.size).toBe(versions);
    expect(model.valueAt(arn, 'AWSCURRENT')).toBe('{"n":2}');
  });

  it.each([true, false])(
    'a crash before and after every Secrets Manager call, resumed with the same token (version cache %s), completes once',
    async (cache) => {
      const { model, arn, applied, make } = setup(cache);
      let n = 1;
      for (let point = 1; ; point++) {
        const crash = new CrashPoints(point);
        crash.attachToModel(model);
        const token = model.startRotation(arn);
        let crashed = false;
        try {
          for (const step of STEPS) await make()(rotationEvent(step, arn, token));
        } catch {
          crashed = true;
        }
        model.beforeCall = undefined;
        model.afterCall = undefined;
        await retryRotation(model, arn, make(), token);
        n += 1;
        expect(model.valueAt(arn, 'AWSCURRENT')).toBe(JSON.stringify({ n }));
        expect(model.versionAt(arn, 'AWSCURRENT')?.versionId).toBe(token);
        if (!crashed) break;
      }
      expect(applied).toEqual(Array.from({ length: n - 1 }, (_, i) => i + 2));
      expect(n).toBeGreaterThan(15);
    },
  );

  it('Secrets Manager API calls per rotation: 7 when the steps share an execution environment, 12 when each step starts cold (createSecret reads no AWSPENDING; finishSecret does; AWS templates: 14)', async () => {
    const warm = setup(true);
    await driveRotation(warm.model, warm.arn, warm.make());
    expect(warm.model.callsByCommand()).toEqual({ DescribeSecret: 4, GetSecretValue: 1, PutSecretValue: 1, UpdateSecretVersionStage: 1 });

    const cold = setup(false);
    const token = cold.model.startRotation(cold.arn);
    for (const step of STEPS) await cold.make()(rotationEvent(step, cold.arn, token));
    expect(cold.model.callsByCommand()).toEqual({ DescribeSecret: 4, GetSecretValue: 6, PutSecretValue: 1, UpdateSecretVersionStage: 1 });
  });

  it('createSecret repeated with a value built anew: the first value stays AWSPENDING and the rotation completes with it', async () => {
    const model = new SecretsManagerModel();
    const arn = model.createSecret(NAME, JSON.stringify({ n: 1 }));
    let built = 0;
    const rotator: Rotator<{ n: number; attempt: number }> = {
      ...(counterRotator([]) as unknown as Rotator<{ n: number; attempt: number }>),
      createPending: async ({ current }) => ({ n: (JSON.parse(current) as { n: number }).n + 1, attempt: ++built }),
      applyPending: async () => undefined,
      testPending: async () => undefined,
    };
    const handler = createRotationHandler(rotator, {
      secretsManager: model as unknown as SecretsManagerSender,
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
      metrics: { stepSucceeded: () => undefined, stepFailed: () => undefined },
      versionCache: new VersionCache(),
      scope: { app: 'gaara-store', environment: 'dev' },
    });
    const token = model.startRotation(arn);
    await handler(rotationEvent('createSecret', arn, token));
    await handler(rotationEvent('createSecret', arn, token));
    expect(built).toBe(2);
    expect(model.valueAt(arn, 'AWSPENDING')).toBe('{"n":2,"attempt":1}');
    for (const step of ['setSecret', 'testSecret', 'finishSecret']) await handler(rotationEvent(step, arn, token));
    expect(model.valueAt(arn, 'AWSCURRENT')).toBe('{"n":2,"attempt":1}');
  });
});

describe('rotation metrics: the emitted EMF has exactly the contract dimension sets (Powertools output parsed)', () => {
  it('StepDurationMs and RotationSucceeded on {Environment, Secret}; RotationFailed on {Environment, Secret, Step}; no service dimension', async () => {
    const model = new SecretsManagerModel();
    const arn = model.createSecret('gaara-store/prod/database-url', JSON.stringify({ n: 1 }));
    const failing = { ...counterRotator([]), testPending: async () => Promise.reject(new RotationError('TestFailed', 'no')) };
    const out = captureOutput();
    const env = { METRICS_NAMESPACE: 'GaaraStore/Secrets', APP_ENVIRONMENT: 'prod', POWERTOOLS_SERVICE_NAME: 'should-not-appear' };
    try {
      const deps = { secretsManager: model as unknown as SecretsManagerSender, logger: new Logger({ logLevel: 'SILENT' }), env, versionCache: false as const };
      await driveRotation(model, arn, createRotationHandler(counterRotator([]), deps));
      await driveRotation(model, arn, createRotationHandler(failing, deps)).catch(() => undefined);
    } finally {
      out.stop();
    }
    const emf = out.json().filter((o) => typeof o._aws === 'object') as Array<
      Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } }
    >;
    const byMetric = (name: string) => emf.filter((d) => d._aws.CloudWatchMetrics[0]?.Metrics.some((m) => m.Name === name));
    expect(byMetric('StepDurationMs')).toHaveLength(7);
    expect(byMetric('RotationSucceeded')).toHaveLength(1);
    expect(byMetric('RotationFailed')).toHaveLength(1);
    for (const d of emf) {
      expect(d._aws.CloudWatchMetrics).toHaveLength(1);
      expect(d._aws.CloudWatchMetrics[0]?.Namespace).toBe('GaaraStore/Secrets');
      expect(d).not.toHaveProperty('service');
      const failed = d._aws.CloudWatchMetrics[0]?.Metrics.some((m) => m.Name === 'RotationFailed');
      expect(d._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([failed ? ['Environment', 'Secret', 'Step'] : ['Environment', 'Secret']]);
      expect(d).toMatchObject({ Environment: 'prod', Secret: 'database-url' });
    }
    expect(byMetric('RotationFailed')[0]).toMatchObject({ Step: 'testSecret', RotationFailed: 1 });
    expect(byMetric('RotationSucceeded')[0]).toMatchObject({ RotationSucceeded: 1 });
  });
});
