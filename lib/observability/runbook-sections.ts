/**
 * The runbook section each alarm links to. The anchors are explicit `<a id="...">` tags in docs/runbook.md, each
 * on the line right above the section's heading: procedures may be rewritten, the anchors stay
 * (test/infra/runbook-links.test.ts resolves every alarm description's link to a heading).
 */
export const RUNBOOK_ANCHOR = {
  rotationFailed: 'alarm-rotation-failed',
  rotationAbandoned: 'alarm-rotation-abandoned',
  pendingRotation: 'alarm-pending-rotation',
  daysSinceRotation: 'alarm-days-since-rotation',
  placeholder: 'alarm-placeholder',
  keyRingFull: 'alarm-key-ring-full',
  rotatorErrors: 'alarm-rotator-errors',
  rotatorThrottles: 'alarm-rotator-throttles',
  rotatorDuration: 'alarm-rotator-duration',
  ageFunctionErrors: 'alarm-age-function-errors',
  staleValueServed: 'alarm-stale-value-served',
  trailHeartbeat: 'alarm-trail-heartbeat',
  accessDenied: 'alarm-access-denied',
  deletedSecretAccess: 'alarm-deleted-secret-access',
  policyChange: 'alarm-policy-change',
  keyDisabledOrDeletion: 'alarm-key-disabled-or-deletion',
  breakGlass: 'alarm-break-glass',
  rotationCancelled: 'alarm-rotation-cancelled',
  iamPolicyChange: 'alarm-iam-policy-change',
  trailConfigChange: 'alarm-trail-config-change',
} as const;
export type RunbookAnchor = (typeof RUNBOOK_ANCHOR)[keyof typeof RUNBOOK_ANCHOR];

/** Runbook sections of the trail filter alarms (lib/observability/metric-filters.ts and lib/observability/environment-filters.ts), by filter id. */
export const TRAIL_ALARM_ANCHOR: Readonly<Record<string, RunbookAnchor>> = {
  UnauthorizedApiCalls: RUNBOOK_ANCHOR.accessDenied,
  SecretsAccessDenied: RUNBOOK_ANCHOR.accessDenied,
  DeletedSecretAccess: RUNBOOK_ANCHOR.deletedSecretAccess,
  SecretPolicyChangedOrSecretDeleted: RUNBOOK_ANCHOR.policyChange,
  KmsKeyPolicyChangedOrRotationDisabled: RUNBOOK_ANCHOR.policyChange,
  KmsKeyDisabledOrScheduledForDeletion: RUNBOOK_ANCHOR.keyDisabledOrDeletion,
  BreakGlassRoleUsed: RUNBOOK_ANCHOR.breakGlass,
  IamPolicyChanges: RUNBOOK_ANCHOR.iamPolicyChange,
  CloudTrailConfigChanges: RUNBOOK_ANCHOR.trailConfigChange,
  EnvKeyDisabledOrScheduledForDeletion: RUNBOOK_ANCHOR.keyDisabledOrDeletion,
  EnvKeyPolicyChangedOrRotationDisabled: RUNBOOK_ANCHOR.policyChange,
  EnvDeletedSecretAccess: RUNBOOK_ANCHOR.deletedSecretAccess,
  EnvRotationCancelled: RUNBOOK_ANCHOR.rotationCancelled,
  TrailHeartbeat: RUNBOOK_ANCHOR.trailHeartbeat,
};

/** `<runbook url>#<anchor>`: where an alarm description sends on-call. */
export function runbookLink(runbookUrl: string, anchor: RunbookAnchor): string {
  return `${runbookUrl.replace(/#.*$/, '')}#${anchor}`;
}

/** The link for a trail filter alarm; the runbook's top for a filter with no section (the links test refuses that). */
export function trailAlarmRunbookLink(runbookUrl: string, filterId: string): string {
  const anchor = TRAIL_ALARM_ANCHOR[filterId];
  return anchor ? runbookLink(runbookUrl, anchor) : runbookUrl;
}
