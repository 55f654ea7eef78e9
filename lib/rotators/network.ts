import { Annotations, CfnOutput } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { EndpointAccess, NetworkConfig } from '../config';

/** The AWS APIs a function may call from the VPC, in the order the stack reaches them. */
export const AWS_APIS = ['secretsManager', 'kms', 'rds', 'elastiCache'] as const;
export type AwsApi = (typeof AWS_APIS)[number];

const SERVICES: Record<AwsApi, { id: string; service: ec2.InterfaceVpcEndpointAwsService; name: string }> = {
  secretsManager: { id: 'SecretsManagerEndpoint', service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER, name: 'Secrets Manager' },
  kms: { id: 'KmsEndpoint', service: ec2.InterfaceVpcEndpointAwsService.KMS, name: 'KMS' },
  rds: { id: 'RdsEndpoint', service: ec2.InterfaceVpcEndpointAwsService.RDS, name: 'RDS API' },
  elastiCache: { id: 'ElastiCacheEndpoint', service: ec2.InterfaceVpcEndpointAwsService.ELASTICACHE, name: 'ElastiCache API' },
};

export interface FunctionNetworkProps {
  /** Names the security groups' descriptions. */
  readonly appName: string;
  readonly envName: string;
  /** The VPC, imported from its ids (no lookup at synth). */
  readonly vpcId: string;
  /** One zone per subnet, in the same order. */
  readonly availabilityZones: string[];
  /** The private subnets the functions and endpoints use. */
  readonly privateSubnetIds: string[];
  /** How each AWS API is reached. */
  readonly endpoints: NetworkConfig['endpoints'];
  /**
   * The AWS APIs the functions call besides Secrets Manager, which every function calls. Each rotator construct
   * says which it needs (`DatabaseRotation.awsApis`, …).
   * @default - Secrets Manager only
   */
  readonly awsApis?: readonly AwsApi[];
}

/**
 * Where the functions run: the database's VPC (imported from config, no lookup), one security group for the
 * functions, and for each AWS API they call the path config asks for, with exactly the egress rule it needs:
 * - `create`: an interface endpoint with private DNS behind the stack's endpoint security group; egress to that group;
 * - `existing`: the VPC's own endpoint; egress to its security group, CIDR or prefix list;
 * - `none`: the public API through NAT; egress 443 to anywhere (the only rule with 0.0.0.0/0).
 * The rotators add their targets' rules (`allowTo`). The rotation schedules depend on this whole construct
 * (lib/rotators/rotation-function.ts), so a rotation at deploy never runs before its path to AWS exists.
 */
export class FunctionNetwork extends Construct {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly functionSecurityGroup: ec2.SecurityGroup;
  /** Only when some endpoint is created by this stack. */
  readonly endpointSecurityGroup?: ec2.SecurityGroup;
  readonly endpoints: ec2.InterfaceVpcEndpoint[] = [];

  constructor(scope: Construct, id: string, props: FunctionNetworkProps) {
    super(scope, id);
    this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: props.vpcId,
      availabilityZones: props.availabilityZones,
      privateSubnetIds: props.privateSubnetIds,
    });
    this.subnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    Annotations.of(this.vpc).acknowledgeWarning(
      '@aws-cdk/aws-ec2:noSubnetRouteTableId',
      'The functions and endpoints only place network interfaces in these subnets; no route table is read or changed.',
    );

    this.functionSecurityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: `${props.appName} ${props.envName} rotation and secret-age functions`,
      allowAllOutbound: false,
    });
    new CfnOutput(this, 'FunctionSecurityGroupId', {
      description: "Security group of the functions: an existing endpoint's, the database's and the cache's security groups must admit it",
      value: this.functionSecurityGroup.securityGroupId,
    });

    const wanted = new Set<AwsApi>(['secretsManager', ...(props.awsApis ?? [])]);
    const inUse = AWS_APIS.filter((api) => wanted.has(api)).map((api) => ({ api, access: props.endpoints[api] ?? { mode: 'create' as const } }));
    if (inUse.some((e) => e.access.mode === 'create')) {
      this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc: this.vpc,
        description: `${props.appName} ${props.envName} interface endpoints used by the functions`,
        allowAllOutbound: false,
      });
    }
    for (const { api, access } of inUse) this.reach(api, access);
  }

  /**
   * Lets the functions reach a target's existing security group on a port; with `admit`, also adds the ingress rule
   * to that group (otherwise its owner admits the functions' group, stack output FunctionSecurityGroupId).
   */
  allowTo(id: string, target: { securityGroupId: string; port: number; description: string; admit: boolean }): void {
    const group = ec2.SecurityGroup.fromSecurityGroupId(this, id, target.securityGroupId, { mutable: target.admit, allowAllOutbound: false });
    this.functionSecurityGroup.connections.allowTo(group, ec2.Port.tcp(target.port), target.description);
  }

  private reach(api: AwsApi, access: EndpointAccess): void {
    const { id, service, name } = SERVICES[api];
    const https = ec2.Port.tcp(443);
    switch (access.mode) {
      case 'create': {
        const sg = this.endpointSecurityGroup as ec2.SecurityGroup;
        this.functionSecurityGroup.connections.allowTo(sg, https, 'HTTPS to the interface endpoints of this stack');
        this.endpoints.push(
          new ec2.InterfaceVpcEndpoint(this, id, {
            vpc: this.vpc,
            service,
            subnets: this.subnets,
            privateDnsEnabled: true,
            securityGroups: [sg],
            open: false,
          }),
        );
        return;
      }
      case 'existing': {
        if (access.securityGroupId) {
          // Imported immutable: the endpoint's owner admits this stack's function security group (stack output).
          const sg = ec2.SecurityGroup.fromSecurityGroupId(this, `${id}SecurityGroup`, access.securityGroupId, { mutable: false, allowAllOutbound: false });
          this.functionSecurityGroup.connections.allowTo(sg, https, `HTTPS to the existing ${name} endpoint`);
        } else if (access.cidr) {
          this.functionSecurityGroup.addEgressRule(ec2.Peer.ipv4(access.cidr), https, `HTTPS to the existing ${name} endpoint`);
        } else if (access.prefixListId) {
          this.functionSecurityGroup.addEgressRule(ec2.Peer.prefixList(access.prefixListId), https, `HTTPS to the existing ${name} endpoint`);
        }
        return;
      }
      case 'none':
        this.functionSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), https, 'HTTPS to AWS APIs through the NAT gateway (endpoints in mode none)');
        return;
    }
  }
}
