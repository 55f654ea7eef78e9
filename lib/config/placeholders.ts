/**
 * The placeholders an ARN in config may use: the syntax of the CDK bootstrap templates (and of
 * DefaultStackSynthesizer's role ARNs), so a role ARN can be copied from either. Resolved by lib/config/resolve.ts.
 */
export const ARN_PLACEHOLDERS = ['${AWS::Partition}', '${AWS::Region}', '${AWS::AccountId}'] as const;

/**
 * The deploy role of an environment whose config names none: the CDK bootstrap's CloudFormation execution role,
 * as DefaultStackSynthesizer.DEFAULT_CLOUDFORMATION_ROLE_ARN writes it before it knows the stack. Written out: the
 * CLI loads this module and runs without the CDK (test/unit/config/placeholders.test.ts pins the two equal).
 * lib/config/resolve.ts replaces it with the ARN of the stack's own synthesizer.
 */
export const BOOTSTRAP_DEPLOY_ROLE = 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-${Qualifier}-cfn-exec-role-${AWS::AccountId}-${AWS::Region}';
