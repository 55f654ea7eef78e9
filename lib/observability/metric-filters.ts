/**
 * The CloudTrail metric filters of one environment, as data: exact filter patterns (tested against recorded-style
 * CloudTrail events in test/infra/audit-patterns.test.ts), metric names and the alarm each one drives.
 * Nothing here creates resources; lib/observability/audit.ts turns these into MetricFilter + Alarm pairs.
 */
import { SECRET_NAMES, secretId, secretNamePrefix, secretsStackName, type SecretName } from '../../contracts';
import type { EnvironmentIdentity } from '../config';
import type { DeployedEnvironment } from './observed-environment';

/** Security Hub CloudWatch.2 / CIS 3.1 "unauthorized API calls": verbatim, or the control does not pass. */
export const CIS_UNAUTHORIZED_API_CALLS = '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}';

/** Security Hub CloudWatch.7 / CIS 3.7 "disabling or scheduled deletion of customer managed keys": verbatim. */
export const CIS_KMS_DISABLE_OR_DELETE = '{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}';

/** Security Hub CloudWatch.4 / CIS 3.4 "IAM policy changes": verbatim. (issue #11) */
export const CIS_IAM_POLICY_CHANGES =
  '{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||' +
  '($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||' +
  '($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||' +
  '($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}';

/** Security Hub CloudWatch.5 / CIS 3.5 "CloudTrail configuration changes": verbatim. (issue #11) */
export const CIS_CLOUDTRAIL_CONFIG_CHANGES =
  '{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}';

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
  /** Events in 5 minutes at which the alarm fires. Default 1. (issue #11) */
  alarmThreshold?: number;
}

/** `secretId` in a request may be the name, a partial ARN or the full ARN (name plus `-` and 6 random characters). */
export function secretIdStartsWith(namePrefix: string): string {
  return `($.requestParameters.secretId = "${namePrefix}*") || ($.requestParameters.secretId = "*:secret:${namePrefix}*")`;
}

/** Trail metrics of one environment live in their own namespace (`<namespace>/Trail/<env>`): several environments may share an account. */
export function trailMetricsNamespace(appMetricsNamespace: string, envName: string): string {
  return `${appMetricsNamespace}/Trail/${envName}`;
}

/** The account baseline's trail metrics (the account-wide filters): `<namespace>/Trail/account`. */
export function accountTrailMetricsNamespace(appMetricsNamespace: string): string {
  return `${appMetricsNamespace}/Trail/account`;
}

/**
 * The account-wide filters, created once per account by whoever owns the trail's log group (the account baseline,
 * or an environment in `create` mode): the verbatim CIS controls and the two account-wide secrets/keys filters.
 * `deployHint` tells on-call how to recognise a reviewed deploy (reviewedDeployHint, or the baseline's).
 */
export function accountFilters(deployHint: string): TrailFilterSpec[] {
  return [
    ...cisFilters(),
    {
      id: 'DeletedSecretAccess',
      metricName: 'AttemptsToAccessDeletedSecrets',
      pattern: DELETED_SECRET_ACCESS,
      source: 'AWS Secrets Manager user guide, monitoring_cloudwatch_deleted-secrets (verbatim)',
      meaning:
        'Something still reads a secret of this account (any environment) that is scheduled for deletion: restore it or fix the caller ' +
        "before the window ends. Account-wide; each environment's EnvDeletedSecretAccess is the same for its own secrets.",
    },
    {
      id: 'KmsKeyPolicyChangedOrRotationDisabled',
      metricName: 'KmsKeyPolicyChangedOrRotationDisabled',
      pattern: '{ ($.eventSource = "kms.amazonaws.com") && (($.eventName = "PutKeyPolicy") || ($.eventName = "DisableKeyRotation")) }',
      source: "derived; every change counts, the deploy role's included",
      meaning: `A KMS key policy was changed or automatic key rotation was switched off, on any key of this account (each environment's EnvKeyPolicyChangedOrRotationDisabled: its own keys). ${deployHint}`,
    },
  ];
}

/** Filters of the account-level CIS controls (created only where this stack owns the trail's log group; see audit.ts). */
export function cisFilters(): TrailFilterSpec[] {
  return [
    {
      id: 'UnauthorizedApiCalls',
      metricName: 'UnauthorizedApiCalls',
      pattern: CIS_UNAUTHORIZED_API_CALLS,
      source: 'CIS AWS Foundations 3.1 / Security Hub CloudWatch.2 (verbatim)',
      meaning:
        'At least 10 API calls in this account (every environment, every service) were refused in 5 minutes (UnauthorizedOperation or AccessDenied). ' +
        'Single refusals are normal in a real account (consoles and SDKs probe optional permissions); the dashboard table lists every one.',
      // issue #11: 1 refusal in 5 minutes fires on normal console use and on every probe; CIS asks for the filter and an alarm, not a threshold of 1.
      alarmThreshold: 10,
    },
    {
      id: 'KmsKeyDisabledOrScheduledForDeletion',
      metricName: 'KmsKeyDisabledOrScheduledForDeletion',
      pattern: CIS_KMS_DISABLE_OR_DELETE,
      source: 'CIS AWS Foundations 3.7 / Security Hub CloudWatch.7 (verbatim)',
      meaning: 'A KMS key in this account (any environment, any application) was disabled or scheduled for deletion: whatever it encrypts becomes unreadable.',
    },
    {
      id: 'IamPolicyChanges',
      metricName: 'IamPolicyChanges',
      pattern: CIS_IAM_POLICY_CHANGES,
      source: 'CIS AWS Foundations 3.4 / Security Hub CloudWatch.4 (verbatim)',
      meaning: 'An IAM policy in this account (any role, user or group, deploys included) was created, changed, attached or detached.',
    },
    {
      id: 'CloudTrailConfigChanges',
      metricName: 'CloudTrailConfigChanges',
      pattern: CIS_CLOUDTRAIL_CONFIG_CHANGES,
      source: 'CIS AWS Foundations 3.5 / Security Hub CloudWatch.5 (verbatim)',
      meaning: 'A CloudTrail trail in this account was created, updated, deleted, started or stopped: the audit trail may have gone blind.',
    },
  ];
}

/**
 * How on-call tells a reviewed deploy from an unexpected change (alarm text; the runbook's "Policy change alarm"
 * section has the steps). A deploy changes policies through the deploy role, invoked by CloudFormation, while a
 * stack update of this environment that was reviewed and merged is in progress.
 */
export function reviewedDeployHint(env: DeployedEnvironment): string {
  return deployHint([env.deployRoleArn], `stack ${secretsStackName(env.appName, env.envName)}`);
}

/** The same hint for several deploy roles and stacks (the account baseline: every environment of the account). */
export function deployHint(deployRoleArns: readonly string[], stacks: string): string {
  const roles = deployRoleArns.length === 1 ? `the deploy role ${deployRoleArns[0]}` : `one of the deploy roles ${deployRoleArns.join(', ')}`;
  return (
    `Expected only during a reviewed deploy: the trail event's userIdentity.sessionContext.sessionIssuer.arn is ${roles}, ` +
    `invokedBy is cloudformation.amazonaws.com, and ${stacks} was updating at eventTime from a merged, reviewed change. ` +
    'Anything else is unexpected: treat it as an incident.'
  );
}

/** Filters about this environment's secrets and its break-glass role (the account-wide ones: accountFilters). */
export function secretsFilters(env: DeployedEnvironment & { readonly breakGlassRoleArn: string }): TrailFilterSpec[] {
  const prefix = secretNamePrefix(env.appName, env.envName);
  const scope = secretIdStartsWith(prefix);
  const sm = '($.eventSource = "secretsmanager.amazonaws.com")';
  const breakGlass = env.breakGlassRoleArn;
  return [
    {
      id: 'SecretsAccessDenied',
      metricName: 'SecretsAccessDenied',
      pattern: `{ ${sm} && (($.errorCode = "AccessDenied*") || ($.errorCode = "*UnauthorizedOperation")) && (${scope}) }`,
      source: 'derived from CloudTrail Secrets Manager events',
      meaning: `A Secrets Manager call on a ${prefix}* secret was refused: a misconfigured reader, or someone probing.`,
    },
    {
      id: 'SecretPolicyChangedOrSecretDeleted',
      metricName: 'SecretPolicyChangedOrSecretDeleted',
      pattern: `{ ${sm} && (($.eventName = "PutResourcePolicy") || ($.eventName = "DeleteResourcePolicy") || ($.eventName = "DeleteSecret")) && (${scope}) }`,
      source: "derived; every change counts, the deploy role's included",
      meaning: `The resource policy of a ${prefix}* secret was changed or removed, or a secret was deleted. ` + reviewedDeployHint(env),
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

export function secretReadFilter(env: EnvironmentIdentity, name: SecretName): TrailFilterSpec {
  const secret = secretId(env.appName, env.envName, name);
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

export function secretReadFilters(env: EnvironmentIdentity): TrailFilterSpec[] {
  return SECRET_NAMES.map((n) => secretReadFilter(env, n));
}
