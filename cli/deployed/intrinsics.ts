/**
 * Resolves the CloudFormation intrinsics a deployed template's policies use (Ref, Fn::GetAtt …Arn, Fn::Join,
 * Fn::Sub, Fn::Select, pseudo parameters) to the concrete values CloudFormation gave them, from the stack's
 * resources (ListStackResources). Anything else is reported as unresolvable, never guessed.
 */

export interface StackResource {
  type: string;
  physicalId: string;
  /** The resource's template properties (RoleName, Path, …). */
  properties: Record<string, unknown>;
}

export interface StackFacts {
  partition: string;
  region: string;
  account: string;
  stackName: string;
  urlSuffix: string;
  resources: ReadonlyMap<string, StackResource>;
}

export class UnresolvableError extends Error {
  constructor(what: string) {
    super(`cannot resolve ${what} from the stack's resources`);
    this.name = 'UnresolvableError';
  }
}

export function resolveIntrinsics(value: unknown, facts: StackFacts): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, facts));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [fn, arg] = entries[0]!;
    switch (fn) {
      case 'Ref':
        return ref(String(arg), facts);
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? arg.map(String) : String(arg).split(/\.(.*)/);
        return getAtt(id!, attr!, facts);
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown];
        return (resolveIntrinsics(parts, facts) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        return (resolveIntrinsics(list, facts) as unknown[])[Number(resolveIntrinsics(index, facts))];
      }
      case 'Fn::Sub':
        return sub(arg, facts);
    }
    if (fn.startsWith('Fn::') || fn === 'Condition') throw new UnresolvableError(fn);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, facts)]));
}

function ref(name: string, facts: StackFacts): string {
  const pseudo: Record<string, string> = {
    'AWS::Partition': facts.partition,
    'AWS::Region': facts.region,
    'AWS::AccountId': facts.account,
    'AWS::StackName': facts.stackName,
    'AWS::URLSuffix': facts.urlSuffix,
  };
  if (name in pseudo) return pseudo[name]!;
  const resource = facts.resources.get(name);
  if (!resource) throw new UnresolvableError(`Ref ${name}`);
  // For the resource types a policy names (secrets, roles, topics, keys), Ref is the physical id.
  return resource.physicalId;
}

function getAtt(id: string, attr: string, facts: StackFacts): string {
  const r = facts.resources.get(id);
  if (!r || attr !== 'Arn') throw new UnresolvableError(`Fn::GetAtt ${id}.${attr}`);
  const { partition: p, region, account } = facts;
  switch (r.type) {
    case 'AWS::IAM::Role': {
      const path = typeof r.properties.Path === 'string' ? r.properties.Path : '/';
      return `arn:${p}:iam::${account}:role${path}${r.physicalId}`;
    }
    case 'AWS::Lambda::Function':
      return `arn:${p}:lambda:${region}:${account}:function:${r.physicalId}`;
    case 'AWS::KMS::Key':
      return `arn:${p}:kms:${region}:${account}:key/${r.physicalId}`;
    case 'AWS::Logs::LogGroup':
      return `arn:${p}:logs:${region}:${account}:log-group:${r.physicalId}:*`;
    case 'AWS::SNS::Topic':
    case 'AWS::SecretsManager::Secret':
      return r.physicalId;
  }
  throw new UnresolvableError(`Fn::GetAtt ${id}.Arn of a ${r.type}`);
}

function sub(arg: unknown, facts: StackFacts): string {
  const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
  const bound = Object.fromEntries(Object.entries(vars ?? {}).map(([k, v]) => [k, String(resolveIntrinsics(v, facts))]));
  return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    if (name in bound) return bound[name]!;
    const [id, attr] = name.split(/\.(.*)/);
    return attr ? getAtt(id!, attr, facts) : ref(id!, facts);
  });
}
