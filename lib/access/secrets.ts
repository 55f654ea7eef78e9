import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CATALOG, CatalogEntry, SecretName, secretId } from '../../contracts';
import { rotationDays, type RotationScheduleConfig } from '../config';

/**
 * Every Secrets Manager action that changes an existing secret, its versions, its policy, its rotation, its tags or
 * its replicas, grouped by who may call it (docs/access.md "Who may change a secret"). The secret resource policy
 * denies each group to every principal but the ones named here, so an account administrator with
 * `secretsmanager:*` on `*` can neither write a value nor copy the secret out (replication, a new policy, a restore).
 */
export const SECRET_WRITE_GROUPS = {
  /** New values and staging labels: the secret's rotator (rotation) and break-glass (manual values, rollback). */
  values: ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
  /** Starting or stopping rotation: the deploy role (AWS::SecretsManager::RotationSchedule) and break-glass (runbook R4). */
  rotation: ['secretsmanager:CancelRotateSecret', 'secretsmanager:RotateSecret'],
  /** The secret's definition, tags, policy and deletion: only CloudFormation through the deploy role. */
  definition: [
    'secretsmanager:DeleteResourcePolicy',
    'secretsmanager:DeleteSecret',
    'secretsmanager:PutResourcePolicy',
    'secretsmanager:TagResource',
    'secretsmanager:UntagResource',
    'secretsmanager:UpdateSecret',
  ],
  /** Undoing a deletion: break-glass only (runbook "Access-denied spike"). */
  restore: ['secretsmanager:RestoreSecret'],
  /** Copies of the secret in other regions, under keys this stack does not control: nobody. */
  replication: ['secretsmanager:RemoveRegionsFromReplication', 'secretsmanager:ReplicateSecretToRegions', 'secretsmanager:StopReplicationToReplica'],
} as const;

export interface AppSecret {
  entry: CatalogEntry;
  name: SecretName;
  /** `<app>/<env>/<name>` */
  secretName: string;
  resource: secretsmanager.CfnSecret;
  /** The secret's ARN (CloudFormation Ref). */
  arn: string;
  rotationDays: number;
}

export interface ApplicationSecretsProps {
  /** The application: the secrets' names (`<app>/<env>/<name>`) and their `app` tag. */
  readonly appName: string;
  /** The environment: the secrets' names and their `env` tag. */
  readonly envName: string;
  /** The `owner` tag of every secret. */
  readonly owner: string;
  /** What happens to the secrets when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /** The secrets key: encrypts every secret. */
  readonly key: kms.IKey;
  /**
   * Rotation periods that differ from the catalog's, by secret: the `rotation` tag and the manual-rotation reason.
   * @default - the catalog's periods
   */
  readonly rotation?: Partial<Record<SecretName, RotationScheduleConfig>>;
}

/**
 * The seven secrets on the secrets key. L1 CfnSecret: the L2 with `encryptionKey` adds an account-wide key grant
 * with no encryption-context condition. Initial values are placeholders (ARCHITECTURE "Initial values"); they
 * must never change in the template, or CloudFormation would overwrite the live value on the next deploy.
 */
export class ApplicationSecrets extends Construct {
  readonly secrets: AppSecret[];

  constructor(scope: Construct, id: string, props: ApplicationSecretsProps) {
    super(scope, id);
    this.secrets = CATALOG.map((entry) => {
      const secretName = secretId(props.appName, props.envName, entry.name);
      const days = rotationDays(props, entry);
      const resource = new secretsmanager.CfnSecret(this, logicalName(entry.name), {
        name: secretName,
        description: entry.description,
        kmsKeyId: props.key.keyArn,
        secretString: JSON.stringify(entry.initialValue()),
        tags: [
          { key: 'app', value: props.appName },
          { key: 'env', value: props.envName },
          { key: 'owner', value: props.owner },
          { key: 'rotation', value: entry.rotator ? `automatic-${days}d` : `manual-max-age-${days}d` },
          { key: 'secret-kind', value: entry.kind },
        ],
      });
      resource.applyRemovalPolicy(props.removalPolicy);
      if (!entry.rotator) acknowledgeManualRotation(resource, entry, days);
      return { entry, name: entry.name, secretName, resource, arn: resource.ref, rotationDays: days };
    });
  }

  byName(name: SecretName): AppSecret {
    const found = this.secrets.find((s) => s.name === name);
    if (!found) throw new Error(`no secret ${name}`);
    return found;
  }
}

export interface SecretAccessPolicyProps {
  /** The secret the policy is attached to. */
  readonly secret: AppSecret;
  /** Application role and configured existing readers. */
  readonly readerRoleArns: string[];
  /**
   * The rotator's role: reads the secret and writes its values.
   * @default - none (the secret is rotated by hand)
   */
  readonly rotatorRoleArn?: string;
  /** Break-glass: reads, writes values, controls rotation and restores. */
  readonly breakGlassRoleArn: string;
  /** The role CloudFormation deploys with: the secret's definition, policy and rotation schedule. */
  readonly deployRoleArn: string;
  /**
   * The operator role: may start a rotation (RotateSecret), nothing else that changes the secret.
   * @default - no operator role
   */
  readonly operatorRoleArn?: string;
}

/**
 * The resource policy of one secret: deny reads and every kind of change to everyone but the principals that need
 * it (SECRET_WRITE_GROUPS); replication denied to all; public policies blocked.
 */
export class SecretAccessPolicy extends Construct {
  readonly resource: secretsmanager.CfnResourcePolicy;
  readonly document: iam.PolicyDocument;

  constructor(scope: Construct, id: string, props: SecretAccessPolicyProps) {
    super(scope, id);
    const rotator = props.rotatorRoleArn ? [props.rotatorRoleArn] : [];
    this.document = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'DenyReadExceptReadersRotatorAndBreakGlass',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['secretsmanager:GetSecretValue'],
          resources: ['*'],
          conditions: { ArnNotLike: { 'aws:PrincipalArn': [...props.readerRoleArns, ...rotator, props.breakGlassRoleArn] } },
        }),
        denyExcept('DenyValueWritesExceptRotatorAndBreakGlass', SECRET_WRITE_GROUPS.values, [...rotator, props.breakGlassRoleArn]),
        denyExcept('DenyRotationControlExceptDeployAndBreakGlass', SECRET_WRITE_GROUPS.rotation, [
          props.deployRoleArn,
          props.breakGlassRoleArn,
          ...(props.operatorRoleArn ? [props.operatorRoleArn] : []),
        ]),
        denyExcept('DenyDefinitionChangesExceptDeploy', SECRET_WRITE_GROUPS.definition, [props.deployRoleArn]),
        denyExcept('DenyRestoreExceptBreakGlass', SECRET_WRITE_GROUPS.restore, [props.breakGlassRoleArn]),
        new iam.PolicyStatement({
          sid: 'DenyReplicationToEveryone',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: [...SECRET_WRITE_GROUPS.replication],
          resources: ['*'],
        }),
      ],
    });
    this.resource = new secretsmanager.CfnResourcePolicy(this, 'Resource', {
      secretId: props.secret.arn,
      resourcePolicy: this.document,
      blockPublicPolicy: true,
    });
  }
}

/** Deny `actions` to every principal whose ARN is not one of `except`. */
function denyExcept(sid: string, actions: readonly string[], except: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: [...actions],
    resources: ['*'],
    conditions: { ArnNotLike: { 'aws:PrincipalArn': except } },
  });
}

function acknowledgeManualRotation(resource: secretsmanager.CfnSecret, entry: CatalogEntry, days: number): void {
  const reason =
    `${entry.name} is issued by a third party and no rotation Lambda can mint it; it is rotated by hand (docs/runbook.md), ` +
    `and the hourly secret-age function alarms when its AWSCURRENT version is older than ${days} days or still a placeholder in prod.`;
  Validations.of(resource).acknowledge({ id: 'AwsSolutions-SMG4', reason });
  Validations.of(resource).acknowledge({ id: 'NIST.800.53.R5-SecretsManagerRotationEnabled', reason });
}

function logicalName(name: string): string {
  return name
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}
