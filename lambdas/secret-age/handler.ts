import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ListSecretVersionIdsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { METRIC, metricDimensions } from '../../contracts/metrics';
import type { WatchedSecret } from './config';
import { isOverdue, secretFigures } from '../../contracts/secret-age-rules';

export interface SecretAgeDeps {
  secretsManager: Pick<SecretsManagerClient, 'send'>;
  secrets: readonly WatchedSecret[];
  environment: string;
  namespace: string | undefined;
  logger: Logger;
  now?: () => Date;
}

export interface SecretAgeResult {
  checked: number;
  failed: string[];
}

export class SecretAgeCheckFailed extends Error {
  constructor(readonly failed: string[], total: number) {
    super(`secret-age: ${failed.length} of ${total} secrets could not be checked (${failed.join(', ')}); the others were published`);
    this.name = 'SecretAgeCheckFailed';
  }
}

/**
 * One ListSecretVersionIds call per secret (never GetSecretValue: the role has no such permission), then
 * DaysSinceRotation, PendingRotationHours and PlaceholderSecret with exactly {Environment, Secret}.
 * A failing secret is logged by name and does not stop the others; the invocation then fails so the
 * function's Errors metric shows it.
 */
export function createSecretAgeHandler(deps: SecretAgeDeps): () => Promise<SecretAgeResult> {
  const now = deps.now ?? (() => new Date());
  const metrics = new Metrics({ namespace: deps.namespace });
  metrics.clearDefaultDimensions(); // no `service` dimension: alarms match the exact set

  return async () => {
    const failed: string[] = [];
    for (const secret of deps.secrets) {
      try {
        const { Versions = [] } = await deps.secretsManager.send(new ListSecretVersionIdsCommand({ SecretId: secret.id, IncludeDeprecated: false }));
        const figures = secretFigures(Versions, now());
        metrics.addDimensions(metricDimensions(deps.environment, secret.name));
        metrics.addMetric(METRIC.DaysSinceRotation, MetricUnit.Count, figures.daysSinceRotation);
        metrics.addMetric(METRIC.PendingRotationHours, MetricUnit.Count, figures.pendingRotationHours);
        metrics.addMetric(METRIC.PlaceholderSecret, MetricUnit.Count, figures.placeholder);
        metrics.publishStoredMetrics();
        const overdue = isOverdue(figures, secret.maxAgeDays);
        (overdue ? deps.logger.warn : deps.logger.info).call(deps.logger, overdue ? 'secret overdue for rotation' : 'secret age checked', {
          secret: secret.name,
          ...figures,
          maxAgeDays: secret.maxAgeDays,
        });
      } catch (e) {
        failed.push(secret.name);
        deps.logger.error('secret age check failed', { secret: secret.name, errorName: (e as Error).name, errorMessage: (e as Error).message });
      }
    }
    if (failed.length > 0) throw new SecretAgeCheckFailed(failed, deps.secrets.length);
    return { checked: deps.secrets.length, failed };
  };
}
