import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config';
import { arnsFor, observabilityNames, scopedName, type NameOwner, type ObservabilityNames } from './ops-key-statements';

/** The topic of an environment (its config), or of an account baseline (its names, label and recipients). */
export type AlarmTopicProps = {
  /** The key that encrypts the topic; its policy must hold alarmAndLogStatements() or nothing is delivered. */
  opsKey: kms.IKey;
} & ({ config: EnvironmentConfig } | { names: ObservabilityNames; label: string; emails: readonly string[] });

/**
 * The security alarm topic of one environment or account baseline: encrypted with its key, TLS only, publishable
 * only by its own CloudWatch alarms and EventBridge rules (by name prefix, from this account), e-mailed to the
 * configured recipients.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const owner = 'config' in props
      ? { names: observabilityNames(props.config), label: `${props.config.appName} ${props.config.envName}`, emails: [props.config.alarmEmail] }
      : props;
    const arns = arnsFor(this, owner.names);
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: owner.names.topicName,
      displayName: `${owner.label} security alarms`,
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
    for (const email of owner.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
  }
}

/** One alarm: its name, what it means, the runbook link, and how its metric breaches. */
export interface AlarmSpec {
  /** Named `<prefix><what>` (lib/observability/ops-key-statements.ts scopedName). */
  what: string;
  /** What on-call needs to know; the runbook link is appended. */
  description: string;
  runbookLink: string;
  metric: cloudwatch.IMetric;
  threshold: number;
  /** Default: greater than or equal to the threshold. */
  comparison?: cloudwatch.ComparisonOperator;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  missing: cloudwatch.TreatMissingData;
}

/**
 * The one alarm builder of the app: every alarm of an environment or baseline is named by alarmName (the ops key's
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
