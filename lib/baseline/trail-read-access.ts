import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { trailFileReading } from '../observability/audit';
import { wildcardFinding } from '../nag';
import type { ObservabilityNames } from '../observability/names';
import { arnsFor } from '../observability/ops-key-statements';

export interface TrailReadAccessProps {
  /** The baseline's trail-reader role (`<app>-account-trail-reader`), assumed by the environments' auditors. */
  readonly role: iam.IRole;
  /** The baseline's names: its trail, and the prefix of the alarms the reader may describe. */
  readonly names: ObservabilityNames;
  /** The trail's bucket and log group. */
  readonly bucket: s3.IBucket;
  readonly logGroup: logs.ILogGroup;
  /** The baseline's trail key. */
  readonly keyArn: string;
}

/**
 * Reading the account's audit trail for its whole retention, what an environment's auditor role could do when its
 * stack owned the trail (lib/access/auditor-access.ts): the trail's files in S3 (Glacier Instant Retrieval after the
 * transition: a plain GetObject, no restore), decrypted only through S3 with CloudTrail's encryption context;
 * Logs Insights on the trail log group; the trail's status and event history; the baseline's alarms. Nothing else:
 * no secret, no other log group, no write.
 */
export class TrailReadAccess extends Construct {
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: TrailReadAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const arns = arnsFor(this, props.names);
    const trailFiles = trailFileReading(this, props.bucket, props.keyArn);
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Read the account's audit trail ${props.names.trailName}: files, log group, status and alarms (no secret, no write)`,
      roles: [props.role],
      statements: [
        ...trailFiles.statements,
        new iam.PolicyStatement({
          sid: 'QueryTrailLogs',
          actions: ['logs:DescribeLogStreams', 'logs:FilterLogEvents', 'logs:GetLogEvents', 'logs:StartLiveTail', 'logs:StartQuery'],
          resources: [props.logGroup.logGroupArn],
        }),
        new iam.PolicyStatement({
          // No resource-level permissions: query results are addressed by query id, listing shows names only, and
          // CloudTrail event history has none.
          sid: 'QueryResultsAndEventHistory',
          actions: [
            'logs:DescribeLogGroups',
            'logs:DescribeQueries',
            'logs:GetQueryResults',
            'logs:StopQuery',
            'cloudtrail:DescribeTrails',
            'cloudtrail:LookupEvents',
          ],
          resources: ['*'],
        }),
        new iam.PolicyStatement({ sid: 'ReadTrailStatus', actions: ['cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus'], resources: [arns.trailArn] }),
        new iam.PolicyStatement({
          sid: 'ReadBaselineAlarms',
          actions: ['cloudwatch:DescribeAlarmHistory', 'cloudwatch:DescribeAlarms'],
          resources: [arns.alarmArnPattern],
        }),
      ],
    });
    Validations.of(this.policy).acknowledge(
      {
        id: wildcardFinding(stack, '*'),
        reason:
          'logs:DescribeLogGroups/DescribeQueries/GetQueryResults/StopQuery and cloudtrail:DescribeTrails/LookupEvents have no resource-level permissions; all are reads.',
      },
      trailFiles.acknowledgement,
      {
        id: wildcardFinding(stack, arns.alarmArnPattern),
        reason: "The baseline's alarms all start with its prefix (lib/observability/names.ts); describing them is read-only.",
      },
    );
  }
}
