/**
 * Every policy change alarms, the deploy role's included (issue #10 item 5): the synthesized filters have no
 * exception for any principal, each alarm publishes to the alarm topic, and its text says how to tell a reviewed
 * deploy from an unexpected change.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { accountBaselineStacks } from '../../lib/app';
import { ENVIRONMENTS } from '../../lib/config';
import { resourcesOf, synthAll } from '../support/synth';

const staging = ENVIRONMENTS.find((e) => e.envName === 'staging')!;
const { app, results } = synthAll([staging]);
// The environment's own filters are in its stack; the account-wide ones in the account baseline (issue #10 item 10).
const templates = { environment: results[0].template, baseline: Template.fromStack(accountBaselineStacks(app)[0]) };
const DEPLOY_ROLE =
  'the deploy role arn:aws:iam::222222222222:role/cdk-hnb659fds-cfn-exec-role-222222222222-eu-west-1, invokedBy is cloudformation.amazonaws.com, ';
const hint = (stacks: string) =>
  `Expected only during a reviewed deploy: the trail event's userIdentity.sessionContext.sessionIssuer.arn is ${DEPLOY_ROLE}` +
  `and ${stacks} was updating at eventTime from a merged, reviewed change. Anything else is unexpected: treat it as an incident.`;

describe.each([
  [
    'environment',
    'SecretPolicyChangedOrSecretDeleted',
    '{ ($.eventSource = "secretsmanager.amazonaws.com") && (($.eventName = "PutResourcePolicy") || ($.eventName = "DeleteResourcePolicy") || ($.eventName = "DeleteSecret")) && (($.requestParameters.secretId = "gaara-store/staging/*") || ($.requestParameters.secretId = "*:secret:gaara-store/staging/*")) }',
    'The resource policy of a gaara-store/staging/* secret was changed or removed, or a secret was deleted. ' + hint('stack gaara-store-staging-secrets'),
  ],
  [
    'baseline',
    'KmsKeyPolicyChangedOrRotationDisabled',
    '{ ($.eventSource = "kms.amazonaws.com") && (($.eventName = "PutKeyPolicy") || ($.eventName = "DisableKeyRotation")) }',
    "A KMS key policy was changed or automatic key rotation was switched off, on any key of this account (each environment's EnvKeyPolicyChangedOrRotationDisabled: its own keys). " +
      hint('a stack of gaara-store (this baseline or gaara-store-staging-secrets)'),
  ],
] as const)('staging %s template: %s', (which, metricName, pattern, meaning) => {
  const template = templates[which];
  const filters = resourcesOf(template, 'AWS::Logs::MetricFilter');
  const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
  const [topicId] = resourcesOf(template, 'AWS::SNS::Topic')[0];

  it('counts every change, with no exception for the deploy role or anyone else', () => {
    const [, filter] = filters.find(([, f]) => f.Properties.MetricTransformations[0].MetricName === metricName)!;
    expect(filter.Properties.FilterPattern).toBe(pattern);
    expect(filter.Properties.FilterPattern).not.toContain('sessionIssuer');
  });

  it('alarms on the alarm topic on the first change, saying how to tell a reviewed deploy', () => {
    const [, alarm] = alarms.find(([, a]) => a.Properties.MetricName === metricName)!;
    expect(alarm.Properties).toMatchObject({
      AlarmActions: [{ Ref: topicId }],
      Threshold: 1,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(alarm.Properties.AlarmDescription).toBe(
      `${meaning} Source: derived; every change counts, the deploy role's included. ` +
        'Runbook: https://git.example.com/platform/gaara-secrets/-/blob/main/docs/runbook.md#alarm-policy-change',
    );
    expect(alarm.Properties.AlarmDescription.length).toBeLessThanOrEqual(1024);
  });
});
