import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as path from 'node:path';
import { Construct } from 'constructs';
import { METRICS_ENV } from '../../contracts';
import { functionLogGroupName, type FunctionKind } from '../../contracts/function-names';
import type { FunctionNetwork } from './network';
import { wildcardFinding } from '../nag';

export const PROJECT_ROOT = path.join(__dirname, '..', '..');

/** What the four functions of an environment share: who they are, where they run, how their logs are kept. */
export interface FunctionSettings {
  /** The application: log group names, service names and the functions' APP_NAME. */
  readonly appName: string;
  /** The environment: log group names and the functions' APP_ENVIRONMENT (the metrics' Environment dimension). */
  readonly envName: string;
  /** The functions' METRICS_NAMESPACE. */
  readonly metricsNamespace: string;
  /** How long the log groups keep events. */
  readonly logRetention: logs.RetentionDays;
  /** What happens to the log groups when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Reserved concurrency of each function.
   * @default - none (acknowledged for cdk-nag: reservations can fail deploys in accounts with a small quota)
   */
  readonly reservedConcurrency?: number;
  /** The VPC, subnets and security group the functions run in. */
  readonly network: FunctionNetwork;
  /** Encrypts the log groups. */
  readonly opsKey: kms.IKey;
}

/** A statement on `*`, allowed only with the reason AWS forces it (it is acknowledged for cdk-nag with that reason). */
export interface UnscopedStatement {
  readonly sid: string;
  readonly actions: string[];
  /** Why the actions cannot be scoped to a resource. */
  readonly reason: string;
}

export interface SecureFunctionProps extends FunctionSettings {
  /** Which function: names its log group (`/<app>/<env>/functions/<kind>`). */
  readonly kind: FunctionKind;
  /** Short name, used in the function's service name and its role's description. */
  readonly name: string;
  /** Bundle entry relative to the project root, chosen by each function's construct (its static `entry`). */
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** The statements of its role's policy besides its own logs and the VPC network interfaces. */
  readonly statements: iam.PolicyStatement[];
  /**
   * Statements on `*` besides the VPC network interfaces.
   * @default - none
   */
  readonly unscopedStatements?: UnscopedStatement[];
  /**
   * Variables besides the metrics identity (METRICS_NAMESPACE, APP_ENVIRONMENT, APP_NAME) and the service name.
   * @default - none
   */
  readonly environment?: Record<string, string>;
}

const VPC_NETWORK_INTERFACES: UnscopedStatement = {
  sid: 'VpcNetworkInterfaces',
  actions: [
    'ec2:AssignPrivateIpAddresses',
    'ec2:CreateNetworkInterface',
    'ec2:DeleteNetworkInterface',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DescribeSubnets',
    'ec2:UnassignPrivateIpAddresses',
  ],
  reason:
    'Lambda needs the EC2 network-interface actions to attach the function to the VPC; ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets have no resource-level permissions (this is the statement of AWSLambdaVPCAccessExecutionRole, kept out of an AWS-managed policy).',
};

function onAnyResource(u: UnscopedStatement): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid: u.sid, actions: u.actions, resources: ['*'] });
}

/**
 * A Lambda function the way every function of this stack must be: latest Node.js runtime, AWS SDK clients bundled
 * (not the runtime's copy), its own encrypted log group with a fixed name and retention, an explicit role with one
 * customer-managed policy and exactly the given statements, inside the VPC, with reserved concurrency when asked.
 */
export class SecureFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly timeout: Duration;
  /** The bundle entry, relative to the project root. */
  readonly entry: string;

  constructor(scope: Construct, id: string, props: SecureFunctionProps) {
    super(scope, id);
    this.timeout = props.timeout;
    this.entry = props.entry;
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: functionLogGroupName(props.appName, props.envName, props.kind),
      retention: props.logRetention,
      encryptionKey: props.opsKey,
      removalPolicy: props.removalPolicy,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.appName} ${props.envName} ${props.name} function`,
    });
    const unscoped = [VPC_NETWORK_INTERFACES, ...(props.unscopedStatements ?? [])];
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn, `${this.logGroup.logGroupArn}:log-stream:*`],
        }),
        onAnyResource(VPC_NETWORK_INTERFACES),
        ...props.statements,
        ...(props.unscopedStatements ?? []).map(onAnyResource),
      ],
    });
    this.acknowledgeFindings(policy, unscoped);
    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout,
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      vpc: props.network.vpc,
      vpcSubnets: props.network.subnets,
      securityGroups: [props.network.functionSecurityGroup],
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: {
        [METRICS_ENV.namespace]: props.metricsNamespace,
        [METRICS_ENV.environment]: props.envName,
        [METRICS_ENV.app]: props.appName,
        POWERTOOLS_SERVICE_NAME: `${props.appName}-${props.name}`,
        ...props.environment,
      },
      bundling: {
        minify: true,
        sourceMap: false,
        target: 'node24',
        format: OutputFormat.CJS,
        // Everything is bundled, the AWS SDK included; pg-native is pg's optional native binding, never loaded here.
        externalModules: ['pg-native'],
        // The packages' ES module builds first: the AWS SDK is then tree-shaken to the commands used instead of
        // bundled whole from its CommonJS build (bench/functions-bundle.ts: about half the require time).
        mainFields: ['module', 'main'],
      },
    });
    // The role's policy (ENI and log permissions) must exist before Lambda creates the function in the VPC. The role
    // itself is ordered by the function's GetAtt; the CDK's own DependsOn on it is redundant (cfn-lint W3005), so the
    // function's DependsOn is exactly the policy.
    const cfnFunction = this.fn.node.defaultChild as lambda.CfnFunction;
    cfnFunction.addOverride('DependsOn', [Stack.of(this).getLogicalId(policy.node.defaultChild as iam.CfnManagedPolicy)]);
    if (props.reservedConcurrency === undefined) {
      Validations.of(this.fn).acknowledge({
        id: 'NIST.800.53.R5-LambdaConcurrency',
        reason:
          'Reserved concurrency is opt-in (config reservedConcurrency): reserving it for the four functions of every environment fails deploys in accounts with a small concurrency quota (Lambda keeps 100 unreserved). Rotations run one at a time per secret and the age check hourly, so the functions cannot starve others; their Throttles alarms show contention.',
      });
    }
    Validations.of(this.fn).acknowledge({
      id: 'NIST.800.53.R5-LambdaDLQ',
      reason:
        'Rotators are invoked synchronously by Secrets Manager, which retries and records RotationFailed (alarmed); the hourly secret-age run recomputes every figure, and its failures raise the Errors alarm. A dead-letter queue would hold nothing to replay.',
    });
  }

  private acknowledgeFindings(policy: iam.ManagedPolicy, unscoped: UnscopedStatement[]): void {
    Validations.of(policy).acknowledge({
      id: wildcardFinding(this, `${this.logGroup.logGroupArn}:log-stream:*`),
      reason: "Lambda names its log streams at run time; the wildcard is limited to the streams of this function's own log group.",
    });
    // cdk-nag reports every statement on `*` of a policy as one finding: one acknowledgement names each statement.
    Validations.of(policy).acknowledge({
      id: wildcardFinding(this, '*'),
      reason: unscoped.map((u) => `${u.sid} (${u.actions.join(', ')}): ${u.reason}`).join(' '),
    });
  }
}
