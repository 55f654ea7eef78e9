import type { DatabaseEngine, SecretName } from '../../contracts';

export type EnvName = string;

/** Create an account-level resource, or use one that already exists (shared account, organisation trail). */
export type CreateOrExisting<T> = { mode: 'create' } | ({ mode: 'existing' } & T);

export interface DatabaseConfig {
  engine: DatabaseEngine;
  host: string;
  port: number;
  dbname: string;
  username: string;
  /** alternating users needs masterSecretArn; dual-password is MySQL 8 only (detected at run time, falls back). */
  strategy: 'single-user' | 'alternating-users' | 'dual-password';
  masterSecretArn?: string;
  /** The customer-managed KMS key of the master secret, if it is not on `aws/secretsmanager` (RDS-managed masters may be). */
  masterSecretKeyArn?: string;
  dbInstanceIdentifier?: string;
  dbClusterIdentifier?: string;
  /** false only when the database really has no TLS (a dev container); never in prod. */
  tls: boolean;
  vpcId: string;
  availabilityZones: string[];
  privateSubnetIds: string[];
  /** The database's security group: the rotator's group must be admitted by it. */
  securityGroupId: string;
  /** Add the ingress rule to the database's (imported) security group; off by default, documented otherwise. */
  addIngressRule: boolean;
  /** Interface endpoint for Secrets Manager in the VPC: create one, or one exists (path via private DNS). */
  secretsManagerEndpoint: CreateOrExisting<{ endpointId?: string }>;
}

export interface RedisConfig {
  host: string;
  port: number;
  username: string;
  tls: boolean;
  /** Self-managed Redis 6+: secret ARN of the admin user allowed to run ACL SETUSER. */
  adminSecretArn?: string;
  /** The customer-managed KMS key of the admin secret, if it is not on `aws/secretsmanager`. */
  adminSecretKeyArn?: string;
  /** ElastiCache RBAC user id: passwords changed through the ElastiCache API. */
  elastiCacheUserId?: string;
  /** The cache's security group: the rotator's group must be admitted by it (same VPC as the database). */
  securityGroupId: string;
}

export interface RotationScheduleConfig {
  /**
   * Days between automatic rotations. With a `scheduleExpression`, the longest interval the expression allows
   * (e.g. 35 for "first Tuesday of the month"): the age alarm fires when a secret is older than this plus grace.
   */
  days: number;
  /** Optional rotation window: `cron(...)`/`rate(...)` schedule expression and duration such as `3h`. */
  scheduleExpression?: string;
  duration?: string;
  /** Rotate right after the schedule is created or changed. Never a default for prod credentials. */
  rotateImmediately: boolean;
}

export interface TrailConfig {
  trail: CreateOrExisting<{
    /** Log group that the existing trail delivers to in this account; absent for an organisation trail in another account. */
    logGroupName?: string;
    /** Where CIS metric filters and alarms live when the trail's log group is in another account. */
    organizationTrailAccount?: string;
  }>;
  /** Days before trail objects move to Glacier and expire. */
  transitionToGlacierDays: number;
  expireAfterDays: number;
}

export interface EnvironmentConfig {
  envName: EnvName;
  /** Absent: environment-agnostic stack. */
  account?: string;
  region?: string;
  appName: string;
  owner: string;
  alarmEmail: string;
  /** CloudWatch Logs retention in days (a value CloudWatch accepts). */
  logRetentionDays: number;
  removalPolicy: 'retain' | 'destroy';
  terminationProtection: boolean;
  /** IAM role ARNs that administer the keys (never use them). */
  keyAdminRoleArns: string[];
  breakGlassRoleArn: string;
  /** Role ARN CloudFormation deploys with (may update key and secret policies). */
  deployRoleArn: string;
  /** Principals (role ARNs or service principals) trusted to assume the application role. */
  applicationTrustedPrincipals: string[];
  /** Existing roles that may also read the secrets (e.g. ECS task execution role). */
  additionalReaderRoleArns: string[];
  auditorTrustedPrincipals: string[];
  database: DatabaseConfig;
  redis: RedisConfig;
  audit: TrailConfig;
  /** Rotation per secret, overriding the catalog's defaults. */
  rotation: Partial<Record<SecretName, RotationScheduleConfig>>;
  /** Use KMS GenerateRandom (FIPS-validated) for key material instead of crypto.randomBytes. */
  fipsKeyMaterial: boolean;
  /** Where on-call finds docs/runbook.md (linked from the dashboard and the alarm descriptions). */
  runbookUrl: string;
  /** Metrics namespace; default `<App>/Secrets`. */
  metricsNamespace?: string;
}
