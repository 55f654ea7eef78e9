/**
 * The access matrix of one environment, modelled: every principal × every check, each check one or more API
 * requests evaluated by @cloud-copilot/iam-simulate with the principal's identity policies and the resource's
 * policy (secret resource policy, key policy, function policy), the way AWS combines them (same account: identity
 * OR resource allow, no explicit deny; cross account: both; KMS: the key policy must allow, directly or by
 * trusting the account), and with the condition keys Secrets Manager and KMS really send.
 */
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import type { EnvironmentConfig } from '../../lib/config';
import { CATALOG, DATA_KEY_PURPOSE, SecretName } from '../../contracts';
import { inventoryOf, KeyPurpose, PolicyDocument, PolicyInventory, roleTrusting } from './iam-simulation-template';

/** Who asks. `external` roles are not in the stack: they are given a worst-case identity policy (see below). */
export type PrincipalId =
  | 'application'
  | 'extra-reader'
  | 'auditor'
  | 'operator'
  | 'database-rotator'
  | 'redis-rotator'
  | 'key-ring-rotator'
  | 'secret-age'
  | 'deploy'
  | 'break-glass'
  | 'key-admin'
  | 'account-admin'
  | 'other-account';

export interface Principal {
  id: PrincipalId;
  description: string;
  roleArn: string;
  account: string;
  identityPolicies: { name: string; document: PolicyDocument }[];
}

export type ResourceLabel = SecretName | `${KeyPurpose} key`;

/** One API call as the service authorizes it. */
export interface ApiRequest {
  action: string;
  resourceArn: string;
  /** The resource's account where its ARN names none (S3); default: the ARN's account field. */
  resourceAccount?: string;
  resourcePolicy?: PolicyDocument;
  context: Record<string, string | string[]>;
}

/** Who makes a request: a role session of the model, or a service principal (a string). */
export type Caller = Pick<Principal, 'roleArn' | 'account' | 'identityPolicies'> & { id: string };

/** A row of the matrix: allowed only if every request it makes is allowed. */
export interface MatrixCheck<Resource extends string, P extends Caller, Request extends ApiRequest = ApiRequest> {
  resource: Resource;
  action: string;
  requests: (principal: P) => Request[];
}
type Check = MatrixCheck<ResourceLabel, Principal>;

/**
 * resource -> action -> principal -> allowed, each cell allowed only if every request of its check is (the
 * environments' and the baselines' matrices); `requests` counts the evaluated requests.
 */
export async function simulateMatrix<Resource extends string, P extends Caller, Request extends ApiRequest>(
  checks: readonly MatrixCheck<Resource, P, Request>[],
  principals: readonly P[],
): Promise<{ matrix: Map<Resource, Map<string, Map<P['id'], boolean>>>; requests: number }> {
  const matrix = new Map<Resource, Map<string, Map<P['id'], boolean>>>();
  let requests = 0;
  for (const check of checks) {
    const byAction = matrix.get(check.resource) ?? new Map<string, Map<P['id'], boolean>>();
    matrix.set(check.resource, byAction);
    const row = new Map<P['id'], boolean>();
    byAction.set(check.action, row);
    for (const p of principals) {
      let ok = true;
      for (const request of check.requests(p)) {
        requests++;
        if (!(await allowed(p, request))) {
          ok = false;
          break;
        }
      }
      row.set(p.id, ok);
    }
  }
  return { matrix, requests };
}

/** resource -> action -> principal -> allowed */
export type Matrix = Map<ResourceLabel, Map<string, Map<PrincipalId, boolean>>>;

export interface SimulatedEnvironment {
  envName: string;
  principals: Principal[];
  matrix: Matrix;
  /** AWS services acting on the stack's roles and functions, by check: allowed or not. */
  services: Map<string, boolean>;
  /** API requests evaluated (a check of several requests counts each). */
  requests: number;
}

const ALLOW_ALL = (actions: string[]): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
export const OTHER_ACCOUNT = '444455556666';
/** A region other than the environment's, where a replica (or an attacker's copy) would be decrypted. */
const OTHER_REGION = 'us-east-1';

export function principalsOf(config: EnvironmentConfig, inv: PolicyInventory): Principal[] {
  const { account } = inv.where;
  const stackRole = (id: PrincipalId, description: string, arn: string): Principal => ({
    id,
    description,
    roleArn: arn,
    account,
    identityPolicies: inv.roleByArn(arn).policies,
  });
  const external = (id: PrincipalId, description: string, arn: string, document: PolicyDocument): Principal => ({
    id,
    description,
    roleArn: arn,
    account: arn.split(':')[4],
    identityPolicies: [{ name: `${id}-own-policy`, document }],
  });
  const rotatorOf = (name: SecretName) => {
    const arn = inv.secrets.find((s) => s.name === name)!.rotatorRoleArn;
    if (!arn) throw new Error(`${name} has no rotation schedule in the template`);
    return arn;
  };
  const operatorTrust = config.operatorTrustedPrincipals ?? [];
  return [
    stackRole('application', 'application role (the app reads its secrets, encrypts fields)', roleTrusting(inv, config.applicationTrustedPrincipals).arn),
    ...config.additionalReaderRoleArns.slice(0, 1).map((arn) => stackRole('extra-reader', 'existing reader role (`additionalReaderRoleArns`)', arn)),
    stackRole('auditor', 'security auditor role', roleTrusting(inv, config.auditorTrustedPrincipals).arn),
    ...(operatorTrust.length > 0
      ? [stackRole('operator', 'operator role (gaara-secrets status/history/verify/rotate)', roleTrusting(inv, operatorTrust).arn)]
      : []),
    stackRole('database-rotator', 'database rotator function', rotatorOf('database-url')),
    stackRole('redis-rotator', 'Redis rotator function', rotatorOf('redis-password')),
    stackRole('key-ring-rotator', 'key-ring rotator function', rotatorOf('secret-key')),
    stackRole('secret-age', 'hourly secret-age function', inv.ageFunctionRoleArn),
    // Roles outside the stack get the most their own account could give them, so the matrix shows what the
    // stack's resource and key policies leave: the CDK deploy role has AdministratorAccess by default.
    external('deploy', 'CloudFormation deploy role (allow-all identity policy)', config.deployRoleArn, ALLOW_ALL(['*'])),
    external('break-glass', 'break-glass role (allow-all identity policy)', config.breakGlassRoleArn, ALLOW_ALL(['*'])),
    external('key-admin', 'key administrator (allow-all identity policy)', config.keyAdminRoleArns[0], ALLOW_ALL(['*'])),
    external(
      'account-admin',
      'same-account administrator (`secretsmanager:*`, `kms:*`, `lambda:*` on `*`)',
      `arn:aws:iam::${account}:role/account-administrator`,
      ALLOW_ALL(['secretsmanager:*', 'kms:*', 'lambda:*']),
    ),
    external(
      'other-account',
      `role in another account (${OTHER_ACCOUNT}, allow-all identity policy)`,
      `arn:aws:iam::${OTHER_ACCOUNT}:role/other-account-administrator`,
      ALLOW_ALL(['*']),
    ),
  ];
}

/** The condition keys every request of a role session carries. */
function principalContext(p: Principal): Record<string, string> {
  return { 'aws:PrincipalArn': p.roleArn, 'aws:PrincipalAccount': p.account, 'aws:PrincipalType': 'AssumedRole' };
}

function checksOf(config: EnvironmentConfig, inv: PolicyInventory): Check[] {
  const { account, region } = inv.where;
  const key = (purpose: KeyPurpose) => inv.keys.find((k) => k.purpose === purpose)!;
  const viaSecretsManager = `secretsmanager.${region}.amazonaws.com`;

  /** A KMS request on one of the environment's keys, with its encryption context and, through a service, kms:ViaService. */
  const kms =
    (action: string, purpose: KeyPurpose, context: Record<string, string>, viaService?: string) =>
    (p: Principal): ApiRequest => ({
      action: `kms:${action}`,
      resourceArn: key(purpose).arn,
      resourcePolicy: key(purpose).keyPolicy,
      context: {
        ...principalContext(p),
        'kms:CallerAccount': p.account,
        ...(viaService ? { 'kms:ViaService': viaService } : {}),
        ...Object.fromEntries(Object.entries(context).map(([k, v]) => [`kms:EncryptionContext:${k}`, v])),
        ...(Object.keys(context).length > 0 ? { 'kms:EncryptionContextKeys': Object.keys(context) } : {}),
      },
    });
  const secretContext = (secretArn: string) => ({ SecretARN: secretArn, SecretVersionId: 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE' });

  const checks: Check[] = [];
  for (const secret of inv.secrets) {
    const sm =
      (action: string, extra: Record<string, string> = {}) =>
      (p: Principal): ApiRequest => ({
        action: `secretsmanager:${action}`,
        resourceArn: secret.arn,
        resourcePolicy: secret.resourcePolicy,
        context: { ...principalContext(p), 'secretsmanager:SecretId': secret.arn, ...extra },
      });
    const decrypt = kms('Decrypt', 'secrets', secretContext(secret.arn), viaSecretsManager);
    const encrypt = kms('GenerateDataKey', 'secrets', secretContext(secret.arn), viaSecretsManager);
    const invokeRotator = (p: Principal): ApiRequest[] =>
      secret.rotatorFunctionArn
        ? [
            {
              action: 'lambda:InvokeFunction',
              resourceArn: secret.rotatorFunctionArn,
              resourcePolicy: inv.functionPolicies.get(secret.rotatorFunctionArn),
              context: principalContext(p),
            },
          ]
        : [];
    const add = (action: string, requests: Check['requests']) => checks.push({ resource: secret.name, action, requests });
    // A value read or write needs Secrets Manager's permission and the caller's own use of the key through it.
    add('read AWSCURRENT', (p) => [sm('GetSecretValue', { 'secretsmanager:VersionStage': 'AWSCURRENT' })(p), decrypt(p)]);
    add('read AWSPENDING', (p) => [sm('GetSecretValue', { 'secretsmanager:VersionStage': 'AWSPENDING' })(p), decrypt(p)]);
    add('PutSecretValue', (p) => [sm('PutSecretValue')(p), encrypt(p)]);
    add('UpdateSecretVersionStage', (p) => [sm('UpdateSecretVersionStage', { 'secretsmanager:VersionStage': 'AWSCURRENT' })(p)]);
    add('UpdateSecret (new value)', (p) => [sm('UpdateSecret')(p), encrypt(p)]);
    // Starting a rotation also needs lambda:InvokeFunction on the rotation function (secrets without one: none).
    add('RotateSecret', (p) => [
      sm('RotateSecret', secret.rotatorFunctionArn ? { 'secretsmanager:RotationLambdaARN': secret.rotatorFunctionArn } : {})(p),
      ...invokeRotator(p),
    ]);
    add('DeleteSecret', (p) => [sm('DeleteSecret', { 'secretsmanager:RecoveryWindowInDays': '30' })(p)]);
    add('RestoreSecret', (p) => [sm('RestoreSecret')(p)]);
    add('PutResourcePolicy', (p) => [sm('PutResourcePolicy')(p)]);
    add('DeleteResourcePolicy', (p) => [sm('DeleteResourcePolicy')(p)]);
    add('TagResource', (p) => [sm('TagResource')(p)]);
    add('ReplicateSecretToRegions', (p) => [sm('ReplicateSecretToRegions', { 'secretsmanager:AddReplicaRegions': OTHER_REGION })(p), decrypt(p)]);
    add('DescribeSecret', (p) => [sm('DescribeSecret')(p)]);
    add('ListSecretVersionIds', (p) => [sm('ListSecretVersionIds')(p)]);
    add('GetResourcePolicy', (p) => [sm('GetResourcePolicy')(p)]);
  }

  const databaseUrl = inv.secrets.find((s) => s.name === 'database-url')!.arn;
  const secretKey = inv.secrets.find((s) => s.name === 'secret-key')!.arn;
  const otherEnvironmentsSecret = `arn:aws:secretsmanager:${region}:${account}:secret:${config.appName}/other-env/database-url-AbCdEf`;
  const newSecretOfThisEnvironment = `arn:aws:secretsmanager:${region}:${account}:secret:${config.appName}/${config.envName}/copied-value-AbCdEf`;
  const keyChecks = (purpose: KeyPurpose, data: [string, (p: Principal) => ApiRequest][]) => {
    for (const [action, request] of data) checks.push({ resource: `${purpose} key`, action, requests: (p) => [request(p)] });
    const admin =
      (action: string, context: Record<string, string> = {}) =>
      (p: Principal): ApiRequest => {
        const r = kms(action, purpose, {})(p);
        return { ...r, context: { ...r.context, ...context } };
      };
    for (const [action, request] of [
      ['DescribeKey', admin('DescribeKey')],
      ['ListGrants', admin('ListGrants')],
      ['CreateGrant', admin('CreateGrant', { 'kms:GranteePrincipal': `arn:aws:iam::${account}:role/account-administrator` })],
      ['RevokeGrant', admin('RevokeGrant')],
      ['PutKeyPolicy', admin('PutKeyPolicy')],
      ['DisableKeyRotation', admin('DisableKeyRotation')],
      ['DisableKey', admin('DisableKey')],
      ['ScheduleKeyDeletion (30 days)', admin('ScheduleKeyDeletion', { 'kms:ScheduleKeyDeletionPendingWindowInDays': '30' })],
      ['ScheduleKeyDeletion (7 days)', admin('ScheduleKeyDeletion', { 'kms:ScheduleKeyDeletionPendingWindowInDays': '7' })],
      ['CancelKeyDeletion', admin('CancelKeyDeletion')],
    ] as const) {
      checks.push({ resource: `${purpose} key`, action, requests: (p) => [request(p)] });
    }
  };

  keyChecks('secrets', [
    ['Decrypt via Secrets Manager, database-url context', kms('Decrypt', 'secrets', secretContext(databaseUrl), viaSecretsManager)],
    ['Decrypt via Secrets Manager, secret-key context', kms('Decrypt', 'secrets', secretContext(secretKey), viaSecretsManager)],
    ['GenerateDataKey via Secrets Manager, database-url context', kms('GenerateDataKey', 'secrets', secretContext(databaseUrl), viaSecretsManager)],
    ['Decrypt via Secrets Manager, a secret of another environment', kms('Decrypt', 'secrets', secretContext(otherEnvironmentsSecret), viaSecretsManager)],
    // A secret someone creates next to the seven, on the same key (CreateSecret with KmsKeyId).
    [
      'GenerateDataKey via Secrets Manager, a new secret of this environment',
      kms('GenerateDataKey', 'secrets', secretContext(newSecretOfThisEnvironment), viaSecretsManager),
    ],
    ['Decrypt via Secrets Manager in another region', kms('Decrypt', 'secrets', secretContext(databaseUrl), `secretsmanager.${OTHER_REGION}.amazonaws.com`)],
    ['Decrypt directly, database-url context', kms('Decrypt', 'secrets', secretContext(databaseUrl))],
    ['GenerateDataKey directly, database-url context', kms('GenerateDataKey', 'secrets', secretContext(databaseUrl))],
  ]);
  const fields = { app: config.appName, env: config.envName, purpose: DATA_KEY_PURPOSE };
  keyChecks('data', [
    ['GenerateDataKey, field context', kms('GenerateDataKey', 'data', fields)],
    ['Decrypt, field context', kms('Decrypt', 'data', fields)],
    ['GenerateDataKey, context of another environment', kms('GenerateDataKey', 'data', { ...fields, env: 'other-env' })],
    ['GenerateDataKey, another purpose', kms('GenerateDataKey', 'data', { ...fields, purpose: 'signing' })],
    ['GenerateDataKey, an extra context key', kms('GenerateDataKey', 'data', { ...fields, tenant: 't-1' })],
    ['GenerateDataKey, no context', kms('GenerateDataKey', 'data', {})],
    ['Decrypt via Secrets Manager, database-url context', kms('Decrypt', 'data', secretContext(databaseUrl), viaSecretsManager)],
  ]);
  const trailFile = { 'aws:cloudtrail:arn': `arn:aws:cloudtrail:${region}:${account}:trail/${config.appName}-${config.envName}-audit` };
  keyChecks('ops', [
    ['Decrypt a trail log file via S3', kms('Decrypt', 'ops', trailFile, `s3.${region}.amazonaws.com`)],
    ['Decrypt a trail log file directly', kms('Decrypt', 'ops', trailFile)],
    ['Decrypt, no context', kms('Decrypt', 'ops', {})],
    ['GenerateDataKey, no context', kms('GenerateDataKey', 'ops', {})],
  ]);
  return checks;
}

/** A call an AWS service makes on the stack's behalf (assume a role, invoke a function), as that service. */
interface ServiceCheck {
  label: string;
  service: string;
  request: ApiRequest;
}

/**
 * The service principals' side: whose ECS tasks may become the application role, which secret's rotation may
 * invoke which rotator, which rule may run the age check; each with the same call from elsewhere, which must fail.
 */
function serviceChecksOf(config: EnvironmentConfig, inv: PolicyInventory): ServiceCheck[] {
  const { account, region } = inv.where;
  const source = (sourceAccount: string, sourceArn?: string) => ({ 'aws:SourceAccount': sourceAccount, ...(sourceArn ? { 'aws:SourceArn': sourceArn } : {}) });
  const checks: ServiceCheck[] = [];
  const application = roleTrusting(inv, config.applicationTrustedPrincipals);
  for (const service of config.applicationTrustedPrincipals.filter((p) => !p.startsWith('arn:'))) {
    for (const [whose, acct] of [
      ['this account', account],
      ['another account', OTHER_ACCOUNT],
    ]) {
      checks.push({
        label: `${service} assumes the application role for ${whose}`,
        service,
        request: { action: 'sts:AssumeRole', resourceArn: application.arn, resourcePolicy: application.trust, context: source(acct) },
      });
    }
  }
  const invoke = (functionArn: string, context: Record<string, string>): ApiRequest => ({
    action: 'lambda:InvokeFunction',
    resourceArn: functionArn,
    resourcePolicy: inv.functionPolicies.get(functionArn),
    context,
  });
  const sm = 'secretsmanager.amazonaws.com';
  const rotating = inv.secrets.filter((s) => s.rotatorFunctionArn);
  for (const fn of new Set(rotating.map((s) => s.rotatorFunctionArn!))) {
    const own = rotating.filter((s) => s.rotatorFunctionArn === fn);
    const foreign = rotating.find((s) => s.rotatorFunctionArn !== fn)!;
    const rotator = `the ${CATALOG.find((e) => e.name === own[0].name)!.rotator} rotator`;
    for (const secret of own)
      checks.push({ label: `${sm} invokes ${rotator} to rotate ${secret.name}`, service: sm, request: invoke(fn, source(account, secret.arn)) });
    checks.push(
      { label: `${sm} invokes ${rotator} to rotate ${foreign.name}`, service: sm, request: invoke(fn, source(account, foreign.arn)) },
      {
        label: `${sm} invokes ${rotator} for ${own[0].name} of another account`,
        service: sm,
        request: invoke(fn, source(OTHER_ACCOUNT, own[0].arn.replace(`:${account}:`, `:${OTHER_ACCOUNT}:`))),
      },
    );
  }
  const events = 'events.amazonaws.com';
  checks.push(
    {
      label: `${events} runs the secret-age function from its hourly rule`,
      service: events,
      request: invoke(inv.ageFunctionArn, source(account, inv.ageScheduleArn)),
    },
    {
      label: `${events} runs the secret-age function from another rule`,
      service: events,
      request: invoke(inv.ageFunctionArn, source(account, `arn:aws:events:${region}:${account}:rule/someone-elses-rule`)),
    },
  );
  return checks;
}

const ENCRYPTION_CONTEXT_KEY = /^kms:EncryptionContext:/i;

/**
 * Evaluates one request (the environments' and the baselines' matrices). The simulator validates the policies,
 * action, resource type and context keys; it drops `kms:EncryptionContext:<key>` keys (0.1.173 matches variable
 * keys only after a `/`), so a request carrying them is evaluated again unvalidated with the full context. Any
 * other dropped key is an error of this model.
 */
export async function allowed(p: Caller | string, r: ApiRequest): Promise<boolean> {
  const who = typeof p === 'string' ? p : p.id;
  const principal = typeof p === 'string' ? p : `arn:aws:sts::${p.account}:assumed-role/${p.roleArn.split('/').pop()}/access-matrix`;
  const simulation = {
    request: {
      principal,
      action: r.action,
      resource: { resource: r.resourceArn, accountId: r.resourceAccount ?? r.resourceArn.split(':')[4] },
      contextVariables: r.context,
    },
    identityPolicies: typeof p === 'string' ? [] : p.identityPolicies.map((x) => ({ name: x.name, policy: x.document })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(r.resourcePolicy ? { resourcePolicy: r.resourcePolicy } : {}),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`simulation of ${r.action} on ${r.resourceArn} by ${who} failed: ${JSON.stringify(result.errors)}`);
  // A log group's ARN ends in `:*` (as CloudWatch Logs writes it), which iam-simulate evaluates as a pattern.
  if (result.resultType === 'wildcard' && r.resourceArn.includes(':log-group:') && !Object.keys(r.context).some((k) => ENCRYPTION_CONTEXT_KEY.test(k))) {
    return result.overallResult === 'Allowed';
  }
  if (result.resultType !== 'single') throw new Error(`${r.action} on ${r.resourceArn}: expected a single-resource simulation`);
  const ignored = result.result.ignoredContextKeys ?? [];
  const unexpected = ignored.filter((k) => !ENCRYPTION_CONTEXT_KEY.test(k));
  if (unexpected.length > 0) throw new Error(`${r.action} does not take the context keys ${unexpected.join(', ')}: fix the model`);
  if (ignored.length === 0) return result.overallResult === 'Allowed';
  // The unvalidated path loads the resource policy without its name unless it comes as an already-validated policy.
  const validated = r.resourcePolicy ? { __validated: true, policyDocument: r.resourcePolicy, metadata: { name: 'resource-policy' }, errors: [] } : undefined;
  return runUnsafeSimulation({ ...simulation, resourcePolicy: validated }, {}) === 'Allowed';
}

export async function simulateEnvironment(
  template: { Resources: Record<string, any> },
  config: EnvironmentConfig,
  stackName: string,
): Promise<SimulatedEnvironment> {
  const inv = inventoryOf(template, config, stackName);
  const principals = principalsOf(config, inv);
  const simulated = await simulateMatrix(checksOf(config, inv), principals);
  const matrix: Matrix = simulated.matrix;
  let requests = simulated.requests;
  const services = new Map<string, boolean>();
  for (const check of serviceChecksOf(config, inv)) {
    requests++;
    services.set(check.label, await allowed(check.service, check.request));
  }
  return { envName: config.envName, principals, matrix, services, requests };
}
