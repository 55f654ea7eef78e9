/**
 * The one definition of the rotation metrics, shared by the emitters (lambdas), the alarms and the dashboard
 * (lib). Alarms match the exact dimension set, so nothing else may invent names or dimensions.
 */
export const METRIC = {
  RotationSucceeded: 'RotationSucceeded',
  RotationFailed: 'RotationFailed',
  StepDurationMs: 'StepDurationMs',
  DaysSinceRotation: 'DaysSinceRotation',
  PendingRotationHours: 'PendingRotationHours',
  PlaceholderSecret: 'PlaceholderSecret',
  KeyRingFull: 'KeyRingFull',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** The steps of the Secrets Manager rotation contract: the values of the Step dimension on RotationFailed. */
export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** Dimension names. Every metric carries exactly {Environment, Secret}; step failures add Step. */
export const DIMENSION = { Environment: 'Environment', Secret: 'Secret', Step: 'Step' } as const;

/** Environment variables through which the stack tells a function its metrics identity. */
export const METRICS_ENV = {
  namespace: 'METRICS_NAMESPACE',
  environment: 'APP_ENVIRONMENT',
  app: 'APP_NAME',
} as const;

export function metricDimensions(environment: string, secret: string): Record<string, string> {
  return { [DIMENSION.Environment]: environment, [DIMENSION.Secret]: secret };
}
