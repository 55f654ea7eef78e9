import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC, METRICS_ENV, metricDimensions } from '../../contracts/metrics';
import { metricsNamespace } from '../rotation/observability';

function publish(secret: string, name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number, env: NodeJS.ProcessEnv): void {
  const metrics = new Metrics({ namespace: metricsNamespace(env) });
  metrics.clearDefaultDimensions();
  metrics.addDimensions(metricDimensions(env[METRICS_ENV.environment] ?? 'unknown', secret));
  metrics.addMetric(name, unit, value);
  metrics.publishStoredMetrics();
}

/** Publishes KeyRingFull = 1 with exactly {Environment, Secret} (the alarm matches that set; no service dimension). */
export function publishKeyRingFull(secret: string, env: NodeJS.ProcessEnv = process.env): void {
  publish(secret, METRIC.KeyRingFull, MetricUnit.Count, 1, env);
}

/** Publishes the KeyRingPreviousKeys gauge with exactly {Environment, Secret}. */
export function publishKeyRingPreviousKeys(secret: string, previousKeys: number, env: NodeJS.ProcessEnv = process.env): void {
  publish(secret, METRIC.KeyRingPreviousKeys, MetricUnit.Count, previousKeys, env);
}
