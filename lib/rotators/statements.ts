import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/** Allows actions on one resource of this account and region, named `arn:…:<service>:…:<resource>:<name>`. */
export function allowOnNamed(
  scope: Construct,
  sid: string,
  actions: string[],
  target: { service: string; resource: string; name: string },
): iam.PolicyStatement {
  const arn = Stack.of(scope).formatArn({
    service: target.service,
    resource: target.resource,
    resourceName: target.name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return new iam.PolicyStatement({ sid, actions, resources: [arn] });
}

/**
 * Reading a credential the rotator does not rotate (a master or admin secret): GetSecretValue on that secret, and
 * when it lives on its own customer-managed key, Decrypt of that key only through Secrets Manager, only for it.
 */
export function readForeignSecret(scope: Construct, sids: { read: string; decrypt: string }, secretArn: string, keyArn?: string): iam.PolicyStatement[] {
  const read = new iam.PolicyStatement({ sid: sids.read, actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] });
  if (!keyArn) return [read];
  const decrypt = new iam.PolicyStatement({
    sid: sids.decrypt,
    actions: ['kms:Decrypt'],
    resources: [keyArn],
    conditions: {
      StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com` },
      StringLike: { 'kms:EncryptionContext:SecretARN': secretArn },
    },
  });
  return [read, decrypt];
}
