/**
 * The widgets of one environment's secrets dashboard, in rows. docs/dashboard.md explains every widget, what
 * normal looks like and what to do when it does not.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { MetricName, SecretName } from '../../contracts';
import { METRIC, SECRET_NAMES, secretNamePrefix } from '../../contracts';
import type { AuditSignals } from './audit';

export interface DashboardSecret {
  readonly name: SecretName;
  readonly rotationDays: number;
  readonly rotator?: string;
  readonly alarmDays: number;
  /**
   * DaysSinceRotation as the alarms read it. The age function's other metrics of this secret (DaysSinceLastRotation,
   * NeverRotated) are the same namespace, dimensions, period and statistic under another name: `ageMetric`.
   */
  readonly daysSinceRotation: cloudwatch.IMetric;
  readonly pendingHours?: cloudwatch.IMetric;
  readonly succeeded?: cloudwatch.IMetric;
  readonly failed?: cloudwatch.IMetric;
  /** PlaceholderSecret (1 while the deploy-time placeholder is current). */
  readonly placeholder?: cloudwatch.IMetric;
  /** StaleSecretServed from the client library. */
  readonly staleServed?: cloudwatch.IMetric;
  /** KeyRingPreviousKeys (key rings only). */
  readonly ringSize?: cloudwatch.IMetric;
}

export interface DashboardRotator {
  readonly kind: string;
  readonly fn: lambda.IFunction;
  readonly timeout: Duration;
  readonly share: number;
  readonly logGroup?: ILogGroup;
}

/** What the trail queries select: one environment's secrets and keys, and its break-glass role. */
export interface TrailQueryScope {
  /** The queries cover the `<app>/<env>/` secrets. */
  readonly appName: string;
  readonly envName: string;
  /** The break-glass role: a query lists every call made with it. */
  readonly breakGlassRoleArn: string;
  /**
   * The environment's KMS key ARNs: the key-change query covers them.
   * @default - secret changes only
   */
  readonly keyArns?: readonly string[];
}

export interface DashboardInput extends TrailQueryScope {
  /** Linked from the header. */
  readonly runbookUrl: string;
  readonly secrets: DashboardSecret[];
  readonly rotators: DashboardRotator[];
  readonly ageFunction?: lambda.IFunction;
  readonly audit?: AuditSignals;
  /** Metrics of the environment-scoped trail filters and the heartbeat (lib/observability/environment-filters.ts), by filter id. */
  readonly environmentMetrics?: Readonly<Record<string, cloudwatch.IMetric>>;
  /** The alarms the weekly review starts from: overdue, placeholder, stuck, key ring near full. */
  readonly reviewAlarms?: cloudwatch.IAlarm[];
  readonly alarms: cloudwatch.IAlarm[];
}

const FULL = 24;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function header(input: DashboardInput): cloudwatch.TextWidget {
  const trail = input.audit?.logGroup
    ? `Trail log group: \`${input.audit.logGroup.logGroupName}\`.`
    : '**No trail log group in this account** (organisation trail): the trail sections are empty; see the organisation account.';
  const markdown = [
    `# ${input.appName} secrets: ${input.envName}`,
    `Secrets \`${secretNamePrefix(input.appName, input.envName)}*\`. Runbook: [${input.runbookUrl}](${input.runbookUrl}). ${trail} Guide: docs/dashboard.md.`,
    '',
    '**Weekly review** (top): overdue, never-rotated, placeholder and stuck secrets; days since the last rotation beside days since the last change; ' +
      'every rotation failure of the range; who read which secret and unread secrets; policy and key changes with who made them; stale values served. ' +
      'Then per secret and rotator graphs, security signals from the trail (access denied, break-glass, KMS), trail health and every alarm.',
  ].join('\n');
  return new cloudwatch.TextWidget({ markdown, width: FULL, height: 3 });
}

/** Another metric of the age function for the secret: the identity of `daysSinceRotation`, another name. */
function ageMetric(s: DashboardSecret, metricName: MetricName, label: string = s.name): cloudwatch.Metric {
  const m = s.daysSinceRotation;
  if (!(m instanceof cloudwatch.Metric))
    throw new Error(`dashboard: the daysSinceRotation metric of ${s.name} must be a plain Metric (its other age metrics share its namespace and dimensions)`);
  return new cloudwatch.Metric({ namespace: m.namespace, metricName, dimensionsMap: m.dimensions, period: m.period, statistic: m.statistic, label });
}

/** Days past the rotation schedule, 0 while on time: DaysSinceLastRotation beyond `rotationDays`. */
function daysOverdue(s: DashboardSecret): cloudwatch.MathExpression {
  const id = `r_${s.name.replace(/[^A-Za-z0-9]/g, '_')}`;
  const last = ageMetric(s, METRIC.DaysSinceLastRotation);
  return new cloudwatch.MathExpression({
    expression: `IF(${id} > ${s.rotationDays}, ${id} - ${s.rotationDays}, 0)`,
    usingMetrics: { [id]: last },
    label: s.name,
    period: last.period,
  });
}

function sectionTitle(text: string): cloudwatch.TextWidget {
  return new cloudwatch.TextWidget({ markdown: `## ${text}`, width: FULL, height: 1 });
}

function secretWidget(s: DashboardSecret): cloudwatch.GraphWidget {
  const right: cloudwatch.IMetric[] = [s.succeeded, s.failed, s.pendingHours, s.ringSize].filter((m): m is cloudwatch.IMetric => m !== undefined);
  return new cloudwatch.GraphWidget({
    title: `${s.name}: age vs ${s.rotationDays}-day schedule (${s.rotator ? `${s.rotator} rotator` : 'rotated by hand'})`,
    left: [ageMetric(s, METRIC.DaysSinceLastRotation, 'days since last rotation'), labelled(s.daysSinceRotation, 'days since last change')],
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

function labelled<M extends cloudwatch.IMetric | undefined>(m: M, label: string): M {
  return (m instanceof cloudwatch.Metric || m instanceof cloudwatch.MathExpression ? m.with({ label }) : m) as M;
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

function query(logGroups: string[], title: string, lines: string[], width = 12, height = 6): cloudwatch.LogQueryWidget {
  return new cloudwatch.LogQueryWidget({ title, logGroupNames: logGroups, queryString: lines.join('\n| '), width, height });
}

/** Logs Insights queries over the trail log group (and, for step failures, the rotators' log groups). */
export function trailQueries(scope: TrailQueryScope) {
  const prefix = escapeRegex(secretNamePrefix(scope.appName, scope.envName));
  const secretIdOfEnv = `/^(arn:[^:]+:secretsmanager:[^:]+:[0-9]+:secret:)?${prefix}/`;
  const who = 'coalesce(userIdentity.sessionContext.sessionIssuer.arn, userIdentity.arn) as who';
  const bg = scope.breakGlassRoleArn;
  const keyArns = scope.keyArns ?? [];
  const secretChanges = [
    'PutResourcePolicy',
    'DeleteResourcePolicy',
    'DeleteSecret',
    'RestoreSecret',
    'UpdateSecret',
    'RotateSecret',
    'CancelRotateSecret',
    'ReplicateSecretToRegions',
    'RemoveRegionsFromReplication',
    'StopReplicationToReplica',
    'TagResource',
    'UntagResource',
  ];
  const keyChanges = [
    'PutKeyPolicy',
    'DisableKey',
    'EnableKey',
    'ScheduleKeyDeletion',
    'CancelKeyDeletion',
    'DisableKeyRotation',
    'EnableKeyRotation',
    'RotateKeyOnDemand',
    'CreateGrant',
    'RevokeGrant',
    'RetireGrant',
    'CreateAlias',
    'UpdateAlias',
    'DeleteAlias',
  ];
  const list = (xs: readonly string[]) => xs.map((x) => `"${x}"`).join(', ');
  const keyClause =
    keyArns.length > 0 ? ` or (eventSource = "kms.amazonaws.com" and eventName in [${list(keyChanges)}] and resources.0.ARN in [${list(keyArns)}])` : '';
  return {
    lastOutcome: [
      'filter eventSource = "secretsmanager.amazonaws.com" and eventName in ["RotationStarted", "RotationSucceeded", "RotationFailed", "RotationAbandoned", "TestRotationFailed"]',
      `filter additionalEventData.SecretId like /:secret:${prefix}/`,
      'stats latest(eventName) as lastEvent, max(@timestamp) as lastAt by additionalEventData.SecretId as secret',
      'sort secret asc',
    ],
    rotationFailures: [
      'filter eventSource = "secretsmanager.amazonaws.com" and eventName in ["RotationFailed", "TestRotationFailed", "RotationAbandoned"]',
      `filter additionalEventData.SecretId like /:secret:${prefix}/`,
      'fields @timestamp, eventName, additionalEventData.SecretId as secret',
      'sort @timestamp desc',
      'limit 1000',
    ],
    failedSteps: ['filter level = "ERROR"', 'fields @timestamp, secret, step, errorClass, token, message', 'sort @timestamp desc', 'limit 1000'],
    handChanges: [
      'filter eventSource = "secretsmanager.amazonaws.com" and eventName in ["PutSecretValue", "UpdateSecretVersionStage"]',
      `filter requestParameters.secretId like ${secretIdOfEnv}`,
      `fields @timestamp, eventName, requestParameters.secretId as secret, ${who}, errorCode`,
      'sort @timestamp desc',
      'limit 1000',
    ],
    readsByCaller: [
      'filter eventSource = "secretsmanager.amazonaws.com" and eventName in ["GetSecretValue", "BatchGetSecretValue"]',
      `filter requestParameters.secretId like ${secretIdOfEnv} or eventName = "BatchGetSecretValue"`,
      `fields @timestamp, requestParameters.secretId as secret, ${who}, userIdentity.arn as session, eventName, errorCode`,
      'stats count(*) as calls, count_distinct(session) as sessions, min(@timestamp) as first, max(@timestamp) as last by secret, who, eventName, errorCode',
      'sort calls asc',
      'limit 10000',
    ],
    policyAndKeyChanges: [
      `filter (eventSource = "secretsmanager.amazonaws.com" and eventName in [${list(secretChanges)}] and requestParameters.secretId like ${secretIdOfEnv})${keyClause}`,
      `fields @timestamp, eventName, coalesce(requestParameters.secretId, resources.0.ARN) as target, ${who}, userIdentity.invokedBy as via, errorCode`,
      'sort @timestamp desc',
      'limit 1000',
    ],
    accessDenied: [
      'filter eventSource in ["secretsmanager.amazonaws.com", "kms.amazonaws.com"] and (errorCode like /AccessDenied/ or errorCode like /UnauthorizedOperation/)',
      `fields eventSource, eventName, ${who}, userIdentity.accountId as account, requestParameters.secretId as secret`,
      'stats count(*) as denied by eventSource, eventName, who, account, secret',
      'sort denied desc',
      'limit 1000',
    ],
    breakGlass: [
      `filter userIdentity.sessionContext.sessionIssuer.arn = "${bg}" or (eventName = "AssumeRole" and requestParameters.roleArn = "${bg}")`,
      'fields @timestamp, eventName, eventSource, sourceIPAddress, userIdentity.arn, requestParameters.secretId, errorCode',
      'sort @timestamp desc',
      'limit 1000',
    ],
    kmsKeyEvents: [
      `filter eventSource = "kms.amazonaws.com" and eventName in [${list(keyChanges)}]`,
      'fields @timestamp, eventName, resources.0.ARN as key, coalesce(userIdentity.sessionContext.sessionIssuer.arn, userIdentity.arn) as who, errorCode',
      'sort @timestamp desc',
      'limit 1000',
    ],
  };
}

function graph(
  title: string,
  metrics: (cloudwatch.IMetric | undefined)[],
  width = 12,
  extra: Partial<cloudwatch.GraphWidgetProps> = {},
): cloudwatch.GraphWidget | undefined {
  const left = metrics.filter((m): m is cloudwatch.IMetric => m !== undefined);
  if (left.length === 0) return undefined;
  return new cloudwatch.GraphWidget({ title, left, leftYAxis: { min: 0, showUnits: false }, width, height: 6, ...extra });
}

function singleValues(
  title: string,
  metrics: cloudwatch.IMetric[],
  props: Partial<cloudwatch.SingleValueWidgetProps> = {},
  width = 12,
): cloudwatch.SingleValueWidget | undefined {
  if (metrics.length === 0) return undefined;
  return new cloudwatch.SingleValueWidget({ title, metrics, width, height: 4, ...props });
}

/** Single values of the age function's metrics, at the hourly period it reports at. */
function hourlyValues(title: string, metrics: cloudwatch.IMetric[]): cloudwatch.SingleValueWidget | undefined {
  return singleValues(title, metrics, { period: Duration.hours(1) });
}

export function buildDashboardWidgets(input: DashboardInput): cloudwatch.IWidget[][] {
  const rows: cloudwatch.IWidget[][] = [[header(input)]];
  const present = <T>(xs: (T | undefined)[]): T[] => xs.filter((x): x is T => x !== undefined);
  const logGroup = input.audit?.logGroup?.logGroupName;
  const q = trailQueries(input);
  const env = input.environmentMetrics ?? {};
  const rotated = input.secrets.filter((s) => s.rotator);

  // ------------------------------------------------------------------ weekly review
  rows.push([sectionTitle('Weekly review: overdue and never-rotated secrets')]);
  rows.push(
    present<cloudwatch.IWidget>([
      input.reviewAlarms && input.reviewAlarms.length > 0
        ? new cloudwatch.AlarmStatusWidget({
            title: 'Overdue, placeholder, stuck rotation, key ring near full',
            alarms: input.reviewAlarms,
            sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
            width: 12,
            height: 4,
          })
        : undefined,
      hourlyValues(
        'Days overdue: days since last rotation beyond its schedule (0 = on time; the alarm fires after the grace days)',
        input.secrets.map(daysOverdue),
      ),
    ]),
  );
  rows.push(
    present<cloudwatch.IWidget>([
      hourlyValues(
        'Never rotated (1 = no completed rotation: the deploy-time value, or values only ever set by hand)',
        input.secrets.map((s) => ageMetric(s, METRIC.NeverRotated)),
      ),
      hourlyValues('Placeholder still current (1 = never set: the deploy-time value)', present(input.secrets.map((s) => labelled(s.placeholder, s.name)))),
    ]),
  );
  rows.push(
    present<cloudwatch.IWidget>([
      hourlyValues(
        'Days since last rotation (a completed rotation; a new value for secrets rotated by hand)',
        input.secrets.map((s) => ageMetric(s, METRIC.DaysSinceLastRotation)),
      ),
      hourlyValues(
        'Days since last change (AWSCURRENT created: a rotation or a manual put-secret-value)',
        input.secrets.map((s) => labelled(s.daysSinceRotation, s.name)),
      ),
    ]),
  );
  rows.push(
    present<cloudwatch.IWidget>([
      singleValues(
        'Automatic rotations completed, last 100 days (0: never rotated by its rotator)',
        present(rotated.map((s) => labelled(s.succeeded, s.name))),
        { start: '-P100D', setPeriodToTimeRange: true },
        FULL,
      ),
    ]),
  );
  if (logGroup)
    rows.push([query([logGroup], 'Every new value and version-stage change, with who (PutSecretValue, UpdateSecretVersionStage)', q.handChanges, FULL)]);

  rows.push([sectionTitle('Weekly review: every rotation failure in the range')]);
  const rotatorLogGroups = input.rotators.flatMap((r) => (r.logGroup ? [r.logGroup.logGroupName] : []));
  rows.push(
    present<cloudwatch.IWidget>([
      singleValues('RotationFailed in the range, per secret (every step, timeouts included)', present(rotated.map((s) => labelled(s.failed, s.name))), {
        setPeriodToTimeRange: true,
      }),
      logGroup ? query([logGroup], 'Rotation failed / abandoned service events (CloudTrail), every one', q.rotationFailures) : undefined,
    ]),
  );
  if (rotatorLogGroups.length > 0) rows.push([query(rotatorLogGroups, 'Failed rotation steps (rotator logs): secret, step, error class', q.failedSteps, FULL)]);

  rows.push([sectionTitle('Weekly review: who read which secret')]);
  const reads = present(SECRET_NAMES.map((n) => input.audit?.secretReadsMetric(n)?.with({ label: n, period: Duration.hours(1) })));
  rows.push(
    present<cloudwatch.IWidget>([
      singleValues(
        'Reads in the last 90 days per secret (0: unread, Security Hub SecretsManager.3)',
        present(SECRET_NAMES.map((n) => input.audit?.secretReadsMetric(n)?.with({ label: n }))),
        { start: '-P90D', setPeriodToTimeRange: true },
      ),
      graph('GetSecretValue per secret (hourly)', reads),
    ]),
  );
  if (logGroup)
    rows.push([query([logGroup], 'Every reader of every secret (by role; GetSecretValue and BatchGetSecretValue; rarest first)', q.readsByCaller, FULL, 8)]);

  rows.push([sectionTitle('Weekly review: policy and key changes of this environment, with who')]);
  rows.push(
    present<cloudwatch.IWidget>([
      graph('Policy, key and rotation changes (this environment)', [
        input.audit?.metrics.SecretPolicyChangedOrSecretDeleted,
        env.EnvKeyPolicyChangedOrRotationDisabled,
        env.EnvKeyDisabledOrScheduledForDeletion,
        env.EnvRotationCancelled,
      ]),
      logGroup ? query([logGroup], 'Secret policy, rotation and KMS key changes of this environment (deploy role included)', q.policyAndKeyChanges) : undefined,
    ]),
  );

  rows.push([sectionTitle('Weekly review: services living on stale values')]);
  rows.push(
    present<cloudwatch.IWidget>([
      graph(
        'StaleSecretServed per secret (client served a cached value after a failed refresh)',
        present(input.secrets.map((s) => labelled(s.staleServed, s.name))),
        FULL,
      ),
    ]),
  );

  // ------------------------------------------------------------------ detail
  rows.push([sectionTitle('Rotation state per secret')]);
  for (let i = 0; i < input.secrets.length; i += 3) rows.push(input.secrets.slice(i, i + 3).map(secretWidget));
  if (logGroup) rows.push([query([logGroup], 'Latest rotation event per secret in the range (CloudTrail service events)', q.lastOutcome, FULL)]);

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

  rows.push([sectionTitle('Access denied, break-glass, KMS key events, trail health')]);
  rows.push(
    present<cloudwatch.IWidget>([
      graph('Access denied (secrets of this env; all API calls of the account) and reads of deleted secrets', [
        input.audit?.metrics.SecretsAccessDenied,
        input.audit?.metrics.UnauthorizedApiCalls,
        input.audit?.metrics.DeletedSecretAccess,
        env.EnvDeletedSecretAccess,
      ]),
      logGroup ? query([logGroup], 'Access denied on Secrets Manager and KMS by caller', q.accessDenied) : undefined,
    ]),
  );
  rows.push(
    present<cloudwatch.IWidget>([
      graph('Break-glass role use', [input.audit?.metrics.BreakGlassRoleUsed]),
      logGroup ? query([logGroup], 'Break-glass role: every call', q.breakGlass) : undefined,
    ]),
  );
  rows.push(
    present<cloudwatch.IWidget>([
      graph('KMS key events (account-wide CIS filters)', [
        input.audit?.metrics.KmsKeyDisabledOrScheduledForDeletion,
        input.audit?.metrics.KmsKeyPolicyChangedOrRotationDisabled,
      ]),
      logGroup ? query([logGroup], 'KMS key management events (every key of the account)', q.kmsKeyEvents) : undefined,
    ]),
  );
  const heartbeat = graph(
    'Trail heartbeat: events of the hourly secret-age function delivered by the trail (0: the trail alarms are blind)',
    [env.TrailHeartbeat],
    FULL,
  );
  if (heartbeat) rows.push([heartbeat]);

  rows.push([sectionTitle('Alarms')]);
  // An alarm status widget shows at most 100 alarms.
  for (let i = 0; i < input.alarms.length; i += 100) {
    rows.push([
      new cloudwatch.AlarmStatusWidget({
        title: `All alarms of ${input.envName}`,
        alarms: input.alarms.slice(i, i + 100),
        sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
        width: FULL,
        height: 8,
      }),
    ]);
  }
  return rows.filter((r) => r.length > 0);
}
