import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC, METRICS_ENV, metricDimensions } from '../../contracts/metrics';
import { metricsNamespace } from '../rotation/observability';

/** Publishes KeyRingFull = 1 with exactly {Environment, Secret} (the alarm matches that set; no service dimension). */
export function publishKeyRingFull(secret: string, env: NodeJS.ProcessEnv = process.env): void {
  const metrics = new Metrics({ namespace: metricsNamespace(env) });
  metrics.clearDefaultDimensions();
  metrics.addDimensions(metricDimensions(env[METRICS_ENV.environment] ?? 'unknown', secret));
  metrics.addMetric(METRIC.KeyRingFull, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}
