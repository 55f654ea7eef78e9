import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { catalogEntry, DIMENSION, METRIC, metricDimensions, ROTATION_STEPS, type MetricName, type RotatorKind, type SecretName } from '../contracts';
import type { AuditSignals } from './audit';
import { metricsNamespace, type EnvironmentConfig } from './config';
import { buildDashboardWidgets } from './dashboard';
import { ROTATION_EVENT_FIELDS, ROTATION_FAILURE_EVENTS, ROTATION_WARNING_EVENTS, rotationServiceEventPattern } from './event-patterns';
import { secretNamePrefix } from './metric-filters';
import { alarmName, arnsFor, observabilityNames, ruleName } from './ops-key-statements';


export interface MonitoredSecret {
  name: SecretName;
  /** Effective rotation period (config overrides the catalog: lib/config rotationDays()). */
  rotationDays: number;
  /** Which rotator rotates it; absent for third-party secrets (rotated by hand, age alarmed). */
  rotator?: RotatorKind;
}

export interface MonitoredRotator {
  /** `database`, `redis`, `key-ring`: used in alarm names and widget titles. */
  kind: string;
  fn: lambda.IFunction;
  timeout: Duration;
}

export interface MonitoringProps {
  config: EnvironmentConfig;
  alarmTopic: sns.ITopic;
  secrets: MonitoredSecret[];
  rotators: MonitoredRotator[];
  /** The scheduled function that emits DaysSinceRotation, PendingRotationHours and PlaceholderSecret. */
  ageFunction?: lambda.IFunction;
  /** The audit trail (its log group, filter metrics and alarms); absent or empty with an organisation trail elsewhere. */
  audit?: AuditSignals;
  /** Link in the dashboard header and in rotation-event messages. */
  runbookUrl: string;
  /** Days past the rotation period before DaysSinceRotation alarms. Default 5 (30-day secrets alarm after 35). */
  ageGraceDays?: number;
  /** How often the age function reports; the age alarms evaluate at this period. Default 1 hour. */
  ageMetricPeriod?: Duration;
  /** A lingering AWSPENDING older than this many hours is a stuck rotation. Default 2. */
  pendingHoursThreshold?: number;
  /** Rotator p99 duration above this share of its timeout alarms. Default 0.8. */
  durationShareOfTimeout?: number;
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
 * `<app>-<env>-<what>` (the ops key and topic policies match that prefix) and notifies the alarm topic.
 */
export class SecurityMonitoring extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly rules: events.Rule[] = [];
  private readonly props: MonitoringProps;
  private readonly action: actions.SnsAction;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.props = props;
    this.action = new actions.SnsAction(props.alarmTopic);
    const { config } = props;
    const grace = props.ageGraceDays ?? 5;
    const agePeriod = props.ageMetricPeriod ?? Duration.hours(1);
    const share = props.durationShareOfTimeout ?? 0.8;

    for (const r of props.rotators) this.rotatorAlarms(r, share);
    if (props.ageFunction) {
      this.alarm(`age-function-errors`, props.ageFunction.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }), {
        threshold: 1,
        description: 'The secret-age function failed: DaysSinceRotation/PendingRotationHours may be stale.',
        missing: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    for (const s of props.secrets) {
      this.alarm(`${s.name}-days-since-rotation`, this.secretMetric(METRIC.DaysSinceRotation, s.name, 'Maximum', agePeriod), {
        threshold: s.rotationDays + grace,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description:
          `${s.name} is older than its ${s.rotationDays}-day policy plus ${grace} days of grace` +
          (s.rotator ? ': automatic rotation is not completing.' : ': rotate it by hand (runbook).') +
          ' Missing data alarms too: the age function has stopped reporting.',
        // A silent age function must not hide an overdue secret; 3 periods ride out one late run.
        missing: cloudwatch.TreatMissingData.BREACHING,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
      });
      if (s.rotator) {
        this.alarm(`${s.name}-pending-rotation`, this.secretMetric(METRIC.PendingRotationHours, s.name, 'Maximum', agePeriod), {
          threshold: props.pendingHoursThreshold ?? 2,
          comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          description: `${s.name} has had an AWSPENDING version for too long: a stuck rotation that blocks the next one.`,
          // Absence is covered by the days-since-rotation alarm.
          missing: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
        this.alarm(`${s.name}-rotation-failed`, this.rotationFailed(s.name, Duration.minutes(5)), {
          threshold: 1,
          description: `The ${s.rotator} rotator reported a failed step for ${s.name} (the Step dimension names which).`,
          missing: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      }
      const ring = catalogEntry(s.name).ring;
      if (ring && !ring.dropOldest) {
        this.alarm(`${s.name}-key-ring-full`, this.secretMetric(METRIC.KeyRingFull, s.name, 'Maximum', Duration.hours(1)), {
          threshold: 1,
          description: `${s.name} holds its maximum of ${ring.maxPrevious} previous keys: rotation refuses to drop one. Re-encrypt and retire old keys (runbook).`,
          missing: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      }
      if (config.envName === 'prod') {
        this.alarm(`${s.name}-placeholder`, this.secretMetric(METRIC.PlaceholderSecret, s.name, 'Maximum', agePeriod), {
          threshold: 1,
          description: `${s.name} still holds its deploy-time placeholder in prod: applications cannot use it. Seed it (runbook first-deploy step).`,
          missing: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      }
    }

    this.rotationEventRules();

    const allAlarms: cloudwatch.IAlarm[] = [...this.alarms, ...(props.audit?.alarms ?? [])];
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: observabilityNames(config).dashboardName,
      defaultInterval: Duration.days(7),
      widgets: buildDashboardWidgets({
        config,
        runbookUrl: props.runbookUrl,
        secrets: props.secrets.map((s) => ({
          ...s,
          alarmDays: s.rotationDays + grace,
          daysSinceRotation: this.secretMetric(METRIC.DaysSinceRotation, s.name, 'Maximum', agePeriod),
          pendingHours: s.rotator ? this.secretMetric(METRIC.PendingRotationHours, s.name, 'Maximum', agePeriod) : undefined,
          succeeded: s.rotator ? this.secretMetric(METRIC.RotationSucceeded, s.name, 'Sum', Duration.hours(1)) : undefined,
          failed: s.rotator ? this.rotationFailed(s.name, Duration.hours(1)) : undefined,
        })),
        rotators: props.rotators.map((r) => ({ ...r, share })),
        ageFunction: props.ageFunction,
        audit: props.audit,
        alarms: allAlarms,
      }),
    });
  }

  /** A rotation metric of one secret with exactly the emitters' dimensions {Environment, Secret}. */
  secretMetric(metricName: MetricName, secret: SecretName, statistic: string, period: Duration): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: metricsNamespace(this.props.config),
      metricName,
      dimensionsMap: metricDimensions(this.props.config.envName, secret),
      statistic,
      period,
    });
  }

  /** RotationFailed carries {Environment, Secret, Step}: one metric per step, summed (missing steps count as 0). */
  rotationFailed(secret: SecretName, period: Duration): cloudwatch.MathExpression {
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    for (const step of ROTATION_STEPS) {
      usingMetrics[`f_${step}`] = new cloudwatch.Metric({
        namespace: metricsNamespace(this.props.config),
        metricName: METRIC.RotationFailed,
        dimensionsMap: { ...metricDimensions(this.props.config.envName, secret), [DIMENSION.Step]: step },
        statistic: cloudwatch.Stats.SUM,
        period,
      });
    }
    return new cloudwatch.MathExpression({
      expression: Object.keys(usingMetrics).map((k) => `FILL(${k}, 0)`).join(' + '),
      usingMetrics,
      label: `${secret} RotationFailed`,
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
    });
    this.alarm(`rotator-${r.kind}-throttles`, r.fn.metricThrottles(fiveMinutes), {
      threshold: 1,
      description: `The ${r.kind} rotation function was throttled (reserved concurrency): Secrets Manager will retry, rotations may stall.`,
      missing: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const limitMs = Math.round(r.timeout.toMilliseconds() * share);
    this.alarm(`rotator-${r.kind}-duration-near-timeout`, r.fn.metricDuration({ period: Duration.minutes(5), statistic: cloudwatch.Stats.p(99) }), {
      threshold: limitMs,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `The ${r.kind} rotation function's p99 duration is above ${Math.round(share * 100)}% of its ${r.timeout.toSeconds()} s timeout: slow target or network path.`,
      missing: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  private alarm(
    what: string,
    metric: cloudwatch.IMetric,
    o: {
      threshold: number;
      description: string;
      missing: cloudwatch.TreatMissingData;
      comparison?: cloudwatch.ComparisonOperator;
      evaluationPeriods?: number;
      datapointsToAlarm?: number;
    },
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, `Alarm-${what}`, {
      alarmName: alarmName(this.props.config, what),
      alarmDescription: `${o.description} Runbook: ${this.props.runbookUrl}`,
      metric,
      threshold: o.threshold,
      comparisonOperator: o.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: o.evaluationPeriods ?? 1,
      datapointsToAlarm: o.datapointsToAlarm ?? 1,
      treatMissingData: o.missing,
    });
    alarm.addAlarmAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }

  private rotationEventRules(): void {
    const { config, alarmTopic, runbookUrl } = this.props;
    const a = arnsFor(this, config);
    const scope = { partition: a.stack.partition, region: a.stack.region, account: a.stack.account, secretNamePrefix: secretNamePrefix(config) };
    const f = (path: string) => events.EventField.fromPath(path);
    const secret = f(ROTATION_EVENT_FIELDS.secretArn);
    const where = `${f(ROTATION_EVENT_FIELDS.eventName)} for secret ${secret} at ${f(ROTATION_EVENT_FIELDS.time)} (account ${f(ROTATION_EVENT_FIELDS.account)}, region ${f(ROTATION_EVENT_FIELDS.region)})`;
    const inspect = `Inspect: aws secretsmanager describe-secret --secret-id ${secret} ; aws secretsmanager list-secret-version-ids --secret-id ${secret} --include-deprecated`;
    const rules: { what: string; names: readonly string[]; text: string }[] = [
      {
        what: 'rotation-failed',
        names: ROTATION_FAILURE_EVENTS,
        text:
          `[${config.appName} ${config.envName}] ROTATION FAILED: ${where}. ` +
          'AWSCURRENT still holds the previous value, so applications keep working, but an AWSPENDING version may be left ' +
          'behind and block the next rotation. ' +
          `${inspect} . Then read the rotator's log group for this secret and follow ${runbookUrl}#failed-or-stuck-rotation`,
      },
      {
        what: 'rotation-abandoned',
        names: ROTATION_WARNING_EVENTS,
        text:
          `[${config.appName} ${config.envName}] WARNING rotation abandoned: ${where}. ` +
          'Someone wrote a new version while a rotation was in progress (expected during the runbook\'s manual fix; otherwise ' +
          `find who with CloudTrail PutSecretValue/UpdateSecret). ${inspect} . Runbook: ${runbookUrl}#rotation-abandoned`,
      },
    ];
    for (const r of rules) {
      const rule = new events.Rule(this, `Rule-${r.what}`, {
        ruleName: ruleName(config, r.what),
        description: `${config.appName} ${config.envName}: Secrets Manager ${r.names.join('/')} for ${secretNamePrefix(config)}* secrets`,
        eventPattern: toCdkEventPattern(rotationServiceEventPattern(scope, r.names)),
      });
      rule.addTarget(topicTarget(alarmTopic, events.RuleTargetInput.fromText(r.text)));
      this.rules.push(rule);
    }
  }
}
