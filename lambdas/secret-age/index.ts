import { Logger } from '@aws-lambda-powertools/logger';
import { METRICS_ENV, metricsNamespaceFromEnv } from '../../contracts/metrics';
import { createSecretAgeClient } from './client';
import { parseWatchedSecrets } from './config';
import { createSecretAgeHandler } from './handler';

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Scheduled (hourly) secret-age function. Env: SECRETS_JSON, APP_ENVIRONMENT, METRICS_NAMESPACE (default from APP_NAME). Bad config fails at cold start. */
export const handler = createSecretAgeHandler({
  secretsManager: createSecretAgeClient(),
  secrets: parseWatchedSecrets(process.env.SECRETS_JSON),
  environment: requiredEnv(METRICS_ENV.environment),
  namespace: metricsNamespaceFromEnv(process.env),
  logger: new Logger(),
});
