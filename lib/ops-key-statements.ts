/**
 * What the operations key (alias/<app>/<env>/ops) must allow so that the alarm topic, the encrypted log groups
 * and the audit trail can use it, and the deterministic names those statements refer to. The names are fixed
 * strings (not tokens of the resources) because the key is created before, and referenced by, those resources:
 * a token would make a dependency cycle.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import type { EnvironmentConfig } from './config';

export interface ObservabilityNames {
  /** Every alarm of this environment is named `<prefix><what>`: the key and topic policies match the prefix. */
  alarmNamePrefix: string;
  /** Every EventBridge rule of this environment is named `<prefix><what>`. */
  ruleNamePrefix: string;
  trailName: string;
  trailLogGroupName: string;
  topicName: string;
  dashboardName: string;
}

export function observabilityNames(config: EnvironmentConfig): ObservabilityNames {
  const base = `${config.appName}-${config.envName}`;
  return {
    alarmNamePrefix: `${base}-`,
    ruleNamePrefix: `${base}-`,
    trailName: `${base}-audit`,
    trailLogGroupName: `/aws/cloudtrail/${base}-audit`,
    topicName: `${base}-security-alarms`,
    dashboardName: `${base}-secrets`,
  };
}

export function alarmName(config: EnvironmentConfig, what: string): string {
  return `${observabilityNames(config).alarmNamePrefix}${what}`;
}

export function ruleName(config: EnvironmentConfig, what: string): string {
  return `${observabilityNames(config).ruleNamePrefix}${what}`;
}

/** True when this stack creates the trail (and so the trail's key statements are needed). */
export function createsTrail(config: EnvironmentConfig): boolean {
  return config.audit.trail.mode === 'create';
}

export interface OpsKeyStatementOptions {
  /**
   * Roles that read the trail's log files from S3 (the security auditors): they need kms:Decrypt with the
   * CloudTrail encryption context. Leave empty if nobody reads the bucket directly.
   */
  trailLogReaderArns?: string[];
}

/** ARNs and principals built from the stack's account, region and partition (tokens in an agnostic stack). */
export function arnsFor(scope: IConstruct, config: EnvironmentConfig) {
  const stack = Stack.of(scope);
  const names = observabilityNames(config);
  return {
    stack,
    alarmArnPattern: stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `${names.alarmNamePrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    ruleArnPattern: stack.formatArn({ service: 'events', resource: 'rule', resourceName: `${names.ruleNamePrefix}*` }),
    trailArn: stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: names.trailName }),
    anyTrailOfAccount: stack.formatArn({ service: 'cloudtrail', region: '*', resource: 'trail', resourceName: '*' }),
    anyLogGroup: stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
  };
}

/**
 * Key policy statements for the service principals that use the ops key. Each carries the source conditions the
 * service supports; the exceptions are commented. Add them to the ops key's policy (lib/keys.ts).
 */
export function opsKeyServiceStatements(scope: IConstruct, config: EnvironmentConfig, options: OpsKeyStatementOptions = {}): iam.PolicyStatement[] {
  const a = arnsFor(scope, config);
  const statements = [
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
    new iam.PolicyStatement({
      sid: 'AlarmTopicPublishByEventBridgeRules',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }),
    // CloudWatch Logs encrypts this account's and region's log groups (trail log group, function log groups).
    new iam.PolicyStatement({
      sid: 'LogGroupEncryptionByCloudWatchLogs',
      principals: [new iam.ServicePrincipal(`logs.${a.stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': a.anyLogGroup } },
    }),
  ];
  if (createsTrail(config)) {
    statements.push(
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
    );
    const readers = options.trailLogReaderArns ?? [];
    if (readers.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'TrailLogFileDecryptByAuditors',
          principals: readers.map((arn) => new iam.ArnPrincipal(arn)),
          actions: ['kms:Decrypt'],
          resources: ['*'],
          conditions: {
            StringEquals: { 'kms:CallerAccount': a.stack.account },
            StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': a.anyTrailOfAccount },
          },
        }),
      );
    }
  }
  return statements;
}
