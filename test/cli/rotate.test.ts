/** `gaara-secrets rotate`: the real CLI against the MODELLED Secrets Manager over HTTP; RotateSecret runs the bundled key-ring rotator. */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { parseKeyRing } from '../../contracts';
import { startMoto, type Moto } from './support/moto';
import { writeRotatorLines } from './support/rotator-logs';
import { bundleKeyRingRotator, runRotation } from './support/rotator';
import { startInTmux, type Terminal } from './support/tmux';
import { createWorld, type World } from './support/world';

let w: World;
let bundle: string;
const rotatorOutputs: string[] = [];

let moto: Moto;
let cw: CloudWatchClient;

beforeAll(async () => {
  w = await createWorld();
  moto = await startMoto();
  w.env.AWS_ENDPOINT_URL_CLOUDWATCH = moto.url; // the rotators' metrics (RotationFailed with its Step)
  w.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS = moto.url; // the rotators' failure lines (error class)
  cw = new CloudWatchClient({
    region: 'eu-west-1',
    endpoint: moto.url,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'modelled-not-a-real-key' },
  });
  bundle = bundleKeyRingRotator();
  w.arns('dev');
  w.model.onRotate = (arn, token) => runRotation(bundle, w.server.url, arn, token, rotatorOutputs);
});
let term: Terminal | undefined;
afterAll(async () => {
  term?.kill();
  moto?.stop();
  await Promise.all(w.model.running);
  await w.server.close();
});
afterEach(() => {
  w.model.beforeCall = undefined;
  expect(w.leaks()).toEqual([]);
});

describe('rotate (modelled Secrets Manager over HTTP, bundled key-ring rotator)', () => {
  it('modelled: rotate jwt-secret --wait starts the rotation, follows the four steps and reports the new AWSCURRENT; no key in any output', async () => {
    const arns = w.arns('dev');
    const before = w.model.versionAt(arns['jwt-secret'], 'AWSCURRENT')!.versionId;
    const r = await w.cli(['rotate', 'jwt-secret', '--env', 'dev', '--wait', '--poll-seconds', '0.2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const current = w.model.versionAt(arns['jwt-secret'], 'AWSCURRENT')!;
    expect(current.versionId).not.toBe(before);
    expect(w.model.versionAt(arns['jwt-secret'], 'AWSPREVIOUS')!.versionId).toBe(before);
    expect(r.stdout).toContain(`jwt-secret: rotation started, version ${current.versionId.slice(0, 8)}`);
    expect(r.stdout).toContain('✓ createSecret  ✓ setSecret  ✓ testSecret  ✓ finishSecret  AWSCURRENT moved');
    expect(r.stdout).toContain(`jwt-secret: ✓ rotation finished, AWSCURRENT is version ${current.versionId.slice(0, 8)}`);
    const ring = parseKeyRing(current.secretString, { shape: 'jwt-secret' });
    w.values.push(ring.current.key);
  });

  it('modelled: a third-party secret cannot be rotated: exit 8, no RotateSecret call', async () => {
    const before = w.model.calls.length;
    const r = await w.cli(['rotate', 'mail-password', '--env', 'dev']);
    expect(r.code).toBe(8);
    expect(r.stderr).toContain('mail-password has no rotator (third-party)');
    expect(w.model.calls.length).toBe(before);
  });

  it('modelled: a rotation already in progress is refused before anything starts (exit 8); unknown secret is exit 4', async () => {
    const arns = w.arns('dev');
    const token = w.model.startRotation(arns['secret-key']);
    const r = await w.cli(['rotate', '--all', '--env', 'dev']);
    expect(r.code).toBe(8);
    expect(r.stderr).toContain(`secret-key already has a rotation in progress (AWSPENDING on ${token.slice(0, 8)})`);
    expect(w.model.calls.some((c) => c.command === 'RotateSecret' && c.input.SecretId === 'gaara-store/dev/encryption-key')).toBe(false);
    w.model.completeRotation(arns['secret-key']);
    const u = await w.cli(['rotate', 'nope', '--env', 'dev']);
    expect(u.code).toBe(4);
    expect(u.stderr).toContain('unknown secret "nope" in gaara-store/dev: one of secret-key, jwt-secret');
  });

  it('modelled: a rotation whose rotator fails at a step: --wait shows the failed step and the runbook section, exit 1; AWSPENDING stays, AWSCURRENT unchanged', async () => {
    const arns = w.arns('dev');
    w.model.onRotate = async () => {
      // What the rotator publishes when setSecret fails (contracts/metrics: RotationFailed {Environment, Secret, Step}).
      // The failure line it logs first (lambdas/rotation/handler.ts), then the metric.
      await writeRotatorLines(moto.url, [
        {
          kind: 'database',
          secret: 'gaara-store/dev/database-url',
          step: 'setSecret',
          errorClass: 'AuthFailed',
          error: 'password authentication failed',
          at: new Date(),
        },
      ]);
      await cw.send(
        new PutMetricDataCommand({
          Namespace: 'GaaraStore/Secrets',
          MetricData: [
            {
              MetricName: 'RotationFailed',
              Dimensions: [
                { Name: 'Environment', Value: 'dev' },
                { Name: 'Secret', Value: 'database-url' },
                { Name: 'Step', Value: 'setSecret' },
              ],
              Value: 1,
              Timestamp: new Date(),
            },
          ],
        }),
      );
      throw new Error('setSecret failed');
    };
    const before = w.model.versionAt(arns['database-url'], 'AWSCURRENT')!.versionId;
    const r = await w.cli(['rotate', 'database-url', '--env', 'dev', '--wait', '--poll-seconds', '0.2', '--timeout-seconds', '120']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('database-url: ✓ createSecret  ✗ setSecret  · testSecret  · finishSecret  failed');
    expect(r.stdout).toContain(
      'database-url: ✗ the rotator reported a failure at setSecret (error class AuthFailed): the service retries it; open runbook #alarm-rotation-failed',
    );
    expect(w.model.versionAt(arns['database-url'], 'AWSCURRENT')!.versionId).toBe(before);
    expect(w.model.versionAt(arns['database-url'], 'AWSPENDING')).toBeDefined();
    w.model.completeRotation(arns['database-url']);
  });

  it('modelled: a rotation that never finishes and reports nothing: --wait gives up at its timeout, names the runbook section, exit 1', async () => {
    const arns = w.arns('dev');
    w.model.onRotate = async () => {
      throw new Error('crashed before publishing');
    };
    const before = w.model.versionAt(arns['secret-key'], 'AWSCURRENT')!.versionId;
    const r = await w.cli(['rotate', 'secret-key', '--env', 'dev', '--wait', '--poll-seconds', '0.2', '--timeout-seconds', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/secret-key: ✗ AWSPENDING still on [0-9a-f]{8} after 1s: .*runbook #alarm-rotation-failed/);
    expect(w.model.versionAt(arns['secret-key'], 'AWSCURRENT')!.versionId).toBe(before);
    w.model.completeRotation(arns['secret-key']);
    w.model.onRotate = (arn, token) => runRotation(bundle, w.server.url, arn, token, rotatorOutputs);
  });

  it('modelled, in a real terminal (tmux): rotate --wait shows live progress on one line while the rotation runs, then the outcome', async () => {
    const arns = w.arns('dev');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    w.model.onRotate = async (arn, token) => {
      await gate; // the rotator starts only once the test has seen the in-progress display
      await runRotation(bundle, w.server.url, arn, token, rotatorOutputs);
    };
    term = startInTmux(['rotate', 'encryption-key', '--env', 'dev', '--wait', '--poll-seconds', '0.2'], w.env);
    let screen = await term.waitFor('… createSecret  … setSecret  … testSecret  … finishSecret  AWSPENDING');
    expect(screen).toMatch(/encryption-key: rotation started, version [0-9a-f]{8}/);
    release();
    screen = await term.waitFor('EXIT=');
    w.outputs.push(screen);
    expect(screen).toContain('encryption-key: ✓ createSecret  ✓ setSecret  ✓ testSecret  ✓ finishSecret  AWSCURRENT moved');
    expect(screen).toMatch(/encryption-key: ✓ rotation finished, AWSCURRENT is version [0-9a-f]{8}/);
    expect(screen).toContain('EXIT=0');
    // Live display: the progress line was rewritten in place, not repeated once per poll.
    expect(screen.match(/AWSPENDING/g) ?? []).toHaveLength(0);
    const ring = parseKeyRing(w.model.valueAt(arns['encryption-key'], 'AWSCURRENT'), { shape: 'encryption-key' });
    w.values.push(ring.current.key);
    w.model.onRotate = (arn, token) => runRotation(bundle, w.server.url, arn, token, rotatorOutputs);
  });
});
