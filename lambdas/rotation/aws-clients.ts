import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * The settings every AWS SDK client of the functions uses, said once. The functions run in a VPC: a missing
 * endpoint or route must fail within the function's timeout and say so, not hang (without throwOnRequestTimeout
 * the SDK only warns). 3 attempts x 5 s stays inside the shortest function timeout (30 s).
 */
export const SDK_TIMEOUTS = { connectionTimeout: 3_000, requestTimeout: 5_000, throwOnRequestTimeout: true };

/** Client configuration: 3 attempts and the timeouts above, with per-client overrides (a slower API). */
export function awsClientSettings(timeouts: Partial<typeof SDK_TIMEOUTS> = {}, maxAttempts = 3) {
  return { maxAttempts, requestHandler: { ...SDK_TIMEOUTS, ...timeouts } };
}

/** The functions' Secrets Manager client (endpoint from the standard AWS_ENDPOINT_URL_SECRETS_MANAGER when set). */
export function createSecretsManagerClient(timeouts: Partial<typeof SDK_TIMEOUTS> = {}, maxAttempts = 3): SecretsManagerClient {
  return new SecretsManagerClient(awsClientSettings(timeouts, maxAttempts));
}
