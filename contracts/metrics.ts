/**
 * The one definition of the rotation metrics, shared by the emitters (lambdas), the alarms and the dashboard
 * (lib). Alarms match the exact dimension set, so nothing else may invent names or dimensions.
 */
export const METRIC = {
  RotationSucceeded: 'RotationSucceeded',
  RotationFailed: 'RotationFailed',
  StepDurationMs: 'StepDurationMs',
  /**
   * Gauge (age function, hourly): days since the value last changed, i.e. since the AWSCURRENT version was created.
   * A rotation resets it and so does a manual put-secret-value: the dashboard's "days since last change". (Not
   * DescribeSecret's LastChangedDate, which a tag, description or policy update also resets.) Not alarmed.
   */
  DaysSinceRotation: 'DaysSinceRotation',
  PendingRotationHours: 'PendingRotationHours',
  PlaceholderSecret: 'PlaceholderSecret',
  KeyRingFull: 'KeyRingFull',
  /**
   * Gauge: the previous keys a key ring holds, published by the key-ring rotator on every run (the pending ring at
   * testSecret, the current one when a rotation is refused as RingFull). Alarms use "missing data keeps the
   * state", so a ring near its bound stays in alarm between rotations.
   */
  KeyRingPreviousKeys: 'KeyRingPreviousKeys',
  /**
   * Count: a client served a cached value after a refresh failed (stale-on-error). Emitted by client/ (opt-in, EMF)
   * with exactly {Environment, Secret}; the consuming service goes into the EMF record as a property, not a
   * dimension, so one alarm per secret covers every service.
   */
  StaleSecretServed: 'StaleSecretServed',
  /**
   * Gauge (age function, hourly): days since the secret's last rotation, what the overdue alarm watches.
   * A secret with a rotator: since DescribeSecret's LastRotatedDate (a completed Secrets Manager rotation), else
   * since the secret was created; a manual put-secret-value does not reset it. A secret rotated by hand: since its
   * value last changed (putting a new value is its rotation). contracts/secret-age-rules.ts computes it.
   */
  DaysSinceLastRotation: 'DaysSinceLastRotation',
  /**
   * Gauge 0/1 (age function, hourly): 1 = never rotated. A secret with a rotator: Secrets Manager has no completed
   * rotation on record (the deploy-time value, or values only ever set by hand; LastRotatedDate is also cleared when
   * rotation is turned off). A secret rotated by hand: its deploy-time placeholder is still current.
   */
  NeverRotated: 'NeverRotated',
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

/** `gaara-store` -> `GaaraStore`: the app name as it appears in metric namespaces. */
export function pascalCaseAppName(appName: string): string {
  return appName
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** The metrics namespace of an app: the configured one, else `<App>/Secrets` (gaara-store -> GaaraStore/Secrets). */
export function metricsNamespaceFor(appName: string, configured?: string): string {
  return configured || `${pascalCaseAppName(appName)}/Secrets`;
}

/** The namespace a function or client computes from its environment variables (set by the stack). */
export function metricsNamespaceFromEnv(env: Record<string, string | undefined>): string {
  return metricsNamespaceFor(env[METRICS_ENV.app] ?? 'gaara-store', env[METRICS_ENV.namespace]);
}
