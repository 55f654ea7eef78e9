import { RemovalPolicy } from 'aws-cdk-lib';
import type { EnvironmentConfig } from './config';

/** What CloudFormation does with the environment's stateful resources (keys, secrets, log groups) on deletion. */
export function removalPolicyOf(setting: EnvironmentConfig['removalPolicy']): RemovalPolicy {
  return setting === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}
