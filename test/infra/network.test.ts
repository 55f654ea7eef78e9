/**
 * How the functions reach each AWS API (issue #10 item 1): per endpoint `create`, `existing` (its security group, a
 * CIDR or a prefix list) or `none` (NAT), each with exactly the egress rule it needs, in the synthesized template.
 */
import { ENVIRONMENTS, validateEnvironment, type EndpointAccess, type EnvironmentConfig } from '../../lib/config';
import { nagPacks } from '../../lib/nag';
import { resourcesOf, synthAll } from '../support/synth';

const staging = ENVIRONMENTS.find((e) => e.envName === 'staging')!;
const prod = ENVIRONMENTS.find((e) => e.envName === 'prod')!;

function withEndpoints(base: EnvironmentConfig, endpoints: Record<string, EndpointAccess>, extra: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  return { ...base, ...extra, network: { ...base.network!, endpoints: { ...base.network!.endpoints, ...endpoints } } };
}

function synth(config: EnvironmentConfig) {
  const { app, results } = synthAll([config]);
  const { template } = results[0];
  const sgs = resourcesOf(template, 'AWS::EC2::SecurityGroup');
  const [fnSgId, fnSg] = sgs.find(([id]) => id.startsWith('NetworkFunctionSecurityGroup'))!;
  const endpointSg = sgs.find(([id]) => id.startsWith('NetworkEndpointSecurityGroup'));
  /** Every egress rule of the functions' group: inline and separate resources, as plain objects. */
  const egress = [
    ...(fnSg.Properties.SecurityGroupEgress ?? []),
    ...resourcesOf(template, 'AWS::EC2::SecurityGroupEgress')
      .filter(([, e]) => e.Properties.GroupId['Fn::GetAtt']?.[0] === fnSgId)
      .map(([, e]) => {
        const { GroupId: _g, ...rest } = e.Properties;
        return rest;
      }),
  ];
  const endpoints = resourcesOf(template, 'AWS::EC2::VPCEndpoint').map(([, e]) => e.Properties);
  const findings = () => nagPacks().flatMap((p) => p.validateScope(app).violations.map((v) => v.ruleName));
  return { template, fnSgId, endpointSgId: endpointSg?.[0], egress, endpoints, findings };
}

const https = { IpProtocol: 'tcp', FromPort: 443, ToPort: 443 };
const toDatabaseAndCache = [
  { Description: 'Database rotator to the database', DestinationSecurityGroupId: 'sg-0a1b2c3d4e5f60003', FromPort: 5432, IpProtocol: 'tcp', ToPort: 5432 },
  { Description: 'Redis rotator to the cache', DestinationSecurityGroupId: 'sg-0a1b2c3d4e5f60004', FromPort: 6379, IpProtocol: 'tcp', ToPort: 6379 },
];
const canonical = (o: object) => JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))));
const sortRules = (rules: object[]) => [...rules].sort((a, b) => canonical(a).localeCompare(canonical(b)));

describe('Secrets Manager endpoint modes (staging)', () => {
  it("create: an interface endpoint with private DNS behind the stack's endpoint group, egress 443 to that group only", () => {
    const s = synth(staging);
    expect(s.endpoints).toEqual([
      expect.objectContaining({
        ServiceName: 'com.amazonaws.eu-west-1.secretsmanager',
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        VpcId: 'vpc-0a1b2c3d4e5f60718',
        SubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
        SecurityGroupIds: [{ 'Fn::GetAtt': [s.endpointSgId, 'GroupId'] }],
      }),
    ]);
    expect(sortRules(s.egress)).toEqual(
      sortRules([
        ...toDatabaseAndCache,
        { Description: 'HTTPS to the interface endpoints of this stack', DestinationSecurityGroupId: { 'Fn::GetAtt': [s.endpointSgId, 'GroupId'] }, ...https },
      ]),
    );
    expect(s.findings()).toEqual([]);
  });

  it("existing by security group: no endpoint, no endpoint group, egress 443 to the existing endpoint's group", () => {
    const s = synth(withEndpoints(staging, { secretsManager: { mode: 'existing', securityGroupId: 'sg-0123456789abcdef0' } }));
    expect(s.endpoints).toEqual([]);
    expect(s.endpointSgId).toBeUndefined();
    expect(sortRules(s.egress)).toEqual(
      sortRules([
        ...toDatabaseAndCache,
        { Description: 'HTTPS to the existing Secrets Manager endpoint', DestinationSecurityGroupId: 'sg-0123456789abcdef0', ...https },
      ]),
    );
    // The existing endpoint's group is not changed by this stack (its owner admits the functions' group).
    expect(resourcesOf(s.template, 'AWS::EC2::SecurityGroupIngress')).toEqual([]);
    expect(s.findings()).toEqual([]);
  });

  it('existing by CIDR: egress 443 to that CIDR', () => {
    const s = synth(withEndpoints(staging, { secretsManager: { mode: 'existing', cidr: '10.20.0.0/16' } }));
    expect(s.endpoints).toEqual([]);
    expect(sortRules(s.egress)).toEqual(
      sortRules([...toDatabaseAndCache, { CidrIp: '10.20.0.0/16', Description: 'HTTPS to the existing Secrets Manager endpoint', ...https }]),
    );
    expect(s.findings()).toEqual([]);
  });

  it('existing by prefix list: egress 443 to that prefix list', () => {
    const s = synth(withEndpoints(staging, { secretsManager: { mode: 'existing', prefixListId: 'pl-0123456789abcdef0' } }));
    expect(sortRules(s.egress)).toEqual(
      sortRules([
        ...toDatabaseAndCache,
        { DestinationPrefixListId: 'pl-0123456789abcdef0', Description: 'HTTPS to the existing Secrets Manager endpoint', ...https },
      ]),
    );
    expect(s.findings()).toEqual([]);
  });

  it("none: no endpoint, egress 443 to anywhere (through the subnets' NAT gateway)", () => {
    const s = synth(withEndpoints(staging, { secretsManager: { mode: 'none' } }));
    expect(s.endpoints).toEqual([]);
    expect(s.endpointSgId).toBeUndefined();
    expect(sortRules(s.egress)).toEqual(
      sortRules([...toDatabaseAndCache, { CidrIp: '0.0.0.0/0', Description: 'HTTPS to AWS APIs through the NAT gateway (endpoints in mode none)', ...https }]),
    );
    expect(s.findings()).toEqual([]);
  });
});

describe('RDS API and KMS endpoints', () => {
  it('prod: the RDS API endpoint by default, created like the Secrets Manager one', () => {
    const s = synth(prod);
    expect(s.endpoints.map((e) => e.ServiceName).sort()).toEqual(['com.amazonaws.eu-west-1.rds', 'com.amazonaws.eu-west-1.secretsmanager']);
  });

  it('prod with existing endpoints: each reached through its own security group, nothing created', () => {
    const s = synth(
      withEndpoints(prod, {
        secretsManager: { mode: 'existing', securityGroupId: 'sg-0123456789abcdef0' },
        rds: { mode: 'existing', securityGroupId: 'sg-0fedcba9876543210' },
      }),
    );
    expect(s.endpoints).toEqual([]);
    expect(sortRules(s.egress)).toEqual(
      sortRules([
        ...toDatabaseAndCache,
        { Description: 'HTTPS to the existing Secrets Manager endpoint', DestinationSecurityGroupId: 'sg-0123456789abcdef0', ...https },
        { Description: 'HTTPS to the existing RDS API endpoint', DestinationSecurityGroupId: 'sg-0fedcba9876543210', ...https },
      ]),
    );
    expect(s.findings()).toEqual([]);
  });

  it('fipsKeyMaterial with KMS through NAT and Secrets Manager created: one endpoint, both egress rules', () => {
    const s = synth(withEndpoints(staging, { kms: { mode: 'none' } }, { fipsKeyMaterial: true }));
    expect(s.endpoints.map((e) => e.ServiceName)).toEqual(['com.amazonaws.eu-west-1.secretsmanager']);
    expect(sortRules(s.egress)).toEqual(
      sortRules([
        ...toDatabaseAndCache,
        { Description: 'HTTPS to the interface endpoints of this stack', DestinationSecurityGroupId: { 'Fn::GetAtt': [s.endpointSgId, 'GroupId'] }, ...https },
        { CidrIp: '0.0.0.0/0', Description: 'HTTPS to AWS APIs through the NAT gateway (endpoints in mode none)', ...https },
      ]),
    );
  });

  it('an endpoint for a service no function calls is not created (KMS without fipsKeyMaterial)', () => {
    const s = synth(withEndpoints(staging, { kms: { mode: 'create' } }));
    expect(s.endpoints.map((e) => e.ServiceName)).toEqual(['com.amazonaws.eu-west-1.secretsmanager']);
  });
});

describe('network config validation', () => {
  const problems = (c: EnvironmentConfig): string[] => {
    try {
      validateEnvironment(c);
      return [];
    } catch (e) {
      expect((e as Error).message).toContain('environment "staging"');
      return (e as { problems: string[] }).problems;
    }
  };

  it.each([
    [
      { mode: 'existing' },
      ["network.endpoints.secretsManager: existing needs exactly one of securityGroupId (the endpoint's security group), cidr or prefixListId (its addresses)"],
    ],
    [
      { mode: 'existing', securityGroupId: 'sg-0123456789abcdef0', cidr: '10.0.0.0/8' },
      ["network.endpoints.secretsManager: existing needs exactly one of securityGroupId (the endpoint's security group), cidr or prefixListId (its addresses)"],
    ],
    [{ mode: 'create', securityGroupId: 'sg-0123456789abcdef0' }, ['network.endpoints.secretsManager: securityGroupId only go with mode "existing"']],
    [{ mode: 'existing', cidr: '10.0.0.0/33' }, ['network.endpoints.secretsManager.cidr: must be an IPv4 CIDR such as 10.0.0.0/16']],
    [{ mode: 'existing', securityGroupId: 'default' }, ['network.endpoints.secretsManager.securityGroupId: must be a security group id (sg-...)']],
    [{ mode: 'existing', prefixListId: 'com.amazonaws.s3' }, ['network.endpoints.secretsManager.prefixListId: must be a prefix list id (pl-...)']],
    [{ mode: 'nat' }, ['network.endpoints.secretsManager.mode: must be "create", "existing" or "none"']],
  ])('refuses secretsManager %j', (access, expected) => {
    expect(problems(withEndpoints(staging, { secretsManager: access as EndpointAccess }))).toEqual(expected);
  });

  it('refuses an unknown endpoint name', () => {
    expect(problems(withEndpoints(staging, { sts: { mode: 'create' } }))).toEqual([
      'network.endpoints.sts: is not one of secretsManager, kms, rds, elastiCache',
    ]);
  });

  it('refuses network fields in both places, and a config with neither', () => {
    const both = { ...staging, database: { ...staging.database, vpcId: 'vpc-0a1b2c3d4e5f60718' } };
    expect(problems(both)).toContain('network: is set, so database.vpcId must be left out (moved to network)');
    const neither = { ...staging, network: undefined };
    expect(problems(neither)).toEqual(['network: is missing: give vpcId, privateSubnetIds and endpoints']);
  });

  it('still reads the deprecated fields under database when network is absent', () => {
    const { network, ...rest } = staging;
    const legacy: EnvironmentConfig = {
      ...rest,
      database: {
        ...staging.database,
        vpcId: network!.vpcId,
        availabilityZones: network!.availabilityZones,
        privateSubnetIds: network!.privateSubnetIds,
        secretsManagerEndpoint: { mode: 'none' },
      },
    };
    expect(problems(legacy)).toEqual([]);
    const s = synth(legacy);
    expect(s.endpoints).toEqual([]);
    expect(s.egress).toContainEqual({ CidrIp: '0.0.0.0/0', Description: 'HTTPS to AWS APIs through the NAT gateway (endpoints in mode none)', ...https });
  });
});
