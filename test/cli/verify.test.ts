/** `gaara-secrets verify`: the real CLI against the MODELLED Secrets Manager over HTTP and moto's KMS. */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { startMoto, type Moto } from './support/moto';
import { createWorld, type World } from './support/world';

let w: World;
let moto: Moto;
let keyArn: string;
let kmsEnv: Record<string, string>;
let cw: CloudWatchClient;
const metric = (name: string, secret: string, hoursAgo: number, step?: string) =>
  cw.send(new PutMetricDataCommand({ Namespace: 'GaaraStore/Secrets', MetricData: [{ MetricName: name, Dimensions: [{ Name: 'Environment', Value: 'dev' }, { Name: 'Secret', Value: secret }, ...(step ? [{ Name: 'Step', Value: step }] : [])], Value: 1, Timestamp: new Date(Date.now() - hoursAgo * 3_600_000) }] }));

beforeAll(async () => {
  w = await createWorld();
  moto = await startMoto();
  const kms = new KMSClient({ region: 'eu-west-1', endpoint: moto.url, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'modelled-not-a-real-key' } });
  keyArn = (await kms.send(new CreateKeyCommand({ Description: 'secrets key' }))).KeyMetadata!.Arn!;
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/gaara-store/dev/secrets', TargetKeyId: keyArn }));
  kmsEnv = { AWS_ENDPOINT_URL_KMS: moto.url, AWS_ENDPOINT_URL_CLOUDWATCH: moto.url };
  cw = new CloudWatchClient({ region: 'eu-west-1', endpoint: moto.url, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'modelled-not-a-real-key' } });
  for (const s of ['secret-key', 'jwt-secret', 'encryption-key', 'database-url', 'redis-password']) await metric('RotationSucceeded', s, 72);
  await metric('RotationFailed', 'database-url', 100, 'testSecret'); // an older failure, since rotated successfully
  const arns = w.arns('dev');
  await w.seed('dev', 3);
  for (const arn of Object.values(arns)) {
    const m = w.model.meta.get(arn)!;
    m.kmsKeyId = keyArn;
    if (m.hasRotator) m.lastRotatedDate = new Date(Date.now() - 3 * 86_400_000);
  }
});
afterAll(async () => {
  moto?.stop();
  await w.server.close();
});
afterEach(() => expect(w.leaks()).toEqual([]));

describe('verify (modelled Secrets Manager over HTTP, moto KMS and CloudWatch)', () => {
  it('modelled: a healthy environment passes every covered check, marks the uncovered ones, exit 0, read-only calls only', async () => {
    const before = w.model.calls.length;
    const r = await w.cli(['verify', '--env', 'dev'], kmsEnv);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✓ secrets key alias/gaara-store/dev/secrets exists');
    expect(r.stdout).toContain('✓ database-url rotates every 30 days');
    expect(r.stdout).toContain('✓ jwt-secret is on alias/gaara-store/dev/secrets');
    expect(r.stdout).toContain('✓ mail-password has no automatic rotation');
    expect(r.stdout).toContain('✓ redis-password has rotated and no rotation is stuck');
    expect(r.stdout).toContain('- the alarm topic has a confirmed subscription: not yet covered (SNS)');
    expect(r.stdout).toMatch(/✓ the last rotation of database-url succeeded \(database rotator metrics, last 91 days\): succeeded around \d{4}-/);
    expect(r.stdout).not.toContain('✗');
    const calls = new Set(w.model.calls.slice(before).map((c) => c.command));
    expect([...calls].sort()).toEqual(['DescribeSecret', 'GetResourcePolicy', 'ListSecretVersionIds']);
  });

  it('modelled: a secret on another key, a missing resource policy and rotation switched off each give ✗ with what to do, exit 1, nothing changed', async () => {
    const arns = w.arns('dev');
    w.model.meta.get(arns['sentry-dsn'])!.kmsKeyId = undefined;
    w.model.meta.get(arns['jwt-secret'])!.resourcePolicy = undefined;
    w.model.find(arns['database-url']).rotationEnabled = false;
    await metric('RotationFailed', 'redis-password', 2, 'setSecret');
    const stages = w.model.stagesOf(arns['database-url']);
    const r = await w.cli(['verify', '--env', 'dev', '--json'], kmsEnv);
    expect(r.code).toBe(1);
    const body = JSON.parse(r.stdout);
    const failed = body.checks.filter((c: { ok: boolean | null }) => c.ok === false).map((c: { check: string; detail: string }) => `${c.check}: ${c.detail}`);
    expect(failed).toEqual([
      'database-url rotates every 30 days: rotation is off: runbook #alarm-rotation-cancelled',
      'jwt-secret has its resource policy: no resource policy: redeploy the stack (runbook #alarm-policy-change)',
      'sentry-dsn is on alias/gaara-store/dev/secrets: KmsKeyId is aws/secretsmanager (default)',
      expect.stringMatching(/^the last rotation of redis-password succeeded \(redis rotator metrics, last 91 days\): failed at setSecret around \d{4}-.*: runbook #alarm-rotation-failed/),
    ].sort((a, b) => (typeof a === 'string' ? body.checks.findIndex((c: { check: string }) => a.startsWith(c.check)) : 99) - (typeof b === 'string' ? body.checks.findIndex((c: { check: string }) => b.startsWith(c.check)) : 99)));
    expect(w.model.stagesOf(arns['database-url'])).toEqual(stages);
  });
});
