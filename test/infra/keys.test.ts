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

  // The ops key is retained everywhere: it encrypts the retained audit trail files.
  const retained: Record<string, Record<string, string>> = {
    dev: { secrets: 'Delete', data: 'Delete', ops: 'Retain' },
    staging: { secrets: 'Delete', data: 'Delete', ops: 'Retain' },
    prod: { secrets: 'Retain', data: 'Retain', ops: 'Retain' },
  };
  it.each(['secrets', 'data', 'ops'])('%s key: rotation on, 30-day deletion window, retained in prod (ops everywhere)', (purpose) => {
    const key = keyByAlias(purpose);
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.PendingWindowInDays).toBe(30);
    expect(key.DeletionPolicy).toBe(retained[envName][purpose]);
  });

  const accountOf: Record<string, string> = { dev: '111111111111', staging: '222222222222', prod: '333333333333' };
  it.each(['secrets', 'data', 'ops'])('%s key: administration separated from use, protected actions denied to all others', (purpose) => {
    const statements = keyByAlias(purpose).Properties.KeyPolicy.Statement;
    const admins = [`arn:aws:iam::${accountOf[envName]}:role/gaara-store-key-admin`, `arn:aws:iam::${accountOf[envName]}:role/cdk-hnb659fds-cfn-exec-role-${accountOf[envName]}-eu-west-1`];
    const admin = statement(statements, 'KeyAdministration');
    expect(sorted(admin.Action)).toEqual([
      'kms:CancelKeyDeletion',
      'kms:CreateAlias',
      'kms:DeleteAlias',
      'kms:DescribeKey',
      'kms:DisableKey',
      'kms:EnableKey',
      'kms:EnableKeyRotation',
      'kms:GetKeyPolicy',
      'kms:GetKeyRotationStatus',
      'kms:ListGrants',
      'kms:ListResourceTags',
      'kms:PutKeyPolicy',
      'kms:RevokeGrant',
      'kms:ScheduleKeyDeletion',
      'kms:TagResource',
      'kms:UntagResource',
      'kms:UpdateAlias',
      'kms:UpdateKeyDescription',
    ]);
    expect(admin.Principal).toEqual({ AWS: `arn:aws:iam::${accountOf[envName]}:role/gaara-store-key-admin` });
    for (const action of admin.Action) expect(action).not.toMatch(/Decrypt|Encrypt|GenerateDataKey|ReEncrypt|\*/);
    // CloudFormation manages the key; cancelling a deletion and grants are for the key administrators only.
    const deploy = statement(statements, 'KeyManagementByTheDeployRole');
    expect(deploy.Principal).toEqual({ AWS: `arn:aws:iam::${accountOf[envName]}:role/cdk-hnb659fds-cfn-exec-role-${accountOf[envName]}-eu-west-1` });
    expect(sorted(deploy.Action)).toEqual([
      'kms:CreateAlias',
      'kms:DeleteAlias',
      'kms:DescribeKey',
      'kms:DisableKey',
      'kms:EnableKey',
      'kms:EnableKeyRotation',
      'kms:GetKeyPolicy',
      'kms:GetKeyRotationStatus',
      'kms:ListResourceTags',
      'kms:PutKeyPolicy',
      'kms:ScheduleKeyDeletion',
      'kms:TagResource',
      'kms:UntagResource',
      'kms:UpdateAlias',
      'kms:UpdateKeyDescription',
    ]);
    const deny = statement(statements, 'DenyProtectedActionsToAllButKeyAdministrators');
    expect({ ...deny, Action: sorted(deny.Action) }).toEqual({
      Sid: 'DenyProtectedActionsToAllButKeyAdministrators',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['kms:DisableKey', 'kms:DisableKeyRotation', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'],
      Resource: '*',
      Condition: { ArnNotLike: { 'aws:PrincipalArn': admins } },
    });
    expect(statement(statements, 'DenyDeletionWindowShorterThan30Days').Condition).toEqual({
      NumericLessThan: { 'kms:ScheduleKeyDeletionPendingWindowInDays': 30 },
    });
    expect(sorted(statement(statements, 'AuditorsReadKeyMetadata').Action)).toEqual(['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListGrants', 'kms:ListResourceTags']);
    // No statement hands the account root kms:* (which would delegate every key action to IAM).
    for (const s of statements) expect(s.Action).not.toEqual('kms:*');
  });

  it('secrets key: usable only through Secrets Manager, only for this environment\'s secrets', () => {
    const statements = keyByAlias('secrets').Properties.KeyPolicy.Statement;
    expect(statements.map((s: { Sid: string }) => s.Sid)).toEqual([
      'KeyAdministration',
      'KeyManagementByTheDeployRole',
      'DenyProtectedActionsToAllButKeyAdministrators',
      'DenyDeletionWindowShorterThan30Days',
      'AuditorsReadKeyMetadata',
      'OperatorsDescribeKey',
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
      'KeyManagementByTheDeployRole',
      'AuditorsReadKeyMetadata',
      'OperatorsDescribeKey',
      'FieldEncryptionByTheApplicationOnly',
    ]);
  });

  // EventBridge does not support source conditions when it publishes to an encrypted topic (AWS docs): the one exception.
  it('ops key: the auditor decrypts only CloudTrail log files of this account\'s trails', () => {
    const statements = keyByAlias('ops').Properties.KeyPolicy.Statement;
    const arnPrefix = {
      dev: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:*:', { Ref: 'AWS::AccountId' }, ':trail/*']] },
      staging: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:*:222222222222:trail/*']] },
      prod: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:*:333333333333:trail/*']] },
    }[envName];
    expect(statement(statements, 'TrailLogFileDecryptByAuditors')).toEqual({
      Sid: 'TrailLogFileDecryptByAuditors',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^AccessAuditorRole[0-9A-F]{8}$/), 'Arn'] } },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:CallerAccount': account },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': arnPrefix },
      },
    });
  });

  it('ops key: only service principals use it, each with a source condition but EventBridge', () => {
    const statements = keyByAlias('ops').Properties.KeyPolicy.Statement;
    const uses = statements.filter((s: { Sid: string }) => !['KeyAdministration', 'KeyManagementByTheDeployRole', 'DenyProtectedActionsToAllButKeyAdministrators', 'DenyDeletionWindowShorterThan30Days', 'AuditorsReadKeyMetadata', 'OperatorsDescribeKey', 'TrailLogFileDecryptByAuditors'].includes(s.Sid));
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
