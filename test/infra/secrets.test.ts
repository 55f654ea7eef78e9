import { CATALOG } from '../../contracts';
import { resourcesOf, synthAll } from '../support/synth';

const { results } = synthAll();

// dev is environment-agnostic: its ARNs are joined from CloudFormation's pseudo parameters, and its deploy role is
// the CDK bootstrap's CloudFormation execution role of the account and region it is deployed to.
const PARTITION = { Ref: 'AWS::Partition' };
const ACCOUNT = { Ref: 'AWS::AccountId' };
const PRINCIPALS: Record<string, { deploy: unknown; breakGlass: unknown; additionalReaders: unknown[] }> = {
  dev: {
    deploy: { 'Fn::Join': ['', ['arn:', PARTITION, ':iam::', ACCOUNT, ':role/cdk-hnb659fds-cfn-exec-role-', ACCOUNT, '-', { Ref: 'AWS::Region' }]] },
    breakGlass: { 'Fn::Join': ['', ['arn:', PARTITION, ':iam::', ACCOUNT, ':role/gaara-store-break-glass']] },
    additionalReaders: [],
  },
  staging: {
    deploy: 'arn:aws:iam::222222222222:role/cdk-hnb659fds-cfn-exec-role-222222222222-eu-west-1',
    breakGlass: 'arn:aws:iam::222222222222:role/gaara-store-break-glass',
    additionalReaders: [],
  },
  prod: {
    deploy: 'arn:aws:iam::333333333333:role/cdk-hnb659fds-cfn-exec-role-333333333333-eu-west-1',
    breakGlass: 'arn:aws:iam::333333333333:role/gaara-store-break-glass',
    additionalReaders: ['arn:aws:iam::333333333333:role/gaara-store-prod-ecs-task-execution'],
  },
};

describe.each(results.map((r) => [r.config.envName, r] as const))('secrets of %s', (envName, { config, template, stack }) => {
  const secrets = resourcesOf(template, 'AWS::SecretsManager::Secret');
  const policies = resourcesOf(template, 'AWS::SecretsManager::ResourcePolicy');
  const secretsKeyId = resourcesOf(template, 'AWS::KMS::Alias').find(([, a]) => a.Properties.AliasName.endsWith('/secrets'))![1].Properties.TargetKeyId[
    'Fn::GetAtt'
  ][0];
  const roleId = (prefix: string) => Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.startsWith(prefix))!;

  it('has the seven secrets named <app>/<env>/<name>', () => {
    expect(secrets.map(([, s]) => s.Properties.Name).sort()).toEqual(CATALOG.map((e) => `${config.appName}/${envName}/${e.name}`).sort());
  });

  it.each(CATALOG.map((e) => [e.name, e] as const))('%s: on the secrets key, tagged, described, placeholder initial value', (name, entry) => {
    const [, secret] = secrets.find(([, s]) => s.Properties.Name === `${config.appName}/${envName}/${name}`)!;
    expect(secret.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [secretsKeyId, 'Arn'] });
    const tags = Object.fromEntries(secret.Properties.Tags.map((t: { Key: string; Value: string }) => [t.Key, t.Value]));
    expect(tags).toMatchObject({ app: config.appName, env: envName, owner: config.owner, 'secret-kind': entry.kind });
    expect(tags.rotation).toMatch(entry.rotator ? /^automatic-\d+d$/ : /^manual-max-age-\d+d$/);
    expect(secret.Properties.Description.length).toBeGreaterThan(30);
    const initial = JSON.parse(secret.Properties.SecretString);
    expect(initial.placeholder).toBe(true);
    expect(Object.keys(initial)).not.toContain('password');
    expect(secret.Properties.GenerateSecretString).toBeUndefined();
    expect(secret.DeletionPolicy).toBe(config.removalPolicy === 'retain' ? 'Retain' : 'Delete');
  });

  it('every secret has one resource policy that blocks public policies', () => {
    expect(policies).toHaveLength(7);
    for (const [, p] of policies) expect(p.Properties.BlockPublicPolicy).toBe(true);
  });

  it.each(CATALOG.map((e) => [e.name, e] as const))(
    '%s: only readers, its rotator and break-glass read; every change is denied but to the principals that need it',
    (name, entry) => {
      const [secretLogicalId] = secrets.find(([, s]) => s.Properties.Name === `${config.appName}/${envName}/${name}`)!;
      const [, policy] = policies.find(([, p]) => p.Properties.SecretId.Ref === secretLogicalId)!;
      const statements = policy.Properties.ResourcePolicy.Statement;
      const rotatorRoles: Record<string, string> = { database: 'DatabaseRotation', redis: 'RedisRotation', 'key-ring': 'KeyRingRotation' };
      const rotatorRole = entry.rotator ? rotatorRoles[entry.rotator] : undefined;
      const rotator = rotatorRole ? [{ 'Fn::GetAtt': [roleId(`${rotatorRole}RotatorRole`), 'Arn'] }] : [];
      const exceptFor = (...arns: unknown[]) => ({ ArnNotLike: { 'aws:PrincipalArn': arns } });
      const deny = { Effect: 'Deny', Principal: { AWS: '*' }, Resource: '*' };
      const { deploy, breakGlass, additionalReaders } = PRINCIPALS[envName];
      expect(statements).toEqual([
        {
          Sid: 'DenyReadExceptReadersRotatorAndBreakGlass',
          ...deny,
          Action: 'secretsmanager:GetSecretValue',
          Condition: {
            ArnNotLike: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [roleId('AccessApplicationRole'), 'Arn'] }, ...additionalReaders, ...rotator, breakGlass] },
          },
        },
        {
          Sid: 'DenyValueWritesExceptRotatorAndBreakGlass',
          ...deny,
          Action: ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
          Condition: exceptFor(...rotator, breakGlass),
        },
        {
          Sid: 'DenyRotationControlExceptDeployAndBreakGlass',
          ...deny,
          Action: ['secretsmanager:CancelRotateSecret', 'secretsmanager:RotateSecret'],
          Condition: exceptFor(deploy, breakGlass, { 'Fn::GetAtt': [roleId('AccessOperatorRole'), 'Arn'] }),
        },
        {
          Sid: 'DenyDefinitionChangesExceptDeploy',
          ...deny,
          Action: [
            'secretsmanager:DeleteResourcePolicy',
            'secretsmanager:DeleteSecret',
            'secretsmanager:PutResourcePolicy',
            'secretsmanager:TagResource',
            'secretsmanager:UntagResource',
            'secretsmanager:UpdateSecret',
          ],
          Condition: exceptFor(deploy),
        },
        { Sid: 'DenyRestoreExceptBreakGlass', ...deny, Action: 'secretsmanager:RestoreSecret', Condition: exceptFor(breakGlass) },
        {
          Sid: 'DenyReplicationToEveryone',
          ...deny,
          Action: ['secretsmanager:RemoveRegionsFromReplication', 'secretsmanager:ReplicateSecretToRegions', 'secretsmanager:StopReplicationToReplica'],
        },
      ]);
      // The auditor role is never a reader or a writer.
      expect(JSON.stringify(statements)).not.toContain(roleId('AccessAuditorRole'));
    },
  );

  it('every mutating Secrets Manager action on a secret is in some deny statement (from the service authorization reference)', () => {
    // Write and permissions-management actions of Secrets Manager that apply to an existing secret
    // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html).
    // CreateSecret names a secret that does not exist yet, and GetRandomPassword/ValidateResourcePolicy change nothing.
    const mutating = [
      'secretsmanager:CancelRotateSecret',
      'secretsmanager:DeleteResourcePolicy',
      'secretsmanager:DeleteSecret',
      'secretsmanager:PutResourcePolicy',
      'secretsmanager:PutSecretValue',
      'secretsmanager:RemoveRegionsFromReplication',
      'secretsmanager:ReplicateSecretToRegions',
      'secretsmanager:RestoreSecret',
      'secretsmanager:RotateSecret',
      'secretsmanager:StopReplicationToReplica',
      'secretsmanager:TagResource',
      'secretsmanager:UntagResource',
      'secretsmanager:UpdateSecret',
      'secretsmanager:UpdateSecretVersionStage',
    ];
    for (const [, p] of policies) {
      const denied = p.Properties.ResourcePolicy.Statement.filter((st: { Effect: string }) => st.Effect === 'Deny').flatMap(
        (st: { Action: string | string[] }) => [st.Action].flat(),
      );
      expect(mutating.filter((a) => !denied.includes(a))).toEqual([]);
    }
  });

  it('prod stacks have termination protection, others do not', () => {
    expect(stack.terminationProtection).toBe(envName === 'prod');
  });
});
