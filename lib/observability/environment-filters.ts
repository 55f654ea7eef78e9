/**
 * Trail metric filters scoped to THIS environment's keys and secrets, and the trail heartbeat, as data (patterns
 * tested with the modelled matcher in test/infra/environment-filters.test.ts). The CIS filters of
 * lib/observability/metric-filters.ts stay verbatim and account-wide (Security Hub compares them); an alarm about this
 * environment's keys or secrets gets a filter of its own here, so another environment's deploy or key change does
 * not page this environment's on-call.
 *
 * Key ARNs and the heartbeat role ARN are CloudFormation tokens in the stack; the patterns are plain strings built
 * from whatever is passed, so tests pass literal ARNs.
 */
import { secretNamePrefix } from '../../contracts';
import { DELETED_SECRET_ACCESS, secretIdStartsWith, type TrailFilterSpec } from './metric-filters';
import type { DeployedEnvironment } from './observed-environment';

/** How an environment filter alarms: a count in a window, or (heartbeat) too few events. */
export interface EnvironmentFilterAlarm {
  threshold: number;
  periodMinutes: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  comparison: 'atLeast' | 'below';
  /** `breaching` only for the heartbeat: no data at all means the trail stopped delivering. */
  missing: 'notBreaching' | 'breaching';
}

export interface EnvironmentFilterSpec extends TrailFilterSpec {
  alarm: EnvironmentFilterAlarm;
}

export interface EnvironmentFilterInputs {
  /** ARNs of this environment's KMS keys (secrets, data, ops); none: no key filters. */
  readonly keyArns: readonly string[];
  /**
   * The role of the hourly secret-age function: its own calls are the trail heartbeat.
   * @default - no heartbeat filter
   */
  readonly heartbeatRoleArn?: string;
}

const FIRST_EVENT: EnvironmentFilterAlarm = {
  threshold: 1,
  periodMinutes: 5,
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  comparison: 'atLeast',
  missing: 'notBreaching',
};

/** A KMS event on one of the given keys: CloudTrail names the key's ARN in resources[0], whatever keyId the caller passed. */
function keyScope(keyArns: readonly string[]): string {
  return keyArns.map((arn) => `($.resources[0].ARN = "${arn}")`).join(' || ');
}

export function environmentFilters(env: DeployedEnvironment, inputs: EnvironmentFilterInputs): EnvironmentFilterSpec[] {
  const prefix = secretNamePrefix(env.appName, env.envName);
  const kms = '($.eventSource = "kms.amazonaws.com")';
  const sm = '($.eventSource = "secretsmanager.amazonaws.com")';
  const specs: EnvironmentFilterSpec[] = [];
  if (inputs.keyArns.length > 0) {
    const keys = keyScope(inputs.keyArns);
    specs.push(
      {
        id: 'EnvKeyDisabledOrScheduledForDeletion',
        metricName: 'EnvKeyDisabledOrScheduledForDeletion',
        pattern: `{ ${kms} && (($.eventName = "DisableKey") || ($.eventName = "ScheduleKeyDeletion")) && (${keys}) }`,
        source: 'derived from CIS 3.7, scoped to the keys of this environment',
        meaning: `A KMS key of ${env.appName} ${env.envName} (secrets, data or ops) was disabled or scheduled for deletion: its secrets or data become unreadable.`,
        alarm: FIRST_EVENT,
      },
      {
        id: 'EnvKeyPolicyChangedOrRotationDisabled',
        metricName: 'EnvKeyPolicyChangedOrRotationDisabled',
        pattern: `{ ${kms} && (($.eventName = "PutKeyPolicy") || ($.eventName = "DisableKeyRotation")) && (${keys}) }`,
        source: "derived; scoped to the keys of this environment; every change counts, the deploy role's included",
        meaning: `The key policy of a KMS key of ${env.appName} ${env.envName} was changed, or its automatic rotation switched off. A reviewed deploy changes it through the deploy role ${env.deployRoleArn} (invokedBy cloudformation.amazonaws.com); anything else is an incident.`,
        alarm: FIRST_EVENT,
      },
    );
  }
  specs.push(
    {
      id: 'EnvDeletedSecretAccess',
      metricName: 'EnvDeletedSecretAccess',
      pattern: `{ (${DELETED_SECRET_ACCESS.slice(1, -1).trim()}) && (${secretIdStartsWith(prefix)}) }`,
      source: "AWS Secrets Manager user guide, monitoring_cloudwatch_deleted-secrets, scoped to this environment's secrets",
      meaning: `Something still reads a ${prefix}* secret that is scheduled for deletion: restore it or fix the caller before the window ends.`,
      alarm: FIRST_EVENT,
    },
    {
      id: 'EnvRotationCancelled',
      metricName: 'EnvRotationCancelled',
      pattern: `{ ${sm} && ($.eventName = "CancelRotateSecret") && (${secretIdStartsWith(prefix)}) }`,
      source: 'derived; CancelRotateSecret switches automatic rotation off',
      meaning: `Automatic rotation of a ${prefix}* secret was switched off (CancelRotateSecret). Only a deploy may change rotation; re-enable it by redeploying.`,
      alarm: FIRST_EVENT,
    },
  );
  if (inputs.heartbeatRoleArn) {
    specs.push({
      id: 'TrailHeartbeat',
      metricName: 'TrailHeartbeat',
      pattern: `{ $.userIdentity.sessionContext.sessionIssuer.arn = "${inputs.heartbeatRoleArn}" }`,
      source: "derived; the hourly secret-age function's own Secrets Manager calls, delivered by the trail",
      meaning:
        `No trail event from the hourly secret-age function of ${env.appName} ${env.envName} arrived for 2 hours: either the trail stopped ` +
        'delivering to its log group (every trail alarm is blind until it is fixed) or the age function stopped running.',
      alarm: { threshold: 1, periodMinutes: 60, evaluationPeriods: 2, datapointsToAlarm: 2, comparison: 'below', missing: 'breaching' },
    });
  }
  return specs;
}
