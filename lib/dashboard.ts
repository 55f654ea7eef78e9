/**
 * The widgets of one environment's secrets dashboard, in rows. docs/dashboard.md explains every widget, what
 * normal looks like and what to do when it does not.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { SecretName } from '../contracts';
import { SECRET_NAMES } from '../contracts';
import type { AuditSignals } from './audit';
import type { EnvironmentConfig } from './config';
import { secretNamePrefix } from './metric-filters';

export interface DashboardSecret {
  name: SecretName;
  rotationDays: number;
  rotator?: string;
  alarmDays: number;
  daysSinceRotation: cloudwatch.IMetric;
  pendingHours?: cloudwatch.IMetric;
  succeeded?: cloudwatch.IMetric;
  failed?: cloudwatch.IMetric;
}

export interface DashboardRotator {
  kind: string;
  fn: lambda.IFunction;
  timeout: Duration;
  share: number;
}

export interface DashboardInput {
  config: EnvironmentConfig;
  runbookUrl: string;
  secrets: DashboardSecret[];
  rotators: DashboardRotator[];
  ageFunction?: lambda.IFunction;
  audit?: AuditSignals;
  alarms: cloudwatch.IAlarm[];
}

const FULL = 24;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function header(input: DashboardInput): cloudwatch.TextWidget {
  const { config } = input;
  const trail = input.audit?.logGroup
    ? `Trail log group: \`${input.audit.logGroup.logGroupName}\`.`
    : '**No trail log group in this account** (organisation trail): the trail sections are empty; see the organisation account.';
  const markdown = [
    `# ${config.appName} secrets: ${config.envName}`,
    `Secrets \`${secretNamePrefix(config)}*\`. Runbook: [${input.runbookUrl}](${input.runbookUrl}). ${trail}`,
    '',
    '**Rotation state**: per secret, days since the current version was created against its schedule (dashed line) and alarm threshold; ' +
      'pending hours (a lingering AWSPENDING is a stuck rotation); rotation outcomes from the rotators. **Last rotation outcome** comes from CloudTrail. ' +
      '**Rotators**: invocations, errors, throttles and p99 duration against the timeout. ' +
      '**Secret reads**: GetSecretValue per secret, and per secret and caller. ' +
      '**Access denied**, **Break-glass**, **KMS key events**: security signals from the trail; any non-zero value has an alarm. ' +
      '**Alarms**: every alarm of this environment.',
  ].join('\n');
  return new cloudwatch.TextWidget({ markdown, width: FULL, height: 4 });
}

function sectionTitle(text: string): cloudwatch.TextWidget {
  return new cloudwatch.TextWidget({ markdown: `## ${text}`, width: FULL, height: 1 });
}

function secretWidget(s: DashboardSecret): cloudwatch.GraphWidget {
  const right: cloudwatch.IMetric[] = [s.succeeded, s.failed, s.pendingHours].filter((m): m is cloudwatch.IMetric => m !== undefined);
  return new cloudwatch.GraphWidget({
    title: `${s.name}: age vs ${s.rotationDays}-day schedule (${s.rotator ? `${s.rotator} rotator` : 'rotated by hand'})`,
    left: [s.daysSinceRotation],
    leftYAxis: { min: 0, label: 'days', showUnits: false },
    leftAnnotations: [
      { value: s.rotationDays, label: `schedule ${s.rotationDays} d`, color: '#1f77b4', fill: cloudwatch.Shading.NONE },
      { value: s.alarmDays, label: `alarm > ${s.alarmDays} d`, color: '#d62728', fill: cloudwatch.Shading.ABOVE },
    ],
    right,
    rightYAxis: { min: 0, label: 'count / hours', showUnits: false },
    width: 8,
    height: 6,
  });
}

function rotatorWidget(r: DashboardRotator): cloudwatch.GraphWidget {
  const sum = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
  const ms = r.timeout.toMilliseconds();
  return new cloudwatch.GraphWidget({
    title: `Rotator ${r.kind}: invocations, errors, throttles; duration vs ${r.timeout.toSeconds()} s timeout`,
    left: [r.fn.metricInvocations(sum), r.fn.metricErrors(sum), r.fn.metricThrottles(sum)],
    leftYAxis: { min: 0, showUnits: false },
    right: [
      r.fn.metricDuration({ period: Duration.minutes(5), statistic: cloudwatch.Stats.p(99) }),
      r.fn.metricDuration({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
    ],
    rightYAxis: { min: 0, max: ms, label: 'ms', showUnits: false },
    rightAnnotations: [
      { value: Math.round(ms * r.share), label: `alarm ${Math.round(r.share * 100)}% of timeout`, color: '#ff7f0e' },
      { value: ms, label: 'timeout', color: '#d62728' },
    ],
    width: 8,
    height: 6,
  });
}

function query(logGroup: string, title: string, lines: string[], width = 12): cloudwatch.LogQueryWidget {
  return new cloudwatch.LogQueryWidget({ title, logGroupNames: [logGroup], queryString: lines.join('\n| '), width, height: 6 });
}

/** Logs Insights queries over the trail log group. */
export function trailQueries(config: EnvironmentConfig) {
  const prefix = escapeRegex(secretNamePrefix(config));
  const bg = config.breakGlassRoleArn;
  return {
    lastOutcome: [
      'filter eventSource = "secretsmanager.amazonaws.com" and eventName in ["RotationStarted", "RotationSucceeded", "RotationFailed", "RotationAbandoned", "TestRotationFailed"]',
      `filter additionalEventData.SecretId like /:secret:${prefix}/`,
      'stats latest(eventName) as lastEvent, max(@timestamp) as lastAt by additionalEventData.SecretId as secret',
      'sort secret asc',
    ],
    readsByCaller: [
      'filter eventSource = "secretsmanager.amazonaws.com" and eventName = "GetSecretValue"',
      `filter requestParameters.secretId like /^(arn:[^:]+:secretsmanager:[^:]+:[0-9]+:secret:)?${prefix}/`,
      'stats count(*) as reads by requestParameters.secretId as secret, userIdentity.arn as caller',
      'sort reads desc',
      'limit 100',
    ],
    accessDenied: [
      'filter eventSource in ["secretsmanager.amazonaws.com", "kms.amazonaws.com"] and (errorCode like /AccessDenied/ or errorCode like /UnauthorizedOperation/)',
      'stats count(*) as denied by eventSource, eventName, userIdentity.arn as caller, requestParameters.secretId as secret',
      'sort denied desc',
      'limit 100',
    ],
    breakGlass: [
      `filter userIdentity.sessionContext.sessionIssuer.arn = "${bg}" or (eventName = "AssumeRole" and requestParameters.roleArn = "${bg}")`,
      'fields @timestamp, eventName, eventSource, sourceIPAddress, userIdentity.arn, requestParameters.secretId, errorCode',
      'sort @timestamp desc',
      'limit 100',
    ],
    kmsKeyEvents: [
      'filter eventSource = "kms.amazonaws.com" and eventName in ["DisableKey", "EnableKey", "ScheduleKeyDeletion", "CancelKeyDeletion", "PutKeyPolicy", "DisableKeyRotation", "EnableKeyRotation", "CreateGrant", "RevokeGrant"]',
      'fields @timestamp, eventName, userIdentity.arn, requestParameters.keyId, errorCode',
      'sort @timestamp desc',
      'limit 100',
    ],
  };
}

function trailMetricGraph(audit: AuditSignals | undefined, title: string, ids: string[], width = 12): cloudwatch.GraphWidget | undefined {
  const metrics = ids.map((id) => audit?.metrics[id]).filter((m): m is cloudwatch.Metric => m !== undefined);
  if (metrics.length === 0) return undefined;
  return new cloudwatch.GraphWidget({ title, left: metrics, leftYAxis: { min: 0, showUnits: false }, width, height: 6 });
}

export function buildDashboardWidgets(input: DashboardInput): cloudwatch.IWidget[][] {
  const rows: cloudwatch.IWidget[][] = [[header(input)]];
  const present = <T>(xs: (T | undefined)[]): T[] => xs.filter((x): x is T => x !== undefined);

  rows.push([sectionTitle('Rotation state')]);
  for (let i = 0; i < input.secrets.length; i += 3) rows.push(input.secrets.slice(i, i + 3).map(secretWidget));
  const logGroup = input.audit?.logGroup?.logGroupName;
  const q = trailQueries(input.config);
  if (logGroup) rows.push([query(logGroup, 'Last rotation outcome per secret (CloudTrail service events)', q.lastOutcome, FULL)]);

  rows.push([sectionTitle('Rotators')]);
  const fnWidgets: cloudwatch.IWidget[] = input.rotators.map(rotatorWidget);
  if (input.ageFunction) {
    const sum = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    fnWidgets.push(
      new cloudwatch.GraphWidget({
        title: 'Secret-age function: invocations and errors',
        left: [input.ageFunction.metricInvocations(sum), input.ageFunction.metricErrors(sum)],
        leftYAxis: { min: 0, showUnits: false },
        width: 8,
        height: 6,
      }),
    );
  }
  for (let i = 0; i < fnWidgets.length; i += 3) rows.push(fnWidgets.slice(i, i + 3));

  rows.push([sectionTitle('Secret reads')]);
  const reads = present(SECRET_NAMES.map((n) => input.audit?.secretReadsMetric(n)?.with({ label: n, period: Duration.hours(1) })));
  rows.push(
    present<cloudwatch.IWidget>([
      reads.length > 0
        ? new cloudwatch.GraphWidget({ title: 'GetSecretValue per secret (hourly)', left: reads, leftYAxis: { min: 0, showUnits: false }, width: 12, height: 6 })
        : undefined,
      logGroup ? query(logGroup, 'GetSecretValue by secret and caller', q.readsByCaller) : undefined,
    ]),
  );

  rows.push([sectionTitle('Access denied, break-glass, KMS key events')]);
  rows.push(
    present<cloudwatch.IWidget>([
      trailMetricGraph(input.audit, 'Access denied (secrets of this env; all API calls)', ['SecretsAccessDenied', 'UnauthorizedApiCalls', 'DeletedSecretAccess']),
      logGroup ? query(logGroup, 'Access denied on Secrets Manager and KMS by caller', q.accessDenied) : undefined,
    ]),
  );
  rows.push(
    present<cloudwatch.IWidget>([
      trailMetricGraph(input.audit, 'Break-glass role use', ['BreakGlassRoleUsed']),
      logGroup ? query(logGroup, 'Break-glass role: every call', q.breakGlass) : undefined,
    ]),
  );
  rows.push(
    present<cloudwatch.IWidget>([
      trailMetricGraph(input.audit, 'KMS key and secret policy events', [
        'KmsKeyDisabledOrScheduledForDeletion',
        'KmsKeyPolicyChangedOrRotationDisabled',
        'SecretPolicyChangedOrSecretDeleted',
      ]),
      logGroup ? query(logGroup, 'KMS key management events', q.kmsKeyEvents) : undefined,
    ]),
  );

  rows.push([sectionTitle('Alarms')]);
  // An alarm status widget shows at most 100 alarms.
  for (let i = 0; i < input.alarms.length; i += 100) {
    rows.push([
      new cloudwatch.AlarmStatusWidget({
        title: `All alarms of ${input.config.envName}`,
        alarms: input.alarms.slice(i, i + 100),
        sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
        width: FULL,
        height: 8,
      }),
    ]);
  }
  return rows.filter((r) => r.length > 0);
}
