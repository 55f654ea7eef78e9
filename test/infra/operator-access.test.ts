/**
 * The operator role (gaara-secrets status, history, verify, rotate): exactly the calls those commands make, on
 * exactly this environment's secrets, key and rotators; never a value read or written. Expected values are
 * written here, not taken from the construct.
 */
import { ENVIRONMENTS } from '../../lib/config';
import { resourcesOf, synthAll } from '../support/synth';

const { results } = synthAll();
const prod = results.find((r) => r.config.envName === 'prod')!;

describe('operator role (prod template)', () => {
  const roles = resourcesOf(prod.template, 'AWS::IAM::Role');
  const [operatorId, operator] = roles.find(([id]) => id.startsWith('AccessOperatorRole'))!;
  const [, policy] = resourcesOf(prod.template, 'AWS::IAM::ManagedPolicy').find(([id]) => id.startsWith('OperatorAccessOperatorPolicy'))!;
  const statements = policy.Properties.PolicyDocument.Statement;
  const secretRefs = resourcesOf(prod.template, 'AWS::SecretsManager::Secret').map(([id]) => ({ Ref: id }));
  const rotatorArns = resourcesOf(prod.template, 'AWS::Lambda::Function')
    .filter(([id]) => /^(Database|Redis|KeyRing)Rotation/.test(id))
    .map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] }));

  it('is assumed only by the configured on-call role', () => {
    expect(operator.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::333333333333:role/gaara-store-on-call' } },
    ]);
    expect(policy.Properties.Roles).toEqual([{ Ref: operatorId }]);
    // The name gaara-secrets gives in its AccessDenied messages.
    expect(operator.Properties.RoleName).toBe('gaara-store-prod-operator');
  });

  it("describes, lists versions and policies, starts rotations, invokes the rotators, reads metrics, its rotators' failure lines, this stack's template and the alarm subscriptions; never a value", () => {
    expect(statements).toEqual([
      {
        Sid: 'DescribeSecretsAndStartRotations',
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetResourcePolicy', 'secretsmanager:ListSecretVersionIds', 'secretsmanager:RotateSecret'],
        Resource: expect.arrayContaining(secretRefs),
      },
      { Sid: 'InvokeThisEnvironmentsRotators', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: expect.arrayContaining(rotatorArns) },
      { Sid: 'DescribeSecretsKey', Effect: 'Allow', Action: 'kms:DescribeKey', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^KeysSecretsKey/), 'Arn'] } },
      { Sid: 'ReadRotationMetrics', Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' },
      {
        Sid: 'ReadRotatorFailureLines',
        Effect: 'Allow',
        Action: 'logs:FilterLogEvents',
        Resource: [
          'arn:aws:logs:eu-west-1:333333333333:log-group:/gaara-store/prod/functions/database',
          'arn:aws:logs:eu-west-1:333333333333:log-group:/gaara-store/prod/functions/database:*',
          'arn:aws:logs:eu-west-1:333333333333:log-group:/gaara-store/prod/functions/key-ring',
          'arn:aws:logs:eu-west-1:333333333333:log-group:/gaara-store/prod/functions/key-ring:*',
          'arn:aws:logs:eu-west-1:333333333333:log-group:/gaara-store/prod/functions/redis',
          'arn:aws:logs:eu-west-1:333333333333:log-group:/gaara-store/prod/functions/redis:*',
        ],
      },
      {
        Sid: 'ReadDeployedTemplate',
        Effect: 'Allow',
        Action: ['cloudformation:GetTemplate', 'cloudformation:ListStackResources'],
        Resource: { Ref: 'AWS::StackId' },
      },
      {
        Sid: 'ReadAlarmSubscriptions',
        Effect: 'Allow',
        Action: 'sns:ListSubscriptionsByTopic',
        Resource: 'arn:aws:sns:eu-west-1:333333333333:gaara-store-prod-security-alarms',
      },
      {
        Sid: 'NeverReadOrWriteValues',
        Effect: 'Deny',
        Action: [
          'kms:Decrypt',
          'kms:GenerateDataKey',
          'secretsmanager:BatchGetSecretValue',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        Resource: '*',
      },
    ]);
    expect(statements[0].Resource).toHaveLength(7);
    expect(statements[1].Resource).toHaveLength(3);
  });

  it('the secrets key lets it describe the key, nothing more', () => {
    const [, key] = resourcesOf(prod.template, 'AWS::KMS::Key').find(([id]) => id.startsWith('KeysSecretsKey'))!;
    const grant = key.Properties.KeyPolicy.Statement.find((s: { Sid: string }) => s.Sid === 'OperatorsDescribeKey');
    expect(grant).toEqual({
      Sid: 'OperatorsDescribeKey',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::GetAtt': [operatorId, 'Arn'] } },
      Action: 'kms:DescribeKey',
      Resource: '*',
    });
  });

  it('no operator role where the config names no one to assume it', () => {
    const [none] = synthAll([{ ...ENVIRONMENTS[2]!, operatorTrustedPrincipals: [] }]).results;
    expect(resourcesOf(none!.template, 'AWS::IAM::Role').filter(([id]) => id.startsWith('AccessOperatorRole'))).toEqual([]);
    const rotation = resourcesOf(none!.template, 'AWS::SecretsManager::ResourcePolicy')[0]![1].Properties.ResourcePolicy.Statement.find(
      (s: { Sid: string }) => s.Sid === 'DenyRotationControlExceptDeployAndBreakGlass',
    );
    expect(rotation.Condition.ArnNotLike['aws:PrincipalArn']).toHaveLength(2);
  });
});
