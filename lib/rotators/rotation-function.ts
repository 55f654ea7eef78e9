import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { RotatorKind, SecretName } from '../../contracts';
import type { EnvironmentConfig, RotationScheduleConfig } from '../config';
import type { AppSecret } from '../access/secrets';
import type { AwsApi } from './network';
import { FunctionSettings, SecureFunction, UnscopedStatement } from './secure-function';

/** Secrets Manager actions a rotator calls on the secrets it rotates (the lifecycle in lambdas/rotation). */
export const ROTATOR_SECRET_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
];

/** What every rotator construct takes besides its target. */
export interface RotatorProps extends FunctionSettings {
  /** The environment's secrets: a rotator rotates those the catalog assigns to it (`CatalogEntry.rotator`). */
  readonly secrets: readonly AppSecret[];
  /** The secrets key: the rotator uses it only through Secrets Manager, only for its own secrets. */
  readonly secretsKeyArn: string;
  /**
   * Schedules that differ from the catalog's, by secret.
   * @default - the catalog's period; key rings rotate at deploy, credentials never
   */
  readonly rotation?: Partial<Record<SecretName, RotationScheduleConfig>>;
}

/**
 * The static side of a rotator construct: what the stack needs to compose it from the registry (`ROTATORS`,
 * lib/rotators/index.ts). Each construct reads only the part of the environment it uses.
 */
export interface RotatorConstruct {
  /** The catalog's rotator kind it serves (`CatalogEntry.rotator`). */
  readonly KIND: RotatorKind;
  /** Its function's timeout (the duration alarms are set against it). */
  readonly TIMEOUT: Duration;
  /** Its bundle entry relative to the project root: only the code this environment's configuration reaches. */
  entry(config: EnvironmentConfig): string;
  /** The AWS APIs it calls besides Secrets Manager, for the functions' network (`FunctionNetwork`). */
  awsApis(config: EnvironmentConfig): AwsApi[];
  /** Builds it in `scope` under its construct id, from what every rotator shares and the environment it serves. */
  forEnvironment(scope: Construct, settings: RotatorProps, config: EnvironmentConfig): RotationFunction;
}

/** What a rotator construct decides about its function. */
export interface RotatorFunctionSpec {
  readonly kind: RotatorKind;
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  /** Statements besides its own secrets and the secrets key: a master or admin secret, the RDS or ElastiCache API. */
  readonly statements?: iam.PolicyStatement[];
  readonly unscopedStatements?: UnscopedStatement[];
  readonly environment?: Record<string, string>;
}

/**
 * What every rotator shares, extended by one construct per rotator (database-rotation.ts, redis-rotation.ts,
 * key-ring-rotation.ts): exactly the Secrets Manager actions on exactly its secrets, the secrets key only through
 * Secrets Manager for those secrets, an invoke permission per secret scoped with SourceAccount and the secret's ARN,
 * and the rotation schedule (L1: a window needs ScheduleExpression and Duration, and the L2 adds GetRandomPassword
 * on `*` and an unscoped invoke permission).
 */
export class RotationFunction extends Construct {
  readonly kind: RotatorKind;
  readonly function: SecureFunction;
  readonly secrets: readonly AppSecret[];
  readonly schedules: secretsmanager.CfnRotationSchedule[] = [];

  protected constructor(scope: Construct, id: string, props: RotatorProps, spec: RotatorFunctionSpec) {
    super(scope, id);
    this.kind = spec.kind;
    const stack = Stack.of(this);
    this.secrets = props.secrets.filter((s) => s.entry.rotator === spec.kind);
    const secretArns = this.secrets.map((s) => s.arn);
    this.function = new SecureFunction(this, 'Rotator', {
      ...props,
      ...spec,
      name: `${spec.kind}-rotator`,
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
        ...(spec.statements ?? []),
      ],
    });

    for (const secret of this.secrets) {
      const permission = new lambda.CfnPermission(this, `Invoke${secret.resource.node.id}`, {
        action: 'lambda:InvokeFunction',
        functionName: this.function.fn.functionArn,
        principal: 'secretsmanager.amazonaws.com',
        sourceAccount: stack.account,
        sourceArn: secret.arn,
      });
      const schedule = scheduleFor(props.rotation ?? {}, secret);
      const cfnSchedule = new secretsmanager.CfnRotationSchedule(this, `Schedule${secret.resource.node.id}`, {
        secretId: secret.arn,
        rotationLambdaArn: this.function.fn.functionArn,
        rotationRules: rotationRules(schedule),
        rotateImmediatelyOnUpdate: schedule.rotateImmediately,
      });
      // The function is ordered by RotationLambdaARN (a GetAtt); its invoke permission is not.
      cfnSchedule.node.addDependency(permission);
      // A schedule with RotateImmediatelyOnUpdate invokes the function as soon as it exists: everything the function
      // needs to reach AWS (endpoints, the security groups and their rules) must exist first, or the first rotation
      // of a new environment times out.
      cfnSchedule.node.addDependency(props.network);
      this.schedules.push(cfnSchedule);
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
export function scheduleFor(rotation: Partial<Record<SecretName, RotationScheduleConfig>>, secret: AppSecret): RotationScheduleConfig {
  return rotation[secret.name] ?? { days: secret.rotationDays, rotateImmediately: secret.entry.kind === 'key-ring' };
}

function rotationRules(s: RotationScheduleConfig): secretsmanager.CfnRotationSchedule.RotationRulesProperty {
  if (s.scheduleExpression) return { scheduleExpression: s.scheduleExpression, duration: s.duration };
  return { automaticallyAfterDays: s.days, duration: s.duration };
}
