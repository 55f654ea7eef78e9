import type { DatabaseEngine, SecretName } from '../../contracts';
import type { DatabaseStrategyName } from '../../contracts/function-env';

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
  strategy: DatabaseStrategyName;
  masterSecretArn?: string;
  /** The customer-managed KMS key of the master secret, if it is not on `aws/secretsmanager` (RDS-managed masters may be). */
  masterSecretKeyArn?: string;
  dbInstanceIdentifier?: string;
  dbClusterIdentifier?: string;
  /** false only when the database really has no TLS (a dev container); never in prod. */
  tls: boolean;
  /** @deprecated moved to `network.vpcId`; read only when `network` is absent. */
  vpcId?: string;
  /** @deprecated moved to `network.availabilityZones`; read only when `network` is absent. */
  availabilityZones?: string[];
  /** @deprecated moved to `network.privateSubnetIds`; read only when `network` is absent. */
  privateSubnetIds?: string[];
  /** The database's security group: the rotator's group must be admitted by it. */
  securityGroupId: string;
  /** Add the ingress rule to the database's (imported) security group; off by default, documented otherwise. */
  addIngressRule: boolean;
  /** @deprecated moved to `network.endpoints.secretsManager`; read only when `network` is absent. */
  secretsManagerEndpoint?: EndpointAccess;
}

/**
 * How the functions reach one AWS API from the VPC.
 * - `create`: an interface endpoint with private DNS in the functions' subnets, behind the stack's endpoint security
 *   group (EC2 refuses it if the VPC already has an endpoint with private DNS for the service: use `existing`);
 * - `existing`: an endpoint already in the VPC (private DNS on), reached through its security group
 *   (`securityGroupId`, which must admit 443 from the functions' security group: stack output
 *   FunctionSecurityGroupId), or through a `cidr` or a managed `prefixListId` that covers its addresses;
 * - `none`: no endpoint; HTTPS to the public API through the subnets' NAT gateway (egress 443 to 0.0.0.0/0).
 */
export interface EndpointAccess {
  mode: 'create' | 'existing' | 'none';
  securityGroupId?: string;
  cidr?: string;
  prefixListId?: string;
}

/** Where the functions run: the database's VPC, its private subnets, and how each AWS API is reached. */
export interface NetworkConfig {
  vpcId: string;
  /**
   * Optional: one zone per subnet, in the same order, in the environment's region. The functions and endpoints only
   * need subnet ids, so leave it out (always, in an environment-agnostic stack, where a zone name would pin a region).
   */
  availabilityZones?: string[];
  privateSubnetIds: string[];
  endpoints: {
    /** Always used: every function calls Secrets Manager. */
    secretsManager: EndpointAccess;
    /** Used when `fipsKeyMaterial` is on (KMS GenerateRandom). Default `create`. */
    kms?: EndpointAccess;
    /** Used when `database.dbInstanceIdentifier`/`dbClusterIdentifier` is set (the RDS API). Default `create`. */
    rds?: EndpointAccess;
    /** Used when `redis.elastiCacheUserId` is set (the ElastiCache API). Default `create`. */
    elastiCache?: EndpointAccess;
  };
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
  /**
   * Where the account's trail and the account-wide CIS filters and alarms live:
   * - `baseline` (recommended): in the account baseline stack `<app>-account-baseline[-<account>]`, created once per
   *   account for every environment of the account that says `baseline` (lib/baseline); this environment adds only
   *   its own filters to the baseline's log group, found by name. Deploy the baseline first.
   * - `create`: in this environment's stack (an account that holds this environment only);
   * - `existing`: a trail this app does not manage (organisation or landing-zone trail).
   */
  trail:
    | { mode: 'baseline' }
    | CreateOrExisting<{
        /** Log group that the existing trail delivers to in this account; absent for an organisation trail in another account. */
        logGroupName?: string;
        /** Where CIS metric filters and alarms live when the trail's log group is in another account. */
        organizationTrailAccount?: string;
      }>;
  /** Days before trail objects move to Glacier and expire (with `baseline`: the longest of the account's environments wins). */
  transitionToGlacierDays: number;
  expireAfterDays: number;
}

export interface EnvironmentConfig {
  envName: EnvName;
  /**
   * A production environment: TLS to the database and cache, retained keys, secrets and logs, termination
   * protection, 365+ days of logs and audit files, no credential rotation at deploy. Required (true) for an
   * environment whose name starts with "prod"; default false.
   */
  production?: boolean;
  /**
   * Absent (with `region`): an environment-agnostic stack, deployable to any account and region. Its ARNs are then
   * written with placeholders (below) and literal account ids are refused unless listed in crossAccountArns.
   */
  account?: string;
  region?: string;
  appName: string;
  owner: string;
  alarmEmail: string;
  /** CloudWatch Logs retention in days (a value CloudWatch accepts). */
  logRetentionDays: number;
  removalPolicy: 'retain' | 'destroy';
  terminationProtection: boolean;
  /*
   * ARNs (the role ARNs below, database/redis secret and key ARNs) may use the placeholders `${AWS::Partition}`,
   * `${AWS::Region}` and `${AWS::AccountId}`, the syntax of the CDK bootstrap templates: resolved in one place
   * (lib/config/resolve.ts) to the stack's account and region, i.e. to CloudFormation pseudo parameters in an
   * environment-agnostic stack and to the configured values otherwise.
   */
  /** IAM role ARNs that administer the keys (never use them). */
  keyAdminRoleArns: string[];
  breakGlassRoleArn: string;
  /**
   * Role ARN CloudFormation deploys with (may update key and secret policies). Left out in the input (code or JSON):
   * the CDK bootstrap's CloudFormation execution role of the stack's synthesizer
   * (`cdk-<qualifier>-cfn-exec-role-<account>-<region>`), filled in by validation as BOOTSTRAP_DEPLOY_ROLE and
   * resolved with the stack.
   */
  deployRoleArn: string;
  /** Principals (role ARNs or service principals) trusted to assume the application role. */
  applicationTrustedPrincipals: string[];
  /** Existing roles that may also read the secrets (e.g. ECS task execution role). */
  additionalReaderRoleArns: string[];
  auditorTrustedPrincipals: string[];
  /**
   * Role ARNs that assume the operator role (`gaara-secrets status/history/verify/rotate`): describes secrets, lists
   * versions, reads rotation metrics, starts rotations; reads no value and writes nothing. Absent or empty: no
   * operator role.
   */
  operatorTrustedPrincipals?: string[];
  /** The functions' network (replaces database.vpcId/availabilityZones/privateSubnetIds/secretsManagerEndpoint). */
  network?: NetworkConfig;
  database: DatabaseConfig;
  redis: RedisConfig;
  audit: TrailConfig;
  /** Rotation per secret, overriding the catalog's defaults. */
  rotation: Partial<Record<SecretName, RotationScheduleConfig>>;
  /** Use KMS GenerateRandom (FIPS-validated) for key material instead of crypto.randomBytes. */
  fipsKeyMaterial: boolean;
  /**
   * Reserved concurrency of each of the four functions (three rotators, the age function). Off by default: each
   * reservation is taken from the account's regional quota, of which Lambda keeps 100 unreserved, so reserving
   * fails deploys in accounts with the default quota of new accounts. Set it (e.g. 5) where the quota allows, to
   * guarantee rotations a slot and cap them.
   */
  reservedConcurrency?: number;
  /**
   * ARNs in this config that are in another account on purpose (e.g. an auditor role of a security account). Any
   * other ARN of another account is refused at synth: with `account` set, an ARN naming a different account; in an
   * environment-agnostic config, any literal account id (write `${AWS::AccountId}` for the account deployed to). A
   * copied config must not silently trust or read from someone else's account.
   */
  crossAccountArns?: string[];
  /** Where on-call finds docs/runbook.md (linked from the dashboard and the alarm descriptions). */
  runbookUrl: string;
  /** Metrics namespace; default `<App>/Secrets`. */
  metricsNamespace?: string;
}

/** The two names every construct of an environment is named by: `<app>-<env>-…`, `<app>/<env>/…`. */
export type EnvironmentIdentity = Pick<EnvironmentConfig, 'appName' | 'envName'>;

/** An environment as written in lib/config/environments.ts or a JSON file: `deployRoleArn` may be left out. */
export type EnvironmentInput = Omit<EnvironmentConfig, 'deployRoleArn'> & { deployRoleArn?: string };
