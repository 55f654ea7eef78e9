import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CATALOG, DIMENSION, METRIC, metricDimensions, ROTATION_STEPS, secretNamePrefix } from '../../contracts';
import { ENVIRONMENTS, metricsNamespace, rotationDays } from '../../lib/config';
import { ROTATION_FAILURE_EVENTS, ROTATION_WARNING_EVENTS, rotationServiceEventPattern } from '../../lib/observability/event-patterns';
import { SecurityMonitoring } from '../../lib/observability/monitoring';
import { observabilityNames } from '../../lib/observability/names';
import { observedEnvironment } from '../../lib/observability/observed-environment';
import { resourcesOf, synthAll } from '../support/synth';
import { synthBaselines } from '../support/synth-baseline';
import { APP_CONTEXT, RUNBOOK_URL, buildObservabilityStack } from './monitoring.test-stack';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Alarm = { Properties: Record<string, Json> };

const built = ENVIRONMENTS.map((config) => {
  const s = buildObservabilityStack(config);
  const template = Template.fromStack(s.stack);
  return { config, s, template, json: template.toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, Json> }> } };
});

/** Replace the pseudo parameters and joins CloudFormation would resolve, for comparing with the pure patterns. */
function resolveIntrinsics(v: Json, pseudo: Record<string, string>): Json {
  if (Array.isArray(v)) return v.map((x) => resolveIntrinsics(x, pseudo));
  if (v === null || typeof v !== 'object') return v;
  if (typeof v.Ref === 'string' && pseudo[v.Ref]) return pseudo[v.Ref];
  if (Array.isArray(v['Fn::Join'])) {
    const [sep, parts] = v['Fn::Join'] as [string, Json[]];
    return parts.map((p) => resolveIntrinsics(p, pseudo)).join(sep);
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveIntrinsics(x, pseudo)]));
}

/** Every metric an alarm reads, with its namespace, name and dimensions. */
function alarmMetrics(a: Alarm): { namespace: string; name: string; dims: Record<string, string> }[] {
  const p = a.Properties;
  const dimsOf = (d: Json) => Object.fromEntries(((d as { Name: string; Value: string }[]) ?? []).map((x) => [x.Name, x.Value]));
  if (p.MetricName) return [{ namespace: p.Namespace as string, name: p.MetricName as string, dims: dimsOf(p.Dimensions) }];
  return (p.Metrics as { MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: Json } } }[])
    .filter((m) => m.MetricStat)
    .map((m) => ({ namespace: m.MetricStat!.Metric.Namespace, name: m.MetricStat!.Metric.MetricName, dims: dimsOf(m.MetricStat!.Metric.Dimensions) }));
}

describe.each(built.map((b) => [b.config.envName, b] as const))('monitoring of %s (synthesized template)', (_env, { config, s, template, json }) => {
  const alarms = Object.values(json.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm') as Alarm[];
  const topicRef = { Ref: s.stack.getLogicalId(s.topic.topic.node.defaultChild as never) };
  const names = observabilityNames(config);
  const rotated = CATALOG.filter((e) => e.rotator);
  const byName = (what: string) => alarms.find((a) => a.Properties.AlarmName === `${names.namePrefix}${what}`) as Alarm;

  it('has the expected number of alarms per environment (44 in dev and staging, 51 in prod; 50 and 57 while each environment made the account-wide ones)', () => {
    const expected = ({ dev: 44, staging: 44, prod: 51 } as Record<string, number>)[config.envName];
    // 9 rotator (3 x errors, throttles, duration) + 1 age function + 7 days since rotation + 5 pending + 5 rotation failed
    // + 2 key ring (near full, full) + 7 stale value served + 5 environment trail filters (2 key, deleted secret,
    // rotation cancelled, heartbeat) + 3 audit (this environment's secrets and break-glass role) + 7 placeholder in prod.
    // The 6 account-wide ones (4 CIS, deleted-secret reads, key policy changes) are in the account baseline.
    expect(alarms).toHaveLength(expected);
    expect(s.monitoring.alarms.length + s.audit.alarms.length).toBe(expected);
  });

  it('gives every alarm the SNS action and a name under the environment prefix the key and topic policies allow', () => {
    for (const a of alarms) {
      expect(a.Properties.AlarmActions).toEqual([topicRef]);
      expect(a.Properties.ActionsEnabled).not.toBe(false);
      expect(String(a.Properties.AlarmName).startsWith(names.namePrefix)).toBe(true);
      const keyRing = /-key-ring-(near-)?full$/.test(String(a.Properties.AlarmName));
      // Only the key-ring gauge (published once per rotation) keeps its state through missing data.
      expect(a.Properties.TreatMissingData).toBe(keyRing ? 'ignore' : a.Properties.TreatMissingData === 'breaching' ? 'breaching' : 'notBreaching');
    }
  });

  it('alarms on the rotation metrics with exactly the dimensions the emitters emit (contracts/metrics.ts)', () => {
    const ns = metricsNamespace(config);
    const ours = alarms.flatMap(alarmMetrics).filter((m) => m.namespace === ns);
    expect(ours.length).toBeGreaterThan(0);
    for (const m of ours) {
      expect(Object.values(METRIC)).toContain(m.name);
      const secret = m.dims[DIMENSION.Secret];
      const expected = metricDimensions(config.envName, secret);
      if (m.name === METRIC.RotationFailed) {
        expect(m.dims).toEqual({ ...expected, [DIMENSION.Step]: expect.any(String) });
        expect(ROTATION_STEPS).toContain(m.dims[DIMENSION.Step]);
      } else {
        expect(m.dims).toEqual(expected);
      }
      expect(CATALOG.map((e) => e.name)).toContain(secret);
      expect(Object.keys(m.dims).map((k) => k.toLowerCase())).not.toContain('service');
    }
    // RotationFailed: one alarm per rotated secret summing every step.
    for (const e of rotated) {
      const metrics = alarmMetrics(byName(`${e.name}-rotation-failed`));
      expect(metrics.map((m) => m.dims[DIMENSION.Step]).sort()).toEqual([...ROTATION_STEPS].sort());
    }
  });

  it('alarms on each secret older than its policy plus grace, with missing data breaching (a silent age function)', () => {
    for (const e of CATALOG) {
      const a = byName(`${e.name}-days-since-rotation`);
      expect(a.Properties).toMatchObject({
        MetricName: METRIC.DaysSinceLastRotation,
        Threshold: rotationDays(config, e) + 5,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'breaching',
      });
    }
    for (const e of rotated) {
      expect(byName(`${e.name}-pending-rotation`).Properties).toMatchObject({ Threshold: 1, DatapointsToAlarm: 1, TreatMissingData: 'notBreaching' });
    }
    const placeholders = alarms.filter((a) => String(a.Properties.AlarmName).endsWith('-placeholder'));
    expect(placeholders).toHaveLength(({ dev: 0, staging: 0, prod: 7 } as Record<string, number>)[config.envName]);
    for (const a of placeholders.filter((x) => /(secret-key|jwt-secret|encryption-key)-placeholder$/.test(String(x.Properties.AlarmName)))) {
      expect(a.Properties.AlarmDescription).toContain('key rings need no seeding');
      expect(a.Properties.AlarmDescription).not.toMatch(/seed it/i);
    }
  });

  it('alarms before a ring that never drops a key is full, on the KeyRingPreviousKeys gauge, holding the state between rotations', () => {
    expect(byName('encryption-key-key-ring-near-full').Properties).toMatchObject({
      MetricName: 'KeyRingPreviousKeys',
      Dimensions: [
        { Name: 'Environment', Value: config.envName },
        { Name: 'Secret', Value: 'encryption-key' },
      ],
      Statistic: 'Maximum',
      Threshold: 60,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'ignore',
    });
    expect(byName('encryption-key-key-ring-full').Properties).toMatchObject({ MetricName: 'KeyRingPreviousKeys', Threshold: 64, TreatMissingData: 'ignore' });
    // Rings that drop their oldest key (secret-key, jwt-secret) never fill up.
    expect(byName('secret-key-key-ring-full')).toBeUndefined();
    expect(byName('jwt-secret-key-ring-near-full')).toBeUndefined();
  });

  it('re-notifies a pending rotation: the alarm expression is 1 above 2 hours except 2 hours in every 24', () => {
    const metrics = byName('database-url-pending-rotation').Properties.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string } };
    }[];
    expect(metrics.find((m) => m.Expression)?.Expression).toBe('IF(p_database_url > 2, IF((p_database_url - 24 * FLOOR(p_database_url / 24)) < 22, 1, 0), 0)');
    expect(metrics.find((m) => m.MetricStat)?.MetricStat?.Metric.MetricName).toBe('PendingRotationHours');
    // The expression, evaluated as CloudWatch would on hourly PendingRotationHours points (modelled).
    const value = (p: number) => (p > 2 ? (p - 24 * Math.floor(p / 24) < 22 ? 1 : 0) : 0);
    const states = Array.from({ length: 72 }, (_, h) => value(h));
    const notifications = states.filter((v, h) => v === 1 && (h === 0 || states[h - 1] === 0)).length;
    expect(states.slice(0, 4)).toEqual([0, 0, 0, 1]);
    expect(notifications).toBe(3); // hours 3, 24 and 48 of a rotation stuck for 3 days
  });

  it('alarms on StaleSecretServed per secret with exactly {Environment, Secret}', () => {
    for (const e of CATALOG) {
      expect(byName(`${e.name}-stale-value-served`).Properties).toMatchObject({
        Namespace: 'GaaraStore/Secrets',
        MetricName: 'StaleSecretServed',
        Dimensions: [
          { Name: 'Environment', Value: config.envName },
          { Name: 'Secret', Value: e.name },
        ],
        Statistic: 'Sum',
        Period: 900,
        Threshold: 1,
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it("alarms on each rotator's errors, throttles and p99 duration above 80% of its timeout", () => {
    for (const r of s.rotators) {
      const fnRef = { Ref: s.stack.getLogicalId(r.fn.node.defaultChild as never) };
      expect(byName(`rotator-${r.kind}-errors`).Properties).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: fnRef }],
        Threshold: 1,
        DatapointsToAlarm: 1,
      });
      expect(byName(`rotator-${r.kind}-throttles`).Properties).toMatchObject({ MetricName: 'Throttles', Threshold: 1 });
      expect(byName(`rotator-${r.kind}-duration-near-timeout`).Properties).toMatchObject({
        MetricName: 'Duration',
        ExtendedStatistic: 'p99',
        Threshold: r.timeout.toMilliseconds() * 0.8,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });

  it('encrypts the topic with the ops key, e-mails config.alarmEmail, and lets only CloudWatch alarms and EventBridge rules of this environment publish, over TLS', () => {
    const opsKeyArn = { 'Fn::GetAtt': [s.stack.getLogicalId(s.opsKey.node.defaultChild as never), 'Arn'] };
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: names.topicName, KmsMasterKeyId: opsKeyArn });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: config.alarmEmail, TopicArn: topicRef });
    const [policy] = Object.values(json.Resources).filter((r) => r.Type === 'AWS::SNS::TopicPolicy');
    const statements = (
      policy.Properties.PolicyDocument as { Statement: { Effect: string; Principal: Json; Condition: Record<string, Record<string, Json>> }[] }
    ).Statement;
    expect(statements.find((st) => st.Effect === 'Deny')?.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
    const allows = statements.filter((st) => st.Effect === 'Allow');
    expect(allows.map((st) => st.Principal)).toEqual([{ Service: 'cloudwatch.amazonaws.com' }, { Service: 'events.amazonaws.com' }]);
    for (const st of allows) {
      expect(st.Condition.StringEquals['aws:SourceAccount']).toBeDefined();
      expect(JSON.stringify(st.Condition.ArnLike['aws:SourceArn'])).toContain(`${names.namePrefix}*`);
    }
  });

  it('grants CloudWatch (with source conditions) and EventBridge use of the ops key for the topic', () => {
    const [key] = Object.values(json.Resources).filter((r) => r.Type === 'AWS::KMS::Key');
    const statements = (
      key.Properties.KeyPolicy as { Statement: { Sid?: string; Principal: Json; Action: Json; Condition?: Record<string, Record<string, Json>> }[] }
    ).Statement;
    const cw = statements.find((st) => st.Sid === 'AlarmTopicPublishByCloudWatchAlarms');
    expect(cw?.Principal).toEqual({ Service: 'cloudwatch.amazonaws.com' });
    expect(cw?.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(cw?.Condition?.StringEquals['aws:SourceAccount']).toBeDefined();
    expect(JSON.stringify(cw?.Condition?.ArnLike['aws:SourceArn'])).toContain(`:alarm:${names.namePrefix}*`);
    const eb = statements.find((st) => st.Sid === 'AlarmTopicPublishByEventBridgeRules');
    expect(eb?.Principal).toEqual({ Service: 'events.amazonaws.com' });
  });

  it('routes RotationFailed (critical) and RotationAbandoned (warning) service events of this environment to the topic with a readable message', () => {
    const rules = Object.values(json.Resources).filter((r) => r.Type === 'AWS::Events::Rule');
    expect(rules).toHaveLength(2);
    const pseudo = { 'AWS::Partition': 'aws', 'AWS::Region': config.region ?? 'eu-west-1', 'AWS::AccountId': config.account ?? '111111111111' };
    const scope = {
      partition: 'aws',
      region: pseudo['AWS::Region'],
      account: pseudo['AWS::AccountId'],
      secretNamePrefix: secretNamePrefix(config.appName, config.envName),
    };
    const failed = rules.find((r) => r.Properties.Name === `${names.namePrefix}rotation-failed`)!;
    const abandoned = rules.find((r) => r.Properties.Name === `${names.namePrefix}rotation-abandoned`)!;
    expect(resolveIntrinsics(failed.Properties.EventPattern, pseudo)).toEqual(rotationServiceEventPattern(scope, ROTATION_FAILURE_EVENTS));
    expect(resolveIntrinsics(abandoned.Properties.EventPattern, pseudo)).toEqual(rotationServiceEventPattern(scope, ROTATION_WARNING_EVENTS));
    for (const rule of [failed, abandoned]) {
      const [target] = rule.Properties.Targets as { Arn: Json; InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string } }[];
      expect(target.Arn).toEqual(topicRef);
      expect(Object.values(target.InputTransformer.InputPathsMap)).toEqual(
        expect.arrayContaining(['$.detail.additionalEventData.SecretId', '$.detail.eventName', '$.time']),
      );
      expect(target.InputTransformer.InputTemplate).toContain(`${config.appName} ${config.envName}`);
      expect(target.InputTransformer.InputTemplate).toContain(RUNBOOK_URL);
      expect(target.InputTransformer.InputTemplate).toContain('aws secretsmanager describe-secret --secret-id <detail-additionalEventData-SecretId>');
    }
    expect((failed.Properties.Targets as { InputTransformer: { InputTemplate: string } }[])[0].InputTransformer.InputTemplate).toContain('ROTATION FAILED');
  });

  it('builds one dashboard naming every secret, every rotator, the runbook, the trail queries and an alarm status widget with every alarm', () => {
    const dashboards = Object.values(json.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0].Properties.DashboardName).toBe(names.dashboardName);
    const body = JSON.stringify(Stack.of(s.stack).resolve(dashboards[0].Properties.DashboardBody));
    for (const e of CATALOG) expect(body).toContain(`${e.name}: age vs ${rotationDays(config, e)}-day schedule`);
    for (const r of s.rotators) {
      expect(body).toContain(`Rotator ${r.kind}:`);
      expect(body).toContain(s.stack.getLogicalId(r.fn.node.defaultChild as never));
    }
    expect(body).toContain(RUNBOOK_URL);
    expect(body).toContain('Every reader of every secret (by role; GetSecretValue and BatchGetSecretValue; rarest first)');
    expect(body).toContain('coalesce(userIdentity.sessionContext.sessionIssuer.arn, userIdentity.arn) as who');
    expect(body).toContain('Reads in the last 90 days per secret (0: unread, Security Hub SecretsManager.3)');
    expect(body).toContain('Rotation failed / abandoned service events (CloudTrail), every one');
    expect(body).toContain('Failed rotation steps (rotator logs): secret, step, error class');
    expect(body).toContain('Automatic rotations completed, last 100 days');
    expect(body).toContain('Days since last change');
    expect(body).toContain('Secret policy, rotation and KMS key changes of this environment (deploy role included)');
    expect(body).toContain('StaleSecretServed per secret');
    expect(body).toContain('Trail heartbeat');
    // Logs Insights widgets query the trail log group: the account baseline's, by name.
    expect(body).toContain(`SOURCE '/aws/cloudtrail/gaara-store-account-audit'`);
    expect(body).toContain('Break-glass role');
    expect(body).toContain('KMS key management events');
    expect(body).toContain(`All alarms of ${config.envName}`);
    // Every alarm of the environment is referenced by the alarm status widget.
    for (const [id, r] of Object.entries(json.Resources)) if (r.Type === 'AWS::CloudWatch::Alarm') expect(body).toContain(`"${id}"`);
  });
});

describe('no unconditioned publish grant', () => {
  it.each(built.map((b) => [b.config.envName, b] as const))(
    '%s: every Allow on the topic carries source conditions (no grantPublish from a rule target)',
    (_env, { json }) => {
      for (const r of Object.values(json.Resources).filter((x) => x.Type === 'AWS::SNS::TopicPolicy')) {
        const statements = (r.Properties.PolicyDocument as { Statement: { Effect: string; Condition?: Json }[] }).Statement;
        for (const st of statements.filter((x) => x.Effect === 'Allow')) {
          expect(st.Condition).toEqual(expect.objectContaining({ StringEquals: expect.anything(), ArnLike: expect.anything() }));
        }
      }
    },
  );
});

describe('tuning props', () => {
  it('honours ageGraceDays, pendingHoursThreshold and durationShareOfTimeout', () => {
    const config = ENVIRONMENTS[0];
    const app = new App({ context: APP_CONTEXT });
    const stack = new Stack(app, 'Tuned');
    const topic = new sns.Topic(stack, 'Topic');
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => undefined;'),
      timeout: Duration.seconds(100),
    });
    new SecurityMonitoring(stack, 'Monitoring', {
      ...observedEnvironment({ ...config, runbookUrl: RUNBOOK_URL }),
      production: config.production,
      alarmTopic: topic,
      secrets: [{ name: 'database-url', rotationDays: 30, rotator: 'database' }],
      rotators: [{ kind: 'database', fn, timeout: Duration.seconds(100) }],
      ageGraceDays: 2,
      pendingHoursThreshold: 6,
      durationShareOfTimeout: 0.5,
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'gaara-store-dev-database-url-days-since-rotation', Threshold: 32 });
    const pending = Object.values(t.toJSON().Resources as Record<string, { Properties?: { AlarmName?: string; Metrics?: { Expression?: string }[] } }>).find(
      (r) => r.Properties?.AlarmName === 'gaara-store-dev-database-url-pending-rotation',
    );
    expect(pending?.Properties?.Metrics?.find((m) => m.Expression)?.Expression).toBe(
      'IF(p_database_url > 6, IF((p_database_url - 24 * FLOOR(p_database_url / 24)) < 22, 1, 0), 0)',
    );
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'gaara-store-dev-rotator-database-duration-near-timeout', Threshold: 50000 });
    // No trail given: the dashboard has no Logs Insights widgets.
    const body = JSON.stringify(
      stack.resolve(
        Object.values(t.toJSON().Resources as Record<string, { Type: string; Properties: { DashboardBody: Json } }>).find(
          (r) => r.Type === 'AWS::CloudWatch::Dashboard',
        )!.Properties.DashboardBody,
      ),
    );
    expect(body).not.toContain('SOURCE');
    expect(body).toContain('No trail log group in this account');
  });
});

describe('account-wide alarms live in the account baseline, once per account (app as lib/app.ts builds it)', () => {
  const { app, results } = synthAll();
  const baselines = synthBaselines(app);
  const alarmNames = (t: Template) =>
    resourcesOf(t, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties.AlarmName as string)
      .sort();
  const ACCOUNT_WIDE = [
    'CloudTrailConfigChanges',
    'DeletedSecretAccess',
    'IamPolicyChanges',
    'KmsKeyDisabledOrScheduledForDeletion',
    'KmsKeyPolicyChangedOrRotationDisabled',
    'UnauthorizedApiCalls',
  ];

  it.each(['dev', 'staging', 'prod'])('%s: none in the environment stack, all 6 in the baseline of its account', (env) => {
    const environment = results.find((r) => r.config.envName === env)!;
    expect(alarmNames(environment.template).filter((n) => ACCOUNT_WIDE.some((id) => n.endsWith(`-${id}`)))).toEqual([]);
    const [baseline, ...others] = baselines.filter((b) => b.config.envNames.includes(env));
    expect(others).toEqual([]);
    expect(alarmNames(baseline.template)).toEqual([
      'gaara-store-account-CloudTrailConfigChanges',
      'gaara-store-account-DeletedSecretAccess',
      'gaara-store-account-IamPolicyChanges',
      'gaara-store-account-KmsKeyDisabledOrScheduledForDeletion',
      'gaara-store-account-KmsKeyPolicyChangedOrRotationDisabled',
      'gaara-store-account-UnauthorizedApiCalls',
    ]);
  });
});
