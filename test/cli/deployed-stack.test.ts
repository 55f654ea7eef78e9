/** The pieces `verify` compares a live resource policy with: intrinsic resolution and the policy comparison. */
import { resolveIntrinsics, type StackFacts, UnresolvableError } from '../../cli/deployed/intrinsics';
import { policyDifferences } from '../../cli/deployed/policy-diff';
import { secretsStackName } from '../../cli/deployed/stack';
import { ENVIRONMENTS } from '../../lib/config';
import { stackName } from '../../lib/stack';

const facts: StackFacts = {
  partition: 'aws',
  region: 'eu-west-1',
  account: '111111111111',
  stackName: 'gaara-store-dev-secrets',
  urlSuffix: 'amazonaws.com',
  resources: new Map([
    ['AppRole1A2B3C4D', { type: 'AWS::IAM::Role', physicalId: 'gaara-store-dev-app', properties: {} }],
    ['PathRole', { type: 'AWS::IAM::Role', physicalId: 'ops-reader', properties: { Path: '/ops/' } }],
    [
      'Secret',
      {
        type: 'AWS::SecretsManager::Secret',
        physicalId: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:gaara-store/dev/jwt-secret-AbCdEf',
        properties: {},
      },
    ],
    ['Fn', { type: 'AWS::Lambda::Function', physicalId: 'gaara-store-dev-rotator', properties: {} }],
    ['Bucket', { type: 'AWS::S3::Bucket', physicalId: 'b', properties: {} }],
  ]),
};

describe('resolveIntrinsics (what a deployed template policy holds, made concrete)', () => {
  it('Ref of a resource is its physical id; pseudo parameters come from the stack', () => {
    expect(resolveIntrinsics({ Ref: 'Secret' }, facts)).toBe('arn:aws:secretsmanager:eu-west-1:111111111111:secret:gaara-store/dev/jwt-secret-AbCdEf');
    expect(resolveIntrinsics([{ Ref: 'AWS::AccountId' }, { Ref: 'AWS::Region' }, { Ref: 'AWS::Partition' }, { Ref: 'AWS::StackName' }], facts)).toEqual([
      '111111111111',
      'eu-west-1',
      'aws',
      'gaara-store-dev-secrets',
    ]);
  });

  it('Fn::GetAtt …Arn of a role (with its path) and a function; Fn::Join, Fn::Sub and Fn::Select', () => {
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['AppRole1A2B3C4D', 'Arn'] }, facts)).toBe('arn:aws:iam::111111111111:role/gaara-store-dev-app');
    expect(resolveIntrinsics({ 'Fn::GetAtt': 'PathRole.Arn' }, facts)).toBe('arn:aws:iam::111111111111:role/ops/ops-reader');
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['Fn', 'Arn'] }, facts)).toBe('arn:aws:lambda:eu-west-1:111111111111:function:gaara-store-dev-rotator');
    expect(resolveIntrinsics({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/break-glass']] }, facts)).toBe(
      'arn:aws:iam::111111111111:role/break-glass',
    );
    expect(
      resolveIntrinsics(
        {
          'Fn::Sub': [
            'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-${Q}-cfn-exec-role-${AWS::AccountId}-${AWS::Region} ${AppRole1A2B3C4D.Arn} ${!Literal}',
            { Q: 'hnb659fds' },
          ],
        },
        facts,
      ),
    ).toBe('arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1 arn:aws:iam::111111111111:role/gaara-store-dev-app ${Literal}');
    expect(resolveIntrinsics({ 'Fn::Select': [1, ['a', { Ref: 'AWS::Region' }]] }, facts)).toBe('eu-west-1');
  });

  it('anything it cannot make concrete is an error naming it, never a guess', () => {
    expect(() => resolveIntrinsics({ Ref: 'Missing' }, facts)).toThrow(new UnresolvableError('Ref Missing'));
    expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['Bucket', 'Arn'] }, facts)).toThrow('cannot resolve Fn::GetAtt Bucket.Arn of a AWS::S3::Bucket');
    expect(() => resolveIntrinsics({ 'Fn::ImportValue': 'x' }, facts)).toThrow('cannot resolve Fn::ImportValue');
  });
});

describe('policyDifferences (by meaning, naming the statement)', () => {
  const deployed = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'A',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'secretsmanager:GetSecretValue',
        Resource: '*',
        Condition: { ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::1:role/a', 'arn:aws:iam::1:role/b'] } },
      },
      { Sid: 'B', Effect: 'Deny', Principal: { AWS: '*' }, Action: ['secretsmanager:RestoreSecret'], Resource: '*' },
    ],
  };

  it('order, one string against a one-element array, "*" against {"AWS":"*"}, duplicates and action case do not count', () => {
    const live = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'B', Effect: 'Deny', Principal: '*', Action: 'SecretsManager:RestoreSecret', Resource: ['*'] },
        {
          Sid: 'A',
          Effect: 'Deny',
          Principal: { AWS: ['*'] },
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:GetSecretValue'],
          Resource: '*',
          Condition: { ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::1:role/b', 'arn:aws:iam::1:role/a'] } },
        },
      ],
    };
    expect(policyDifferences(deployed, live)).toEqual([]);
  });

  it('names a changed, a missing and an added statement, and the element that differs', () => {
    const live = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'A',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'secretsmanager:GetSecretValue',
          Resource: '*',
          Condition: { ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::1:role/a', 'arn:aws:iam::1:role/x'] } },
        },
        { Sid: 'C', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::2:root' }, Action: 'secretsmanager:GetSecretValue', Resource: '*' },
      ],
    };
    expect(policyDifferences(deployed, live)).toEqual([
      'statement A differs in Condition ArnNotLike aws:PrincipalArn: +arn:aws:iam::1:role/x -arn:aws:iam::1:role/b',
      'statement B is missing',
      'statement C is not in the deployed template',
    ]);
    expect(policyDifferences(deployed, { ...deployed, Statement: [{ ...deployed.Statement[0], Effect: 'Allow' }, deployed.Statement[1]] })).toEqual([
      'statement A differs in Effect: differs',
    ]);
  });
});

it('the stack verify reads is the one lib/stack.ts names', () => {
  for (const e of ENVIRONMENTS) expect(secretsStackName(e.appName, e.envName)).toBe(stackName(e as never));
  expect(secretsStackName('gaara-store', 'prod')).toBe('gaara-store-prod-secrets');
});
