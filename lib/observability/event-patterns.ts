/**
 * EventBridge patterns for Secrets Manager rotation service events, as data (tested against recorded-style
 * events in test/infra/audit-patterns.test.ts).
 *
 * Rotation outcomes are CloudTrail *service* events: `detail-type` is "AWS Service Event via CloudTrail" (not
 * "AWS API Call via CloudTrail"), `resources` is empty, and the secret's ARN is in
 * `detail.additionalEventData.SecretId`. RotationSucceeded is deliberately not alarmed.
 */
export interface SecretArnScope {
  partition: string;
  region: string;
  account: string;
  /** `<app>/<env>/` */
  secretNamePrefix: string;
}

export const ROTATION_FAILURE_EVENTS = ['RotationFailed', 'TestRotationFailed'] as const;
export const ROTATION_WARNING_EVENTS = ['RotationAbandoned'] as const;

/** Prefix of the ARN of every secret of this environment (the ARN ends in the name plus `-` and 6 characters). */
export function secretArnPrefix(s: SecretArnScope): string {
  return `arn:${s.partition}:secretsmanager:${s.region}:${s.account}:secret:${s.secretNamePrefix}`;
}

export function rotationServiceEventPattern(s: SecretArnScope, eventNames: readonly string[]) {
  return {
    source: ['aws.secretsmanager'],
    'detail-type': ['AWS Service Event via CloudTrail'],
    detail: {
      eventSource: ['secretsmanager.amazonaws.com'],
      eventName: [...eventNames],
      additionalEventData: { SecretId: [{ prefix: secretArnPrefix(s) }] },
    },
  };
}

/** The input transformer paths the on-call message uses. */
export const ROTATION_EVENT_FIELDS = {
  secretArn: '$.detail.additionalEventData.SecretId',
  eventName: '$.detail.eventName',
  time: '$.time',
  account: '$.account',
  region: '$.region',
} as const;
