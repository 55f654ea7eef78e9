/**
 * Reads the policies of one synthesized environment as AWS would hold them once deployed: every CloudFormation
 * intrinsic (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select) resolved to a concrete, deterministic fake ARN, and
 * every role, secret and key found by what it is (trust policy, name, alias, rotation schedule), not by its hashed
 * logical id, so the extraction survives constructs being moved.
 */
import { createHash } from 'node:crypto';
import { SECRET_NAMES, SecretName, secretId } from '../../contracts';
import type { EnvironmentConfig } from '../../lib/config';

export type PolicyDocument = { Version?: string; Statement: Record<string, unknown>[] };

interface CfnResource {
  Type: string;
  Properties?: Record<string, any>;
}

export interface Where {
  account: string;
  region: string;
  partition: string;
  stackName: string;
}

/** A role of the stack, or an existing role a policy of the stack is attached to. */
export interface RoleInventory {
  arn: string;
  name: string;
  /** Managed, inline and attached policies, resolved. */
  policies: { name: string; document: PolicyDocument }[];
  /** The trust policy, for roles of the stack. */
  trust?: PolicyDocument;
}

export interface SecretInventory {
  name: SecretName;
  arn: string;
  resourcePolicy?: PolicyDocument;
  /** The rotation function's ARN and role, when the secret rotates automatically. */
  rotatorFunctionArn?: string;
  rotatorRoleArn?: string;
}

export type KeyPurpose = 'secrets' | 'data' | 'ops';

export interface KeyInventory {
  purpose: KeyPurpose;
  arn: string;
  keyPolicy: PolicyDocument;
}

export interface PolicyInventory {
  where: Where;
  roles: RoleInventory[];
  secrets: SecretInventory[];
  keys: KeyInventory[];
  /** Resource policies of Lambda functions, from AWS::Lambda::Permission, by function ARN. */
  functionPolicies: Map<string, PolicyDocument>;
  /** The function the hourly schedule runs (the secret-age function), its role and the schedule's rule. */
  ageFunctionArn: string;
  ageFunctionRoleArn: string;
  ageScheduleArn: string;
  roleArnOf(roleLogicalOrName: string): string;
  roleByArn(arn: string): RoleInventory;
}

/** Account and region a stack without `env` (environment-agnostic) is simulated in. */
export const AGNOSTIC_ACCOUNT = '111111111111';
export const AGNOSTIC_REGION = 'eu-west-1';

export function inventoryOf(template: { Resources: Record<string, CfnResource> }, config: EnvironmentConfig, stackName: string): PolicyInventory {
  const where: Where = {
    account: config.account ?? AGNOSTIC_ACCOUNT,
    region: config.region ?? AGNOSTIC_REGION,
    partition: 'aws',
    stackName,
  };
  const resources = template.Resources;
  const resolve = resolver(resources, where);
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

  const roles = new Map<string, RoleInventory>();
  const roleFor = (arn: string): RoleInventory => {
    let role = roles.get(arn);
    if (!role) roles.set(arn, (role = { arn, name: arn.split('/').pop()!, policies: [] }));
    return role;
  };
  for (const [id, role] of ofType('AWS::IAM::Role')) {
    const r = roleFor(resolve({ 'Fn::GetAtt': [id, 'Arn'] }));
    r.trust = resolve(role.Properties!.AssumeRolePolicyDocument);
    for (const inline of role.Properties?.Policies ?? []) r.policies.push({ name: `${id}/${inline.PolicyName}`, document: resolve(inline.PolicyDocument) });
    for (const arn of role.Properties?.ManagedPolicyArns ?? []) {
      const managed = ofType('AWS::IAM::ManagedPolicy').find(([mid]) => resolve({ Ref: mid }) === resolve(arn));
      if (!managed) throw new Error(`role ${id}: managed policy ${JSON.stringify(arn)} is not in the template; the simulation cannot know what it allows`);
    }
  }
  // Roles listed by a policy are a Ref to a role of the stack or the name of an existing role of the account.
  const roleArnOf = (roleRefOrName: string) => (roleRefOrName.startsWith('arn:') ? roleRefOrName : `arn:aws:iam::${where.account}:role/${roleRefOrName}`);
  for (const [id, policy] of [...ofType('AWS::IAM::ManagedPolicy'), ...ofType('AWS::IAM::Policy')]) {
    const document = resolve(policy.Properties!.PolicyDocument);
    for (const ref of policy.Properties!.Roles ?? []) {
      const arn = typeof ref === 'object' && ref.Ref ? resolve({ 'Fn::GetAtt': [ref.Ref, 'Arn'] }) : roleArnOf(resolve(ref));
      roleFor(arn).policies.push({ name: id, document });
    }
    if ((policy.Properties!.Users ?? []).length > 0 || (policy.Properties!.Groups ?? []).length > 0) {
      throw new Error(`policy ${id} is attached to users or groups; the access matrix models roles only`);
    }
  }

  const secrets: SecretInventory[] = SECRET_NAMES.map((name) => {
    const wanted = secretId(config.appName, config.envName, name);
    const found = ofType('AWS::SecretsManager::Secret').filter(([, s]) => resolve(s.Properties!.Name) === wanted);
    if (found.length !== 1) throw new Error(`expected one secret named ${wanted}, found ${found.length}`);
    const arn = resolve({ Ref: found[0][0] });
    const policies = ofType('AWS::SecretsManager::ResourcePolicy').filter(([, p]) => resolve(p.Properties!.SecretId) === arn);
    if (policies.length > 1) throw new Error(`secret ${wanted} has ${policies.length} resource policies`);
    const schedule = ofType('AWS::SecretsManager::RotationSchedule').find(([, s]) => resolve(s.Properties!.SecretId) === arn);
    const rotatorFunctionArn = schedule ? (resolve(schedule[1].Properties!.RotationLambdaARN) as string) : undefined;
    return {
      name,
      arn,
      resourcePolicy: policies[0] ? resolve(policies[0][1].Properties!.ResourcePolicy) : undefined,
      rotatorFunctionArn,
      rotatorRoleArn: rotatorFunctionArn ? functionRoleArn(rotatorFunctionArn) : undefined,
    };
  });

  function functionRoleArn(functionArn: string): string {
    const fn = ofType('AWS::Lambda::Function').find(([id]) => resolve({ 'Fn::GetAtt': [id, 'Arn'] }) === functionArn);
    if (!fn) throw new Error(`no function ${functionArn} in the template`);
    return resolve(fn[1].Properties!.Role);
  }

  const keys: KeyInventory[] = (['secrets', 'data', 'ops'] as const).map((purpose) => {
    const aliasName = `alias/${config.appName}/${config.envName}/${purpose}`;
    const alias = ofType('AWS::KMS::Alias').find(([, a]) => a.Properties!.AliasName === aliasName);
    if (!alias) throw new Error(`no key alias ${aliasName} in the template`);
    const target = resolve(alias[1].Properties!.TargetKeyId) as string;
    const key = ofType('AWS::KMS::Key').find(([id]) => resolve({ 'Fn::GetAtt': [id, 'Arn'] }) === target || resolve({ Ref: id }) === target);
    if (!key) throw new Error(`alias ${aliasName} targets ${target}, which is not a key of the template`);
    return { purpose, arn: resolve({ 'Fn::GetAtt': [key[0], 'Arn'] }), keyPolicy: resolve(key[1].Properties!.KeyPolicy) };
  });

  const functionPolicies = new Map<string, PolicyDocument>();
  for (const [id, permission] of ofType('AWS::Lambda::Permission')) {
    const p = resolve(permission.Properties!);
    const conditions: Record<string, Record<string, string>> = {};
    if (p.SourceAccount) conditions.StringEquals = { 'aws:SourceAccount': p.SourceAccount };
    if (p.SourceArn) conditions.ArnLike = { 'aws:SourceArn': p.SourceArn };
    const principal = String(p.Principal).endsWith('.amazonaws.com') ? { Service: p.Principal } : { AWS: p.Principal };
    const statement = {
      Sid: id,
      Effect: 'Allow',
      Principal: principal,
      Action: p.Action,
      Resource: p.FunctionName,
      ...(Object.keys(conditions).length ? { Condition: conditions } : {}),
    };
    const doc = functionPolicies.get(p.FunctionName) ?? { Version: '2012-10-17', Statement: [] };
    doc.Statement.push(statement);
    functionPolicies.set(p.FunctionName, doc);
  }

  const hourly = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties!.ScheduleExpression === 'rate(1 hour)');
  const ageTargets = hourly.flatMap(([id, r]) =>
    (r.Properties!.Targets ?? []).map((t: { Arn: unknown }) => [resolve(t.Arn) as string, resolve({ 'Fn::GetAtt': [id, 'Arn'] }) as string]),
  );
  if (ageTargets.length !== 1) throw new Error(`expected one hourly function (the secret-age check), found ${ageTargets.length}`);
  const [[ageFunctionArn, ageScheduleArn]] = ageTargets;

  const roleList = [...roles.values()];
  return {
    where,
    roles: roleList,
    secrets,
    keys,
    functionPolicies,
    ageFunctionArn,
    ageFunctionRoleArn: functionRoleArn(ageFunctionArn),
    ageScheduleArn,
    roleArnOf,
    roleByArn(arn: string) {
      const role = roles.get(arn);
      if (!role) throw new Error(`no role ${arn} in the template (roles: ${roleList.map((r) => r.name).join(', ')})`);
      return role;
    },
  };
}

/** A role of the stack found by its trust policy: the one role every given principal (and no other) may assume. */
export function roleTrusting(inventory: PolicyInventory, principals: readonly string[]): RoleInventory {
  const wanted = JSON.stringify([...principals].sort());
  const trusted = (trust: PolicyDocument) =>
    trust.Statement.flatMap((s) => Object.values((s.Principal ?? {}) as Record<string, string | string[]>).flat()).sort();
  const matches = inventory.roles.filter((r) => r.trust && JSON.stringify(trusted(r.trust)) === wanted);
  if (matches.length !== 1) throw new Error(`expected one role trusting exactly ${principals.join(', ')}, found ${matches.length}`);
  return matches[0];
}

/** Deterministic stand-in for a KMS key id (a UUID), from the key's logical id. */
function fakeKeyId(logicalId: string): string {
  const h = createHash('sha256').update(logicalId).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Resolves CloudFormation intrinsics to the concrete values a deployed stack would have (names are stand-ins). */
export function resolver(resources: Record<string, CfnResource>, where: Where) {
  const { account, region, partition } = where;
  const pseudo: Record<string, string> = {
    'AWS::AccountId': account,
    'AWS::Region': region,
    'AWS::Partition': partition,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': where.stackName,
    'AWS::StackId': `arn:${partition}:cloudformation:${region}:${account}:stack/${where.stackName}/00000000-0000-0000-0000-000000000000`,
    'AWS::NoValue': '',
  };
  const resourceOf = (id: string): CfnResource => {
    const r = resources[id];
    if (!r) throw new Error(`reference to ${id}, which is not a resource of the template`);
    return r;
  };
  const nameOf = (id: string, prop: string): string => {
    const given = resourceOf(id).Properties?.[prop];
    return given !== undefined ? resolve(given) : `${where.stackName}-${id}`;
  };

  function ref(id: string): string {
    if (id in pseudo) return pseudo[id];
    const r = resourceOf(id);
    switch (r.Type) {
      case 'AWS::SecretsManager::Secret':
        return `arn:${partition}:secretsmanager:${region}:${account}:secret:${nameOf(id, 'Name')}-AbCdEf`;
      case 'AWS::IAM::Role':
        return nameOf(id, 'RoleName');
      case 'AWS::IAM::ManagedPolicy':
        return `arn:${partition}:iam::${account}:policy/${nameOf(id, 'ManagedPolicyName')}`;
      case 'AWS::KMS::Key':
        return fakeKeyId(id);
      case 'AWS::Lambda::Function':
        return nameOf(id, 'FunctionName');
      case 'AWS::Logs::LogGroup':
        return nameOf(id, 'LogGroupName');
      case 'AWS::S3::Bucket':
        return nameOf(id, 'BucketName').toLowerCase();
      case 'AWS::SNS::Topic':
        return `arn:${partition}:sns:${region}:${account}:${nameOf(id, 'TopicName')}`;
      default:
        return `${id}-physical-id`;
    }
  }

  function getAtt(id: string, attribute: string): string {
    const r = resourceOf(id);
    if (attribute !== 'Arn') return `${id}.${attribute}`;
    switch (r.Type) {
      case 'AWS::IAM::Role':
        return `arn:${partition}:iam::${account}:role/${ref(id)}`;
      case 'AWS::KMS::Key':
        return `arn:${partition}:kms:${region}:${account}:key/${ref(id)}`;
      case 'AWS::Lambda::Function':
        return `arn:${partition}:lambda:${region}:${account}:function:${ref(id)}`;
      case 'AWS::Logs::LogGroup':
        return `arn:${partition}:logs:${region}:${account}:log-group:${ref(id)}:*`;
      case 'AWS::S3::Bucket':
        return `arn:${partition}:s3:::${ref(id)}`;
      case 'AWS::Events::Rule':
        return `arn:${partition}:events:${region}:${account}:rule/${nameOf(id, 'Name')}`;
      default: {
        const service = r.Type.split('::')[1].toLowerCase();
        return `arn:${partition}:${service}:${region}:${account}:${r.Type.split('::')[2].toLowerCase()}/${id}`;
      }
    }
  }

  function sub(template: string, variables: Record<string, unknown>): string {
    return template.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
      if (name in variables) return String(resolve(variables[name]));
      const [id, attribute] = name.split('.');
      return attribute ? getAtt(id, attribute) : ref(id);
    });
  }

  function resolve(value: any): any {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [k] = keys;
      const v = value[k];
      if (k === 'Ref') return ref(v);
      if (k === 'Fn::GetAtt') return getAtt(...((typeof v === 'string' ? v.split('.') : v) as [string, string]));
      if (k === 'Fn::Join') return (resolve(v[1]) as unknown[]).join(v[0]);
      if (k === 'Fn::Sub') return typeof v === 'string' ? sub(v, {}) : sub(v[0], v[1]);
      if (k === 'Fn::Select') return resolve(v[1])[Number(resolve(v[0]))];
      if (k.startsWith('Fn::')) throw new Error(`cannot resolve ${k} in a policy (${JSON.stringify(value).slice(0, 200)})`);
    }
    return Object.fromEntries(keys.map((k) => [k, resolve(value[k])]));
  }

  return resolve;
}
