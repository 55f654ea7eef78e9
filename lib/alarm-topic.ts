import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from './config';
import { arnsFor, observabilityNames } from './ops-key-statements';

export interface AlarmTopicProps {
  config: EnvironmentConfig;
  /** The operations key; its policy must hold opsKeyServiceStatements() or nothing is delivered. */
  opsKey: kms.IKey;
}

/**
 * The security alarm topic of one environment: encrypted with the ops key, TLS only, publishable only by this
 * environment's CloudWatch alarms and EventBridge rules (by name prefix, from this account), e-mailed to config.alarmEmail.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const { config } = props;
    const arns = arnsFor(this, config);
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: observabilityNames(config).topicName,
      displayName: `${config.appName} ${config.envName} security alarms`,
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
    this.topic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
  }
}
