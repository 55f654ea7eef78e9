import { Annotations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from './config';

/**
 * Where the functions run: the database's VPC (imported from config, no lookup), one security group for the
 * functions, and interface endpoints for the AWS APIs they call (Secrets Manager always; RDS, ElastiCache and
 * KMS only when the configuration makes a function call them).
 */
export class FunctionNetwork extends Construct {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly functionSecurityGroup: ec2.SecurityGroup;
  readonly endpointSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: { config: EnvironmentConfig }) {
    super(scope, id);
    const { config } = props;
    const db = config.database;
    this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: db.vpcId,
      availabilityZones: db.availabilityZones,
      privateSubnetIds: db.privateSubnetIds,
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
    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: `${config.appName} ${config.envName} interface endpoints used by the functions`,
      allowAllOutbound: false,
    });
    this.functionSecurityGroup.connections.allowTo(this.endpointSecurityGroup, ec2.Port.tcp(443), 'HTTPS to AWS API endpoints');

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

    if (db.secretsManagerEndpoint.mode === 'create') this.endpoint('SecretsManagerEndpoint', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER);
    if (db.dbInstanceIdentifier || db.dbClusterIdentifier) this.endpoint('RdsEndpoint', ec2.InterfaceVpcEndpointAwsService.RDS);
    if (config.redis.elastiCacheUserId) this.endpoint('ElastiCacheEndpoint', ec2.InterfaceVpcEndpointAwsService.ELASTICACHE);
    if (config.fipsKeyMaterial) this.endpoint('KmsEndpoint', ec2.InterfaceVpcEndpointAwsService.KMS);
  }

  private endpoint(id: string, service: ec2.InterfaceVpcEndpointAwsService): ec2.InterfaceVpcEndpoint {
    return new ec2.InterfaceVpcEndpoint(this, id, {
      vpc: this.vpc,
      service,
      subnets: this.subnets,
      privateDnsEnabled: true,
      securityGroups: [this.endpointSecurityGroup],
      open: false,
    });
  }
}
