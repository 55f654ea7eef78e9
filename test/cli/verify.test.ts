/**
 * `gaara-secrets verify`: the real CLI against the MODELLED Secrets Manager, CloudFormation and SNS over HTTP
 * and moto's KMS and CloudWatch. The modelled stack holds the real synthesized dev template; the live resource
 * policies are written out literally below, as Secrets Manager would return them.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { ENVIRONMENTS } from '../../lib/config';
import { synthAll } from '../support/synth';
import { startMoto, type Moto } from './support/moto';
import { serveStackModel, type StackModel } from './support/stack-model';
import { createWorld, type World } from './support/world';

let w: World;
let moto: Moto;
let stacks: StackModel;
let keyArn: string;
let extraEnv: Record<string, string>;
let cw: CloudWatchClient;
const metric = (name: string, secret: string, hoursAgo: number, step?: string) =>
  cw.send(
    new PutMetricDataCommand({
      Namespace: 'GaaraStore/Secrets',
      MetricData: [
        {
          MetricName: name,
          Dimensions: [{ Name: 'Environment', Value: 'dev' }, { Name: 'Secret', Value: secret }, ...(step ? [{ Name: 'Step', Value: step }] : [])],
          Value: 1,
          Timestamp: new Date(Date.now() - hoursAgo * 3_600_000),
        },
      ],
    }),
  );

const TOPIC = 'arn:aws:sns:eu-west-1:111111111111:gaara-store-dev-security-alarms';
const role = (name: string) => `arn:aws:iam::111111111111:role/${name}`;
const BREAK_GLASS = role('gaara-store-break-glass');
const DEPLOY = role('cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1');
const APP = role('gaara-store-dev-AccessApplicationRole');
const OPERATOR = role('gaara-store-dev-operator');
const ROTATOR = {
  'key-ring': role('gaara-store-dev-KeyRingRotationRotatorRole'),
  database: role('gaara-store-dev-DatabaseRotationRotatorRole'),
  redis: role('gaara-store-dev-RedisRotationRotatorRole'),
};

/** A secret's policy as GetResourcePolicy returns it: statements in another order, and `"*"`/one-string forms. */
function livePolicy(rotator?: string): Record<string, unknown> {
  const r = rotator ? [rotator] : [];
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyReplicationToEveryone',
        Effect: 'Deny',
        Principal: '*',
        Action: ['secretsmanager:StopReplicationToReplica', 'secretsmanager:ReplicateSecretToRegions', 'secretsmanager:RemoveRegionsFromReplication'],
        Resource: '*',
      },
      {
        Sid: 'DenyRestoreExceptBreakGlass',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['secretsmanager:RestoreSecret'],
        Resource: ['*'],
        Condition: { ArnNotLike: { 'aws:PrincipalArn': BREAK_GLASS } },
      },
      {
        Sid: 'DenyDefinitionChangesExceptDeploy',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: [
          'secretsmanager:DeleteResourcePolicy',
          'secretsmanager:DeleteSecret',
          'secretsmanager:PutResourcePolicy',
          'secretsmanager:TagResource',
          'secretsmanager:UntagResource',
          'secretsmanager:UpdateSecret',
        ],
        Resource: '*',
        Condition: { ArnNotLike: { 'aws:PrincipalArn': [DEPLOY] } },
      },
      {
        Sid: 'DenyRotationControlExceptDeployAndBreakGlass',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['secretsmanager:CancelRotateSecret', 'secretsmanager:RotateSecret'],
        Resource: '*',
        Condition: { ArnNotLike: { 'aws:PrincipalArn': [OPERATOR, DEPLOY, BREAK_GLASS] } },
      },
      {
        Sid: 'DenyValueWritesExceptRotatorAndBreakGlass',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
        Resource: '*',
        Condition: { ArnNotLike: { 'aws:PrincipalArn': [...r, BREAK_GLASS] } },
      },
      {
        Sid: 'DenyReadExceptReadersRotatorAndBreakGlass',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'secretsmanager:GetSecretValue',
        Resource: '*',
        Condition: { ArnNotLike: { 'aws:PrincipalArn': [APP, ...r, BREAK_GLASS] } },
      },
    ],
  };
}
const ROTATOR_OF: Record<string, string | undefined> = {
  'secret-key': ROTATOR['key-ring'],
  'jwt-secret': ROTATOR['key-ring'],
  'encryption-key': ROTATOR['key-ring'],
  'database-url': ROTATOR.database,
  'redis-password': ROTATOR.redis,
  'mail-password': undefined,
  'sentry-dsn': undefined,
};

function setLivePolicies(): void {
  const arns = w.arns('dev');
  for (const [name, arn] of Object.entries(arns)) w.model.meta.get(arn)!.resourcePolicy = JSON.stringify(livePolicy(ROTATOR_OF[name]));
}

beforeAll(async () => {
  w = await createWorld();
  moto = await startMoto();
  stacks = await serveStackModel();
  const kms = new KMSClient({
    region: 'eu-west-1',
    endpoint: moto.url,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'modelled-not-a-real-key' },
  });
  keyArn = (await kms.send(new CreateKeyCommand({ Description: 'secrets key' }))).KeyMetadata!.Arn!;
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/gaara-store/dev/secrets', TargetKeyId: keyArn }));
  extraEnv = {
    AWS_ENDPOINT_URL_KMS: moto.url,
    AWS_ENDPOINT_URL_CLOUDWATCH: moto.url,
    AWS_ENDPOINT_URL_CLOUDFORMATION: stacks.url,
    AWS_ENDPOINT_URL_SNS: stacks.url,
  };
  cw = new CloudWatchClient({
    region: 'eu-west-1',
    endpoint: moto.url,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'modelled-not-a-real-key' },
  });
  for (const s of ['secret-key', 'jwt-secret', 'encryption-key', 'database-url', 'redis-password']) await metric('RotationSucceeded', s, 72);
  await metric('RotationFailed', 'database-url', 100, 'testSecret'); // an older failure, since rotated successfully
  const arns = w.arns('dev');
  await w.seed('dev', 3);
  for (const arn of Object.values(arns)) {
    const m = w.model.meta.get(arn)!;
    m.kmsKeyId = keyArn;
    if (m.hasRotator) m.lastRotatedDate = new Date(Date.now() - 3 * 86_400_000);
  }
  setLivePolicies();
  // The deployed stack: the real dev template, and the physical ids CloudFormation gave its resources.
  const template = synthAll([ENVIRONMENTS.find((e) => e.envName === 'dev')!]).results[0]!.template.toJSON() as {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };
  const physicalIds: Record<string, string> = {};
  for (const [id, r] of Object.entries(template.Resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::SecretsManager::Secret') physicalIds[id] = arns[String(p.Name).split('/').pop()!]!;
    else if (r.Type === 'AWS::IAM::Role') physicalIds[id] = typeof p.RoleName === 'string' ? p.RoleName : `gaara-store-dev-${id.replace(/[0-9A-F]{8}$/, '')}`;
    else if (r.Type === 'AWS::SNS::Topic') physicalIds[id] = TOPIC;
    else physicalIds[id] = `${id}-physical`;
  }
  stacks.stacks.set('gaara-store-dev-secrets', { template, physicalIds });
  stacks.subscriptions.set(TOPIC, [{ SubscriptionArn: `${TOPIC}:0b1c2d3e-aaaa-bbbb-cccc-000000000001`, Protocol: 'email', Endpoint: 'oncall@example.com' }]);
}, 180_000);
afterAll(async () => {
  moto?.stop();
  await stacks?.close();
  await w.server.close();
});
afterEach(() => expect(w.leaks()).toEqual([]));

describe('verify (modelled Secrets Manager, CloudFormation and SNS over HTTP; moto KMS and CloudWatch)', () => {
  it('modelled: a healthy environment passes every check, exit 0, read-only calls only', async () => {
    const before = w.model.calls.length;
    stacks.calls.length = 0;
    const r = await w.cli(['verify', '--env', 'dev'], extraEnv);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✓ the deployed stack gaara-store-dev-secrets is readable');
    expect(r.stdout).toContain('✓ secrets key alias/gaara-store/dev/secrets exists');
    expect(r.stdout).toContain('✓ database-url rotates every 30 days');
    expect(r.stdout).toContain('✓ jwt-secret is on alias/gaara-store/dev/secrets');
    expect(r.stdout).toContain('✓ mail-password has no automatic rotation');
    expect(r.stdout).toContain('✓ redis-password has rotated and no rotation is stuck');
    for (const s of ['secret-key', 'jwt-secret', 'encryption-key', 'database-url', 'redis-password', 'mail-password', 'sentry-dsn']) {
      expect(r.stdout).toContain(`✓ ${s} resource policy equals the one gaara-store-dev-secrets deployed\n`);
    }
    expect(r.stdout).toContain('✓ the alarm topic gaara-store-dev-security-alarms has a confirmed subscription: 1 confirmed (email)');
    expect(r.stdout).toMatch(/✓ the last rotation of database-url succeeded \(database rotator metrics, last 91 days\): succeeded around \d{4}-/);
    expect(r.stdout).not.toContain('✗');
    expect(r.stdout).not.toMatch(/^- /m);
    const calls = new Set(w.model.calls.slice(before).map((c) => c.command));
    expect([...calls].sort()).toEqual(['DescribeSecret', 'GetResourcePolicy', 'ListSecretVersionIds']);
    // The template has more than 100 resources: ListStackResources is paged.
    expect(stacks.calls.map((c) => c.action)).toEqual(['GetTemplate', 'ListStackResources', 'ListStackResources', 'ListSubscriptionsByTopic']);
  });

  it('modelled: a policy changed by hand says which statement and principal differ; an unconfirmed subscription fails; exit 1, nothing changed', async () => {
    const arns = w.arns('dev');
    const jwt = livePolicy(ROTATOR['key-ring']) as { Statement: Record<string, any>[] };
    jwt.Statement.find((s) => s.Sid === 'DenyReadExceptReadersRotatorAndBreakGlass')!.Condition.ArnNotLike['aws:PrincipalArn'].push(role('someone-else'));
    w.model.meta.get(arns['jwt-secret'])!.resourcePolicy = JSON.stringify(jwt);
    const sentry = livePolicy() as { Statement: Record<string, any>[] };
    sentry.Statement = sentry.Statement.filter((s) => s.Sid !== 'DenyReplicationToEveryone');
    sentry.Statement.push({
      Sid: 'AllowCopy',
      Effect: 'Allow',
      Principal: { AWS: role('someone-else') },
      Action: 'secretsmanager:ReplicateSecretToRegions',
      Resource: '*',
    });
    w.model.meta.get(arns['sentry-dsn'])!.resourcePolicy = JSON.stringify(sentry);
    stacks.subscriptions.set(TOPIC, [{ SubscriptionArn: 'PendingConfirmation', Protocol: 'email', Endpoint: 'oncall@example.com' }]);
    const stages = w.model.stagesOf(arns['jwt-secret']);
    try {
      const r = await w.cli(['verify', '--env', 'dev', '--json'], extraEnv);
      expect(r.code).toBe(1);
      const failed = JSON.parse(r.stdout)
        .checks.filter((c: { ok: boolean | null }) => c.ok === false)
        .map((c: { check: string; detail: string }) => `${c.check}: ${c.detail}`);
      expect(failed).toEqual([
        'jwt-secret resource policy equals the one gaara-store-dev-secrets deployed: statement DenyReadExceptReadersRotatorAndBreakGlass differs in Condition ArnNotLike aws:PrincipalArn: +arn:aws:iam::111111111111:role/someone-else: redeploy the stack (runbook #alarm-policy-change)',
        'sentry-dsn resource policy equals the one gaara-store-dev-secrets deployed: statement DenyReplicationToEveryone is missing; statement AllowCopy is not in the deployed template: redeploy the stack (runbook #alarm-policy-change)',
        'the alarm topic gaara-store-dev-security-alarms has a confirmed subscription: 1 subscription(s), none confirmed: confirm the e-mail AWS sent to the alarm address (runbook #1)',
      ]);
      expect(w.model.stagesOf(arns['jwt-secret'])).toEqual(stages);
    } finally {
      setLivePolicies();
      stacks.subscriptions.set(TOPIC, [
        { SubscriptionArn: `${TOPIC}:0b1c2d3e-aaaa-bbbb-cccc-000000000001`, Protocol: 'email', Endpoint: 'oncall@example.com' },
      ]);
    }
  });

  it('modelled: no subscription at all, and a stack that is not deployed, each fail with what to do', async () => {
    stacks.subscriptions.set(TOPIC, []);
    let r = await w.cli(['verify', '--env', 'dev'], extraEnv);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '✗ the alarm topic gaara-store-dev-security-alarms has a confirmed subscription: no subscription: nobody receives the alarms (runbook #1)',
    );
    stacks.subscriptions.set(TOPIC, [{ SubscriptionArn: `${TOPIC}:0b1c2d3e-aaaa-bbbb-cccc-000000000001`, Protocol: 'email', Endpoint: 'oncall@example.com' }]);
    stacks.failWith.set('GetTemplate', 'AccessDenied');
    try {
      r = await w.cli(['verify', '--env', 'dev'], extraEnv);
    } finally {
      stacks.failWith.clear();
    }
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '✗ the deployed stack gaara-store-dev-secrets is readable: AWS refused cloudformation:GetTemplate on stack gaara-store-dev-secrets (AccessDenied): this command needs the operator role (gaara-store-dev-operator); the policy and alarm-topic checks need it',
    );
    const saved = stacks.stacks.get('gaara-store-dev-secrets')!;
    stacks.stacks.delete('gaara-store-dev-secrets');
    try {
      r = await w.cli(['verify', '--env', 'dev'], extraEnv);
    } finally {
      stacks.stacks.set('gaara-store-dev-secrets', saved);
    }
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '✗ the deployed stack gaara-store-dev-secrets is readable: not found (ValidationError): deploy it (runbook #1) or check --app, --env and --region; the policy and alarm-topic checks need it',
    );
  });

  it('modelled: a secret on another key, a missing resource policy and rotation switched off each give ✗ with what to do, exit 1, nothing changed', async () => {
    const arns = w.arns('dev');
    w.model.meta.get(arns['sentry-dsn'])!.kmsKeyId = undefined;
    w.model.meta.get(arns['jwt-secret'])!.resourcePolicy = undefined;
    w.model.find(arns['database-url']).rotationEnabled = false;
    await metric('RotationFailed', 'redis-password', 2, 'setSecret');
    const stages = w.model.stagesOf(arns['database-url']);
    const r = await w.cli(['verify', '--env', 'dev', '--json'], extraEnv);
    expect(r.code).toBe(1);
    const body = JSON.parse(r.stdout);
    const failed = body.checks.filter((c: { ok: boolean | null }) => c.ok === false).map((c: { check: string; detail: string }) => `${c.check}: ${c.detail}`);
    expect(failed).toEqual(
      [
        'database-url rotates every 30 days: rotation is off: runbook #alarm-rotation-cancelled',
        'jwt-secret has its resource policy: no resource policy: redeploy the stack (runbook #alarm-policy-change)',
        'sentry-dsn is on alias/gaara-store/dev/secrets: KmsKeyId is aws/secretsmanager (default)',
        expect.stringMatching(
          /^the last rotation of redis-password succeeded \(redis rotator metrics, last 91 days\): failed at setSecret around \d{4}-.* \(error class unknown: the log group could not be read\): runbook #alarm-rotation-failed$/,
        ),
      ].sort(
        (a, b) =>
          (typeof a === 'string' ? body.checks.findIndex((c: { check: string }) => a.startsWith(c.check)) : 99) -
          (typeof b === 'string' ? body.checks.findIndex((c: { check: string }) => b.startsWith(c.check)) : 99),
      ),
    );
    expect(w.model.stagesOf(arns['database-url'])).toEqual(stages);
  });
});
