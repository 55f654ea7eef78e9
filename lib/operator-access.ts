import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from './config';

export interface OperatorAccessProps {
  config: EnvironmentConfig;
  operatorRole: iam.IRole;
  secretArns: string[];
  secretsKeyArn: string;
  /** The environment's rotation functions: starting a rotation invokes them (RotateSecret needs it). */
  rotatorFunctionArns: string[];
}

/**
 * What the operator role may do, exactly what `gaara-secrets status`, `history`, `verify` and `rotate` call:
 * describe the secrets and their versions and policies, read the rotation metrics, describe the secrets key, and
 * start a rotation. It reads no value and writes nothing (denied here as well, whatever another policy allows).
 */
export class OperatorAccess extends Construct {
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: OperatorAccessProps) {
    super(scope, id);
    const { config } = props;
    this.policy = new iam.ManagedPolicy(this, 'OperatorPolicy', {
      description: `Operate ${config.appName} ${config.envName} secrets (status, history, verify, rotate) without reading or writing any value`,
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
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `cloudwatch:GetMetricData has no resource-level permission (it reads the ${Stack.of(this).stackName} rotation metrics); the same policy denies every value read and write.`,
    });
  }
}
