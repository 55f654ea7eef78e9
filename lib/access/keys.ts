import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DATA_KEY_CONTEXT_KEYS, DATA_KEY_PURPOSE, secretNamePrefix } from '../../contracts';

/**
 * What administrators (and CloudFormation's deploy role) may do to a key: manage it, never use it. ListGrants and
 * RevokeGrant are the runbook's "Suspected key compromise" step 3 (unexpected grants).
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListGrants',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RevokeGrant',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

/**
 * What CloudFormation needs to create, update and delete the keys and aliases: the administration actions without
 * the incident-only ones (cancelling a deletion, listing and revoking grants), which only key administrators run.
 */
export const DEPLOY_KEY_ACTIONS = KEY_ADMIN_ACTIONS.filter((a) => !['kms:CancelKeyDeletion', 'kms:ListGrants', 'kms:RevokeGrant'].includes(a));

/** Read-only key metadata for auditors. */
export const KEY_METADATA_ACTIONS = ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListGrants', 'kms:ListResourceTags'];

/** Actions denied to every principal but the key administrators and the deploy role. */
export const KEY_PROTECTED_ACTIONS = ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:DisableKeyRotation'];

/** Who administers a key and who reads its metadata (KMS's own actions only; uses are added per key). */
export interface KeyAdministrators {
  keyAdminRoleArns: readonly string[];
  /** CloudFormation's deploy role(s): create, update, delete; never the incident-only actions. */
  deployRoleArns: readonly string[];
  /** Auditors: read-only key metadata. */
  metadataReaderArns: readonly string[];
}

/**
 * The administration half of every key policy this app writes (environment keys, the baseline's trail key):
 * administration separated from use, the protected actions denied to everyone else, no deletion window under 30
 * days, metadata for auditors.
 */
export function keyAdministrationStatements(who: KeyAdministrators): iam.PolicyStatement[] {
  const arnPrincipals = (arns: readonly string[]) => arns.map((arn) => new iam.ArnPrincipal(arn));
  return [
    new iam.PolicyStatement({
      sid: 'KeyAdministration',
      principals: arnPrincipals(who.keyAdminRoleArns),
      actions: KEY_ADMIN_ACTIONS,
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'KeyManagementByTheDeployRole',
      principals: arnPrincipals(who.deployRoleArns),
      actions: DEPLOY_KEY_ACTIONS,
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'DenyProtectedActionsToAllButKeyAdministrators',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: KEY_PROTECTED_ACTIONS,
      resources: ['*'],
      conditions: { ArnNotLike: { 'aws:PrincipalArn': [...who.keyAdminRoleArns, ...who.deployRoleArns] } },
    }),
    new iam.PolicyStatement({
      sid: 'DenyDeletionWindowShorterThan30Days',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:ScheduleKeyDeletion'],
      resources: ['*'],
      conditions: { NumericLessThan: { 'kms:ScheduleKeyDeletionPendingWindowInDays': 30 } },
    }),
    new iam.PolicyStatement({
      sid: 'AuditorsReadKeyMetadata',
      principals: arnPrincipals(who.metadataReaderArns),
      actions: KEY_METADATA_ACTIONS,
      resources: ['*'],
    }),
  ];
}

export type KeyPurpose = 'secrets' | 'data' | 'ops';

/**
 * The encryption context every use of the data key must carry, exactly (contracts/field-encryption.ts): the key
 * policy and the application's field-encryption policy both require it.
 */
export function dataKeyContextConditions(appName: string, envName: string): Record<string, Record<string, unknown>> {
  return {
    'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [...DATA_KEY_CONTEXT_KEYS] },
    StringEquals: {
      'kms:EncryptionContext:app': appName,
      'kms:EncryptionContext:env': envName,
      'kms:EncryptionContext:purpose': DATA_KEY_PURPOSE,
    },
  };
}

export interface EnvironmentKeysProps {
  /** Names the aliases (`alias/<app>/<env>/<purpose>`), descriptions, the secrets' name prefix and the data key's context. */
  readonly appName: string;
  readonly envName: string;
  /** Roles that administer the keys (never use them), including cancelling a deletion and revoking grants. */
  readonly keyAdminRoleArns: string[];
  /** The role CloudFormation deploys with: manages the keys and aliases, uses none. */
  readonly deployRoleArn: string;
  /** Break-glass: the only user of the data key besides the application. */
  readonly breakGlassRoleArn: string;
  /** What happens to the secrets and data keys when the stack is deleted (the ops key is always retained). */
  readonly removalPolicy: RemovalPolicy;
  /** The role the application runs as: the only user of the data key (with break-glass). */
  readonly applicationRoleArn: string;
  readonly auditorRoleArn: string;
  /**
   * The operator role: `kms:DescribeKey` on the secrets key only (gaara-secrets verify checks which key protects
   * the secrets).
   * @default - no operator statement
   */
  readonly operatorRoleArn?: string;
  /** Service statements the ops key needs for SNS, CloudWatch Logs and CloudTrail. */
  readonly opsKeyServiceStatements: iam.PolicyStatement[];
}

/** The three customer-managed keys of one environment, one per purpose (ARCHITECTURE "KMS keys"). */
export class EnvironmentKeys extends Construct {
  readonly secretsKey: kms.Key;
  readonly dataKey: kms.Key;
  readonly opsKey: kms.Key;

  constructor(scope: Construct, id: string, props: EnvironmentKeysProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.secretsKey = this.createKey('SecretsKey', 'secrets', props, [
      // Only on the secrets key: `gaara-secrets verify` checks which key protects the secrets, nothing else.
      ...(props.operatorRoleArn
        ? [
            new iam.PolicyStatement({
              sid: 'OperatorsDescribeKey',
              principals: [new iam.ArnPrincipal(props.operatorRoleArn)],
              actions: ['kms:DescribeKey'],
              resources: ['*'],
            }),
          ]
        : []),
      new iam.PolicyStatement({
        sid: 'UseOnlyViaSecretsManagerForThisEnvironment',
        principals: [new iam.AccountRootPrincipal()],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com`,
            'kms:CallerAccount': stack.account,
          },
          StringLike: {
            'kms:EncryptionContext:SecretARN': stack.formatArn({
              service: 'secretsmanager',
              resource: 'secret',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              resourceName: `${secretNamePrefix(props.appName, props.envName)}*`,
            }),
          },
        },
      }),
    ]);

    this.dataKey = this.createKey('DataKey', 'data', props, [
      new iam.PolicyStatement({
        sid: 'FieldEncryptionByTheApplicationOnly',
        principals: [new iam.ArnPrincipal(props.applicationRoleArn), new iam.ArnPrincipal(props.breakGlassRoleArn)],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: dataKeyContextConditions(props.appName, props.envName),
      }),
    ]);

    this.opsKey = this.createKey('OpsKey', 'ops', props, props.opsKeyServiceStatements);
  }

  private createKey(id: string, purpose: KeyPurpose, props: EnvironmentKeysProps, useStatements: iam.PolicyStatement[]): kms.Key {
    const policy = new iam.PolicyDocument({
      statements: [
        ...keyAdministrationStatements({
          keyAdminRoleArns: props.keyAdminRoleArns,
          deployRoleArns: [props.deployRoleArn],
          metadataReaderArns: [props.auditorRoleArn],
        }),
        ...useStatements,
      ],
    });
    return new kms.Key(this, id, {
      alias: `alias/${props.appName}/${props.envName}/${purpose}`,
      description: keyDescription(props.appName, props.envName, purpose),
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      // The ops key is retained in every environment: it encrypts the audit trail's files, which outlive the stack
      // (lib/observability/audit.ts); deleting it would make the retained audit evidence unreadable.
      removalPolicy: purpose === 'ops' ? RemovalPolicy.RETAIN : props.removalPolicy,
      policy,
    });
  }
}

function keyDescription(appName: string, envName: string, purpose: KeyPurpose): string {
  const what: Record<KeyPurpose, string> = {
    secrets: 'encrypts the seven application secrets; usable only through Secrets Manager for this environment',
    data: 'field encryption data keys for the application (GenerateDataKey/Decrypt by the application role only)',
    ops: 'encrypts the alarm topic, log groups and audit trail',
  };
  return `${appName} ${envName}: ${what[purpose]}`;
}
