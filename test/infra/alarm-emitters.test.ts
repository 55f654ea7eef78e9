/**
 * Alarm-to-emitter matching with the emitters' REAL output: the rotation lifecycle, the key-ring gauge and the
 * secret-age function are run (Secrets Manager modelled or mocked), their Powertools EMF lines are parsed, and every
 * metric they publish that has an alarm must be read by an alarm of the synthesized prod template with exactly the
 * same namespace, name and dimension set (an alarm on a dimension set nobody emits never fires).
 * Paths: a failed step invoked with the full secret ARN (the event-ARN path), a DescribeSecret failure, a step still
 * running at the Lambda deadline (the timeout path), a success, the KeyRingPreviousKeys gauge, the age figures, and
 * the client library's StaleSecretServed line. The age function's overdue alarm reads DaysSinceLastRotation (a value put by
 * hand does not reset it), not DaysSinceRotation.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DescribeSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { Template } from 'aws-cdk-lib/assertions';
import { SecretsClient } from '../../client/src/secrets/secrets-client';
import { ENVIRONMENTS } from '../../lib/config';
import { publishKeyRingPreviousKeys } from '../../lambdas/key-ring/ring-full-metric';
import { RotationError } from '../../lambdas/rotation/errors';
import { createRotationHandler } from '../../lambdas/rotation/handler';
import type { Rotator } from '../../lambdas/rotation/rotator';
import type { SecretsManagerSender } from '../../lambdas/rotation/secrets-api';
import { createSecretAgeHandler } from '../../lambdas/secret-age/handler';
import { driveRotation, rotationEvent } from '../support/drive-rotation';
import { captureOutput } from '../support/log-capture';
import { SecretsManagerModel } from '../support/secrets-manager-model';
import { buildObservabilityStack } from './monitoring.test-stack';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface Emitted {
  namespace: string;
  name: string;
  dims: Record<string, string>;
  value: unknown;
}
interface Read {
  alarm: string;
  namespace: string;
  name: string;
  dims: Record<string, string>;
}

const prod = ENVIRONMENTS.find((e) => e.envName === 'prod')!;
const template = Template.fromStack(buildObservabilityStack(prod).stack).toJSON() as {
  Resources: Record<string, { Type: string; Properties: Record<string, Json> }>;
};

/** Every (namespace, name, dimensions) an alarm of the template reads, metric-math inputs included. */
const reads: Read[] = Object.values(template.Resources)
  .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
  .flatMap((r) => {
    const p = r.Properties;
    const dimsOf = (d: Json) => Object.fromEntries(((d as { Name: string; Value: string }[] | null) ?? []).map((x) => [x.Name, x.Value]));
    const alarm = String(p.AlarmName);
    if (p.MetricName) return [{ alarm, namespace: String(p.Namespace), name: String(p.MetricName), dims: dimsOf(p.Dimensions) }];
    return (p.Metrics as { MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: Json } } }[])
      .filter((m) => m.MetricStat)
      .map((m) => ({ alarm, namespace: m.MetricStat!.Metric.Namespace, name: m.MetricStat!.Metric.MetricName, dims: dimsOf(m.MetricStat!.Metric.Dimensions) }));
  });

/** The metrics in captured EMF lines, each with its namespace and exactly its dimension set. */
function emitted(lines: Record<string, unknown>[]): Emitted[] {
  const out: Emitted[] = [];
  for (const doc of lines) {
    const aws = doc._aws as { CloudWatchMetrics?: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } | undefined;
    for (const block of aws?.CloudWatchMetrics ?? []) {
      for (const set of block.Dimensions) {
        const dims = Object.fromEntries(set.map((k) => [k, String(doc[k])]));
        for (const m of block.Metrics) out.push({ namespace: block.Namespace, name: m.Name, dims, value: doc[m.Name] });
      }
    }
  }
  return out;
}

const alarmsReading = (e: Emitted) =>
  reads
    .filter(
      (r) =>
        r.namespace === e.namespace && r.name === e.name && JSON.stringify(Object.entries(r.dims).sort()) === JSON.stringify(Object.entries(e.dims).sort()),
    )
    .map((r) => r.alarm);

async function capture(run: () => Promise<unknown>): Promise<Emitted[]> {
  const out = captureOutput();
  try {
    await run().catch(() => undefined);
  } finally {
    out.stop();
  }
  return emitted(out.json());
}

// What the stack sets on every rotator (lib/rotators/secure-function.ts): the namespace, the app and the environment.
const ENV = { METRICS_NAMESPACE: 'GaaraStore/Secrets', APP_NAME: 'gaara-store', APP_ENVIRONMENT: 'prod' };
const silent = () => new Logger({ serviceName: 'test', logLevel: 'SILENT' });

function counter(behaviour: Partial<Rotator<{ n: number }>> = {}): Rotator<{ n: number }> {
  return {
    kind: 'database',
    serves: ['database-url'],
    parse: (s) => JSON.parse(s) as { n: number },
    serialize: (v) => JSON.stringify(v),
    createPending: async ({ current }) => ({ n: (JSON.parse(current) as { n: number }).n + 1 }),
    applyPending: async () => undefined,
    testPending: async () => undefined,
    ...behaviour,
  };
}

function setup(behaviour: Partial<Rotator<{ n: number }>> = {}, deadlineMarginMs?: number) {
  const model = new SecretsManagerModel('eu-west-1', '333333333333');
  const arn = model.createSecret('gaara-store/prod/database-url', JSON.stringify({ n: 1 }));
  const handler = createRotationHandler(counter(behaviour), {
    secretsManager: model as unknown as SecretsManagerSender,
    logger: silent(),
    env: ENV,
    versionCache: false,
    deadlineMarginMs,
  });
  return { model, arn, handler };
}

describe('alarms match what the emitters really publish (prod template; Powertools EMF parsed)', () => {
  it('modelled: a step that fails, invoked with the full secret ARN (event-ARN path), is read by <secret>-rotation-failed', async () => {
    const { model, arn, handler } = setup({ testPending: async () => Promise.reject(new RotationError('TestFailed', 'no')) });
    expect(arn).toMatch(/:secret:gaara-store\/prod\/database-url-[0-9a-f]{6}$/);
    const metrics = await capture(() => driveRotation(model, arn, handler));
    const failed = metrics.filter((m) => m.name === 'RotationFailed');
    expect(failed).toEqual([
      { namespace: 'GaaraStore/Secrets', name: 'RotationFailed', dims: { Environment: 'prod', Secret: 'database-url', Step: 'testSecret' }, value: 1 },
    ]);
    expect(alarmsReading(failed[0])).toEqual(['gaara-store-prod-database-url-rotation-failed']);
  });

  it('modelled: a DescribeSecret failure publishes RotationFailed under the catalog name, read by the same alarm', async () => {
    const { model, arn, handler } = setup();
    const token = model.startRotation(arn);
    model.beforeCall = (command) => {
      if (command === 'DescribeSecret') throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };
    const metrics = await capture(() => handler(rotationEvent('createSecret', arn, token)));
    const failed = metrics.filter((m) => m.name === 'RotationFailed');
    expect(failed.map((m) => m.dims)).toEqual([{ Environment: 'prod', Secret: 'database-url', Step: 'createSecret' }]);
    expect(alarmsReading(failed[0])).toEqual(['gaara-store-prod-database-url-rotation-failed']);
  });

  it('modelled: a step still running at the Lambda deadline (timeout path) publishes RotationFailed, read by the same alarm', async () => {
    const { model, arn, handler } = setup({ applyPending: () => new Promise((r) => setTimeout(r, 300)) }, 50);
    const token = model.startRotation(arn);
    await capture(() => handler(rotationEvent('createSecret', arn, token)));
    const context = { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:333333333333:function:rotator', getRemainingTimeInMillis: () => 100 };
    const metrics = await capture(() => handler(rotationEvent('setSecret', arn, token), context));
    const failed = metrics.filter((m) => m.name === 'RotationFailed');
    expect(failed.map((m) => m.dims)).toEqual([{ Environment: 'prod', Secret: 'database-url', Step: 'setSecret' }]);
    expect(alarmsReading(failed[0])).toEqual(['gaara-store-prod-database-url-rotation-failed']);
  });

  it('modelled: a successful rotation publishes nothing an alarm reads (RotationSucceeded and StepDurationMs are dashboard-only)', async () => {
    const { model, arn, handler } = setup();
    const metrics = await capture(() => driveRotation(model, arn, handler));
    expect([...new Set(metrics.map((m) => m.name))].sort()).toEqual(['RotationSucceeded', 'StepDurationMs']);
    for (const m of metrics) expect(alarmsReading(m)).toEqual([]);
  });

  it('the key-ring gauge KeyRingPreviousKeys is read by the near-full (60) and full (64) alarms of encryption-key', async () => {
    const metrics = await capture(async () => publishKeyRingPreviousKeys('encryption-key', 61, ENV));
    expect(metrics).toEqual([
      { namespace: 'GaaraStore/Secrets', name: 'KeyRingPreviousKeys', dims: { Environment: 'prod', Secret: 'encryption-key' }, value: 61 },
    ]);
    expect(alarmsReading(metrics[0]).sort()).toEqual(['gaara-store-prod-encryption-key-key-ring-full', 'gaara-store-prod-encryption-key-key-ring-near-full']);
  });

  it('mocked: the secret-age figures are read by days-since-rotation (DaysSinceLastRotation), pending-rotation and placeholder alarms', async () => {
    const sm = mockClient(SecretsManagerClient);
    try {
      sm.on(ListSecretVersionIdsCommand).resolves({
        Versions: [{ VersionId: 'v1', VersionStages: ['AWSCURRENT'], CreatedDate: new Date('2026-11-01T00:00:00Z') }],
      });
      sm.on(DescribeSecretCommand).resolves({ CreatedDate: new Date('2026-11-01T00:00:00Z'), RotationEnabled: true });
      const handler = createSecretAgeHandler({
        secretsManager: new SecretsManagerClient({}),
        secrets: [{ name: 'database-url', id: 'arn:aws:secretsmanager:eu-west-1:333333333333:secret:gaara-store/prod/database-url-AbCdEf', maxAgeDays: 35 }],
        environment: 'prod',
        namespace: 'GaaraStore/Secrets',
        logger: silent(),
        now: () => new Date('2026-11-23T00:00:00Z'),
      });
      const metrics = await capture(handler);
      // The overdue alarm reads the rotation age; the value's age and NeverRotated are dashboard-only.
      expect(Object.fromEntries(metrics.map((m) => [m.name, alarmsReading(m)]))).toEqual({
        DaysSinceLastRotation: ['gaara-store-prod-database-url-days-since-rotation'],
        DaysSinceRotation: [],
        NeverRotated: [],
        PendingRotationHours: ['gaara-store-prod-database-url-pending-rotation'],
        PlaceholderSecret: ['gaara-store-prod-database-url-placeholder'],
      });
      expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    } finally {
      sm.restore();
    }
  });

  it("mocked: the client library's StaleSecretServed line (a cached value served after a failed refresh) is read by <secret>-stale-value-served", async () => {
    const sm = mockClient(SecretsManagerClient);
    try {
      const throttled = Object.assign(new Error('ThrottlingException: slow down'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
      sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'value-not-in-any-metric', VersionId: 'v1' }).rejects(throttled);
      const clock = { t: 1_000_000 };
      const lines: string[] = [];
      const client = new SecretsClient({
        client: new SecretsManagerClient({ region: 'eu-west-1' }),
        source: 'aws',
        random: () => 0,
        now: () => clock.t,
        ttlMs: 1_000,
        staleMetric: { service: 'orders-api', write: (l) => void lines.push(l) },
        env: { APP_NAME: 'gaara-store' },
      });
      await client.getSecret('gaara-store/prod/jwt-secret');
      clock.t += 2_000;
      await client.getSecret('gaara-store/prod/jwt-secret');
      const metrics = emitted(lines.map((l) => JSON.parse(l) as Record<string, unknown>));
      expect(metrics).toEqual([{ namespace: 'GaaraStore/Secrets', name: 'StaleSecretServed', dims: { Environment: 'prod', Secret: 'jwt-secret' }, value: 1 }]);
      expect(alarmsReading(metrics[0])).toEqual(['gaara-store-prod-jwt-secret-stale-value-served']);
    } finally {
      sm.restore();
    }
  });
});
