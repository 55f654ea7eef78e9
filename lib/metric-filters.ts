/**
 * The CloudTrail metric filters of one environment, as data: exact filter patterns (tested against recorded-style
 * CloudTrail events in test/infra/audit-patterns.test.ts), metric names and the alarm each one drives.
 * Nothing here creates resources; lib/audit.ts turns these into MetricFilter + Alarm pairs.
 */
import { SECRET_NAMES, type SecretName } from '../contracts';
import type { EnvironmentConfig } from './config';
import { metricsNamespace } from './config';

/** Security Hub CloudWatch.2 / CIS 3.1 "unauthorized API calls": verbatim, or the control does not pass. */
export const CIS_UNAUTHORIZED_API_CALLS = '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}';

/** Security Hub CloudWatch.7 / CIS 3.7 "disabling or scheduled deletion of customer managed keys": verbatim. */
export const CIS_KMS_DISABLE_OR_DELETE =
  '{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}';

/** The AWS-documented pattern for reads of a secret that is pending deletion (monitoring_cloudwatch_deleted-secrets). */
export const DELETED_SECRET_ACCESS = '{ $.eventName = "GetSecretValue" && $.errorMessage = "*secret because it was marked for deletion*" }';

export interface TrailFilterSpec {
  /** Construct id and alarm-name suffix. */
  id: string;
  metricName: string;
  pattern: string;
  /** Where the pattern comes from (a control id) or why it exists. */
  source: string;
  /** What the alarm tells the on-call engineer; goes into the alarm description. */
  meaning: string;
}

/** `secretId` in a request may be the name, a partial ARN or the full ARN (name plus `-` and 6 random characters). */
function secretIdStartsWith(namePrefix: string): string {
  return `($.requestParameters.secretId = "${namePrefix}*") || ($.requestParameters.secretId = "*:secret:${namePrefix}*")`;
}

/** True when the caller is not the given role; an IAM user or root has no sessionIssuer, and must still count. */
function notRole(roleArn: string): string {
  return `($.userIdentity.sessionContext.sessionIssuer.arn NOT EXISTS) || ($.userIdentity.sessionContext.sessionIssuer.arn != "${roleArn}")`;
}

export function secretNamePrefix(config: EnvironmentConfig): string {
  return `${config.appName}/${config.envName}/`;
}

/** Trail metrics of one environment live in their own namespace: several environments may share an account. */
export function trailMetricsNamespace(config: EnvironmentConfig): string {
  return `${metricsNamespace(config)}/Trail/${config.envName}`;
}

/** Filters of the account-level CIS controls (created only where this stack owns the trail's log group; see audit.ts). */
export function cisFilters(): TrailFilterSpec[] {
  return [
    {
      id: 'UnauthorizedApiCalls',
      metricName: 'UnauthorizedApiCalls',
      pattern: CIS_UNAUTHORIZED_API_CALLS,
      source: 'CIS AWS Foundations 3.1 / Security Hub CloudWatch.2 (verbatim)',
      meaning: 'An API call in this account was refused (UnauthorizedOperation or AccessDenied).',
    },
    {
      id: 'KmsKeyDisabledOrScheduledForDeletion',
      metricName: 'KmsKeyDisabledOrScheduledForDeletion',
      pattern: CIS_KMS_DISABLE_OR_DELETE,
      source: 'CIS AWS Foundations 3.7 / Security Hub CloudWatch.7 (verbatim)',
      meaning: 'A KMS key in this account was disabled or scheduled for deletion: secrets under it become unreadable.',
    },
  ];
}

/** Filters about this environment's secrets and keys. */
export function secretsFilters(config: EnvironmentConfig): TrailFilterSpec[] {
  const prefix = secretNamePrefix(config);
  const scope = secretIdStartsWith(prefix);
  const sm = '($.eventSource = "secretsmanager.amazonaws.com")';
  const breakGlass = config.breakGlassRoleArn;
  return [
    {
      id: 'SecretsAccessDenied',
      metricName: 'SecretsAccessDenied',
      pattern: `{ ${sm} && (($.errorCode = "AccessDenied*") || ($.errorCode = "*UnauthorizedOperation")) && (${scope}) }`,
      source: 'derived from CloudTrail Secrets Manager events',
      meaning: `A Secrets Manager call on a ${prefix}* secret was refused: a misconfigured reader, or someone probing.`,
    },
    {
      id: 'DeletedSecretAccess',
      metricName: 'AttemptsToAccessDeletedSecrets',
      pattern: DELETED_SECRET_ACCESS,
      source: 'AWS Secrets Manager user guide, monitoring_cloudwatch_deleted-secrets (verbatim)',
      meaning: 'Something still reads a secret that is scheduled for deletion: restore it or fix the caller before the window ends.',
    },
    {
      id: 'SecretPolicyChangedOrSecretDeleted',
      metricName: 'SecretPolicyChangedOrSecretDeleted',
      pattern:
        `{ ${sm} && ((($.eventName = "PutResourcePolicy") && (${notRole(config.deployRoleArn)})) || ` +
        `($.eventName = "DeleteResourcePolicy") || ($.eventName = "DeleteSecret")) && (${scope}) }`,
      source: 'derived; PutResourcePolicy by the deploy role is the normal deploy and is not counted',
      meaning: `The resource policy of a ${prefix}* secret was changed or removed outside a deploy, or a secret was deleted.`,
    },
    {
      id: 'KmsKeyPolicyChangedOrRotationDisabled',
      metricName: 'KmsKeyPolicyChangedOrRotationDisabled',
      pattern:
        '{ ($.eventSource = "kms.amazonaws.com") && ((($.eventName = "PutKeyPolicy") && ' +
        `(${notRole(config.deployRoleArn)})) || ($.eventName = "DisableKeyRotation")) }`,
      source: 'derived; PutKeyPolicy by the deploy role is the normal deploy and is not counted',
      meaning: 'A KMS key policy was changed outside a deploy, or automatic key rotation was switched off.',
    },
    {
      id: 'BreakGlassRoleUsed',
      metricName: 'BreakGlassRoleUsed',
      pattern:
        `{ ($.userIdentity.sessionContext.sessionIssuer.arn = "${breakGlass}") || ` +
        `(($.eventName = "AssumeRole") && ($.requestParameters.roleArn = "${breakGlass}")) }`,
      source: 'derived; every assumption of and every call made with the break-glass role',
      meaning: 'The break-glass role was assumed or used. Confirm there is an open incident that justifies it.',
    },
  ];
}

/** GetSecretValue metric name of one secret (one filter per secret: stable names alarms and dashboards can use). */
export function secretReadMetricName(name: SecretName): string {
  return `GetSecretValue-${name}`;
}

export function secretReadFilter(config: EnvironmentConfig, name: SecretName): TrailFilterSpec {
  const secret = `${secretNamePrefix(config)}${name}`;
  return {
    id: `SecretReads-${name}`,
    metricName: secretReadMetricName(name),
    // `<name>` exactly, a partial ARN ending in `<name>`, or a full ARN `<name>-XXXXXX` (filter patterns have
    // only the `*` wildcard; no other secret of the seven starts with another one's name plus `-`).
    pattern:
      '{ ($.eventSource = "secretsmanager.amazonaws.com") && ($.eventName = "GetSecretValue") && ' +
      `(($.requestParameters.secretId = "${secret}") || ($.requestParameters.secretId = "*:secret:${secret}") || ` +
      `($.requestParameters.secretId = "*:secret:${secret}-*")) }`,
    source: 'derived; one filter per secret',
    meaning: `Successful and refused GetSecretValue calls on ${secret}.`,
  };
}

export function secretReadFilters(config: EnvironmentConfig): TrailFilterSpec[] {
  return SECRET_NAMES.map((n) => secretReadFilter(config, n));
}
