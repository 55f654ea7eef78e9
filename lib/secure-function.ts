import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as path from 'node:path';
import { Construct } from 'constructs';
import { METRICS_ENV } from '../contracts';
import { EnvironmentConfig, metricsNamespace } from './config';
import type { FunctionNetwork } from './network';

export const PROJECT_ROOT = path.join(__dirname, '..');

export interface SecureFunctionProps {
  config: EnvironmentConfig;
  /** Entry file relative to the project root, e.g. `lambdas/database/index.ts`. */
  entry: string;
  /** Short name, used in the function's service name and description. */
  name: string;
  description: string;
  timeout: Duration;
  memorySize?: number;
  network: FunctionNetwork;
  opsKey: kms.IKey;
  statements: iam.PolicyStatement[];
  environment?: Record<string, string>;
}

/**
 * A Lambda function the way every function of this stack must be: latest Node.js runtime, AWS SDK clients bundled
 * (not the runtime's copy), its own encrypted log group with retention, an explicit role with one customer-managed
 * policy and exactly the given statements, inside the VPC, with reserved concurrency when config asks for it.
 */
export class SecureFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly timeout: Duration;
  private readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: SecureFunctionProps) {
    super(scope, id);
    const { config } = props;
    this.timeout = props.timeout;
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: config.logRetentionDays as logs.RetentionDays,
      encryptionKey: props.opsKey,
      removalPolicy: config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${config.appName} ${config.envName} ${props.name} function`,
    });
    const policy = (this.policy = new iam.ManagedPolicy(this, 'Policy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn, `${this.logGroup.logGroupArn}:log-stream:*`],
        }),
        new iam.PolicyStatement({
          sid: 'VpcNetworkInterfaces',
          actions: [
            'ec2:AssignPrivateIpAddresses',
            'ec2:CreateNetworkInterface',
            'ec2:DeleteNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
        ...props.statements,
      ],
    }));
    this.acknowledgeFindings();
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
      reservedConcurrentExecutions: config.reservedConcurrency,
      environment: {
        [METRICS_ENV.namespace]: metricsNamespace(config),
        [METRICS_ENV.environment]: config.envName,
        [METRICS_ENV.app]: config.appName,
        POWERTOOLS_SERVICE_NAME: `${config.appName}-${props.name}`,
        ...props.environment,
      },
      bundling: {
        minify: true,
        sourceMap: false,
        target: 'node24',
        format: OutputFormat.CJS,
        // Everything is bundled, the AWS SDK included; pg-native is pg's optional native binding, never loaded here.
        externalModules: ['pg-native'],
      },
    });
    // The role's policy (ENI and log permissions) must exist before Lambda creates the function in the VPC. The role
    // itself is ordered by the function's GetAtt; the CDK's own DependsOn on it is redundant (cfn-lint W3005), so the
    // function's DependsOn is exactly the policy.
    const cfnFunction = this.fn.node.defaultChild as lambda.CfnFunction;
    cfnFunction.addOverride('DependsOn', [Stack.of(this).getLogicalId(policy.node.defaultChild as iam.CfnManagedPolicy)]);
    if (config.reservedConcurrency === undefined) {
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

  /** Acknowledges one wildcard resource of an extra statement, with the reason AWS forces it. */
  acknowledgeWildcard(_action: string, reason: string): void {
    Validations.of(this.policy).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason });
  }

  private acknowledgeFindings(): void {
    const logGroupRef = Stack.of(this).resolve(this.logGroup.logGroupArn) as { 'Fn::GetAtt': [string, string] };
    Validations.of(this.policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logGroupRef['Fn::GetAtt'][0]}.Arn>:log-stream:*]`,
      reason: 'Lambda names its log streams at run time; the wildcard is limited to the streams of this function\'s own log group.',
    });
    Validations.of(this.policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Lambda needs the EC2 network-interface actions to attach the function to the VPC; ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets have no resource-level permissions (this is the statement of AWSLambdaVPCAccessExecutionRole, kept out of an AWS-managed policy).',
    });
  }
}
