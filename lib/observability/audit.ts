import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { metricsNamespaceFor, type SecretName } from '../../contracts';
import { notifyingAlarm } from './alarm-topic';
import type { TrailConfig } from '../config';
import {
  accountFilters,
  accountTrailMetricsNamespace,
  reviewedDeployHint,
  secretReadFilters,
  secretsFilters,
  trailMetricsNamespace,
  type TrailFilterSpec,
} from './metric-filters';
import { accountBaselineNames, environmentLabel, observabilityNames, scopedName, type NameOwner, type ObservabilityNames } from './names';
import type { ObservedEnvironment } from './observed-environment';
import { anyTrailOfAccount, arnsFor, createsTrail } from './ops-key-statements';
import { trailAlarmRunbookLink } from './runbook-sections';
import { wildcardFinding } from '../nag';

/** Names the trail, its filters and alarms (`<app>-<env>-…`); in `baseline` mode, `appName` finds the baseline's log group. */
export interface AuditTrailProps extends ObservedEnvironment {
  /** Where the trail lives (`trail.mode`) and, when this stack creates it, how long its files are kept. */
  readonly audit: TrailConfig;
  /** The operations key: encrypts the trail's log files, its bucket and its log group (mode `create`). */
  readonly opsKey: kms.IKey;
  /** Every trail alarm notifies it. */
  readonly alarmTopic: sns.ITopic;
  /** What happens to the trail's log group when the stack is deleted (mode `create`; its buckets are always retained). */
  readonly removalPolicy: RemovalPolicy;
  /** How long the trail's log group keeps events (mode `create`). */
  readonly logRetention: logs.RetentionDays;
}

/** What the audit trail gives monitoring: the log group, the filter metrics and the alarms. */
export interface AuditSignals {
  readonly logGroup?: logs.ILogGroup;
  /**
   * Metrics by filter id, including `SecretReads-<name>`; empty when no filters exist. With the account baseline,
   * the account-wide ones are the baseline's metrics (by namespace and name: the dashboard graphs them).
   */
  readonly metrics: Readonly<Record<string, cloudwatch.Metric>>;
  readonly alarms: cloudwatch.IAlarm[];
  secretReadsMetric(name: SecretName): cloudwatch.Metric | undefined;
}

/**
 * Reading a trail's files in S3 for their whole retention (Glacier Instant Retrieval after the transition: a plain
 * GetObject, no restore), decrypted only through S3 with CloudTrail's encryption context: the statements of whichever
 * role reads the trail (the auditor when the environment owns it, the baseline's trail reader otherwise), and the
 * cdk-nag acknowledgement their object wildcard needs.
 */
export function trailFileReading(
  scope: Construct,
  bucket: s3.IBucket,
  keyArn: string,
): { statements: iam.PolicyStatement[]; acknowledgement: { id: string; reason: string } } {
  const stack = Stack.of(scope);
  const objects = bucket.arnForObjects(`AWSLogs/${stack.account}/*`);
  return {
    statements: [
      new iam.PolicyStatement({ sid: 'ListTrailBucket', actions: ['s3:GetBucketLocation', 's3:ListBucket'], resources: [bucket.bucketArn] }),
      new iam.PolicyStatement({ sid: 'ReadTrailLogFiles', actions: ['s3:GetObject'], resources: [objects] }),
      new iam.PolicyStatement({
        sid: 'DecryptTrailLogFilesThroughS3',
        actions: ['kms:Decrypt'],
        resources: [keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': anyTrailOfAccount(scope) },
        },
      }),
    ],
    acknowledgement: {
      id: wildcardFinding(stack, objects),
      reason: "CloudTrail names its log files by region, date and a random suffix; the wildcard is limited to this account's prefix of the trail bucket.",
    },
  };
}

const ORG_TRAIL_WARNING = 'gaara:audit:metricFiltersElsewhere';

/** Where the trail filters of one owner go: namespace, whose names, and who their alarms notify. */
export interface TrailFilterTarget {
  readonly logGroup: logs.ILogGroup;
  readonly metricNamespace: string;
  /** Names the filters and their alarms (lib/observability/names.ts scopedName). */
  readonly owner: NameOwner;
  readonly alarmTopic: sns.ITopic;
  readonly runbookUrl: string;
}

/**
 * Trail filters and their alarms on a trail log group, as one owner (an environment or the account baseline)
 * creates them: each filter counts matching events in the owner's namespace, each alarmed one notifies the topic.
 */
export class TrailFilters {
  readonly metricFilters: logs.MetricFilter[] = [];
  readonly metrics: Record<string, cloudwatch.Metric> = {};
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(
    private readonly scope: Construct,
    private readonly target: TrailFilterTarget,
  ) {}

  add(spec: TrailFilterSpec): logs.MetricFilter {
    const filter = trailMetricFilter(this.scope, spec.id, this.target, spec);
    this.metricFilters.push(filter);
    this.metrics[spec.id] = filter.metric({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) });
    return filter;
  }

  addAlarmed(spec: TrailFilterSpec): void {
    this.add(spec);
    this.alarms.push(
      notifyingAlarm(this.scope, `${spec.id}Alarm`, this.target.owner, this.target.alarmTopic, {
        what: spec.id,
        description: `${spec.meaning} Source: ${spec.source}.`,
        runbookLink: trailAlarmRunbookLink(this.target.runbookUrl, spec.id),
        metric: this.metrics[spec.id],
        threshold: spec.alarmThreshold ?? 1,
        // No datapoint means no trail events in the period (the filter's default value 0 covers quiet periods).
        missing: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}

/**
 * The audit trail of one environment, by `audit.trail.mode`:
 * - `baseline`: the account baseline's trail log group (lib/baseline), found by name; only this environment's
 *   filters are added to it, and the account-wide metrics are read from the baseline's namespace;
 * - `create`: a multi-region trail of this stack (createAccountTrail) with the account-wide filters;
 * - `existing`: an existing trail's log group in this account, or none (filters live with the trail's owner).
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
    const names = observabilityNames(props);
    const trailConfig = props.audit.trail;

    if (trailConfig.mode === 'create') {
      const created = createAccountTrail(this, {
        names,
        label: environmentLabel(props),
        key: props.opsKey,
        removalPolicy: props.removalPolicy,
        logRetention: props.logRetention,
        transitionToGlacierDays: props.audit.transitionToGlacierDays,
        expireAfterDays: props.audit.expireAfterDays,
      });
      this.logGroup = created.logGroup;
      this.trail = created.trail;
      this.bucket = created.bucket;
      this.accessLogBucket = created.accessLogBucket;
    } else if (trailConfig.mode === 'baseline') {
      this.logGroup = this.importLogGroup('BaselineTrailLogGroup', accountBaselineNames(props.appName).trailLogGroupName);
      // The baseline's namespace (lib/config/baseline.ts): the app's default, whatever this environment configures.
      const namespace = accountTrailMetricsNamespace(metricsNamespaceFor(props.appName));
      for (const spec of accountFilters('')) {
        this.metrics[spec.id] = new cloudwatch.Metric({ namespace, metricName: spec.metricName, statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) });
      }
    } else if (trailConfig.logGroupName) {
      this.logGroup = this.importLogGroup('ExistingTrailLogGroup', trailConfig.logGroupName);
    } else {
      const where = trailConfig.organizationTrailAccount
        ? `the account that owns the organisation trail's log group (${trailConfig.organizationTrailAccount})`
        : "the account that owns the existing trail's log group";
      Annotations.of(this).addWarningV2(
        ORG_TRAIL_WARNING,
        `${props.envName}: no CloudTrail log group in this account (audit.trail is "existing" without logGroupName), ` +
          `so no metric filters or trail alarms are created here. Create the CIS and secrets metric filters and their ` +
          `alarms (lib/observability/metric-filters.ts) in ${where}; see docs/dashboard.md "Organisation trail".`,
      );
      return;
    }

    const filters = new TrailFilters(this, {
      logGroup: this.logGroup,
      metricNamespace: trailMetricsNamespace(props.metricsNamespace, props.envName),
      owner: names,
      alarmTopic: props.alarmTopic,
      runbookUrl: props.runbookUrl,
    });
    // The account-wide filters (the verbatim CIS controls, deleted-secret reads, key policy changes on any key) only
    // with a trail of this stack: the account baseline or an existing trail's owner has them, and duplicates would alarm twice.
    for (const spec of [...(createsTrail(trailConfig) ? accountFilters(reviewedDeployHint(props)) : []), ...secretsFilters(props)]) filters.addAlarmed(spec);
    for (const spec of secretReadFilters(props)) filters.add(spec);
    this.metricFilters.push(...filters.metricFilters);
    Object.assign(this.metrics, filters.metrics);
    this.alarms.push(...filters.alarms);
  }

  secretReadsMetric(name: SecretName): cloudwatch.Metric | undefined {
    return this.metrics[`SecretReads-${name}`] ?? undefined;
  }

  /**
   * A trail log group of this account found by name. Its ARN ends in `:*` (CloudWatch Logs' form of a log group's
   * ARN), which cdk-nag reads as a wildcard wherever a policy of this stack names it (the auditor's Logs Insights).
   */
  private importLogGroup(id: string, name: string): logs.ILogGroup {
    const group = logs.LogGroup.fromLogGroupName(this, id, name);
    const stack = Stack.of(this);
    Validations.of(stack).acknowledge({
      id: wildcardFinding(stack, group.logGroupArn),
      reason: `The ARN of the one log group ${name} (CloudWatch Logs ARNs of a log group end in :*), not a wildcard over log groups.`,
    });
    return group;
  }
}

/** What a trail needs from its owner (an environment in `create` mode, or the account baseline). */
export interface AccountTrailProps {
  readonly names: ObservabilityNames;
  /** `<app> <env>` or `<app> account baseline`: in descriptions. */
  readonly label: string;
  /** Encrypts the trail's files, its bucket and its log group. */
  readonly key: kms.IKey;
  /** What happens to the log group when the stack is deleted (the buckets are always retained). */
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: logs.RetentionDays;
  readonly transitionToGlacierDays: number;
  readonly expireAfterDays: number;
}

/**
 * A multi-region trail with global service events and log-file validation to an encrypted, versioned bucket
 * (server access logs in a separate bucket) and to an encrypted log group. Created directly in `scope`, so the
 * environment's `Audit` construct keeps the logical ids it always had.
 */
export function createAccountTrail(scope: Construct, props: AccountTrailProps) {
  const { names, key } = props;
  const arns = arnsFor(scope, names);
  // The trail's buckets are retained in every environment, whatever removalPolicy says: CloudFormation cannot delete
  // a versioned bucket that holds objects (cdk destroy of dev/staging ended in DELETE_FAILED), and emptying it at
  // destroy (autoDeleteObjects) would let whoever can delete the stack erase the audit evidence. The lifecycle
  // rules expire the files; README "Destroy a dev or staging environment" says how to remove them
  // earlier. The key that encrypts them is retained for the same reason (lib/access/keys.ts, lib/baseline).
  const auditRemovalPolicy = RemovalPolicy.RETAIN;
  const { transitionToGlacierDays, expireAfterDays } = props;

  const accessLogBucket = new s3.Bucket(scope, 'AccessLogBucket', {
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
    {
      id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
      reason: 'Access logs of the audit bucket; cross-region replication is an account-level decision outside this stack.',
    },
  );

  const bucket = new s3.Bucket(scope, 'TrailBucket', {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
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
    new iam.PolicyStatement({
      sid: 'CloudTrailAclCheck',
      principals: [cloudTrail],
      actions: ['s3:GetBucketAcl'],
      resources: [bucket.bucketArn],
      conditions: trailCondition,
    }),
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

  const logGroup = new logs.LogGroup(scope, 'TrailLogGroup', {
    logGroupName: names.trailLogGroupName,
    retention: props.logRetention,
    encryptionKey: key,
    removalPolicy: props.removalPolicy,
  });

  const deliveryRole = new iam.Role(scope, 'TrailLogDeliveryRole', {
    assumedBy: cloudTrail,
    description: `${props.label}: CloudTrail delivers the trail to its log group`,
  });
  const logStreams = arns.stack.formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: `${names.trailLogGroupName}:log-stream:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const deliveryPolicy = new iam.ManagedPolicy(scope, 'TrailLogDeliveryPolicy', {
    roles: [deliveryRole],
    statements: [new iam.PolicyStatement({ sid: 'DeliverTrailEvents', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logStreams] })],
  });

  const trail = new cloudtrail.CfnTrail(scope, 'Trail', {
    trailName: names.trailName,
    isLogging: true,
    s3BucketName: bucket.bucketName,
    kmsKeyId: key.keyArn,
    isMultiRegionTrail: true,
    includeGlobalServiceEvents: true,
    enableLogFileValidation: true,
    cloudWatchLogsLogGroupArn: logGroup.logGroupArn,
    cloudWatchLogsRoleArn: deliveryRole.roleArn,
  });
  Validations.of(deliveryPolicy).acknowledge({
    id: wildcardFinding(arns.stack, logStreams),
    reason: 'CloudTrail names its log streams <account>_CloudTrail_<region> at delivery time; the wildcard is limited to the streams of the trail log group.',
  });
  // CloudTrail checks the bucket policy and the delivery role when the trail is created.
  if (aclCheck.policyDependable) trail.node.addDependency(aclCheck.policyDependable);
  trail.node.addDependency(deliveryPolicy);

  return { logGroup, trail, bucket, accessLogBucket };
}

/**
 * A metric filter on the trail's log group, in the trail metrics namespace: 1 per matching event, and 0 while the
 * trail delivers other events (only a trail that delivers nothing leaves the metric missing).
 */
export function trailMetricFilter(
  scope: Construct,
  id: string,
  target: Pick<TrailFilterTarget, 'logGroup' | 'owner' | 'metricNamespace'>,
  spec: { id: string; pattern: string; metricName: string },
): logs.MetricFilter {
  return new logs.MetricFilter(scope, id, {
    logGroup: target.logGroup,
    filterName: scopedName(target.owner, spec.id),
    filterPattern: logs.FilterPattern.literal(spec.pattern),
    metricNamespace: target.metricNamespace,
    metricName: spec.metricName,
    metricValue: '1',
    defaultValue: 0,
  });
}
