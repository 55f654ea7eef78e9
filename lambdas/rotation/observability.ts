/**
 * Logs and metrics of the lifecycle. Logs: Powertools Logger JSON with the secret name, step, the token's first
 * 8 characters and the error class, never a value. Metrics: Powertools EMF with exactly the dimension set
 * {Environment, Secret} from contracts/metrics (plus Step on RotationFailed): the default `service` dimension is
 * cleared because alarms match the exact set.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DIMENSION, METRIC, METRICS_ENV, metricDimensions, metricsNamespaceFromEnv } from '../../contracts/metrics';
import type { RotationStep } from './rotator';

export type Env = Record<string, string | undefined>;
export type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

export function createRotationLogger(env: Env = process.env): Logger {
  return new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'secrets-rotation' });
}

export interface RotationMetrics {
  stepSucceeded(secret: string, step: RotationStep, durationMs: number): void;
  stepFailed(secret: string, step: RotationStep, durationMs: number): void;
}

/**
 * Publishes metrics (EMF) in `namespace` (contracts/metrics metricsNamespaceFromEnv: `<App>/Secrets` unless
 * METRICS_NAMESPACE says otherwise) with exactly `dimensions`: the default `service` dimension is cleared, because
 * alarms match the exact dimension set. The one metrics emitter of the functions.
 */
export function publishMetrics(namespace: string, dimensions: Record<string, string>, values: [string, Unit, number][]): void {
  const metrics = new Metrics({ namespace });
  metrics.clearDefaultDimensions();
  metrics.addDimensions(dimensions);
  for (const [name, unit, value] of values) metrics.addMetric(name, unit, value);
  metrics.publishStoredMetrics();
}

/** {Environment, Secret} for this function's environment (APP_ENVIRONMENT). */
export const secretDimensions = (env: Env, secret: string): Record<string, string> => metricDimensions(env[METRICS_ENV.environment] ?? 'unknown', secret);

export function powertoolsRotationMetrics(env: Env = process.env): RotationMetrics {
  const publish = (dimensions: Record<string, string>, values: [string, Unit, number][]) => publishMetrics(metricsNamespaceFromEnv(env), dimensions, values);
  return {
    stepSucceeded(secret, step, durationMs) {
      const values: [string, Unit, number][] = [[METRIC.StepDurationMs, MetricUnit.Milliseconds, durationMs]];
      if (step === 'finishSecret') values.push([METRIC.RotationSucceeded, MetricUnit.Count, 1]);
      publish(secretDimensions(env, secret), values);
    },
    stepFailed(secret, step, durationMs) {
      publish(secretDimensions(env, secret), [[METRIC.StepDurationMs, MetricUnit.Milliseconds, durationMs]]);
      publish({ ...secretDimensions(env, secret), [DIMENSION.Step]: step }, [[METRIC.RotationFailed, MetricUnit.Count, 1]]);
    },
  };
}
