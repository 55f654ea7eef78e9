import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { scopedName, type NameOwner, type ObservabilityNames } from './names';
import { arnsFor } from './ops-key-statements';

/** The topic of an environment or of an account baseline. */
export interface AlarmTopicProps {
  /** The key that encrypts the topic; its policy must hold alarmAndLogStatements() or nothing is delivered. */
  readonly opsKey: kms.IKey;
  /** The owner's names: the topic's name, and the name prefix of the alarms and rules allowed to publish. */
  readonly names: ObservabilityNames;
  /** `<app> <env>` or `<app> account baseline`: the topic's display name starts with it. */
  readonly label: string;
  /** Who receives the alarms by e-mail (each confirms the subscription). */
  readonly emails: readonly string[];
}

/**
 * The security alarm topic of one environment or account baseline: encrypted with its key, TLS only, publishable
 * only by its own CloudWatch alarms and EventBridge rules (by name prefix, from this account), e-mailed to the
 * configured recipients.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const arns = arnsFor(this, props.names);
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.names.topicName,
      displayName: `${props.label} security alarms`,
      masterKey: props.opsKey,
      enforceSSL: true,
    });
    const publishers = [
      { sid: 'PublishByThisEnvironmentsAlarms', service: 'cloudwatch.amazonaws.com', sourceArn: arns.alarmArnPattern },
      { sid: 'PublishByThisEnvironmentsRules', service: 'events.amazonaws.com', sourceArn: arns.ruleArnPattern },
    ];
    for (const { sid, service, sourceArn } of publishers) {
      this.topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          principals: [new iam.ServicePrincipal(service)],
          actions: ['sns:Publish'],
          resources: [this.topic.topicArn],
          conditions: {
            StringEquals: { 'aws:SourceAccount': arns.stack.account },
            ArnLike: { 'aws:SourceArn': sourceArn },
          },
        }),
      );
    }
    for (const email of props.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
  }
}

/** One alarm: its name, what it means, the runbook link, and how its metric breaches. */
export interface AlarmSpec {
  /** Named `<prefix><what>` (lib/observability/names.ts scopedName). */
  readonly what: string;
  /** What on-call needs to know; the runbook link is appended. */
  readonly description: string;
  /** The runbook section of this alarm (lib/observability/runbook-sections.ts). */
  readonly runbookLink: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  /** @default cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD */
  readonly comparison?: cloudwatch.ComparisonOperator;
  /** @default 1 */
  readonly evaluationPeriods?: number;
  /** @default 1 */
  readonly datapointsToAlarm?: number;
  readonly missing: cloudwatch.TreatMissingData;
}

/**
 * The one alarm builder of the app: every alarm of an environment or baseline is named by scopedName (the ops key's
 * and the topic's policies match the prefix), ends its description with its runbook link and notifies the topic.
 */
export function notifyingAlarm(scope: Construct, id: string, owner: NameOwner, topic: sns.ITopic, spec: AlarmSpec): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmName: scopedName(owner, spec.what),
    alarmDescription: `${spec.description} Runbook: ${spec.runbookLink}`,
    metric: spec.metric,
    threshold: spec.threshold,
    comparisonOperator: spec.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: spec.evaluationPeriods ?? 1,
    datapointsToAlarm: spec.datapointsToAlarm ?? 1,
    treatMissingData: spec.missing,
  });
  alarm.addAlarmAction(new actions.SnsAction(topic));
  return alarm;
}
