import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { SECRET_AGE_ENV, writeEnv } from '../../contracts/function-env';
import type { AppSecret } from '../access/secrets';
import { FunctionSettings, SecureFunction } from './secure-function';

/** The metadata the age function reads, and all it may read: never GetSecretValue. */
export const SECRET_AGE_ACTIONS = ['secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'];

export interface SecretAgeCheckProps extends FunctionSettings {
  /** The secrets it watches, each with its period (the age beyond which it is overdue). */
  readonly secrets: readonly AppSecret[];
}

/**
 * The hourly age check (lambdas/secret-age): publishes each secret's age, pending rotations and placeholders from
 * version metadata, and never reads a value.
 */
export class SecretAgeCheck extends SecureFunction {
  static readonly TIMEOUT = Duration.minutes(1);
  readonly schedule: events.Rule;

  /** Its bundle entry: one for every configuration. */
  static entry(): string {
    return 'lambdas/secret-age/index.ts';
  }

  constructor(scope: Construct, id: string, props: SecretAgeCheckProps) {
    super(scope, id, {
      ...props,
      kind: 'secret-age',
      name: 'secret-age',
      entry: SecretAgeCheck.entry(),
      description: `Publishes the age, pending rotations and placeholders of the ${props.appName}/${props.envName} secrets (never reads a value)`,
      timeout: SecretAgeCheck.TIMEOUT,
      statements: [new iam.PolicyStatement({ sid: 'ReadVersionMetadataOnly', actions: SECRET_AGE_ACTIONS, resources: props.secrets.map((s) => s.arn) })],
      environment: writeEnv(SECRET_AGE_ENV, { secrets: props.secrets.map((s) => ({ name: s.name, id: s.arn, maxAgeDays: s.rotationDays })) }),
    });
    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Hourly age and stuck-rotation check of the ${props.appName}/${props.envName} secrets`,
      schedule: events.Schedule.rate(Duration.hours(1)),
      targets: [new targets.LambdaFunction(this.fn, { retryAttempts: 2 })],
    });
  }
}
