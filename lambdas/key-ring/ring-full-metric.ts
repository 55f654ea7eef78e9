import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC, metricsNamespaceFromEnv } from '../../contracts/metrics';
import { publishMetrics, secretDimensions } from '../rotation/observability';

/** Publishes KeyRingFull = 1 with exactly {Environment, Secret} (the alarm matches that set; no service dimension). */
export function publishKeyRingFull(secret: string, env: NodeJS.ProcessEnv = process.env): void {
  publishMetrics(metricsNamespaceFromEnv(env), secretDimensions(env, secret), [[METRIC.KeyRingFull, MetricUnit.Count, 1]]);
}

/** Publishes the KeyRingPreviousKeys gauge with exactly {Environment, Secret}. */
export function publishKeyRingPreviousKeys(secret: string, previousKeys: number, env: NodeJS.ProcessEnv = process.env): void {
  publishMetrics(metricsNamespaceFromEnv(env), secretDimensions(env, secret), [[METRIC.KeyRingPreviousKeys, MetricUnit.Count, previousKeys]]);
}
