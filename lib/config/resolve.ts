import { DefaultStackSynthesizer, Fn, RemovalPolicy, type Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { ARN_PLACEHOLDERS, BOOTSTRAP_DEPLOY_ROLE } from './placeholders';
import { ConfigError } from './validate';
import type { EnvironmentConfig, NetworkConfig } from './types';

/**
 * Where a stack of this config deploys: no account means an environment-agnostic stack (any account and region,
 * ARNs from pseudo parameters); otherwise the configured account and region, with termination protection as set.
 */
export function stackPlacement(config: {
  readonly account?: string;
  readonly region?: string;
  readonly terminationProtection: boolean;
}): Pick<StackProps, 'env' | 'terminationProtection'> {
  return { env: config.account ? { account: config.account, region: config.region } : undefined, terminationProtection: config.terminationProtection };
}

/** How the stateful resources and logs of a stack outlive it: the config's removalPolicy and logRetentionDays as CDK values. */
export interface Retention {
  /** What CloudFormation does with the stateful resources (keys, secrets, log groups) on deletion: `retain` keeps them. */
  readonly removalPolicy: RemovalPolicy;
  /** How long the log groups keep events (logRetentionDays, validated as one of CloudWatch Logs' periods). */
  readonly logRetention: logs.RetentionDays;
}

/** The retention of an environment or account baseline config. */
export function retentionOf(config: { readonly removalPolicy: 'retain' | 'destroy'; readonly logRetentionDays: number }): Retention {
  return {
    removalPolicy: config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    logRetention: config.logRetentionDays as logs.RetentionDays,
  };
}

/**
 * The config as one stack deploys it: every `${AWS::…}` placeholder replaced by the stack's partition, region
 * and account (CloudFormation pseudo parameters in an environment-agnostic stack, the configured values
 * otherwise), and the bootstrap deploy role taken from the stack's synthesizer. The only place that resolves
 * placeholders: every construct receives the resolved config.
 */
export function resolveEnvironment(config: EnvironmentConfig, stack: Stack): EnvironmentConfig {
  const deployRoleArn = resolveDeployRole(config.deployRoleArn, config.envName, stack);
  return resolvePlaceholders({ ...config, deployRoleArn }, stack);
}

/** A deploy role of config: BOOTSTRAP_DEPLOY_ROLE becomes the stack's bootstrap role (placeholders left for resolvePlaceholders). */
export function resolveDeployRole(deployRoleArn: string, owner: string, stack: Stack): string {
  return deployRoleArn === BOOTSTRAP_DEPLOY_ROLE ? bootstrapDeployRole(owner, stack) : deployRoleArn;
}

/** Every string in a value with the ARN placeholders replaced by the stack's (tokens where the stack is agnostic). */
export function resolvePlaceholders<T>(value: T, stack: Stack): T {
  const values: Record<(typeof ARN_PLACEHOLDERS)[number], string> = {
    '${AWS::Partition}': stack.partition,
    '${AWS::Region}': stack.region,
    '${AWS::AccountId}': stack.account,
  };
  const resolve = (v: unknown): unknown => {
    if (typeof v === 'string') return ARN_PLACEHOLDERS.reduce((s, p) => s.split(p).join(values[p]), v);
    if (Array.isArray(v)) return v.map(resolve);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
    return v;
  };
  return resolve(value) as T;
}

function bootstrapDeployRole(owner: string, stack: Stack): string {
  const synthesizer = stack.synthesizer;
  if (!(synthesizer instanceof DefaultStackSynthesizer)) {
    throw new ConfigError(owner, [
      `deployRoleArn: is left out, but stack ${stack.stackName} has no bootstrap CloudFormation execution role (its synthesizer is ${synthesizer.constructor.name}); name the role CloudFormation deploys with`,
    ]);
  }
  // Placeholders left in it (the agnostic stack's `${AWS::AccountId}`) are resolved with the rest of the config.
  return synthesizer.cloudFormationExecutionRoleArn;
}

/** CloudFormation's own list of the region's zones, for code that asks a zone name of a subnet in an agnostic stack. */
export function zonePlaceholders(count: number): string[] {
  return Array.from({ length: count }, (_, i) => Fn.select(i, Fn.getAzs()));
}

/**
 * The functions' network: the `network` block, or the deprecated fields under `database`. Zones, when config leaves
 * them out, are CloudFormation's list of the region's zones (Fn::GetAZs): ec2.Vpc.fromVpcAttributes wants one per
 * subnet, and nothing the stack renders reads them (test/infra/agnostic-env.test.ts pins that).
 */
export function networkOf(config: EnvironmentConfig): Omit<NetworkConfig, 'availabilityZones'> & { availabilityZones: string[] } {
  const db = config.database;
  const n: NetworkConfig = config.network ?? {
    vpcId: db.vpcId ?? '',
    availabilityZones: db.availabilityZones,
    privateSubnetIds: db.privateSubnetIds ?? [],
    endpoints: { secretsManager: db.secretsManagerEndpoint ?? { mode: 'create' } },
  };
  return { ...n, availabilityZones: n.availabilityZones ?? zonePlaceholders(n.privateSubnetIds.length) };
}
