import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { TrailConfig } from '../config';
import { accountBaselineNames, observabilityNames } from '../observability/names';
import { arnsFor } from '../observability/ops-key-statements';
import { trailFileReading } from '../observability/audit';
import { wildcardFinding } from '../nag';

export interface AuditorReadAccessProps {
  /** The application: names the dashboard, the alarms and the account baseline's trail. */
  readonly appName: string;
  /** The environment: names the dashboard, the alarms and the environment's own trail. */
  readonly envName: string;
  /** The role the policy is attached to. */
  readonly auditorRole: iam.IRole;
  /**
   * Where the environment's trail lives: the auditor reads the status of its own trail (`create`) or of the account
   * baseline's (`baseline`); an `existing` trail is not this app's to name.
   */
  readonly trailMode: TrailConfig['trail']['mode'];
  /**
   * The trail's bucket, when this stack creates the trail: the auditor reads its files.
   * @default - no access to trail files
   */
  readonly trailBucket?: s3.IBucket;
  /**
   * The trail's log group in this account (created or existing).
   * @default - no trail log group to query
   */
  readonly trailLogGroup?: logs.ILogGroup;
  /** The functions' log groups (the dashboard's rotation widgets and the runbook's `aws logs tail`). */
  readonly functionLogGroups: logs.ILogGroup[];
  /** The key of the trail's files: decrypted only through S3, only with CloudTrail's encryption context. */
  readonly opsKeyArn: string;
  /** The environment's keys: the auditor lists their grants. */
  readonly keyArns: string[];
}

/**
 * What the auditor role needs for the dashboard and the runbook's read-only steps, and to read the audit trail for
 * its whole retention: the trail's files in S3 (decrypted with the ops key, only with CloudTrail's encryption
 * context, only through S3), Logs Insights on the trail and function log groups, the dashboard, alarms and
 * metrics, CloudTrail event history, and the keys' grants. Still no secret value: the auditor policy
 * (lib/access/roles.ts) denies GetSecretValue, and kms:Decrypt without CloudTrail's encryption context.
 */
export class AuditorReadAccess extends Construct {
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: AuditorReadAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const names = observabilityNames(props);
    const arns = arnsFor(this, names);
    const logGroups = [...(props.trailLogGroup ? [props.trailLogGroup] : []), ...props.functionLogGroups];
    const statements: iam.PolicyStatement[] = [];

    const trailFiles = props.trailBucket ? trailFileReading(this, props.trailBucket, props.opsKeyArn) : undefined;
    if (trailFiles) statements.push(...trailFiles.statements);
    if (logGroups.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'QueryTrailAndFunctionLogs',
          actions: ['logs:DescribeLogStreams', 'logs:FilterLogEvents', 'logs:GetLogEvents', 'logs:StartLiveTail', 'logs:StartQuery'],
          resources: logGroups.map((g) => g.logGroupArn),
        }),
      );
    }
    statements.push(
      new iam.PolicyStatement({
        // No resource-level permissions: query results are addressed by query id, and listing shows names only.
        sid: 'LogsInsightsResultsAndLogGroupNames',
        actions: ['logs:DescribeLogGroups', 'logs:DescribeQueries', 'logs:GetQueryResults', 'logs:StopQuery'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'ReadDashboard',
        actions: ['cloudwatch:GetDashboard'],
        resources: [stack.formatArn({ service: 'cloudwatch', region: '', resource: 'dashboard', resourceName: names.dashboardName })],
      }),
      new iam.PolicyStatement({
        sid: 'ReadAlarmsOfThisEnvironment',
        actions: ['cloudwatch:DescribeAlarmHistory', 'cloudwatch:DescribeAlarms'],
        resources: [arns.alarmArnPattern],
      }),
      new iam.PolicyStatement({
        // Metric reads and dashboard listing have no resource-level permissions.
        sid: 'ReadMetrics',
        actions: ['cloudwatch:GetMetricData', 'cloudwatch:GetMetricStatistics', 'cloudwatch:ListDashboards', 'cloudwatch:ListMetrics'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        // CloudTrail event history (90 days, management events) has no resource-level permission.
        sid: 'LookupTrailEvents',
        actions: ['cloudtrail:DescribeTrails', 'cloudtrail:LookupEvents'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'ListKeyGrants',
        actions: ['kms:ListGrants'],
        resources: props.keyArns,
      }),
    );
    // The runbook's "trail went quiet" step reads the status of the trail this environment relies on: its own, or
    // the account baseline's (an existing trail of the account is not ours to name).
    const trailArn =
      props.trailMode === 'create' ? arns.trailArn : props.trailMode === 'baseline' ? arnsFor(this, accountBaselineNames(props.appName)).trailArn : undefined;
    if (trailArn) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'ReadTrailStatus',
          actions: ['cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus'],
          resources: [trailArn],
        }),
      );
    }

    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `${props.appName} ${props.envName} auditor: read the audit trail, logs, dashboard and alarms (never a secret value)`,
      roles: [props.auditorRole],
      statements,
    });
    Validations.of(this.policy).acknowledge({
      id: wildcardFinding(stack, '*'),
      reason:
        'logs:GetQueryResults/StopQuery/DescribeQueries/DescribeLogGroups, cloudwatch:GetMetricData/GetMetricStatistics/ListMetrics/ListDashboards and cloudtrail:LookupEvents/DescribeTrails have no resource-level permissions; all are reads, and the auditor policy denies every secret value.',
    });
    if (trailFiles) Validations.of(this.policy).acknowledge(trailFiles.acknowledgement);
    Validations.of(this.policy).acknowledge({
      id: wildcardFinding(stack, arns.alarmArnPattern),
      reason: 'Alarms of this environment all start with its prefix (lib/observability/names.ts); describing them is read-only.',
    });
  }
}
