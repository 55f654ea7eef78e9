import type { EnvironmentConfig, EnvironmentInput } from './types';
import { validateEnvironment } from './validate';

/**
 * The environments this app deploys. Edit these objects (or add one) for your organisation: every field is
 * checked at synth by validate.ts. Account ids and ARNs below are placeholders for the example organisation.
 * dev is environment-agnostic: its ARNs say `${AWS::AccountId}`/`${AWS::Region}` (the account and region it is
 * deployed to), and it names no deploy role (the CDK bootstrap's CloudFormation execution role is used).
 */
const APP = 'gaara-store';

function baseEnvironment(envName: string, account: string | undefined, region: string | undefined): EnvironmentInput {
  const acct = account ?? '${AWS::AccountId}';
  const partition = account ? 'aws' : '${AWS::Partition}';
  const role = (name: string) => `arn:${partition}:iam::${acct}:role/${name}`;
  return {
    envName,
    account,
    region,
    appName: APP,
    owner: 'platform-team',
    alarmEmail: `security-alerts+${envName}@example.com`,
    logRetentionDays: 90,
    removalPolicy: 'destroy',
    terminationProtection: false,
    keyAdminRoleArns: [role(`${APP}-key-admin`)],
    breakGlassRoleArn: role(`${APP}-break-glass`),
    // Staging and prod name the bootstrap role of their account; left out (dev), the stack's synthesizer gives it.
    ...(account ? { deployRoleArn: role(`cdk-hnb659fds-cfn-exec-role-${account}-${region}`) } : {}),
    applicationTrustedPrincipals: ['ecs-tasks.amazonaws.com'],
    additionalReaderRoleArns: [],
    auditorTrustedPrincipals: [role(`${APP}-security-auditor`)],
    operatorTrustedPrincipals: [role(`${APP}-on-call`)],
    network: {
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      // No availabilityZones: the functions need only the subnets.
      privateSubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
      // create: a new interface endpoint; existing: {mode: 'existing', securityGroupId | cidr | prefixListId};
      // none: through the subnets' NAT gateway. RDS, ElastiCache and KMS default to create when used.
      endpoints: { secretsManager: { mode: 'create' } },
    },
    database: {
      engine: 'postgres',
      host: `${envName}-db.gaara.internal`,
      port: 5432,
      dbname: 'gaara',
      username: 'gaara_app',
      strategy: 'single-user',
      tls: true,
      securityGroupId: 'sg-0a1b2c3d4e5f60003',
      addIngressRule: false,
    },
    redis: {
      host: `${envName}-cache.gaara.internal`,
      port: 6379,
      username: 'gaara_app',
      tls: true,
      securityGroupId: 'sg-0a1b2c3d4e5f60004',
      adminSecretArn: `arn:${partition}:secretsmanager:${region ?? '${AWS::Region}'}:${acct}:secret:${APP}/${envName}/admin/redis-AbCdEf`,
    },
    audit: {
      // The account's trail and CIS alarms: in the account baseline stack, once per account (lib/baseline).
      trail: { mode: 'baseline' },
      transitionToGlacierDays: 90,
      expireAfterDays: 400,
    },
    rotation: {},
    fipsKeyMaterial: false,
    runbookUrl: 'https://git.example.com/platform/gaara-secrets/-/blob/main/docs/runbook.md',
  };
}

const dev: EnvironmentInput = {
  ...baseEnvironment('dev', undefined, undefined),
  logRetentionDays: 30,
  rotation: { 'database-url': { days: 30, rotateImmediately: false } },
};

const staging: EnvironmentInput = {
  ...baseEnvironment('staging', '222222222222', 'eu-west-1'),
  logRetentionDays: 90,
};

const prodBase = baseEnvironment('prod', '333333333333', 'eu-west-1');
const prod: EnvironmentInput = {
  ...prodBase,
  production: true,
  logRetentionDays: 400,
  removalPolicy: 'retain',
  terminationProtection: true,
  additionalReaderRoleArns: ['arn:aws:iam::333333333333:role/gaara-store-prod-ecs-task-execution'],
  database: {
    ...prodBase.database,
    strategy: 'alternating-users',
    masterSecretArn: 'arn:aws:secretsmanager:eu-west-1:333333333333:secret:rds!db-0a1b2c3d-AbCdEf',
    dbInstanceIdentifier: 'gaara-store-prod',
  },
  audit: { ...prodBase.audit, expireAfterDays: 2555 },
  rotation: {
    // A monthly window on the first Tuesday, 03:00-06:00 UTC: rotations at most 35 days apart.
    'database-url': { days: 35, scheduleExpression: 'cron(0 3 ? * 3#1 *)', duration: '3h', rotateImmediately: false },
  },
};

/** Validated here already, so every entry carries its defaults (lib/app.ts validates again, with the others). */
export const ENVIRONMENTS: readonly EnvironmentConfig[] = [dev, staging, prod].map(validateEnvironment);
