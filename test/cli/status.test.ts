/** `gaara-secrets status`, the real CLI as a process against the MODELLED Secrets Manager over HTTP. */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { startMoto, type Moto } from './support/moto';
import { writeRotatorLines } from './support/rotator-logs';
import { createWorld, type World } from './support/world';

let w: World;
let moto: Moto;
let cw: CloudWatchClient;
beforeAll(async () => {
  w = await createWorld();
  moto = await startMoto();
  w.env.AWS_ENDPOINT_URL_CLOUDWATCH = moto.url; // the rotators' RotationSucceeded/RotationFailed metrics
  w.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS = moto.url; // the rotators' failure lines
  cw = new CloudWatchClient({
    region: 'eu-west-1',
    endpoint: moto.url,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'modelled-not-a-real-key' },
  });
});
afterAll(async () => {
  moto?.stop();
  await w.server.close();
});
afterEach(() => {
  w.model.beforeCall = undefined;
  expect(w.leaks()).toEqual([]);
});

const READ_ONLY = new Set(['DescribeSecret', 'ListSecretVersionIds']);
const callsSince = (n: number) => w.model.calls.slice(n).map((c) => c.command);

describe('status (modelled Secrets Manager over HTTP)', () => {
  it('modelled: a freshly deployed dev environment lists all seven secrets with placeholders; dev does not alarm on them: exit 0, read-only calls', async () => {
    w.arns('dev');
    const before = w.model.calls.length;
    const r = await w.cli(['status', '--env', 'dev']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const name of ['secret-key', 'jwt-secret', 'encryption-key', 'database-url', 'redis-password', 'mail-password', 'sentry-dsn'])
      expect(r.stdout).toMatch(new RegExp(`^  ${name} .* yes `, 'm'));
    expect(r.stdout).toMatch(/database-url\s+database\s+on 30d/);
    expect(r.stdout).toMatch(/mail-password\s+third-party\s+off \(max 90d\)/);
    expect(r.stdout).toContain('no problems');
    const calls = callsSince(before);
    expect(calls.every((c) => READ_ONLY.has(c))).toBe(true);
    expect(calls).toHaveLength(14);
  });

  it('modelled: --json gives every column per secret; an overdue secret is flagged and exits 1; the model is unchanged', async () => {
    await w.seed('staging', 10);
    const arns = w.arns('staging');
    w.model.ageAll(arns['mail-password'], 120); // older than its 90 days
    const stagesBefore = w.model.stagesOf(arns['mail-password']);
    const r = await w.cli(['status', '--env', 'staging', '--json']);
    expect(r.code).toBe(1);
    const body = JSON.parse(r.stdout);
    expect(body.environment).toBe('staging');
    const mail = body.secrets.find((s: { secret: string }) => s.secret === 'mail-password');
    expect(mail).toMatchObject({ overdue: true, placeholder: false, rotationEnabled: false, maxAgeDays: 90, kind: 'third-party' });
    expect(mail.ageDays).toBeGreaterThan(119);
    expect(body.problems).toEqual([expect.stringContaining('mail-password: overdue (not rotated for more than 90 days)')]);
    const jwt = body.secrets.find((s: { secret: string }) => s.secret === 'jwt-secret');
    expect(jwt).toMatchObject({ overdue: false, placeholder: false, rotationEnabled: true, rotationDays: 90, rotationInProgress: false });
    expect(w.model.stagesOf(arns['mail-password'])).toEqual(stagesBefore);
    // The human table highlights the overdue row.
    const human = await w.cli(['status', '--env', 'staging']);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^! mail-password .*OVERDUE/m);
  });

  it('modelled: a rotation in progress shows; one pending for more than 2 hours is stuck and exits 1', async () => {
    const arns = w.arns('staging');
    w.model.ageAll(arns['mail-password'], 1);
    const token = w.model.startRotation(arns['database-url']);
    w.model.find(arns['database-url']).versions.get(token)!.createdDate = new Date();
    let r = await w.cli(['status', '--env', 'staging', '--json']);
    let db = JSON.parse(r.stdout).secrets.find((s: { secret: string }) => s.secret === 'database-url');
    expect(db).toMatchObject({ rotationInProgress: true, stuck: false });
    expect(r.code).toBe(0);
    w.model.find(arns['database-url']).versions.get(token)!.createdDate = new Date(Date.now() - 3 * 3_600_000);
    r = await w.cli(['status', '--env', 'staging', '--json']);
    db = JSON.parse(r.stdout).secrets.find((s: { secret: string }) => s.secret === 'database-url');
    expect(db).toMatchObject({ rotationInProgress: true, stuck: true });
    expect(db.pendingRotationHours).toBeGreaterThan(2.9);
    expect(r.code).toBe(1);
    w.model.completeRotation(arns['database-url']);
  });

  it('modelled: a placeholder left in production is where the age alarm fires: exit 1 naming the runbook section', async () => {
    await w.seed('prod', 5, ['database-url', 'redis-password', 'mail-password', 'secret-key', 'jwt-secret', 'encryption-key']);
    const r = await w.cli(['status', '--env', 'prod']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^! sentry-dsn .*YES \(alarms\)/m);
    expect(r.stdout).toContain('sentry-dsn: placeholder in a production environment: runbook #alarm-placeholder');
  });

  it('modelled: AccessDenied names the operator role, exit 6, nothing changed', async () => {
    w.model.beforeCall = (name) => {
      if (name === 'ListSecretVersionIds')
        throw Object.assign(new Error('User: arn:aws:sts::111111111111:assumed-role/x is not authorized to perform: secretsmanager:ListSecretVersionIds'), {
          name: 'AccessDeniedException',
        });
    };
    const r = await w.cli(['status', '--env', 'dev']);
    expect(r.code).toBe(6);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /AWS refused secretsmanager:ListSecretVersionIds on gaara-store\/dev\/[a-z-]+ \(AccessDenied\): this command needs the operator role \(gaara-store-dev-operator\)/,
    );
    expect(r.stdout).toBe('');
  });

  it('modelled: throttling is retried with backoff and then succeeds; constant throttling ends in a clear message, exit 7', async () => {
    let throttles = 2;
    w.model.beforeCall = (name) => {
      if (name === 'DescribeSecret' && throttles-- > 0) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };
    let r = await w.cli(['status', '--env', 'dev']);
    expect(r.code).toBe(0);
    w.model.beforeCall = (name) => {
      if (name === 'DescribeSecret') throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };
    r = await w.cli(['status', '--env', 'dev']);
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/AWS is throttling secretsmanager:DescribeSecret on gaara-store\/dev\/[a-z-]+ \(ThrottlingException\) after retries with backoff/);
  });

  it('modelled: expired credentials (ExpiredTokenException) exit 5 and say to sign in again', async () => {
    w.model.beforeCall = () => {
      throw Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException' });
    };
    const r = await w.cli(['status', '--env', 'dev']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/AWS credentials have expired \(ExpiredTokenException\).*sign in again/);
  });

  it('modelled: no credentials at all: exit 5 before any call reaches the service', async () => {
    const before = w.model.calls.length;
    const r = await w.cli(['status', '--env', 'dev'], {
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      HOME: '/nonexistent',
      AWS_CONFIG_FILE: '/nonexistent/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/no usable AWS credentials/);
    expect(w.model.calls.length).toBe(before);
  });

  it('modelled: unknown environment: exit 3 listing the known ones, no call', async () => {
    const before = w.model.calls.length;
    const r = await w.cli(['status', '--env', 'qa']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      'gaara-secrets: unknown environment "qa": known environments are dev, staging, prod (lib/config; pass --config FILE for another file)\n',
    );
    expect(w.model.calls.length).toBe(before);
  });

  it('modelled: a rotator that reported a failed step after its last success: step (metrics) and error class (log group) show in LAST FAILURE, exit 1 (moto CloudWatch and Logs)', async () => {
    const put = (name: string, hoursAgo: number, step?: string) =>
      cw.send(
        new PutMetricDataCommand({
          Namespace: 'GaaraStore/Secrets',
          MetricData: [
            {
              MetricName: name,
              Dimensions: [
                { Name: 'Environment', Value: 'dev' },
                { Name: 'Secret', Value: 'redis-password' },
                ...(step ? [{ Name: 'Step', Value: step }] : []),
              ],
              Value: 1,
              Timestamp: new Date(Date.now() - hoursAgo * 3_600_000),
            },
          ],
        }),
      );
    w.arns('dev');
    await put('RotationSucceeded', 50);
    await put('RotationFailed', 3, 'setSecret');
    const r0 = await w.cli(['status', '--env', 'dev', '--json']);
    expect(JSON.parse(r0.stdout).logsNote).toMatch(
      /^logs:FilterLogEvents on log group \/gaara-store\/dev\/functions\/redis failed \(ResourceNotFoundException\)|was not found/,
    );
    // What the redis rotator logged: the failure of this secret, an older one of another class, another
    // secret's (same group), and a line that is not JSON. The message beside the class is never shown.
    const canary = `canary-${Date.now()}`;
    w.values.push(canary);
    const at = new Date(Date.now() - 3 * 3_600_000 + 60_000);
    await writeRotatorLines(moto.url, [
      {
        kind: 'redis',
        secret: 'gaara-store/dev/redis-password',
        step: 'setSecret',
        errorClass: 'Timeout',
        error: 'older',
        at: new Date(at.getTime() - 20 * 3_600_000),
      },
      { kind: 'redis', secret: 'gaara-store/dev/redis-password', step: 'setSecret', errorClass: 'AuthFailed', error: `WRONGPASS ${canary}`, at },
      {
        kind: 'redis',
        secret: 'gaara-store/staging/redis-password',
        step: 'setSecret',
        errorClass: 'Unreachable',
        error: 'other env',
        at: new Date(at.getTime() + 60_000),
      },
      { kind: 'redis', raw: 'START RequestId: 1 errorClass mentioned in plain text', at: new Date(at.getTime() + 120_000) },
    ]);
    const r = await w.cli(['status', '--env', 'dev', '--json']);
    expect(r.code).toBe(1);
    const body = JSON.parse(r.stdout);
    const redis = body.secrets.find((s: { secret: string }) => s.secret === 'redis-password');
    expect(redis.lastFailure).toMatchObject({ step: 'setSecret', errorClass: 'AuthFailed' });
    expect(redis.lastSuccess).toMatch(/^\d{4}-/);
    expect(body.logsNote).toBeUndefined();
    expect(body.problems).toEqual([
      expect.stringMatching(/^redis-password: last rotation failed at setSecret \(AuthFailed\) around .*: runbook #alarm-rotation-failed$/),
    ]);
    const human = await w.cli(['status', '--env', 'dev']);
    expect(human.stdout).toMatch(/^! redis-password .* setSecret AuthFailed \d{4}-/m);
    expect(human.stdout).toMatch(/^ {2}database-url .* none /m);
    expect(r.all + human.all).not.toContain('WRONGPASS');
  });
  it('modelled: a value put by hand does not reset the rotation age: a never-rotated database-url seeded yesterday is overdue by its 40 days since creation', async () => {
    const arns = w.arns('staging');
    w.model.ageAll(arns['database-url'], 40);
    await w.seed('staging', 1, ['database-url']);
    const r = await w.cli(['status', '--env', 'staging', '--json']);
    const db = JSON.parse(r.stdout).secrets.find((s: { secret: string }) => s.secret === 'database-url');
    expect(db.ageDays).toBeLessThan(1.1);
    expect(db.daysSinceLastRotation).toBeGreaterThan(39.9);
    expect(db).toMatchObject({ overdue: true, neverRotated: true, lastRotated: null });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).problems).toContainEqual(expect.stringContaining('database-url: overdue (not rotated for more than 30 days)'));
    const human = await w.cli(['status', '--env', 'staging']);
    expect(human.stdout).toMatch(/^! database-url\s+database\s+on 30d\s+never\s+40\.\d\s+[01]\.\d/m);
  });
});
