import { KEY_ADMIN_ACTIONS, KEY_PROTECTED_ACTIONS } from '../../lib/keys';
import { resourcesOf, sorted, statement, synthAll } from '../support/synth';

const { results } = synthAll();

describe.each(results.map((r) => [r.config.envName, r] as const))('KMS keys of %s', (envName, { config, template, stack }) => {
  const keys = resourcesOf(template, 'AWS::KMS::Key');
  const aliases = resourcesOf(template, 'AWS::KMS::Alias');
  const region = stack.resolve(stack.region);
  const account = stack.resolve(stack.account);
  const keyByAlias = (purpose: string) => {
    const alias = aliases.find(([, a]) => a.Properties.AliasName === `alias/${config.appName}/${envName}/${purpose}`);
    expect(alias).toBeDefined();
    const logicalId = alias![1].Properties.TargetKeyId['Fn::GetAtt'][0];
    return keys.find(([id]) => id === logicalId)![1];
  };

  it('has exactly three keys, one per purpose, each behind its alias', () => {
    expect(keys).toHaveLength(3);
    for (const purpose of ['secrets', 'data', 'ops']) expect(keyByAlias(purpose)).toBeDefined();
  });

  it.each(['secrets', 'data', 'ops'])('%s key: rotation on, 30-day deletion window, retained in prod', (purpose) => {
    const key = keyByAlias(purpose);
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.PendingWindowInDays).toBe(30);
    expect(key.DeletionPolicy).toBe(config.removalPolicy === 'retain' ? 'Retain' : 'Delete');
  });

  it.each(['secrets', 'data', 'ops'])('%s key: administration separated from use, protected actions denied to all others', (purpose) => {
    const statements = keyByAlias(purpose).Properties.KeyPolicy.Statement;
    const admins = [...config.keyAdminRoleArns, config.deployRoleArn];
    const admin = statement(statements, 'KeyAdministration');
    expect(sorted(admin.Action)).toEqual(sorted(KEY_ADMIN_ACTIONS));
    expect([admin.Principal.AWS].flat().sort()).toEqual([...admins].sort());
    for (const action of admin.Action) expect(action).not.toMatch(/Decrypt|Encrypt|GenerateDataKey|ReEncrypt|\*/);
    const deny = statement(statements, 'DenyProtectedActionsToAllButKeyAdministrators');
    expect({ ...deny, Action: sorted(deny.Action) }).toEqual({
      Sid: 'DenyProtectedActionsToAllButKeyAdministrators',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: sorted(KEY_PROTECTED_ACTIONS),
      Resource: '*',
      Condition: { ArnNotLike: { 'aws:PrincipalArn': admins } },
    });
    expect(statement(statements, 'DenyDeletionWindowShorterThan30Days').Condition).toEqual({
      NumericLessThan: { 'kms:ScheduleKeyDeletionPendingWindowInDays': 30 },
    });
    expect(sorted(statement(statements, 'AuditorsReadKeyMetadata').Action)).toEqual(['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags']);
    // No statement hands the account root kms:* (which would delegate every key action to IAM).
    for (const s of statements) expect(s.Action).not.toEqual('kms:*');
  });

  it('secrets key: usable only through Secrets Manager, only for this environment\'s secrets', () => {
    const statements = keyByAlias('secrets').Properties.KeyPolicy.Statement;
    expect(statements.map((s: { Sid: string }) => s.Sid)).toEqual([
      'KeyAdministration',
      'DenyProtectedActionsToAllButKeyAdministrators',
      'DenyDeletionWindowShorterThan30Days',
      'AuditorsReadKeyMetadata',
      'UseOnlyViaSecretsManagerForThisEnvironment',
    ]);
    const use = statement(statements, 'UseOnlyViaSecretsManagerForThisEnvironment');
    expect(sorted(use.Action)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(use.Condition.StringEquals['kms:ViaService']).toEqual(
      typeof region === 'string' ? `secretsmanager.${region}.amazonaws.com` : { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
    );
    expect(use.Condition.StringEquals['kms:CallerAccount']).toEqual(account);
    const arnPattern = JSON.stringify(use.Condition.StringLike['kms:EncryptionContext:SecretARN']);
    expect(arnPattern).toContain(`:secret:${config.appName}/${envName}/*`);
  });

  it('data key: only the application role and break-glass, only with this app\'s encryption context', () => {
    const statements = keyByAlias('data').Properties.KeyPolicy.Statement;
    const use = statement(statements, 'FieldEncryptionByTheApplicationOnly');
    expect(sorted(use.Action)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(use.Principal.AWS).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^AccessApplicationRole/), 'Arn'] }, config.breakGlassRoleArn]);
    expect(use.Condition).toEqual({
      'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['app', 'env', 'purpose'] },
      StringEquals: {
        'kms:EncryptionContext:app': config.appName,
        'kms:EncryptionContext:env': envName,
        'kms:EncryptionContext:purpose': 'field-encryption',
      },
    });
    expect(statements.filter((s: { Effect: string }) => s.Effect === 'Allow').map((s: { Sid: string }) => s.Sid)).toEqual([
      'KeyAdministration',
      'AuditorsReadKeyMetadata',
      'FieldEncryptionByTheApplicationOnly',
    ]);
  });

  // EventBridge does not support source conditions when it publishes to an encrypted topic (AWS docs): the one exception.
  it('ops key: only service principals use it, each with a source condition but EventBridge', () => {
    const statements = keyByAlias('ops').Properties.KeyPolicy.Statement;
    const uses = statements.filter((s: { Sid: string }) => !['KeyAdministration', 'DenyProtectedActionsToAllButKeyAdministrators', 'DenyDeletionWindowShorterThan30Days', 'AuditorsReadKeyMetadata'].includes(s.Sid));
    expect(uses.length).toBeGreaterThanOrEqual(2);
    for (const use of uses) {
      expect(use.Effect).toBe('Allow');
      expect(JSON.stringify(use.Principal)).toContain('Service');
      if (use.Principal.Service !== 'events.amazonaws.com') expect(use.Condition).toBeDefined();
    }
    const services = uses.flatMap((u: { Principal: { Service: unknown } }) => [u.Principal.Service].flat()).map((s: unknown) => JSON.stringify(s));
    for (const service of ['logs.', 'cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      expect(services.some((s: string) => s.includes(service))).toBe(true);
    }
  });
});
