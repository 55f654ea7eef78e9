/**
 * What the operations key (alias/<app>/<env>/ops) must allow so that the alarm topic, the encrypted log groups
 * and the audit trail can use it, and the deterministic names those statements refer to. The names are fixed
 * strings (not tokens of the resources) because the key is created before, and referenced by, those resources:
 * a token would make a dependency cycle.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import type { EnvironmentConfig } from '../config';

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

/** The names of one environment (`<app>-<env>-…`). */
export function observabilityNames(config: EnvironmentConfig): ObservabilityNames {
  return namesFor(`${config.appName}-${config.envName}`);
}

/**
 * The names of everything that starts with `base`: an environment (`<app>-<env>`) or an account baseline
 * (`<app>-account`, lib/baseline). The one naming rule of alarms, rules, trail, topic and dashboard.
 */
export function namesFor(base: string): ObservabilityNames {
  const prefix = `${base}-`;
  return {
    alarmNamePrefix: prefix,
    ruleNamePrefix: prefix,
    trailName: `${base}-audit`,
    trailLogGroupName: `/aws/cloudtrail/${base}-audit`,
    topicName: `${base}-security-alarms`,
    dashboardName: `${base}-secrets`,
  };
}

/** The names of the account baseline of an app (lib/baseline): `<app>-account-…`, e.g. the trail `<app>-account-audit`. */
export function accountBaselineNames(appName: string): ObservabilityNames {
  return namesFor(`${appName}-account`);
}

/** Names of an environment or a baseline: its config, or the names themselves. */
export type NameOwner = EnvironmentConfig | ObservabilityNames;

function names(owner: NameOwner): ObservabilityNames {
  return 'alarmNamePrefix' in owner ? owner : observabilityNames(owner);
}

/**
 * The one naming helper of alarms and EventBridge rules: `<app>-<env>-<what>` (`<app>-account-<what>` in the
 * baseline). Alarms and rules share the prefix, which the key and topic policies match.
 */
export function scopedName(owner: NameOwner, what: string): string {
  return `${names(owner).alarmNamePrefix}${what}`;
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

/** Every trail of the stack's account, any region: CloudTrail's `aws:cloudtrail:arn` encryption context on its files. */
export function anyTrailOfAccount(scope: IConstruct): string {
  return Stack.of(scope).formatArn({ service: 'cloudtrail', region: '*', resource: 'trail', resourceName: '*' });
}

/** ARNs and principals built from the stack's account, region and partition (tokens in an agnostic stack). */
export function arnsFor(scope: IConstruct, owner: NameOwner) {
  const stack = Stack.of(scope);
  const n = names(owner);
  return {
    stack,
    alarmArnPattern: stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `${n.alarmNamePrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    ruleArnPattern: stack.formatArn({ service: 'events', resource: 'rule', resourceName: `${n.ruleNamePrefix}*` }),
    trailArn: stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: n.trailName }),
    anyTrailOfAccount: anyTrailOfAccount(scope),
    anyLogGroup: stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
  };
}

/**
 * Key policy statements for the service principals that use the ops key. Each carries the source conditions the
 * service supports; the exceptions are commented. Add them to the ops key's policy (lib/access/keys.ts).
 */
export function opsKeyServiceStatements(scope: IConstruct, config: EnvironmentConfig, options: OpsKeyStatementOptions = {}): iam.PolicyStatement[] {
  return [
    ...alarmAndLogStatements(scope, config, { eventBridgeRules: true }),
    ...(createsTrail(config) ? trailKeyStatements(scope, config, options.trailLogReaderArns ?? []) : []),
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
