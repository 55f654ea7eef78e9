/**
 * A small test stack that instantiates the observability constructs the way the environment stack does, with a
 * test KMS key (whose policy holds opsKeyServiceStatements) and stand-in Lambda functions for the rotators.
 * Used by test/infra/audit*.test.ts, test/infra/monitoring*.test.ts and bench/monitoring-counts.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CATALOG } from '../../contracts';
import { rotationDays, type EnvironmentConfig } from '../../lib/config';
import { AlarmTopic } from '../../lib/alarm-topic';
import { AuditTrail } from '../../lib/audit';
import { SecurityMonitoring, type MonitoredRotator } from '../../lib/monitoring';
import { opsKeyServiceStatements } from '../../lib/ops-key-statements';

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

const ROTATOR_TIMEOUTS: Record<string, Duration> = {
  'key-ring': Duration.seconds(30),
  database: Duration.seconds(60),
  redis: Duration.seconds(60),
};

/**
 * The real app's feature flags (cdk.json), plus the one these constructs recommend: server access logs granted by
 * bucket policy instead of the LogDeliveryWrite ACL.
 */
export const APP_CONTEXT: Record<string, unknown> = {
  ...(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> }).context,
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
};

export function buildObservabilityStack(config: EnvironmentConfig, app = new App({ context: APP_CONTEXT })): ObservabilityTestStack {
  const env = config.account && config.region ? { account: config.account, region: config.region } : undefined;
  const stack = new Stack(app, `Observability-${config.envName}`, { env });
  const opsKey = new kms.Key(stack, 'TestOpsKey', { enableKeyRotation: true, pendingWindow: Duration.days(30) });
  for (const s of opsKeyServiceStatements(stack, config, { trailLogReaderArns: [TRAIL_READER_ARN] })) opsKey.addToResourcePolicy(s);

  const topic = new AlarmTopic(stack, 'AlarmTopic', { config, opsKey });
  const audit = new AuditTrail(stack, 'Audit', { config, opsKey, alarmTopic: topic.topic, runbookUrl: RUNBOOK_URL });

  const standIn = (id: string, timeout: Duration) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => undefined;'),
      timeout,
    });
  const rotators = Object.entries(ROTATOR_TIMEOUTS).map(([kind, timeout]) => {
    const fn = standIn(`Rotator-${kind}`, timeout);
    return { kind, fn, timeout, logGroup: fn.logGroup };
  });
  const monitoring = new SecurityMonitoring(stack, 'Monitoring', {
    config,
    alarmTopic: topic.topic,
    secrets: CATALOG.map((e) => ({ name: e.name, rotationDays: rotationDays(config, e), rotator: e.rotator })),
    rotators,
    ageFunction: standIn('AgeFunction', Duration.seconds(60)),
    audit,
    runbookUrl: RUNBOOK_URL,
    keys: [{ purpose: 'ops', keyArn: opsKey.keyArn }],
  });
  return { app, stack, opsKey, topic, audit, monitoring, rotators };
}
