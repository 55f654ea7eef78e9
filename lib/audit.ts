import { Annotations, ArnFormat, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { SecretName } from '../contracts';
import type { EnvironmentConfig } from './config';
import { cisFilters, secretReadFilters, secretsFilters, trailMetricsNamespace, type TrailFilterSpec } from './metric-filters';
import { alarmName, arnsFor, createsTrail, observabilityNames } from './ops-key-statements';
import { trailAlarmRunbookLink } from './runbook-sections';

export interface AuditTrailProps {
  config: EnvironmentConfig;
  /** The operations key: encrypts the trail's log files, its bucket and its log group. */
  opsKey: kms.IKey;
  alarmTopic: sns.ITopic;
  /** Named in every alarm description. Default: docs/runbook.md. */
  runbookUrl?: string;
  /**
   * Create the two CIS filters (unauthorized API calls, KMS disable/delete). Default: only when this stack creates
   * the trail. With an existing trail in this account, its owner (another environment's stack or the account
   * baseline) normally has them already; duplicates would alarm twice.
   */
  cisMetricFilters?: boolean;
}

/** What the audit trail gives monitoring: the log group, the filter metrics and the alarms. */
export interface AuditSignals {
  readonly logGroup?: logs.ILogGroup;
  /** Metrics by filter id, including `SecretReads-<name>`; empty when no filters exist. */
  readonly metrics: Readonly<Record<string, cloudwatch.Metric>>;
  readonly alarms: cloudwatch.IAlarm[];
  secretReadsMetric(name: SecretName): cloudwatch.Metric | undefined;
}

/** How cdk-nag writes a resolved ARN in a finding id: pseudo parameters as `<AWS::Region>`, joins flattened. */
function renderedForNag(v: unknown): string {
  if (typeof v === 'string') return v;
  const o = v as { Ref?: string; 'Fn::Join'?: [string, unknown[]] };
  if (o.Ref) return `<${o.Ref}>`;
  if (o['Fn::Join']) return o['Fn::Join'][1].map(renderedForNag).join(o['Fn::Join'][0]);
  return JSON.stringify(v);
}

const ORG_TRAIL_WARNING = 'gaara:audit:metricFiltersElsewhere';

/**
 * The audit trail of one environment: a multi-region trail with global service events and log-file validation
 * to an encrypted, versioned bucket (server access logs in a separate bucket) and to an encrypted log group; or
 * an existing trail's log group. On the log group: the CIS and secrets metric filters, each with an alarm.
 */
export class AuditTrail extends Construct implements AuditSignals {
  readonly logGroup?: logs.ILogGroup;
  readonly trail?: cloudtrail.CfnTrail;
  readonly bucket?: s3.Bucket;
  readonly accessLogBucket?: s3.Bucket;
  readonly metricFilters: logs.MetricFilter[] = [];
  readonly metrics: Record<string, cloudwatch.Metric> = {};
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const { config } = props;
    const trailConfig = config.audit.trail;

    if (trailConfig.mode === 'create') {
      const created = this.createTrail(props);
      this.logGroup = created.logGroup;
      this.trail = created.trail;
      this.bucket = created.bucket;
      this.accessLogBucket = created.accessLogBucket;
    } else if (trailConfig.logGroupName) {
      this.logGroup = logs.LogGroup.fromLogGroupName(this, 'ExistingTrailLogGroup', trailConfig.logGroupName);
    } else {
      const where = trailConfig.organizationTrailAccount
        ? `the account that owns the organisation trail's log group (${trailConfig.organizationTrailAccount})`
        : "the account that owns the existing trail's log group";
      Annotations.of(this).addWarningV2(
        ORG_TRAIL_WARNING,
        `${config.envName}: no CloudTrail log group in this account (audit.trail is "existing" without logGroupName), ` +
          `so no metric filters or trail alarms are created here. Create the CIS and secrets metric filters and their ` +
          `alarms (lib/metric-filters.ts) in ${where}; see docs/dashboard.md "Organisation trail".`,
      );
      return;
    }

    const withCis = props.cisMetricFilters ?? createsTrail(config);
    const specs = [...(withCis ? cisFilters() : []), ...secretsFilters(config)];
    for (const spec of specs) this.addAlarmedFilter(spec, props);
    for (const spec of secretReadFilters(config)) this.addFilter(spec, config);
  }

  secretReadsMetric(name: SecretName): cloudwatch.Metric | undefined {
    return this.metrics[`SecretReads-${name}`] ?? undefined;
  }

  private createTrail(props: AuditTrailProps) {
    const { config, opsKey } = props;
    const names = observabilityNames(config);
    const arns = arnsFor(this, config);
    const removalPolicy = config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    // The trail's buckets are retained in every environment, whatever removalPolicy says: CloudFormation cannot delete
    // a versioned bucket that holds objects (cdk destroy of dev/staging ended in DELETE_FAILED), and emptying it at
    // destroy (autoDeleteObjects) would let whoever can delete the stack erase the audit evidence. The lifecycle
    // rules expire the files; README "Destroy a dev or staging environment" says how to remove them
    // earlier. The ops key that encrypts them is retained for the same reason (lib/keys.ts).
    const auditRemovalPolicy = RemovalPolicy.RETAIN;
    const { transitionToGlacierDays, expireAfterDays } = config.audit;

    const accessLogBucket = new s3.Bucket(this, 'AccessLogBucket', {
      // S3 server access logs can only be delivered to a bucket with SSE-S3 default encryption.
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // Ownership is left to the CDK: with @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy (cdk.json) the log
      // delivery is granted by bucket policy and ACLs stay disabled; without it the CDK falls back to the ACL.
      removalPolicy: auditRemovalPolicy,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(expireAfterDays), noncurrentVersionExpiration: Duration.days(30) }],
    });
    Validations.of(accessLogBucket).acknowledge(
      { id: 'AwsSolutions-S1', reason: 'This is the server access log bucket of the trail bucket; logging it to itself would loop.' },
      { id: 'NIST.800.53.R5-S3BucketLoggingEnabled', reason: 'This is the server access log bucket of the trail bucket; logging it to itself would loop.' },
      { id: 'NIST.800.53.R5-S3DefaultEncryptionKMS', reason: 'S3 delivers server access logs only to buckets with SSE-S3 default encryption, not SSE-KMS.' },
      { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: 'Access logs of the audit bucket; cross-region replication is an account-level decision outside this stack.' },
    );

    const bucket = new s3.Bucket(this, 'TrailBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: opsKey,
      // Bucket keys change the KMS encryption context to the bucket ARN; CloudTrail's key policy condition expects
      // aws:cloudtrail:arn, so they stay off (the KMS request cost of a trail is a few cents a month).
      bucketKeyEnabled: false,
      versioned: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogBucket,
      serverAccessLogsPrefix: 'trail-bucket/',
      removalPolicy: auditRemovalPolicy,
      lifecycleRules: [
        {
          id: 'GlacierInstantRetrievalThenExpire',
          // Glacier Instant Retrieval: colder and cheaper, still read with a plain GetObject (no restore), so the
          // auditor reads the trail for its whole retention.
          transitions: [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(transitionToGlacierDays) }],
          expiration: Duration.days(expireAfterDays),
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
    });
    Validations.of(bucket).acknowledge({
      id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
      reason: 'Trail log files are integrity-protected by digest files; cross-region replication is an account-level decision outside this stack.',
    });
    const trailCondition = { StringEquals: { 'aws:SourceArn': arns.trailArn } };
    const cloudTrail = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    const aclCheck = bucket.addToResourcePolicy(
      new iam.PolicyStatement({ sid: 'CloudTrailAclCheck', principals: [cloudTrail], actions: ['s3:GetBucketAcl'], resources: [bucket.bucketArn], conditions: trailCondition }),
    );
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailWrite',
        principals: [cloudTrail],
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`AWSLogs/${arns.stack.account}/*`)],
        conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': arns.trailArn } },
      }),
    );

    const logGroup = new logs.LogGroup(this, 'TrailLogGroup', {
      logGroupName: names.trailLogGroupName,
      retention: config.logRetentionDays as logs.RetentionDays,
      encryptionKey: opsKey,
      removalPolicy,
    });

    const deliveryRole = new iam.Role(this, 'TrailLogDeliveryRole', {
      assumedBy: cloudTrail,
      description: `${config.appName} ${config.envName}: CloudTrail delivers the trail to its log group`,
    });
    const logStreams = arns.stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `${names.trailLogGroupName}:log-stream:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const deliveryPolicy = new iam.ManagedPolicy(this, 'TrailLogDeliveryPolicy', {
      roles: [deliveryRole],
      statements: [
        new iam.PolicyStatement({ sid: 'DeliverTrailEvents', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logStreams] }),
      ],
    });

    const trail = new cloudtrail.CfnTrail(this, 'Trail', {
      trailName: names.trailName,
      isLogging: true,
      s3BucketName: bucket.bucketName,
      kmsKeyId: opsKey.keyArn,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      cloudWatchLogsLogGroupArn: logGroup.logGroupArn,
      cloudWatchLogsRoleArn: deliveryRole.roleArn,
    });
    Validations.of(deliveryPolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${renderedForNag(arns.stack.resolve(logStreams))}]`,
      reason: 'CloudTrail names its log streams <account>_CloudTrail_<region> at delivery time; the wildcard is limited to the streams of the trail log group.',
    });
    // CloudTrail checks the bucket policy and the delivery role when the trail is created.
    if (aclCheck.policyDependable) trail.node.addDependency(aclCheck.policyDependable);
    trail.node.addDependency(deliveryPolicy);

    return { logGroup, trail, bucket, accessLogBucket };
  }

  private addFilter(spec: TrailFilterSpec, config: EnvironmentConfig): logs.MetricFilter {
    const filter = trailMetricFilter(this, spec.id, this.logGroup as logs.ILogGroup, config, spec);
    this.metricFilters.push(filter);
    this.metrics[spec.id] = filter.metric({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) });
    return filter;
  }

  private addAlarmedFilter(spec: TrailFilterSpec, props: AuditTrailProps): void {
    this.addFilter(spec, props.config);
    const alarm = new cloudwatch.Alarm(this, `${spec.id}Alarm`, {
      alarmName: alarmName(props.config, spec.id),
      alarmDescription: `${spec.meaning} Source: ${spec.source}. Runbook: ${trailAlarmRunbookLink(props.runbookUrl ?? 'docs/runbook.md', spec.id)}`,
      metric: this.metrics[spec.id],
      threshold: spec.alarmThreshold ?? 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // No datapoint means no trail events in the period (the filter's default value 0 covers quiet periods).
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
    this.alarms.push(alarm);
  }
}

/**
 * A metric filter on the trail's log group, in the trail metrics namespace: 1 per matching event, and 0 while the
 * trail delivers other events (only a trail that delivers nothing leaves the metric missing).
 */
export function trailMetricFilter(
  scope: Construct,
  id: string,
  logGroup: logs.ILogGroup,
  config: EnvironmentConfig,
  spec: { id: string; pattern: string; metricName: string },
): logs.MetricFilter {
  return new logs.MetricFilter(scope, id, {
    logGroup,
    filterName: `${config.appName}-${config.envName}-${spec.id}`,
    filterPattern: logs.FilterPattern.literal(spec.pattern),
    metricNamespace: trailMetricsNamespace(config),
    metricName: spec.metricName,
    metricValue: '1',
    defaultValue: 0,
  });
}
