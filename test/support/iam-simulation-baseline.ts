/**
 * The access matrix of an account baseline, modelled like the environments' (iam-simulation.ts): the trail key's
 * policy, the trail bucket's policy and the trail-reader role's trust and identity policies, evaluated by
 * @cloud-copilot/iam-simulate with the condition keys S3, KMS, CloudWatch Logs and STS really send. Roles outside
 * the baseline get the identity policy their description states, so the matrix shows what the baseline's own
 * policies leave.
 */
import type { AccountBaselineConfig } from '../../lib/config';
import { OTHER_ACCOUNT, simulateMatrix, type ApiRequest as BaseApiRequest, type MatrixCheck } from './iam-simulation';
import { AGNOSTIC_ACCOUNT, AGNOSTIC_REGION, PolicyDocument, resolver, RoleInventory } from './iam-simulation-template';

export type BaselinePrincipalId = 'trail-reader' | 'security-auditor' | 'env-auditor' | 'deploy' | 'key-admin' | 'account-admin' | 'other-account';
export type BaselineResource = 'trail key' | 'trail bucket' | 'trail log group' | 'trail-reader role';

export interface BaselinePrincipal {
  id: BaselinePrincipalId;
  description: string;
  roleArn: string;
  account: string;
  identityPolicies: { name: string; document: PolicyDocument }[];
}

/** An environment's auditor role: a role of the environment stack, with its resolved identity policies. */
export type EnvironmentAuditor = Pick<RoleInventory, 'arn' | 'policies'>;

/** S3 ARNs name no account: every request of the baseline says its resource's account. */
type ApiRequest = BaseApiRequest & { resourceAccount: string };

/** resource -> check -> principal -> allowed (every request of the check allowed) */
export type BaselineMatrix = Map<BaselineResource, Map<string, Map<BaselinePrincipalId, boolean>>>;

export interface SimulatedBaseline {
  principals: BaselinePrincipal[];
  matrix: BaselineMatrix;
  /** API requests evaluated. */
  requests: number;
}

interface BaselineInventory {
  account: string;
  region: string;
  trailArn: string;
  reader: { arn: string; trust: PolicyDocument; policies: { name: string; document: PolicyDocument }[] };
  key: { arn: string; policy: PolicyDocument };
  bucket: { arn: string; policy?: PolicyDocument };
  logGroupArn: string;
}

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;

/** The baseline's trail, key, bucket, log group and reader role, found by name and by what the trail uses. */
function inventoryOf(template: { Resources: Resources }, config: AccountBaselineConfig, stackName: string): BaselineInventory {
  const where = { account: config.account ?? AGNOSTIC_ACCOUNT, region: config.region ?? AGNOSTIC_REGION, partition: 'aws', stackName };
  const resolve = resolver(template.Resources, where);
  const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
  const one = <T>(found: T[], what: string): T => {
    if (found.length !== 1) throw new Error(`expected one ${what} in the baseline, found ${found.length}`);
    return found[0];
  };

  const [, trail] = one(ofType('AWS::CloudTrail::Trail'), 'trail');
  const trailArn = `arn:aws:cloudtrail:${where.region}:${where.account}:trail/${resolve(trail.Properties!.TrailName)}`;
  const bucketName = resolve(trail.Properties!.S3BucketName) as string;
  const [bucketId] = one(
    ofType('AWS::S3::Bucket').filter(([id]) => resolve({ Ref: id }) === bucketName),
    `bucket ${bucketName}`,
  );
  const bucketPolicies = ofType('AWS::S3::BucketPolicy').filter(([, p]) => resolve(p.Properties!.Bucket) === bucketName);

  const keyAlias = `alias/${config.appName}/account/trail`;
  const [, alias] = one(
    ofType('AWS::KMS::Alias').filter(([, a]) => a.Properties!.AliasName === keyAlias),
    `key alias ${keyAlias}`,
  );
  const keyArn = resolve(alias.Properties!.TargetKeyId) as string;
  if (resolve(trail.Properties!.KMSKeyId) !== keyArn) throw new Error(`the trail is not encrypted with ${keyAlias}`);
  const [keyId, key] = one(
    ofType('AWS::KMS::Key').filter(([id]) => resolve({ 'Fn::GetAtt': [id, 'Arn'] }) === keyArn),
    `key ${keyArn}`,
  );

  const readerName = `${config.appName}-account-trail-reader`;
  const [readerId, reader] = one(
    ofType('AWS::IAM::Role').filter(([, r]) => r.Properties!.RoleName === readerName),
    `role ${readerName}`,
  );
  const readerArn = resolve({ 'Fn::GetAtt': [readerId, 'Arn'] }) as string;
  if ((reader.Properties!.ManagedPolicyArns ?? []).length > 0) throw new Error(`${readerName} has managed policy ARNs the model does not read`);
  const policies = [
    ...(reader.Properties!.Policies ?? []).map((p: { PolicyName: string; PolicyDocument: unknown }) => ({
      name: `${readerId}/${p.PolicyName}`,
      document: resolve(p.PolicyDocument),
    })),
    ...[...ofType('AWS::IAM::ManagedPolicy'), ...ofType('AWS::IAM::Policy')]
      .filter(([, p]) => (p.Properties!.Roles ?? []).some((r: unknown) => JSON.stringify(r) === JSON.stringify({ Ref: readerId })))
      .map(([id, p]) => ({ name: id, document: resolve(p.Properties!.PolicyDocument) })),
  ];

  return {
    account: where.account,
    region: where.region,
    trailArn,
    reader: { arn: readerArn, trust: resolve(reader.Properties!.AssumeRolePolicyDocument), policies },
    key: { arn: resolve({ 'Fn::GetAtt': [keyId, 'Arn'] }), policy: resolve(key.Properties!.KeyPolicy) },
    bucket: {
      arn: resolve({ 'Fn::GetAtt': [bucketId, 'Arn'] }),
      policy: bucketPolicies.length > 0 ? resolve(one(bucketPolicies, 'trail bucket policy')[1].Properties!.PolicyDocument) : undefined,
    },
    logGroupArn: resolve(trail.Properties!.CloudWatchLogsLogGroupArn),
  };
}

const allowAll = (actions: string[]): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

function principalsOf(config: AccountBaselineConfig, inv: BaselineInventory, envAuditor: EnvironmentAuditor): BaselinePrincipal[] {
  const external = (id: BaselinePrincipalId, description: string, roleArn: string, document: PolicyDocument): BaselinePrincipal => ({
    id,
    description,
    roleArn,
    account: roleArn.split(':')[4],
    identityPolicies: [{ name: `${id}-own-policy`, document }],
  });
  return [
    {
      id: 'trail-reader',
      description: `${config.appName}-account-trail-reader (the baseline's role)`,
      roleArn: inv.reader.arn,
      account: inv.account,
      identityPolicies: inv.reader.policies,
    },
    external(
      'security-auditor',
      'auditors (`auditorTrustedPrincipals`, `sts:AssumeRole` on `*`)',
      config.auditorTrustedPrincipals[0],
      allowAll(['sts:AssumeRole']),
    ),
    {
      id: 'env-auditor',
      description: "an environment's auditor role (its stack's policies)",
      roleArn: envAuditor.arn,
      account: envAuditor.arn.split(':')[4],
      identityPolicies: envAuditor.policies,
    },
    external('deploy', 'CloudFormation deploy role (allow-all identity policy)', config.deployRoleArns[0], allowAll(['*'])),
    external('key-admin', 'key administrator (allow-all identity policy)', config.keyAdminRoleArns[0], allowAll(['*'])),
    external(
      'account-admin',
      'same-account administrator (`kms:*`, `s3:*`, `logs:*`, `sts:AssumeRole` on `*`)',
      `arn:aws:iam::${inv.account}:role/account-administrator`,
      allowAll(['kms:*', 's3:*', 'logs:*', 'sts:AssumeRole']),
    ),
    external(
      'other-account',
      `role in another account (${OTHER_ACCOUNT}, allow-all identity policy)`,
      `arn:aws:iam::${OTHER_ACCOUNT}:role/other-account-administrator`,
      allowAll(['*']),
    ),
  ];
}

type Check = MatrixCheck<BaselineResource, BaselinePrincipal, ApiRequest>;

const principalContext = (p: BaselinePrincipal) => ({ 'aws:PrincipalArn': p.roleArn, 'aws:PrincipalAccount': p.account, 'aws:PrincipalType': 'AssumedRole' });

function checksOf(inv: BaselineInventory): Check[] {
  const { account, region } = inv;
  const viaS3 = `s3.${region}.amazonaws.com`;
  const trailFileContext = { 'aws:cloudtrail:arn': inv.trailArn };
  const kms =
    (action: string, context: Record<string, string>, viaService?: string, extra: Record<string, string> = {}) =>
    (p: BaselinePrincipal): ApiRequest => ({
      action: `kms:${action}`,
      resourceArn: inv.key.arn,
      resourceAccount: account,
      resourcePolicy: inv.key.policy,
      context: {
        ...principalContext(p),
        'kms:CallerAccount': p.account,
        ...(viaService ? { 'kms:ViaService': viaService } : {}),
        ...Object.fromEntries(Object.entries(context).map(([k, v]) => [`kms:EncryptionContext:${k}`, v])),
        ...(Object.keys(context).length > 0 ? { 'kms:EncryptionContextKeys': Object.keys(context) } : {}),
        ...extra,
      },
    });
  const logFile = `${inv.bucket.arn}/AWSLogs/${account}/CloudTrail/${region}/2026/01/01/${account}_CloudTrail_${region}_20260101T0000Z_abcdefgh.json.gz`;
  const s3 =
    (action: string, resourceArn: string, secureTransport = 'true') =>
    (p: BaselinePrincipal): ApiRequest => ({
      action: `s3:${action}`,
      resourceArn,
      resourceAccount: account,
      resourcePolicy: inv.bucket.policy,
      context: { ...principalContext(p), 'aws:SecureTransport': secureTransport },
    });
  const logs =
    (action: string, logGroupArn = inv.logGroupArn) =>
    (p: BaselinePrincipal): ApiRequest => ({ action: `logs:${action}`, resourceArn: logGroupArn, resourceAccount: account, context: principalContext(p) });
  const otherLogGroup = `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/some-other-function:*`;
  const assumeReader = (p: BaselinePrincipal): ApiRequest => ({
    action: 'sts:AssumeRole',
    resourceArn: inv.reader.arn,
    resourceAccount: account,
    resourcePolicy: inv.reader.trust,
    context: principalContext(p),
  });
  const single = (resource: BaselineResource, action: string, request: (p: BaselinePrincipal) => ApiRequest): Check => ({
    resource,
    action,
    requests: (p) => [request(p)],
  });
  return [
    single('trail key', 'Decrypt a trail log file via S3', kms('Decrypt', trailFileContext, viaS3)),
    single('trail key', 'Decrypt a trail log file directly', kms('Decrypt', trailFileContext)),
    single(
      'trail key',
      "Decrypt via S3, another account's trail context",
      kms('Decrypt', { 'aws:cloudtrail:arn': `arn:aws:cloudtrail:${region}:${OTHER_ACCOUNT}:trail/x` }, viaS3),
    ),
    single('trail key', 'Decrypt via S3, no context', kms('Decrypt', {}, viaS3)),
    single('trail key', 'Decrypt a trail log file via S3 of another region', kms('Decrypt', trailFileContext, 's3.us-east-1.amazonaws.com')),
    single('trail key', 'GenerateDataKey, trail context', kms('GenerateDataKey', trailFileContext, viaS3)),
    single('trail key', 'DescribeKey', kms('DescribeKey', {})),
    single('trail key', 'CreateGrant', kms('CreateGrant', {}, undefined, { 'kms:GranteePrincipal': `arn:aws:iam::${account}:role/account-administrator` })),
    single('trail key', 'PutKeyPolicy', kms('PutKeyPolicy', {})),
    single('trail key', 'DisableKeyRotation', kms('DisableKeyRotation', {})),
    single('trail key', 'ScheduleKeyDeletion (30 days)', kms('ScheduleKeyDeletion', {}, undefined, { 'kms:ScheduleKeyDeletionPendingWindowInDays': '30' })),
    single('trail key', 'ScheduleKeyDeletion (7 days)', kms('ScheduleKeyDeletion', {}, undefined, { 'kms:ScheduleKeyDeletionPendingWindowInDays': '7' })),
    single('trail bucket', 'ListBucket', s3('ListBucket', inv.bucket.arn)),
    single('trail bucket', 'GetObject, a log file', s3('GetObject', logFile)),
    {
      resource: 'trail bucket',
      action: 'read a log file (GetObject, then Decrypt via S3)',
      requests: (p) => [s3('GetObject', logFile)(p), kms('Decrypt', trailFileContext, viaS3)(p)],
    },
    single('trail bucket', 'GetObject over plain HTTP', s3('GetObject', logFile, 'false')),
    single('trail bucket', 'PutObject, a log file', s3('PutObject', logFile)),
    single('trail bucket', 'DeleteObjectVersion, a log file', s3('DeleteObjectVersion', logFile)),
    single('trail bucket', 'PutBucketPolicy', s3('PutBucketPolicy', inv.bucket.arn)),
    single('trail log group', 'FilterLogEvents', logs('FilterLogEvents')),
    single('trail log group', 'StartQuery', logs('StartQuery')),
    single('trail log group', 'FilterLogEvents, another log group', logs('FilterLogEvents', otherLogGroup)),
    single('trail log group', 'DeleteLogGroup', logs('DeleteLogGroup')),
    single('trail-reader role', 'AssumeRole', assumeReader),
  ];
}

export async function simulateBaseline(
  template: { Resources: Resources },
  config: AccountBaselineConfig,
  stackName: string,
  envAuditor: EnvironmentAuditor,
): Promise<SimulatedBaseline> {
  const inv = inventoryOf(template, config, stackName);
  const principals = principalsOf(config, inv, envAuditor);
  const { matrix, requests } = await simulateMatrix(checksOf(inv), principals);
  return { principals, matrix, requests };
}
