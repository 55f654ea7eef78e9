import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { RotatorKind } from '../contracts';
import type { EnvironmentConfig, RotationScheduleConfig } from './config';
import type { AppSecret } from './secrets';
import { SecureFunction, SecureFunctionProps } from './secure-function';

/** Secrets Manager actions a rotator calls on the secrets it rotates (the lifecycle in lambdas/rotation). */
export const ROTATOR_SECRET_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
];

export interface RotationFunctionProps extends Omit<SecureFunctionProps, 'statements' | 'name'> {
  kind: RotatorKind;
  secrets: AppSecret[];
  secretsKeyArn: string;
  /** Further statements: the master/admin secret, the RDS or ElastiCache API, KMS GenerateRandom. */
  extraStatements?: iam.PolicyStatement[];
}

/**
 * A rotation Lambda for one or more secrets: exactly the Secrets Manager actions on exactly those secrets, the
 * secrets key only through Secrets Manager for those secrets, an invoke permission per secret scoped with
 * SourceAccount and the secret's ARN, and the rotation schedule (L1: a window needs ScheduleExpression and
 * Duration, and the L2 adds GetRandomPassword on `*` and an unscoped invoke permission).
 */
export class RotationFunction extends Construct {
  readonly kind: RotatorKind;
  readonly function: SecureFunction;
  readonly schedules: secretsmanager.CfnRotationSchedule[] = [];

  constructor(scope: Construct, id: string, props: RotationFunctionProps) {
    super(scope, id);
    this.kind = props.kind;
    const stack = Stack.of(this);
    const secretArns = props.secrets.map((s) => s.arn);
    this.function = new SecureFunction(this, 'Rotator', {
      ...props,
      name: `${props.kind}-rotator`,
      statements: [
        new iam.PolicyStatement({ sid: 'RotateOwnSecrets', actions: ROTATOR_SECRET_ACTIONS, resources: secretArns }),
        new iam.PolicyStatement({
          sid: 'SecretsKeyViaSecretsManagerForOwnSecrets',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.secretsKeyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` },
            'ForAnyValue:StringEquals': { 'kms:EncryptionContext:SecretARN': secretArns },
          },
        }),
        ...(props.extraStatements ?? []),
      ],
    });

    for (const secret of props.secrets) {
      const permission = new lambda.CfnPermission(this, `Invoke${secret.resource.node.id}`, {
        action: 'lambda:InvokeFunction',
        functionName: this.function.fn.functionArn,
        principal: 'secretsmanager.amazonaws.com',
        sourceAccount: stack.account,
        sourceArn: secret.arn,
      });
      const schedule = new secretsmanager.CfnRotationSchedule(this, `Schedule${secret.resource.node.id}`, {
        secretId: secret.arn,
        rotationLambdaArn: this.function.fn.functionArn,
        rotationRules: rotationRules(scheduleFor(props.config, secret)),
        rotateImmediatelyOnUpdate: scheduleFor(props.config, secret).rotateImmediately,
      });
      // The function is ordered by RotationLambdaARN (a GetAtt); its invoke permission is not.
      schedule.node.addDependency(permission);
      // A schedule with RotateImmediatelyOnUpdate invokes the function as soon as it exists: everything the function
      // needs to reach AWS (endpoints, the security groups and their rules) must exist first, or the first rotation
      // of a new environment times out.
      schedule.node.addDependency(props.network);
      this.schedules.push(schedule);
    }
  }

  get roleArn(): string {
    return this.function.role.roleArn;
  }
}

/**
 * The effective schedule of a secret: config override, else the catalog's period. Key rings rotate right after
 * deploy (the first rotation replaces the placeholder with a real ring; a later extra rotation keeps the previous
 * key); credentials never do by default, so a deploy does not rotate prod credentials as a side effect.
 */
export function scheduleFor(config: EnvironmentConfig, secret: AppSecret): RotationScheduleConfig {
  return config.rotation[secret.name] ?? { days: secret.rotationDays, rotateImmediately: secret.entry.kind === 'key-ring' };
}

function rotationRules(s: RotationScheduleConfig): secretsmanager.CfnRotationSchedule.RotationRulesProperty {
  if (s.scheduleExpression) return { scheduleExpression: s.scheduleExpression, duration: s.duration };
  return { automaticallyAfterDays: s.days, duration: s.duration };
}

export const ROTATOR_TIMEOUT: Record<RotatorKind, Duration> = {
  database: Duration.minutes(2),
  redis: Duration.minutes(5),
  'key-ring': Duration.seconds(30),
};
