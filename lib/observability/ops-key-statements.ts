/**
 * What the operations key (alias/<app>/<env>/ops) must allow so that the alarm topic, the encrypted log groups
 * and the audit trail can use it. The statements refer to those resources by their deterministic names
 * (lib/observability/names.ts), not by tokens: the key is created before, and referenced by, those resources, so a
 * token would make a dependency cycle.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import type { TrailConfig } from '../config';
import { namesOf, type NameOwner } from './names';

/** True when this stack creates the trail (and so the trail's key statements are needed). */
export function createsTrail(trail: TrailConfig['trail']): boolean {
  return trail.mode === 'create';
}

export interface OpsKeyStatementOptions {
  /** Names the environment's alarms, rules and trail, which the statements' conditions match. */
  readonly appName: string;
  readonly envName: string;
  /** Where the environment's trail lives: the trail's statements are added only when this stack creates it (`create`). */
  readonly trail: TrailConfig['trail'];
  /**
   * Roles that read the trail's log files from S3 (the security auditors): they need kms:Decrypt with the
   * CloudTrail encryption context.
   * @default - nobody reads the bucket directly
   */
  readonly trailLogReaderArns?: readonly string[];
}

/** Every trail of the stack's account, any region: CloudTrail's `aws:cloudtrail:arn` encryption context on its files. */
export function anyTrailOfAccount(scope: IConstruct): string {
  return Stack.of(scope).formatArn({ service: 'cloudtrail', region: '*', resource: 'trail', resourceName: '*' });
}

/** ARNs and principals built from the stack's account, region and partition (tokens in an agnostic stack). */
export function arnsFor(scope: IConstruct, owner: NameOwner) {
  const stack = Stack.of(scope);
  const n = namesOf(owner);
  return {
    stack,
    alarmArnPattern: stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: `${n.namePrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
    ruleArnPattern: stack.formatArn({ service: 'events', resource: 'rule', resourceName: `${n.namePrefix}*` }),
    trailArn: stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: n.trailName }),
    anyTrailOfAccount: anyTrailOfAccount(scope),
    anyLogGroup: stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
  };
}

/**
 * Key policy statements for the service principals that use the ops key. Each carries the source conditions the
 * service supports; the exceptions are commented. Add them to the ops key's policy (lib/access/keys.ts).
 */
export function opsKeyServiceStatements(scope: IConstruct, options: OpsKeyStatementOptions): iam.PolicyStatement[] {
  return [
    ...alarmAndLogStatements(scope, options, { eventBridgeRules: true }),
    ...(createsTrail(options.trail) ? trailKeyStatements(scope, options, options.trailLogReaderArns ?? []) : []),
  ];
}

/** What CloudWatch alarms (and EventBridge rules, when the owner has some) and CloudWatch Logs need of the key. */
export function alarmAndLogStatements(scope: IConstruct, owner: NameOwner, o: { eventBridgeRules: boolean }): iam.PolicyStatement[] {
  const a = arnsFor(scope, owner);
  return [
    // Alarm actions publish to the encrypted topic as cloudwatch.amazonaws.com. Without this statement the
    // alarms deploy cleanly and deliver nothing.
    new iam.PolicyStatement({
      sid: 'AlarmTopicPublishByCloudWatchAlarms',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': a.stack.account },
        ArnLike: { 'aws:SourceArn': a.alarmArnPattern },
      },
    }),
    // EventBridge rule targets publish to the encrypted topic as events.amazonaws.com. EventBridge does not send
    // aws:SourceArn/SourceAccount on this KMS call, so a condition here would silently drop every event; the
    // topic policy carries the source conditions instead.
    ...(o.eventBridgeRules
      ? [
          new iam.PolicyStatement({
            sid: 'AlarmTopicPublishByEventBridgeRules',
            principals: [new iam.ServicePrincipal('events.amazonaws.com')],
            actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            resources: ['*'],
          }),
        ]
      : []),
    // CloudWatch Logs encrypts this account's and region's log groups (trail log group, function log groups).
    new iam.PolicyStatement({
      sid: 'LogGroupEncryptionByCloudWatchLogs',
      principals: [new iam.ServicePrincipal(`logs.${a.stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': a.anyLogGroup } },
    }),
  ];
}

/** What CloudTrail needs of the key that encrypts the trail's files, and the readers of those files. */
export function trailKeyStatements(scope: IConstruct, owner: NameOwner, trailLogReaderArns: readonly string[]): iam.PolicyStatement[] {
  const a = arnsFor(scope, owner);
  const statements = [
    new iam.PolicyStatement({
      sid: 'TrailLogFileEncryptionByCloudTrail',
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceArn': a.trailArn },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': a.anyTrailOfAccount },
      },
    }),
    new iam.PolicyStatement({
      sid: 'TrailDescribeKeyByCloudTrail',
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceArn': a.trailArn } },
    }),
  ];
  if (trailLogReaderArns.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'TrailLogFileDecryptByAuditors',
        principals: trailLogReaderArns.map((arn) => new iam.ArnPrincipal(arn)),
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: {
          // Only through S3 (reading the trail's files), never a direct Decrypt of a copied ciphertext.
          StringEquals: { 'kms:CallerAccount': a.stack.account, 'kms:ViaService': `s3.${a.stack.region}.amazonaws.com` },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': a.anyTrailOfAccount },
        },
      }),
    );
  }
  return statements;
}
