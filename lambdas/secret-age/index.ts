import { Logger } from '@aws-lambda-powertools/logger';
import { METRICS_ENV, metricsNamespaceFromEnv } from '../../contracts/metrics';
import { createSecretsManagerClient } from '../rotation/aws-clients';
import { parseWatchedSecrets } from './config';
import { createSecretAgeHandler } from './handler';

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Scheduled (hourly) secret-age function. Env: SECRETS_JSON, APP_ENVIRONMENT, METRICS_NAMESPACE (default from APP_NAME). Bad config fails at cold start. */
export const handler = createSecretAgeHandler({
  // The function runs in the VPC: a missing endpoint or security-group rule must fail the call, not hang until the
  // Lambda timeout (60 s) kills the run with nothing logged. The functions' settings with a tighter budget: seven
  // secrets, two calls each (ListSecretVersionIds, DescribeSecret), all issued at once (handler.ts); one call takes at
  // most 2 attempts x (2 s connect + 3 s response) plus backoff, about 10 s, so the whole run stays well inside 60 s and
  // every failing secret is logged by name before the invocation fails. (One call after another would be 14 x 10 s:
  // past the timeout, with the last secrets never logged.)
  secretsManager: createSecretsManagerClient({ connectionTimeout: 2_000, requestTimeout: 3_000 }, 2),
  secrets: parseWatchedSecrets(process.env.SECRETS_JSON),
  environment: requiredEnv(METRICS_ENV.environment),
  namespace: metricsNamespaceFromEnv(process.env),
  logger: new Logger(),
});
