import { CATALOG } from '../../contracts';
import { SECRET_WRITE_ACTIONS } from '../../lib/secrets';
import { resourcesOf, sorted, statement, synthAll } from '../support/synth';

const { results } = synthAll();

describe.each(results.map((r) => [r.config.envName, r] as const))('secrets of %s', (envName, { config, template, stack }) => {
  const secrets = resourcesOf(template, 'AWS::SecretsManager::Secret');
  const policies = resourcesOf(template, 'AWS::SecretsManager::ResourcePolicy');
  const secretsKeyId = resourcesOf(template, 'AWS::KMS::Alias').find(([, a]) => a.Properties.AliasName.endsWith('/secrets'))![1].Properties.TargetKeyId['Fn::GetAtt'][0];
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

  it.each(CATALOG.map((e) => [e.name, e] as const))('%s: only readers, its rotator and break-glass read; only its rotator, break-glass and deploy write', (name, entry) => {
    const [secretLogicalId] = secrets.find(([, s]) => s.Properties.Name === `${config.appName}/${envName}/${name}`)!;
    const [, policy] = policies.find(([, p]) => p.Properties.SecretId.Ref === secretLogicalId)!;
    const statements = policy.Properties.ResourcePolicy.Statement;
    expect(statements).toHaveLength(2);
    const rotatorRoles: Record<string, string> = { database: 'DatabaseRotation', redis: 'RedisRotation', 'key-ring': 'KeyRingRotation' };
    const rotatorRole = entry.rotator ? rotatorRoles[entry.rotator] : undefined;
    const rotator = rotatorRole ? [{ 'Fn::GetAtt': [roleId(`${rotatorRole}RotatorRole`), 'Arn'] }] : [];
    const read = statement(statements, 'DenyReadExceptReadersRotatorAndBreakGlass');
    expect(read).toEqual({
      Sid: 'DenyReadExceptReadersRotatorAndBreakGlass',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'secretsmanager:GetSecretValue',
      Resource: '*',
      Condition: {
        ArnNotLike: {
          'aws:PrincipalArn': [{ 'Fn::GetAtt': [roleId('AccessApplicationRole'), 'Arn'] }, ...config.additionalReaderRoleArns, ...rotator, config.breakGlassRoleArn],
        },
      },
    });
    const write = statement(statements, 'DenyWriteExceptRotatorBreakGlassAndDeploy');
    expect(sorted(write.Action)).toEqual(sorted(SECRET_WRITE_ACTIONS));
    expect(write.Effect).toBe('Deny');
    expect(write.Principal).toEqual({ AWS: '*' });
    expect(write.Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': [...rotator, config.breakGlassRoleArn, config.deployRoleArn] } });
    // The auditor role is never a reader.
    expect(JSON.stringify(read)).not.toContain(roleId('AccessAuditorRole'));
  });

  it('prod stacks have termination protection, others do not', () => {
    expect(stack.terminationProtection).toBe(envName === 'prod');
  });
});
