import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientSettings } from '../rotation/aws-clients';

/**
 * The function runs in the VPC: a missing endpoint or security-group rule must fail the call, not hang until the
 * Lambda timeout (60 s) kills the run with nothing logged. The functions' settings with a tighter budget:
 * seven secrets, two calls each (ListSecretVersionIds, DescribeSecret), all issued at once (handler.ts); one
 * call takes at most 2 attempts x (2 s connect + 3 s response) plus backoff, about 10 s, so the whole run stays well
 * inside 60 s and every failing secret is logged by name before the invocation fails. (One call after another would
 * be 14 x 10 s: past the timeout, with the last secrets never logged.)
 */
export function createSecretAgeClient(): SecretsManagerClient {
  return new SecretsManagerClient(awsClientSettings({ connectionTimeout: 2_000, requestTimeout: 3_000 }, 2));
}
