import { ENVIRONMENTS, type EnvironmentConfig } from '../../lib/config';
import { resourcesOf, sorted, statement, synthAll } from '../support/synth';

const { results } = synthAll();

// dev is environment-agnostic: its ARNs are joined from CloudFormation's pseudo parameters.
const PARTITION = { Ref: 'AWS::Partition' };
const ACCOUNT = { Ref: 'AWS::AccountId' };
const REGION = { Ref: 'AWS::Region' };
const devRole = (name: string) => ({ 'Fn::Join': ['', ['arn:', PARTITION, ':iam::', ACCOUNT, `:role/${name}`]] });
const KEY_ADMIN: Record<string, unknown> = {
  dev: devRole('gaara-store-key-admin'),
  staging: 'arn:aws:iam::222222222222:role/gaara-store-key-admin',
  prod: 'arn:aws:iam::333333333333:role/gaara-store-key-admin',
};
// dev names no deploy role: the CDK bootstrap's CloudFormation execution role of the account and region it is deployed to.
const DEPLOY_ROLE: Record<string, unknown> = {
  dev: { 'Fn::Join': ['', ['arn:', PARTITION, ':iam::', ACCOUNT, ':role/cdk-hnb659fds-cfn-exec-role-', ACCOUNT, '-', REGION]] },
  staging: 'arn:aws:iam::222222222222:role/cdk-hnb659fds-cfn-exec-role-222222222222-eu-west-1',
  prod: 'arn:aws:iam::333333333333:role/cdk-hnb659fds-cfn-exec-role-333333333333-eu-west-1',
};
const BREAK_GLASS: Record<string, unknown> = {
  dev: devRole('gaara-store-break-glass'),
  staging: 'arn:aws:iam::222222222222:role/gaara-store-break-glass',
  prod: 'arn:aws:iam::333333333333:role/gaara-store-break-glass',
};

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

  it.each(['secrets', 'data', 'ops'])('%s key: administration separated from use, protected actions denied to all others', (purpose) => {
    const statements = keyByAlias(purpose).Properties.KeyPolicy.Statement;
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
    expect(admin.Principal).toEqual({ AWS: KEY_ADMIN[envName] });
    for (const action of admin.Action) expect(action).not.toMatch(/Decrypt|Encrypt|GenerateDataKey|ReEncrypt|\*/);
    // CloudFormation manages the key; cancelling a deletion and grants are for the key administrators only.
    const deploy = statement(statements, 'KeyManagementByTheDeployRole');
    expect(deploy.Principal).toEqual({ AWS: DEPLOY_ROLE[envName] });
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
      Condition: { ArnNotLike: { 'aws:PrincipalArn': [KEY_ADMIN[envName], DEPLOY_ROLE[envName]] } },
    });
    expect(statement(statements, 'DenyDeletionWindowShorterThan30Days').Condition).toEqual({
      NumericLessThan: { 'kms:ScheduleKeyDeletionPendingWindowInDays': 30 },
    });
    expect(sorted(statement(statements, 'AuditorsReadKeyMetadata').Action)).toEqual([
      'kms:DescribeKey',
      'kms:GetKeyPolicy',
      'kms:GetKeyRotationStatus',
      'kms:ListGrants',
      'kms:ListResourceTags',
    ]);
    // No statement hands the account root kms:* (which would delegate every key action to IAM).
    for (const s of statements) expect(s.Action).not.toEqual('kms:*');
  });

  it("secrets key: usable only through Secrets Manager, only for this environment's secrets", () => {
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
      typeof region === 'string'
        ? `secretsmanager.${region}.amazonaws.com`
        : { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
    );
    expect(use.Condition.StringEquals['kms:CallerAccount']).toEqual(account);
    const arnPattern = JSON.stringify(use.Condition.StringLike['kms:EncryptionContext:SecretARN']);
    expect(arnPattern).toContain(`:secret:${config.appName}/${envName}/*`);
  });

  it("data key: only the application role and break-glass, only with this app's encryption context", () => {
    const statements = keyByAlias('data').Properties.KeyPolicy.Statement;
    const use = statement(statements, 'FieldEncryptionByTheApplicationOnly');
    expect(sorted(use.Action)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(use.Principal.AWS).toHaveLength(2);
    expect(use.Principal.AWS).toEqual(
      expect.arrayContaining([BREAK_GLASS[envName], { 'Fn::GetAtt': [expect.stringMatching(/^AccessApplicationRole/), 'Arn'] }]),
    );
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
      'FieldEncryptionByTheApplicationOnly',
    ]);
  });

  // In baseline mode the account baseline's trail key encrypts the trail's files (test/infra/account-baseline.test.ts).
  it('ops key: no trail statement in baseline mode (the account baseline owns the trail and its key)', () => {
    expect(config.audit.trail.mode).toBe('baseline');
    const statements = keyByAlias('ops').Properties.KeyPolicy.Statement;
    expect(statements.map((s: { Sid: string }) => s.Sid)).toEqual([
      'KeyAdministration',
      'KeyManagementByTheDeployRole',
      'DenyProtectedActionsToAllButKeyAdministrators',
      'DenyDeletionWindowShorterThan30Days',
      'AuditorsReadKeyMetadata',
      'AlarmTopicPublishByCloudWatchAlarms',
      'AlarmTopicPublishByEventBridgeRules',
      'LogGroupEncryptionByCloudWatchLogs',
    ]);
    expect(JSON.stringify(statements)).not.toContain('cloudtrail');
  });

  it('the operator describes the secrets key only (gaara-secrets verify), not the data and ops keys', () => {
    const operator = (purpose: string) => keyByAlias(purpose).Properties.KeyPolicy.Statement.filter((s: { Sid: string }) => s.Sid === 'OperatorsDescribeKey');
    expect(operator('secrets')).toEqual([
      {
        Sid: 'OperatorsDescribeKey',
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^AccessOperatorRole[0-9A-F]{8}$/), 'Arn'] } },
        Action: 'kms:DescribeKey',
        Resource: '*',
      },
    ]);
    expect(operator('data')).toEqual([]);
    expect(operator('ops')).toEqual([]);
  });

  it('ops key: only service principals use it, each with a source condition but EventBridge', () => {
    const statements = keyByAlias('ops').Properties.KeyPolicy.Statement;
    const uses = statements.filter(
      (s: { Sid: string }) =>
        ![
          'KeyAdministration',
          'KeyManagementByTheDeployRole',
          'DenyProtectedActionsToAllButKeyAdministrators',
          'DenyDeletionWindowShorterThan30Days',
          'AuditorsReadKeyMetadata',
        ].includes(s.Sid),
    );
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

/** An environment that creates its own trail (`audit.trail.mode: "create"`, one environment per account). */
const createMode = (c: EnvironmentConfig): EnvironmentConfig => ({ ...c, audit: { ...c.audit, trail: { mode: 'create' } } });
const { results: createResults } = synthAll(ENVIRONMENTS.map(createMode));

describe.each(createResults.map((r) => [r.config.envName, r] as const))('ops key of %s with audit.trail.mode "create"', (envName, { template }) => {
  const opsKey = () => {
    const alias = resourcesOf(template, 'AWS::KMS::Alias').find(([, a]) => a.Properties.AliasName === `alias/gaara-store/${envName}/ops`);
    const logicalId = alias![1].Properties.TargetKeyId['Fn::GetAtt'][0];
    return resourcesOf(template, 'AWS::KMS::Key').find(([id]) => id === logicalId)![1].Properties.KeyPolicy.Statement;
  };
  const literal = {
    dev: {
      account: ACCOUNT,
      s3: { 'Fn::Join': ['', ['s3.', REGION, '.amazonaws.com']] },
      anyTrail: { 'Fn::Join': ['', ['arn:', PARTITION, ':cloudtrail:*:', ACCOUNT, ':trail/*']] },
      trail: { 'Fn::Join': ['', ['arn:', PARTITION, ':cloudtrail:', REGION, ':', ACCOUNT, ':trail/gaara-store-dev-audit']] },
    },
    // cdk.json's @aws-cdk/core:enablePartitionLiterals: a stack with a known region writes its partition literally.
    staging: {
      account: '222222222222',
      s3: 's3.eu-west-1.amazonaws.com',
      anyTrail: 'arn:aws:cloudtrail:*:222222222222:trail/*',
      trail: 'arn:aws:cloudtrail:eu-west-1:222222222222:trail/gaara-store-staging-audit',
    },
    prod: {
      account: '333333333333',
      s3: 's3.eu-west-1.amazonaws.com',
      anyTrail: 'arn:aws:cloudtrail:*:333333333333:trail/*',
      trail: 'arn:aws:cloudtrail:eu-west-1:333333333333:trail/gaara-store-prod-audit',
    },
  }[envName]!;

  it("CloudTrail encrypts and describes with it, only for this environment's trail", () => {
    const statements = opsKey();
    expect(statement(statements, 'TrailLogFileEncryptionByCloudTrail')).toEqual({
      Sid: 'TrailLogFileEncryptionByCloudTrail',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceArn': literal.trail }, StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': literal.anyTrail } },
    });
    expect(statement(statements, 'TrailDescribeKeyByCloudTrail')).toEqual({
      Sid: 'TrailDescribeKeyByCloudTrail',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:DescribeKey',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceArn': literal.trail } },
    });
  });

  it("the auditor decrypts only CloudTrail log files of this account's trails, only through S3", () => {
    expect(statement(opsKey(), 'TrailLogFileDecryptByAuditors')).toEqual({
      Sid: 'TrailLogFileDecryptByAuditors',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^AccessAuditorRole[0-9A-F]{8}$/), 'Arn'] } },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:CallerAccount': literal.account, 'kms:ViaService': literal.s3 },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': literal.anyTrail },
      },
    });
  });
});
