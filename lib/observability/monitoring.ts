import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  catalogEntry,
  DIMENSION,
  METRIC,
  metricDimensions,
  ROTATION_STEPS,
  secretNamePrefix,
  type MetricName,
  type RotatorKind,
  type SecretName,
} from '../../contracts';
import { DEFAULT_PENDING_HOURS_THRESHOLD } from '../../contracts/secret-age-rules';
import { notifyingAlarm } from './alarm-topic';
import { trailMetricFilter, type AuditSignals } from './audit';
import { buildDashboardWidgets } from './dashboard';
import { environmentFilters, type EnvironmentFilterSpec } from './environment-filters';
import { ROTATION_EVENT_FIELDS, ROTATION_FAILURE_EVENTS, ROTATION_WARNING_EVENTS, rotationServiceEventPattern } from './event-patterns';
import { trailMetricsNamespace } from './metric-filters';
import { observabilityNames, scopedName, type ObservabilityNames } from './names';
import type { ObservedEnvironment } from './observed-environment';
import { arnsFor } from './ops-key-statements';
import { RUNBOOK_ANCHOR, runbookLink, trailAlarmRunbookLink, type RunbookAnchor } from './runbook-sections';

export interface MonitoredSecret {
  readonly name: SecretName;
  /** Effective rotation period (config overrides the catalog: lib/config rotationDays()). */
  readonly rotationDays: number;
  /** Which rotator rotates it; absent for third-party secrets (rotated by hand, age alarmed). */
  readonly rotator?: RotatorKind;
}

export interface MonitoredRotator {
  /** `database`, `redis`, `key-ring`: used in alarm names and widget titles. */
  readonly kind: string;
  readonly fn: lambda.IFunction;
  readonly timeout: Duration;
  /** Its log group: the dashboard lists every failed step from it. */
  readonly logGroup?: logs.ILogGroup;
}

/** Names the alarms, rules and dashboard (`<app>-<env>-…`), scoped to the `<app>/<env>/` secrets; `envName` is the metrics' Environment dimension. */
export interface MonitoringProps extends ObservedEnvironment {
  /**
   * A production environment: a secret still holding its deploy-time placeholder alarms.
   * @default false
   */
  readonly production?: boolean;
  /** Every alarm and rotation-event rule notifies it. */
  readonly alarmTopic: sns.ITopic;
  readonly secrets: MonitoredSecret[];
  readonly rotators: MonitoredRotator[];
  /**
   * The scheduled function that emits DaysSinceRotation, PendingRotationHours and PlaceholderSecret.
   * @default - no age-function alarm, no trail heartbeat
   */
  readonly ageFunction?: lambda.IFunction;
  /**
   * The audit trail (its log group, filter metrics and alarms).
   * @default - none (an organisation trail elsewhere): no environment trail filters, no trail widgets
   */
  readonly audit?: AuditSignals;
  /**
   * Days past the rotation period before DaysSinceRotation alarms (30-day secrets alarm after 35).
   * @default 5
   */
  readonly ageGraceDays?: number;
  /**
   * How often the age function reports; the age alarms evaluate at this period.
   * @default Duration.hours(1)
   */
  readonly ageMetricPeriod?: Duration;
  /**
   * A lingering AWSPENDING older than this many hours is a stuck rotation.
   * @default DEFAULT_PENDING_HOURS_THRESHOLD (2, contracts/secret-age-rules.ts)
   */
  readonly pendingHoursThreshold?: number;
  /**
   * Rotator p99 duration above this share of its timeout alarms.
   * @default 0.8
   */
  readonly durationShareOfTimeout?: number;
  /**
   * While a rotation stays pending, the pending-rotation alarm notifies again every this many hours.
   * @default 24
   */
  readonly pendingRenotifyHours?: number;
  /**
   * This environment's KMS keys: the environment-scoped key filters (lib/observability/environment-filters.ts) match exactly these.
   * @default - no key filters
   */
  readonly keys?: { purpose: string; keyArn: string }[];
  /**
   * StaleSecretServed (client stale-on-error reads of one secret) at or above this in 15 minutes alarms.
   * @default 1
   */
  readonly staleServedThreshold?: number;
  /**
   * Previous keys below the bound at which a ring that never drops a key alarms as nearly full (a year of 90-day rotations).
   * @default 4
   */
  readonly keyRingHeadroom?: number;
}

/** The raw EventBridge pattern (`detail-type`) in the CDK's camelCase shape (`detailType`). */
function toCdkEventPattern(p: ReturnType<typeof rotationServiceEventPattern>): events.EventPattern {
  return { source: p.source, detailType: p['detail-type'], detail: p.detail };
}

/** A rule target that publishes to the topic without adding an unconditioned topic policy statement (the topic's own policy allows this environment's rules). */
function topicTarget(topic: sns.ITopic, input: events.RuleTargetInput): events.IRuleTarget {
  return { bind: () => ({ arn: topic.topicArn, input }) };
}

/**
 * Alarms, rotation-event rules and the dashboard of one environment. Every alarm is named
 * `<app>-<env>-<what>` (the ops key and topic policies match that prefix), notifies the alarm topic, and its
 * description ends with the link to its runbook section (lib/observability/runbook-sections.ts).
 */
export class SecurityMonitoring extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly rules: events.Rule[] = [];
  /** The environment-scoped trail filters and the heartbeat (empty without a trail log group in this account). */
  readonly environmentFilters: logs.MetricFilter[] = [];
  readonly environmentFilterMetrics: Record<string, cloudwatch.Metric> = {};
  /** The alarms the weekly review starts from (overdue, placeholder, stuck, key ring near full). */
  readonly reviewAlarms: cloudwatch.Alarm[] = [];
  private readonly props: MonitoringProps;
  private readonly names: ObservabilityNames;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.props = props;
    this.names = observabilityNames(props);
    const grace = props.ageGraceDays ?? 5;
    const agePeriod = props.ageMetricPeriod ?? Duration.hours(1);
    const share = props.durationShareOfTimeout ?? 0.8;
    const pendingHours = props.pendingHoursThreshold ?? DEFAULT_PENDING_HOURS_THRESHOLD;
    const renotify = props.pendingRenotifyHours ?? 24;

    for (const r of props.rotators) this.rotatorAlarms(r, share);
    if (props.ageFunction) {
      this.alarm(`age-function-errors`, props.ageFunction.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }), {
        threshold: 1,
        description: 'The secret-age function failed: DaysSinceRotation, PendingRotationHours and PlaceholderSecret may be stale.',
        missing: cloudwatch.TreatMissingData.NOT_BREACHING,
        anchor: RUNBOOK_ANCHOR.ageFunctionErrors,
      });
    }

    for (const s of props.secrets) {
      const ring = catalogEntry(s.name).ring;
      // DaysSinceLastRotation, not DaysSinceRotation (the value's age): a value put by hand must not silence it.
      this.alarm(`${s.name}-days-since-rotation`, this.secretMetric(METRIC.DaysSinceLastRotation, s.name, 'Maximum', agePeriod), {
        threshold: s.rotationDays + grace,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description:
          (s.rotator
            ? `${s.name} has not completed an automatic rotation in its ${s.rotationDays}-day policy plus ${grace} days of grace ` +
              '(a value put by hand does not count): automatic rotation is not completing.'
            : `The current value of ${s.name} was set more than its ${s.rotationDays}-day policy plus ${grace} days of grace ago: rotate it by hand.`) +
          ' Missing data alarms too: the age function has stopped reporting.',
        // A silent age function must not hide an overdue secret; 3 periods ride out one late run.
        missing: cloudwatch.TreatMissingData.BREACHING,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        anchor: RUNBOOK_ANCHOR.daysSinceRotation,
        review: true,
      });
      if (s.rotator) {
        this.alarm(`${s.name}-pending-rotation`, this.pendingRotation(s.name, agePeriod, pendingHours, renotify), {
          threshold: 1,
          description:
            `${s.name} has had an AWSPENDING version for more than ${pendingHours} hours: a stuck rotation that blocks the next one. ` +
            `The alarm returns to OK for 2 hours every ${renotify} hours while it lasts, so it notifies again each time.`,
          // Absence is covered by the days-since-rotation alarm.
          missing: cloudwatch.TreatMissingData.NOT_BREACHING,
          anchor: RUNBOOK_ANCHOR.pendingRotation,
          review: true,
        });
        this.alarm(`${s.name}-rotation-failed`, this.rotationFailed(s.name, Duration.minutes(5)), {
          threshold: 1,
          description:
            `The ${s.rotator} rotator reported a failed step for ${s.name} (the Step dimension names which), a step still running ` +
            '1.5 s before the function timeout included.',
          missing: cloudwatch.TreatMissingData.NOT_BREACHING,
          anchor: RUNBOOK_ANCHOR.rotationFailed,
        });
      }
      if (ring && !ring.dropOldest) {
        const headroom = props.keyRingHeadroom ?? 4;
        const ringSize = this.secretMetric(METRIC.KeyRingPreviousKeys, s.name, 'Maximum', Duration.hours(1));
        // The gauge is published once per rotator run (every rotation), so missing data keeps the last state.
        this.alarm(`${s.name}-key-ring-near-full`, ringSize, {
          threshold: ring.maxPrevious - headroom,
          description:
            `${s.name} holds ${ring.maxPrevious - headroom} or more previous keys; at ${ring.maxPrevious} rotation stops (it never drops a key). ` +
            'Re-encrypt the data under the oldest keys and prune them before that.',
          missing: cloudwatch.TreatMissingData.IGNORE,
          anchor: RUNBOOK_ANCHOR.keyRingFull,
          review: true,
        });
        this.alarm(`${s.name}-key-ring-full`, ringSize, {
          threshold: ring.maxPrevious,
          description: `${s.name} holds its maximum of ${ring.maxPrevious} previous keys: rotation refuses to drop one and fails until the ring is pruned.`,
          missing: cloudwatch.TreatMissingData.IGNORE,
          anchor: RUNBOOK_ANCHOR.keyRingFull,
          review: true,
        });
      }
      if (props.production === true) {
        const what = ring
          ? 'the first rotation after the deploy has not replaced it: key rings need no seeding, find out why that rotation failed.'
          : s.rotator
            ? 'seed it or run its first rotation (first deploy of an environment).'
            : 'store the value the provider issued.';
        this.alarm(`${s.name}-placeholder`, this.secretMetric(METRIC.PlaceholderSecret, s.name, 'Maximum', agePeriod), {
          threshold: 1,
          description: `${s.name} still holds its deploy-time placeholder in a production environment, so applications cannot use it: ${what}`,
          missing: cloudwatch.TreatMissingData.NOT_BREACHING,
          anchor: RUNBOOK_ANCHOR.placeholder,
          review: true,
        });
      }
      this.alarm(`${s.name}-stale-value-served`, this.secretMetric(METRIC.StaleSecretServed, s.name, 'Sum', Duration.minutes(15)), {
        threshold: props.staleServedThreshold ?? 1,
        description:
          `A service served a cached value of ${s.name} after its refresh from Secrets Manager failed (client stale-on-error): ` +
          'it keeps working on the old value until the cache limit, then fails; a rotation meanwhile breaks it.',
        missing: cloudwatch.TreatMissingData.NOT_BREACHING,
        anchor: RUNBOOK_ANCHOR.staleValueServed,
      });
    }

    this.trailFilters();
    this.rotationEventRules();

    const allAlarms: cloudwatch.IAlarm[] = [...this.alarms, ...(props.audit?.alarms ?? [])];
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: this.names.dashboardName,
      defaultInterval: Duration.days(7),
      widgets: buildDashboardWidgets({
        appName: props.appName,
        envName: props.envName,
        breakGlassRoleArn: props.breakGlassRoleArn,
        runbookUrl: props.runbookUrl,
        secrets: props.secrets.map((s) => ({
          ...s,
          alarmDays: s.rotationDays + grace,
          daysSinceRotation: this.secretMetric(METRIC.DaysSinceRotation, s.name, 'Maximum', agePeriod),
          placeholder: this.secretMetric(METRIC.PlaceholderSecret, s.name, 'Maximum', agePeriod),
          pendingHours: s.rotator ? this.secretMetric(METRIC.PendingRotationHours, s.name, 'Maximum', agePeriod) : undefined,
          succeeded: s.rotator ? this.secretMetric(METRIC.RotationSucceeded, s.name, 'Sum', Duration.hours(1)) : undefined,
          failed: s.rotator ? this.rotationFailed(s.name, Duration.hours(1)) : undefined,
          staleServed: this.secretMetric(METRIC.StaleSecretServed, s.name, 'Sum', Duration.minutes(15)),
          ringSize: catalogEntry(s.name).ring ? this.secretMetric(METRIC.KeyRingPreviousKeys, s.name, 'Maximum', Duration.days(1)) : undefined,
        })),
        rotators: props.rotators.map((r) => ({ ...r, share })),
        ageFunction: props.ageFunction,
        audit: props.audit,
        environmentMetrics: this.environmentFilterMetrics,
        keyArns: (props.keys ?? []).map((k) => k.keyArn),
        reviewAlarms: this.reviewAlarms,
        alarms: allAlarms,
      }),
    });
  }

  /** A rotation metric of one secret with exactly the emitters' dimensions {Environment, Secret}. */
  secretMetric(metricName: MetricName, secret: SecretName, statistic: string, period: Duration): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.props.metricsNamespace,
      metricName,
      dimensionsMap: metricDimensions(this.props.envName, secret),
      statistic,
      period,
    });
  }

  /** RotationFailed carries {Environment, Secret, Step}: one metric per step, summed (missing steps count as 0). */
  rotationFailed(secret: SecretName, period: Duration): cloudwatch.MathExpression {
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    // Ids unique per secret: a dashboard widget shows several secrets' expressions side by side.
    const id = secret.replace(/[^A-Za-z0-9]/g, '_');
    for (const step of ROTATION_STEPS) {
      usingMetrics[`f_${id}_${step}`] = new cloudwatch.Metric({
        namespace: this.props.metricsNamespace,
        metricName: METRIC.RotationFailed,
        dimensionsMap: { ...metricDimensions(this.props.envName, secret), [DIMENSION.Step]: step },
        statistic: cloudwatch.Stats.SUM,
        period,
      });
    }
    return new cloudwatch.MathExpression({
      expression: Object.keys(usingMetrics)
        .map((k) => `FILL(${k}, 0)`)
        .join(' + '),
      usingMetrics,
      label: `${secret} RotationFailed`,
      period,
    });
  }

  /**
   * 1 while PendingRotationHours is above the threshold, except during the last 2 hours of every `every`-hour
   * cycle of its age: the alarm goes back to OK for those hours and notifies again when the next cycle starts.
   * A CloudWatch alarm notifies only on a state change; this is how a stuck rotation keeps reminding.
   */
  pendingRotation(secret: SecretName, period: Duration, thresholdHours: number, every: number): cloudwatch.MathExpression {
    const p = `p_${secret.replace(/[^A-Za-z0-9]/g, '_')}`;
    return new cloudwatch.MathExpression({
      expression: `IF(${p} > ${thresholdHours}, IF((${p} - ${every} * FLOOR(${p} / ${every})) < ${every - 2}, 1, 0), 0)`,
      usingMetrics: { [p]: this.secretMetric(METRIC.PendingRotationHours, secret, 'Maximum', period) },
      label: `${secret} pending rotation (re-notifies every ${every} h)`,
      period,
    });
  }

  private rotatorAlarms(r: MonitoredRotator, share: number): void {
    const fiveMinutes = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    // No invocation in a period is the normal state of a rotator: missing data is not breaching.
    this.alarm(`rotator-${r.kind}-errors`, r.fn.metricErrors(fiveMinutes), {
      threshold: 1,
      description: `The ${r.kind} rotation function raised an error: a rotation step failed (see its log group).`,
      missing: cloudwatch.TreatMissingData.NOT_BREACHING,
      anchor: RUNBOOK_ANCHOR.rotatorErrors,
    });
    this.alarm(`rotator-${r.kind}-throttles`, r.fn.metricThrottles(fiveMinutes), {
      threshold: 1,
      description:
        `The ${r.kind} rotation function was throttled (its reserved concurrency, or the account's unreserved concurrency is exhausted): ` +
        'Secrets Manager retries, rotations may stall.',
      missing: cloudwatch.TreatMissingData.NOT_BREACHING,
      anchor: RUNBOOK_ANCHOR.rotatorThrottles,
    });
    const limitMs = Math.round(r.timeout.toMilliseconds() * share);
    this.alarm(`rotator-${r.kind}-duration-near-timeout`, r.fn.metricDuration({ period: Duration.minutes(5), statistic: cloudwatch.Stats.p(99) }), {
      threshold: limitMs,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `The ${r.kind} rotation function's p99 duration is above ${Math.round(share * 100)}% of its ${r.timeout.toSeconds()} s timeout: slow target or network path.`,
      missing: cloudwatch.TreatMissingData.NOT_BREACHING,
      anchor: RUNBOOK_ANCHOR.rotatorDuration,
    });
  }

  /** The environment-scoped trail filters and the heartbeat, each with its alarm, on the trail's log group in this account. */
  private trailFilters(): void {
    const { audit, ageFunction, keys } = this.props;
    if (!audit?.logGroup) return;
    const specs = environmentFilters(this.props, { keyArns: (keys ?? []).map((k) => k.keyArn), heartbeatRoleArn: ageFunction?.role?.roleArn });
    for (const spec of specs) this.trailFilter(spec, audit.logGroup);
  }

  private trailFilter(spec: EnvironmentFilterSpec, logGroup: logs.ILogGroup): void {
    const { metricsNamespace, envName } = this.props;
    const filter = trailMetricFilter(
      this,
      `Filter-${spec.id}`,
      { logGroup, owner: this.names, metricNamespace: trailMetricsNamespace(metricsNamespace, envName) },
      spec,
    );
    this.environmentFilters.push(filter);
    const metric = filter.metric({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(spec.alarm.periodMinutes) });
    this.environmentFilterMetrics[spec.id] = metric;
    const alarm = notifyingAlarm(this, `Alarm-${spec.id}`, this.names, this.props.alarmTopic, {
      what: spec.id,
      description: `${spec.meaning} Source: ${spec.source}.`,
      runbookLink: trailAlarmRunbookLink(this.props.runbookUrl, spec.id),
      metric,
      threshold: spec.alarm.threshold,
      comparison: spec.alarm.comparison === 'below' ? cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD : undefined,
      evaluationPeriods: spec.alarm.evaluationPeriods,
      datapointsToAlarm: spec.alarm.datapointsToAlarm,
      missing: spec.alarm.missing === 'breaching' ? cloudwatch.TreatMissingData.BREACHING : cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarms.push(alarm);
  }

  private alarm(
    what: string,
    metric: cloudwatch.IMetric,
    o: {
      threshold: number;
      description: string;
      missing: cloudwatch.TreatMissingData;
      anchor: RunbookAnchor;
      /** Listed in the dashboard's weekly-review alarm widget too. */
      review?: boolean;
      comparison?: cloudwatch.ComparisonOperator;
      evaluationPeriods?: number;
      datapointsToAlarm?: number;
    },
  ): cloudwatch.Alarm {
    const alarm = notifyingAlarm(this, `Alarm-${what}`, this.names, this.props.alarmTopic, {
      ...o,
      what,
      runbookLink: runbookLink(this.props.runbookUrl, o.anchor),
      metric,
    });
    this.alarms.push(alarm);
    if (o.review) this.reviewAlarms.push(alarm);
    return alarm;
  }

  private rotationEventRules(): void {
    const { appName, envName, runbookUrl, alarmTopic } = this.props;
    const prefix = secretNamePrefix(appName, envName);
    const a = arnsFor(this, this.names);
    const scope = { partition: a.stack.partition, region: a.stack.region, account: a.stack.account, secretNamePrefix: prefix };
    const f = (path: string) => events.EventField.fromPath(path);
    const secret = f(ROTATION_EVENT_FIELDS.secretArn);
    const where = `${f(ROTATION_EVENT_FIELDS.eventName)} for secret ${secret} at ${f(ROTATION_EVENT_FIELDS.time)} (account ${f(ROTATION_EVENT_FIELDS.account)}, region ${f(ROTATION_EVENT_FIELDS.region)})`;
    const inspect = `Inspect: aws secretsmanager describe-secret --secret-id ${secret} ; aws secretsmanager list-secret-version-ids --secret-id ${secret} --include-deprecated`;
    const rules: { what: string; names: readonly string[]; text: string }[] = [
      {
        what: 'rotation-failed',
        names: ROTATION_FAILURE_EVENTS,
        text:
          `[${appName} ${envName}] ROTATION FAILED: ${where}. ` +
          'AWSCURRENT still holds the previous value, so applications keep working, but an AWSPENDING version may be left ' +
          'behind and block the next rotation. ' +
          `${inspect} . Then read the rotator's log group for this secret and follow ${runbookLink(runbookUrl, RUNBOOK_ANCHOR.rotationFailed)}`,
      },
      {
        what: 'rotation-abandoned',
        names: ROTATION_WARNING_EVENTS,
        text:
          `[${appName} ${envName}] WARNING rotation abandoned: ${where}. ` +
          "Someone wrote a new version while a rotation was in progress (expected during the runbook's manual fix; otherwise " +
          `find who with CloudTrail PutSecretValue/UpdateSecret). ${inspect} . Runbook: ${runbookLink(runbookUrl, RUNBOOK_ANCHOR.rotationAbandoned)}`,
      },
    ];
    for (const r of rules) {
      const rule = new events.Rule(this, `Rule-${r.what}`, {
        ruleName: scopedName(this.names, r.what),
        description: `${appName} ${envName}: Secrets Manager ${r.names.join('/')} for ${prefix}* secrets`,
        eventPattern: toCdkEventPattern(rotationServiceEventPattern(scope, r.names)),
      });
      rule.addTarget(topicTarget(alarmTopic, events.RuleTargetInput.fromText(r.text)));
      this.rules.push(rule);
    }
  }
}
