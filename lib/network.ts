import { Annotations, CfnOutput } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { endpointsInUse, networkOf, type EndpointAccess, type EnvironmentConfig } from './config';

const SERVICES = {
  secretsManager: { id: 'SecretsManagerEndpoint', service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER, name: 'Secrets Manager' },
  kms: { id: 'KmsEndpoint', service: ec2.InterfaceVpcEndpointAwsService.KMS, name: 'KMS' },
  rds: { id: 'RdsEndpoint', service: ec2.InterfaceVpcEndpointAwsService.RDS, name: 'RDS API' },
  elastiCache: { id: 'ElastiCacheEndpoint', service: ec2.InterfaceVpcEndpointAwsService.ELASTICACHE, name: 'ElastiCache API' },
} as const;

/**
 * Where the functions run: the database's VPC (imported from config, no lookup), one security group for the
 * functions, and for each AWS API they call (Secrets Manager always; RDS, ElastiCache and KMS only when the
 * configuration makes a function call them) the path config asks for, with exactly the egress rule it needs:
 * - `create`: an interface endpoint with private DNS behind the stack's endpoint security group; egress to that group;
 * - `existing`: the VPC's own endpoint; egress to its security group, CIDR or prefix list;
 * - `none`: the public API through NAT; egress 443 to anywhere (the only rule with 0.0.0.0/0).
 * The rotation schedules depend on this whole construct (lib/rotation-function.ts), so a rotation at deploy never
 * runs before its path to AWS exists.
 */
export class FunctionNetwork extends Construct {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly functionSecurityGroup: ec2.SecurityGroup;
  /** Only when some endpoint is created by this stack. */
  readonly endpointSecurityGroup?: ec2.SecurityGroup;
  readonly endpoints: ec2.InterfaceVpcEndpoint[] = [];

  constructor(scope: Construct, id: string, props: { config: EnvironmentConfig }) {
    super(scope, id);
    const { config } = props;
    const db = config.database;
    const network = networkOf(config);
    this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: network.vpcId,
      availabilityZones: network.availabilityZones,
      privateSubnetIds: network.privateSubnetIds,
    });
    this.subnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    Annotations.of(this.vpc).acknowledgeWarning(
      '@aws-cdk/aws-ec2:noSubnetRouteTableId',
      'The functions and endpoints only place network interfaces in these subnets; no route table is read or changed.',
    );

    this.functionSecurityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: `${config.appName} ${config.envName} rotation and secret-age functions`,
      allowAllOutbound: false,
    });
    new CfnOutput(this, 'FunctionSecurityGroupId', {
      description: 'Security group of the functions: an existing endpoint\'s, the database\'s and the cache\'s security groups must admit it',
      value: this.functionSecurityGroup.securityGroupId,
    });

    const inUse = endpointsInUse(config);
    if (inUse.some((e) => e.access.mode === 'create')) {
      this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc: this.vpc,
        description: `${config.appName} ${config.envName} interface endpoints used by the functions`,
        allowAllOutbound: false,
      });
    }
    for (const { service, access } of inUse) this.reach(service, access);

    const databaseSg = ec2.SecurityGroup.fromSecurityGroupId(this, 'DatabaseSecurityGroup', db.securityGroupId, {
      mutable: db.addIngressRule,
      allowAllOutbound: false,
    });
    this.functionSecurityGroup.connections.allowTo(databaseSg, ec2.Port.tcp(db.port), 'Database rotator to the database');
    const cacheSg = ec2.SecurityGroup.fromSecurityGroupId(this, 'CacheSecurityGroup', config.redis.securityGroupId, {
      mutable: db.addIngressRule,
      allowAllOutbound: false,
    });
    this.functionSecurityGroup.connections.allowTo(cacheSg, ec2.Port.tcp(config.redis.port), 'Redis rotator to the cache');
  }

  private reach(key: keyof typeof SERVICES, access: EndpointAccess): void {
    const { id, service, name } = SERVICES[key];
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
