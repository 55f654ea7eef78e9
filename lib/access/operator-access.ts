import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ROTATOR_KINDS } from '../../contracts';
import { functionLogGroupName } from '../../contracts/function-names';
import { wildcardFinding } from '../nag';
import { observabilityNames } from '../observability/names';

export interface OperatorAccessProps {
  /** The application: names the rotators' log groups and the alarm topic. */
  readonly appName: string;
  /** The environment: names the rotators' log groups and the alarm topic. */
  readonly envName: string;
  /** The role the policy is attached to. */
  readonly operatorRole: iam.IRole;
  /** The environment's secrets: described, and rotations started. */
  readonly secretArns: string[];
  /** The secrets key: described (`gaara-secrets verify` checks which key protects the secrets). */
  readonly secretsKeyArn: string;
  /** The environment's rotation functions: starting a rotation invokes them (RotateSecret needs it). */
  readonly rotatorFunctionArns: string[];
}

/**
 * What the operator role may do, exactly what `gaara-secrets status`, `history`, `verify` and `rotate` call:
 * describe the secrets and their versions and policies, read the rotation metrics and the rotators' failure lines,
 * describe the secrets key, read this stack's deployed template and resources and the alarm topic's subscriptions
 * (verify), and start a rotation. It reads no value and writes nothing (denied here as well, whatever another
 * policy allows).
 */
export class OperatorAccess extends Construct {
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: OperatorAccessProps) {
    super(scope, id);
    const { appName, envName } = props;
    const stack = Stack.of(this);
    // The rotators' log groups by their fixed names (contracts/function-names.ts): FilterLogEvents is authorized
    // on the group's ARN, which IAM matches with and without the `:*` suffix depending on the call path.
    const rotatorLogGroupArns = ROTATOR_KINDS.map((kind) =>
      stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: functionLogGroupName(appName, envName, kind),
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    );
    const rotatorLogGroups = rotatorLogGroupArns.flatMap((arn) => [arn, `${arn}:*`]);
    this.policy = new iam.ManagedPolicy(this, 'OperatorPolicy', {
      description: `Operate ${appName} ${envName} secrets (status, history, verify, rotate) without reading or writing any value`,
      roles: [props.operatorRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'DescribeSecretsAndStartRotations',
          actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetResourcePolicy', 'secretsmanager:ListSecretVersionIds', 'secretsmanager:RotateSecret'],
          resources: props.secretArns,
        }),
        new iam.PolicyStatement({
          sid: 'InvokeThisEnvironmentsRotators',
          actions: ['lambda:InvokeFunction'],
          resources: props.rotatorFunctionArns,
        }),
        new iam.PolicyStatement({
          sid: 'DescribeSecretsKey',
          actions: ['kms:DescribeKey'],
          resources: [props.secretsKeyArn],
        }),
        new iam.PolicyStatement({
          sid: 'ReadRotationMetrics',
          actions: ['cloudwatch:GetMetricData'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'ReadRotatorFailureLines',
          actions: ['logs:FilterLogEvents'],
          resources: rotatorLogGroups,
        }),
        new iam.PolicyStatement({
          sid: 'ReadDeployedTemplate',
          actions: ['cloudformation:GetTemplate', 'cloudformation:ListStackResources'],
          resources: [stack.stackId],
        }),
        new iam.PolicyStatement({
          sid: 'ReadAlarmSubscriptions',
          actions: ['sns:ListSubscriptionsByTopic'],
          resources: [stack.formatArn({ service: 'sns', resource: observabilityNames(props).topicName, arnFormat: ArnFormat.NO_RESOURCE_NAME })],
        }),
        new iam.PolicyStatement({
          sid: 'NeverReadOrWriteValues',
          effect: iam.Effect.DENY,
          actions: [
            'secretsmanager:BatchGetSecretValue',
            'secretsmanager:GetSecretValue',
            'secretsmanager:PutSecretValue',
            'secretsmanager:UpdateSecretVersionStage',
            'kms:Decrypt',
            'kms:GenerateDataKey',
          ],
          resources: ['*'],
        }),
      ],
    });
    Validations.of(this.policy).acknowledge({
      id: wildcardFinding(stack, '*'),
      reason: `cloudwatch:GetMetricData has no resource-level permission (it reads the ${Stack.of(this).stackName} rotation metrics); the same policy denies every value read and write.`,
    });
    for (const arn of rotatorLogGroupArns) {
      Validations.of(this.policy).acknowledge({
        id: wildcardFinding(stack, `${arn}:*`),
        reason:
          "The `:*` form of one rotator log group ARN (not a wildcard over groups): IAM authorizes logs:FilterLogEvents on it; the operator reads the rotators' failure lines only.",
      });
    }
  }
}
