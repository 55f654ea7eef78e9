import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { dataKeyContextConditions } from './keys';
import { wildcardFinding } from '../nag';

/** A role ARN or a service principal from config, trusted to assume a role. */
export function trustedPrincipal(value: string, account: string): iam.IPrincipal {
  if (value.startsWith('arn:')) return new iam.ArnPrincipal(value);
  return new iam.PrincipalWithConditions(new iam.ServicePrincipal(value), { StringEquals: { 'aws:SourceAccount': account } });
}

export interface AccessRolesProps {
  /** The application: in the roles' descriptions and the operator role's name (`<app>-<env>-operator`). */
  readonly appName: string;
  /** The environment: in the roles' descriptions and the operator role's name. */
  readonly envName: string;
  /** Role ARNs or service principals (trusted from this account only) that assume the application role. */
  readonly applicationTrustedPrincipals: string[];
  /** Role ARNs that assume the auditor role. */
  readonly auditorTrustedPrincipals: string[];
  /**
   * Role ARNs that assume the operator role.
   * @default - no operator role
   */
  readonly operatorTrustedPrincipals?: string[];
}

/**
 * The application role (reads its secrets, uses the data key) and the auditor role (metadata only, never a value).
 * Roles are created first and bare; their policies (AccessPolicies) come after the keys and secrets exist, so key
 * policies can name the roles without a dependency cycle.
 */
export class AccessRoles extends Construct {
  readonly applicationRole: iam.Role;
  readonly auditorRole: iam.Role;
  /** The operator role (lib/access/operator-access.ts), when someone is trusted to assume it. */
  readonly operatorRole?: iam.Role;

  constructor(scope: Construct, id: string, props: AccessRolesProps) {
    super(scope, id);
    const { appName, envName } = props;
    const account = Stack.of(this).account;
    this.applicationRole = new iam.Role(this, 'ApplicationRole', {
      description: `${appName} ${envName} application: reads its seven secrets and encrypts fields with the data key`,
      assumedBy: new iam.CompositePrincipal(...props.applicationTrustedPrincipals.map((p) => trustedPrincipal(p, account))),
    });
    this.auditorRole = new iam.Role(this, 'AuditorRole', {
      description: `${appName} ${envName} security auditor: describes secrets and keys, never reads a value`,
      assumedBy: new iam.CompositePrincipal(...props.auditorTrustedPrincipals.map((p) => new iam.ArnPrincipal(p))),
    });
    const operators = props.operatorTrustedPrincipals ?? [];
    if (operators.length > 0) {
      this.operatorRole = new iam.Role(this, 'OperatorRole', {
        // A fixed name: gaara-secrets names it in its AccessDenied messages.
        roleName: `${appName}-${envName}-operator`,
        description: `${appName} ${envName} operator: status, history, verify and starting rotations; reads no value, writes nothing`,
        assumedBy: new iam.CompositePrincipal(...operators.map((p) => new iam.ArnPrincipal(p))),
      });
    }
  }
}

export interface AccessPoliciesProps {
  /** The application: in the policies' descriptions and the data key's encryption context (`app`). */
  readonly appName: string;
  /** The environment: in the policies' descriptions and the data key's encryption context (`env`). */
  readonly envName: string;
  /** Reads the secrets and encrypts fields with the data key. */
  readonly applicationRole: iam.IRole;
  /** Describes the secrets and keys, never reads a value. */
  readonly auditorRole: iam.IRole;
  /**
   * Existing roles that also read the secrets (e.g. an ECS task execution role).
   * @default - none
   */
  readonly additionalReaderRoleArns?: string[];
  /** The environment's secrets: read by the readers, described by the auditor. */
  readonly secretArns: string[];
  /** The secrets key: readers decrypt through Secrets Manager only; the auditor reads its metadata. */
  readonly secretsKeyArn: string;
  /** The data key: the application's field encryption; the auditor reads its metadata. */
  readonly dataKeyArn: string;
  /** The ops key: the auditor reads its metadata. */
  readonly opsKeyArn: string;
}

/** Customer-managed policies (no inline policies: NIST IAMNoInlinePolicy) with exactly the actions each role uses. */
export class AccessPolicies extends Construct {
  readonly secretReaderPolicy: iam.ManagedPolicy;
  readonly fieldEncryptionPolicy: iam.ManagedPolicy;
  readonly auditorPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: AccessPoliciesProps) {
    super(scope, id);
    const { appName, envName } = props;
    const region = Stack.of(this).region;
    const extraReaders = (props.additionalReaderRoleArns ?? []).map((arn, i) => iam.Role.fromRoleArn(this, `ExistingReader${i}`, arn, { mutable: true }));

    this.secretReaderPolicy = new iam.ManagedPolicy(this, 'SecretReaderPolicy', {
      description: `Read the ${appName} ${envName} secrets (values decrypted only through Secrets Manager)`,
      roles: [props.applicationRole, ...extraReaders],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadApplicationSecrets',
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          resources: props.secretArns,
        }),
        new iam.PolicyStatement({
          sid: 'DecryptSecretsViaSecretsManager',
          actions: ['kms:Decrypt'],
          resources: [props.secretsKeyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
        }),
      ],
    });

    this.fieldEncryptionPolicy = new iam.ManagedPolicy(this, 'FieldEncryptionPolicy', {
      description: `Envelope-encrypt ${appName} ${envName} database fields with the data key`,
      roles: [props.applicationRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'FieldEncryptionDataKeys',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [props.dataKeyArn],
          conditions: dataKeyContextConditions(appName, envName),
        }),
      ],
    });

    this.auditorPolicy = new iam.ManagedPolicy(this, 'AuditorPolicy', {
      description: `Audit ${appName} ${envName} secrets and keys without reading any value`,
      roles: [props.auditorRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'DescribeApplicationSecrets',
          actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetResourcePolicy', 'secretsmanager:ListSecretVersionIds'],
          resources: props.secretArns,
        }),
        new iam.PolicyStatement({
          sid: 'ListSecrets',
          actions: ['secretsmanager:ListSecrets'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'ReadKeyMetadata',
          actions: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'],
          resources: [props.secretsKeyArn, props.dataKeyArn, props.opsKeyArn],
        }),
        new iam.PolicyStatement({
          sid: 'NeverReadValues',
          effect: iam.Effect.DENY,
          actions: ['secretsmanager:BatchGetSecretValue', 'secretsmanager:GetSecretValue', 'kms:GenerateDataKey'],
          resources: ['*'],
        }),
        // The only decryption an auditor does is of the trail's log files (lib/access/auditor-access.ts): any kms:Decrypt
        // without CloudTrail's encryption context (a secret, a data key) is denied, whatever another policy allows.
        new iam.PolicyStatement({
          sid: 'DecryptOnlyTrailLogFiles',
          effect: iam.Effect.DENY,
          actions: ['kms:Decrypt'],
          resources: ['*'],
          conditions: { Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'true' } },
        }),
      ],
    });
    Validations.of(this.auditorPolicy).acknowledge({
      id: wildcardFinding(this, '*'),
      reason:
        'secretsmanager:ListSecrets has no resource-level permission; it returns metadata only, and the same policy denies GetSecretValue and kms:Decrypt everywhere.',
    });
  }
}
