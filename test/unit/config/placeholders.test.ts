import { DefaultStackSynthesizer } from 'aws-cdk-lib';
import { BOOTSTRAP_DEPLOY_ROLE } from '../../../lib/config/placeholders';

describe('the bootstrap deploy-role placeholder (written out so the CLI loads config without the CDK)', () => {
  it('is the CDK bootstrap CloudFormation execution role ARN, placeholders and all', () => {
    expect(BOOTSTRAP_DEPLOY_ROLE).toBe('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-${Qualifier}-cfn-exec-role-${AWS::AccountId}-${AWS::Region}');
    expect(BOOTSTRAP_DEPLOY_ROLE).toBe(DefaultStackSynthesizer.DEFAULT_CLOUDFORMATION_ROLE_ARN);
  });
});
