/**
 * Issue #10 item 8: the environment-agnostic dev stack deploys to whatever account and region it is given. Its ARNs
 * are built from CloudFormation pseudo parameters (config placeholders resolved once, lib/config/resolve.ts), its
 * deploy role is the bootstrap's CloudFormation execution role, and no zone name or literal account id is left in
 * the template.
 */
import { ENVIRONMENTS, validateEnvironment, type EnvironmentConfig } from '../../lib/config';
import { resourcesOf, synthAll } from '../support/synth';

const dev = ENVIRONMENTS.find((e) => e.envName === 'dev') as EnvironmentConfig;
const { results } = synthAll([dev]);
const [{ template }] = results;
const json = JSON.stringify(template.toJSON());
const pseudo = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });
const PARTITION = { Ref: 'AWS::Partition' };
const ACCOUNT = { Ref: 'AWS::AccountId' };
const REGION = { Ref: 'AWS::Region' };
const problems = (c: Partial<EnvironmentConfig>): string[] => {
  try {
    validateEnvironment({ ...dev, ...c } as EnvironmentConfig);
    return [];
  } catch (e) {
    return (e as { problems: string[] }).problems;
  }
};

describe('the environment-agnostic dev template', () => {
  it('holds no literal account id and no availability zone name', () => {
    expect(json).not.toMatch(/\b\d{12}\b/);
    expect(json).not.toMatch(/"[a-z]{2}-[a-z]+-\d[a-z]"/);
    expect(json).not.toContain('Fn::GetAZs');
    // Unresolved config placeholders would be literal text; the CDK's own Fn::Sub (asset bucket) resolves them.
    expect(json.replace(/"Fn::Sub":"[^"]*"/g, '')).not.toContain('${AWS::');
  });

  it('lets the bootstrap CloudFormation execution role of the account and region it is deployed to manage the keys', () => {
    const deployRole = pseudo('arn:', PARTITION, ':iam::', ACCOUNT, ':role/cdk-hnb659fds-cfn-exec-role-', ACCOUNT, '-', REGION);
    const keys = resourcesOf(template, 'AWS::KMS::Key');
    expect(keys).toHaveLength(3);
    for (const [, key] of keys) {
      const statements = key.Properties.KeyPolicy.Statement as { Sid: string; Principal?: unknown; Condition?: any }[];
      expect(statements.find((s) => s.Sid === 'KeyManagementByTheDeployRole')?.Principal).toEqual({ AWS: deployRole });
      expect(statements.find((s) => s.Sid === 'KeyAdministration')?.Principal).toEqual({
        AWS: pseudo('arn:', PARTITION, ':iam::', ACCOUNT, ':role/gaara-store-key-admin'),
      });
      expect(statements.find((s) => s.Sid === 'DenyProtectedActionsToAllButKeyAdministrators')?.Condition.ArnNotLike['aws:PrincipalArn']).toEqual([
        pseudo('arn:', PARTITION, ':iam::', ACCOUNT, ':role/gaara-store-key-admin'),
        deployRole,
      ]);
    }
  });

  it('builds the break-glass, auditor and Redis admin ARNs from the pseudo parameters', () => {
    const [, data] = resourcesOf(template, 'AWS::KMS::Key').find(([id]) => id.startsWith('KeysDataKey'))!;
    const use = data.Properties.KeyPolicy.Statement.find((s: { Sid: string }) => s.Sid === 'FieldEncryptionByTheApplicationOnly');
    expect(use.Principal.AWS[1]).toEqual(pseudo('arn:', PARTITION, ':iam::', ACCOUNT, ':role/gaara-store-break-glass'));
    const auditor = resourcesOf(template, 'AWS::IAM::Role').find(([id]) => id.startsWith('AccessAuditorRole'))!;
    expect(auditor[1].Properties.AssumeRolePolicyDocument.Statement[0].Principal.AWS).toEqual(
      pseudo('arn:', PARTITION, ':iam::', ACCOUNT, ':role/gaara-store-security-auditor'),
    );
    expect(json).toContain(JSON.stringify(pseudo('arn:', PARTITION, ':secretsmanager:', REGION, ':', ACCOUNT, ':secret:gaara-store/dev/admin/redis-AbCdEf')));
  });
});

describe('config of an environment-agnostic stack', () => {
  it('refuses a literal account id, naming environment and field, unless listed in crossAccountArns', () => {
    const literal = 'arn:aws:iam::111111111111:role/gaara-store-break-glass';
    expect(problems({ breakGlassRoleArn: literal })).toEqual([
      'breakGlassRoleArn: names account 111111111111, but this environment is environment-agnostic (no account): write ${AWS::AccountId} for the account it is deployed to, or list the ARN in crossAccountArns if another account is meant',
    ]);
    expect(() => validateEnvironment({ ...dev, breakGlassRoleArn: literal })).toThrow('Invalid configuration for environment "dev"');
    expect(problems({ breakGlassRoleArn: literal, crossAccountArns: [literal] })).toEqual([]);
  });

  it('refuses availability zone names (they pin a region) and a placeholder other than partition, region and account', () => {
    expect(problems({ network: { ...dev.network!, availabilityZones: ['eu-west-1a', 'eu-west-1b'] } })).toEqual([
      'network.availabilityZones: must be left out in an environment-agnostic stack (a zone name pins a region); the functions need only the subnet ids',
    ]);
    expect(problems({ breakGlassRoleArn: 'arn:aws:iam::${AWS::StackName}:role/x' })).toEqual(['breakGlassRoleArn: must be an IAM role ARN']);
  });

  it('where the account is set, checks zones against the region and accepts ${AWS::AccountId} as this account', () => {
    const staging = ENVIRONMENTS.find((e) => e.envName === 'staging') as EnvironmentConfig;
    const zones = (availabilityZones: string[]) => ({ ...staging, network: { ...staging.network!, availabilityZones } });
    expect(() => validateEnvironment(zones(['eu-west-1a', 'eu-west-1b']))).not.toThrow();
    expect(() => validateEnvironment(zones(['us-east-1a', 'eu-west-1b']))).toThrow(
      'network.availabilityZones[0]: must be a zone of eu-west-1 (such as eu-west-1a)',
    );
    expect(() => validateEnvironment({ ...staging, breakGlassRoleArn: 'arn:aws:iam::${AWS::AccountId}:role/gaara-store-break-glass' })).not.toThrow();
  });
});
