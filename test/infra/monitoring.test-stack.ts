/**
 * A small test stack that instantiates the observability constructs the way the environment stack does, with a
 * test KMS key (whose policy holds opsKeyServiceStatements) and stand-in Lambda functions for the rotators.
 * Used by test/infra/audit*.test.ts, test/infra/monitoring*.test.ts and bench/monitoring-counts.ts.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CATALOG } from '../../contracts';
import { rotationDays, type EnvironmentConfig } from '../../lib/config';
import { resolveEnvironment, retentionOf } from '../../lib/config/resolve';
import { AlarmTopic } from '../../lib/observability/alarm-topic';
import { AuditTrail } from '../../lib/observability/audit';
import { SecurityMonitoring, type MonitoredRotator } from '../../lib/observability/monitoring';
import { environmentAlarmTopic, observedEnvironment } from '../../lib/observability/observed-environment';
import { opsKeyServiceStatements } from '../../lib/observability/ops-key-statements';
import { ROTATORS, SecretAgeCheck } from '../../lib/rotators';
import { CDK_JSON_CONTEXT } from '../support/synth';

export const RUNBOOK_URL = 'https://github.com/example/gaara-secrets/blob/main/docs/runbook.md';
export const TRAIL_READER_ARN = 'arn:aws:iam::111111111111:role/gaara-store-security-auditor';

export interface ObservabilityTestStack {
  app: App;
  stack: Stack;
  opsKey: kms.Key;
  topic: AlarmTopic;
  audit: AuditTrail;
  monitoring: SecurityMonitoring;
  rotators: MonitoredRotator[];
}

/** The real app's feature flags (cdk.json). */
export const APP_CONTEXT: Record<string, unknown> = CDK_JSON_CONTEXT;

export function buildObservabilityStack(input: EnvironmentConfig, app = new App({ context: APP_CONTEXT })): ObservabilityTestStack {
  const env = input.account && input.region ? { account: input.account, region: input.region } : undefined;
  const stack = new Stack(app, `Observability-${input.envName}`, { env });
  // As SecretsStack does: config ARNs with ${AWS::…} placeholders and the bootstrap deploy role, resolved once.
  const config = resolveEnvironment({ ...input, runbookUrl: RUNBOOK_URL }, stack);
  const opsKey = new kms.Key(stack, 'TestOpsKey', { enableKeyRotation: true, pendingWindow: Duration.days(30) });
  const statements = opsKeyServiceStatements(stack, {
    appName: config.appName,
    envName: config.envName,
    trail: config.audit.trail,
    trailLogReaderArns: [TRAIL_READER_ARN],
  });
  for (const s of statements) opsKey.addToResourcePolicy(s);

  const topic = new AlarmTopic(stack, 'AlarmTopic', { opsKey, ...environmentAlarmTopic(config) });
  const observed = observedEnvironment(config);
  const audit = new AuditTrail(stack, 'Audit', {
    ...observed,
    audit: config.audit,
    opsKey,
    alarmTopic: topic.topic,
    ...retentionOf(config),
  });

  const standIn = (id: string, timeout: Duration) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => undefined;'),
      timeout,
    });
  // One stand-in per registered rotator with the real construct's timeout, so the duration alarms match the stack's.
  const rotators = ROTATORS.map(({ KIND: kind, TIMEOUT: timeout }) => {
    const fn = standIn(`Rotator-${kind}`, timeout);
    return { kind, fn, timeout, logGroup: fn.logGroup };
  });
  const monitoring = new SecurityMonitoring(stack, 'Monitoring', {
    ...observed,
    production: config.production,
    alarmTopic: topic.topic,
    secrets: CATALOG.map((e) => ({ name: e.name, rotationDays: rotationDays(config, e), rotator: e.rotator })),
    rotators,
    ageFunction: standIn('AgeFunction', SecretAgeCheck.TIMEOUT),
    audit,
    keys: [{ purpose: 'ops', keyArn: opsKey.keyArn }],
  });
  return { app, stack, opsKey, topic, audit, monitoring, rotators };
}
