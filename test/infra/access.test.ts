import { resourcesOf, sorted, statement, synthAll } from '../support/synth';

const { results } = synthAll();

describe.each(results.map((r) => [r.config.envName, r] as const))('roles and policies of %s', (envName, { config, template, stack }) => {
  const policies = resourcesOf(template, 'AWS::IAM::ManagedPolicy');
  const roles = resourcesOf(template, 'AWS::IAM::Role');
  // cdk.json's @aws-cdk/aws-iam:minimizePolicies lists a statement's resources sorted, as `cdk synth` deploys them.
  const secretRefs = resourcesOf(template, 'AWS::SecretsManager::Secret')
    .map(([id]) => id)
    .sort()
    .map((id) => ({ Ref: id }));
  const keyArn = (purpose: string) => {
    const alias = resourcesOf(template, 'AWS::KMS::Alias').find(([, a]) => a.Properties.AliasName.endsWith(`/${purpose}`))!;
    return { 'Fn::GetAtt': [alias[1].Properties.TargetKeyId['Fn::GetAtt'][0], 'Arn'] };
  };
  const policy = (prefix: string) => {
    const found = policies.find(([id]) => id.startsWith(prefix));
    if (!found) throw new Error(`no policy ${prefix}`);
    return found[1].Properties;
  };
  const roleRef = (prefix: string) => ({ Ref: roles.find(([id]) => id.startsWith(prefix))![0] });
  const region = stack.resolve(stack.region);

  it('uses no inline policies and no AWS-managed policies', () => {
    expect(resourcesOf(template, 'AWS::IAM::Policy')).toHaveLength(0);
    for (const [, role] of roles) {
      expect(role.Properties.Policies).toBeUndefined();
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('application role: assumed only by ECS tasks of this very account', () => {
    const trust = roles.find(([id]) => id.startsWith('AccessApplicationRole'))![1].Properties.AssumeRolePolicyDocument;
    const thisAccount: Record<string, unknown> = { dev: { Ref: 'AWS::AccountId' }, staging: '222222222222', prod: '333333333333' };
    expect(trust).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'ecs-tasks.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': thisAccount[envName] } },
        },
      ],
    });
  });

  it('application role: reads exactly its seven secrets, decrypts only through Secrets Manager', () => {
    const reader = policy('AccessPoliciesSecretReaderPolicy');
    expect(reader.Roles).toEqual([roleRef('AccessApplicationRole'), ...config.additionalReaderRoleArns.map((arn) => arn.split('/').pop())]);
    const statements = reader.PolicyDocument.Statement;
    expect(statements).toHaveLength(2);
    const read = statement(statements, 'ReadApplicationSecrets');
    expect(sorted(read.Action)).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    expect(read.Resource).toEqual(secretRefs);
    const decrypt = statement(statements, 'DecryptSecretsViaSecretsManager');
    expect(decrypt.Action).toBe('kms:Decrypt');
    expect(decrypt.Resource).toEqual(keyArn('secrets'));
    expect(decrypt.Condition.StringEquals['kms:ViaService']).toEqual(typeof region === 'string' ? `secretsmanager.${region}.amazonaws.com` : expect.anything());
  });

  it("application role: field encryption with the data key under this app's context, nothing else", () => {
    const fe = policy('AccessPoliciesFieldEncryptionPolicy');
    expect(fe.Roles).toEqual([roleRef('AccessApplicationRole')]);
    expect(fe.PolicyDocument.Statement).toEqual([
      {
        Sid: 'FieldEncryptionDataKeys',
        Effect: 'Allow',
        Action: expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey']),
        Resource: keyArn('data'),
        Condition: {
          'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['app', 'env', 'purpose'] },
          StringEquals: {
            'kms:EncryptionContext:app': config.appName,
            'kms:EncryptionContext:env': envName,
            'kms:EncryptionContext:purpose': 'field-encryption',
          },
        },
      },
    ]);
    expect(fe.PolicyDocument.Statement[0].Action).toHaveLength(2);
  });

  it('auditor role: describes and lists, reads key metadata, and is denied every value', () => {
    const auditor = policy('AccessPoliciesAuditorPolicy');
    expect(auditor.Roles).toEqual([roleRef('AccessAuditorRole')]);
    const statements = auditor.PolicyDocument.Statement;
    expect(statements.map((s: { Sid: string }) => s.Sid)).toEqual([
      'DescribeApplicationSecrets',
      'ListSecrets',
      'ReadKeyMetadata',
      'NeverReadValues',
      'DecryptOnlyTrailLogFiles',
    ]);
    expect(sorted(statement(statements, 'DescribeApplicationSecrets').Action)).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetResourcePolicy',
      'secretsmanager:ListSecretVersionIds',
    ]);
    expect(statement(statements, 'DescribeApplicationSecrets').Resource).toEqual(secretRefs);
    expect(statement(statements, 'ListSecrets')).toMatchObject({ Action: 'secretsmanager:ListSecrets', Resource: '*' });
    expect(statement(statements, 'ReadKeyMetadata').Resource).toEqual([keyArn('data'), keyArn('ops'), keyArn('secrets')]);
    expect(statement(statements, 'NeverReadValues')).toEqual({
      Sid: 'NeverReadValues',
      Effect: 'Deny',
      Action: ['kms:GenerateDataKey', 'secretsmanager:BatchGetSecretValue', 'secretsmanager:GetSecretValue'],
      Resource: '*',
    });
    // Decrypting is denied unless it carries CloudTrail's encryption context: trail log files only, never a secret.
    expect(statement(statements, 'DecryptOnlyTrailLogFiles')).toEqual({
      Sid: 'DecryptOnlyTrailLogFiles',
      Effect: 'Deny',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'true' } },
    });
    for (const s of statements.filter((x: { Effect: string }) => x.Effect === 'Allow')) {
      for (const a of [s.Action].flat()) expect(a).not.toMatch(/GetSecretValue|Decrypt|GenerateDataKey|\*/);
    }
  });

  it.each([
    ['DatabaseRotation', ['database-url']],
    ['RedisRotation', ['redis-password']],
    ['KeyRingRotation', ['secret-key', 'jwt-secret', 'encryption-key']],
  ])('%s role: exactly the rotation actions on exactly its secrets, the secrets key only via Secrets Manager for them', (prefix, names) => {
    const own = resourcesOf(template, 'AWS::SecretsManager::Secret')
      .filter(([, s]) => names.some((n) => s.Properties.Name === `${config.appName}/${envName}/${n}`))
      .map(([id]) => ({ Ref: id }));
    const statements = policy(`${prefix}RotatorPolicy`).PolicyDocument.Statement;
    const rotate = statement(statements, 'RotateOwnSecrets');
    expect(sorted(rotate.Action)).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecretVersionStage',
    ]);
    expect([rotate.Resource].flat()).toEqual([...own].sort((a, b) => a.Ref.localeCompare(b.Ref)));
    const kmsUse = statement(statements, 'SecretsKeyViaSecretsManagerForOwnSecrets');
    expect(sorted(kmsUse.Action)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(kmsUse.Resource).toEqual(keyArn('secrets'));
    expect(kmsUse.Condition['ForAnyValue:StringEquals']['kms:EncryptionContext:SecretARN']).toEqual(own);
    const logs = statement(statements, 'WriteOwnLogs');
    expect(sorted(logs.Action)).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(JSON.stringify(statements)).not.toContain('GetRandomPassword');
    expect(JSON.stringify(statements)).not.toMatch(/GenerateDataKey\*|ReEncrypt/);
  });

  it('database rotator reads the master credential only with alternating users, and checks only its own RDS instance', () => {
    const statements = policy('DatabaseRotationRotatorPolicy').PolicyDocument.Statement;
    const sids = statements.map((s: { Sid: string }) => s.Sid);
    if (config.database.masterSecretArn) {
      expect(statement(statements, 'ReadMasterCredential')).toMatchObject({
        Action: 'secretsmanager:GetSecretValue',
        Resource: config.database.masterSecretArn,
      });
    } else {
      expect(sids).not.toContain('ReadMasterCredential');
    }
    if (config.database.dbInstanceIdentifier) {
      expect(JSON.stringify(statement(statements, 'ConfirmDatabaseInstance').Resource)).toContain(`:db:${config.database.dbInstanceIdentifier}`);
    }
  });

  it('secret-age function reads metadata only (DescribeSecret, ListSecretVersionIds) on the seven secrets, never a value', () => {
    const statements = policy('SecretAgePolicy').PolicyDocument.Statement;
    expect(statement(statements, 'ReadVersionMetadataOnly')).toEqual({
      Sid: 'ReadVersionMetadataOnly',
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'],
      Resource: secretRefs,
    });
    expect(secretRefs).toHaveLength(7);
    expect(statements.map((s: { Sid: string }) => s.Sid)).toEqual(['WriteOwnLogs', 'VpcNetworkInterfaces', 'ReadVersionMetadataOnly']);
    expect(JSON.stringify(statements)).not.toMatch(/GetSecretValue|kms:Decrypt|secretsmanager:\*/);
  });
});

describe('admin secrets on their own customer-managed keys', () => {
  it('the rotator may decrypt them only through Secrets Manager and only for that secret', () => {
    const prod = results.find((r) => r.config.envName === 'prod')!.config;
    const keyArn = 'arn:aws:kms:eu-west-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const config = { ...prod, database: { ...prod.database, masterSecretKeyArn: keyArn } };
    const [{ template }] = synthAll([config]).results;
    const [, policy] = resourcesOf(template, 'AWS::IAM::ManagedPolicy').find(([id]) => id.startsWith('DatabaseRotationRotatorPolicy'))!;
    expect(statement(policy.Properties.PolicyDocument.Statement, 'DecryptMasterCredential')).toEqual({
      Sid: 'DecryptMasterCredential',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: keyArn,
      Condition: {
        StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' },
        StringLike: { 'kms:EncryptionContext:SecretARN': prod.database.masterSecretArn },
      },
    });
  });
});

describe('application role trust with role ARNs and service principals', () => {
  it('a role ARN is trusted as itself; a service principal only for calls on behalf of this account', () => {
    const staging = results.find((r) => r.config.envName === 'staging')!.config;
    const config = { ...staging, applicationTrustedPrincipals: ['arn:aws:iam::222222222222:role/gaara-store-staging-task', 'lambda.amazonaws.com'] };
    const [{ template }] = synthAll([config]).results;
    const [, role] = resourcesOf(template, 'AWS::IAM::Role').find(([id]) => id.startsWith('AccessApplicationRole'))!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:role/gaara-store-staging-task' } },
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'lambda.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': '222222222222' } },
      },
    ]);
  });
});
