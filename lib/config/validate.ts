import { CATALOG, DATABASE_ENGINES, SECRET_NAMES } from '../../contracts';
import type { EnvironmentConfig, RotationScheduleConfig } from './types';

/** Config errors are collected and reported together, each naming environment, field and problem. */
export class ConfigError extends Error {
  constructor(readonly envName: string, readonly problems: string[]) {
    super(`Invalid configuration for environment "${envName}":\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
const APP_NAME = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;
const ENV_NAME = /^[a-z][a-z0-9]{1,15}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/;
const SERVICE_PRINCIPAL = /^[a-z0-9-]+\.amazonaws\.com$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const VPC = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET = /^subnet-[0-9a-f]{8,17}$/;
const SG = /^sg-[0-9a-f]{8,17}$/;
const HOST = /^[A-Za-z0-9.-]+$/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/;
const DURATION = /^\d+h$/;
const SCHEDULE = /^(rate|cron)\(.+\)$/;
// The values CloudWatch Logs accepts for retention.
const LOG_RETENTION = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export function validateEnvironment(c: EnvironmentConfig): EnvironmentConfig {
  const problems: string[] = [];
  const check = (ok: boolean, field: string, problem: string) => {
    if (!ok) problems.push(`${field}: ${problem}`);
  };
  const port = (p: number) => Number.isInteger(p) && p > 0 && p < 65536;

  check(typeof c.envName === 'string' && ENV_NAME.test(c.envName), 'envName', 'must be 2-16 lowercase letters or digits, starting with a letter');
  check(c.account === undefined || ACCOUNT.test(c.account), 'account', 'must be a 12-digit AWS account id');
  check(c.region === undefined || REGION.test(c.region), 'region', 'must be an AWS region such as eu-west-1');
  check((c.account === undefined) === (c.region === undefined), 'account', 'and region must be set together (or both left out for an environment-agnostic stack)');
  check(APP_NAME.test(c.appName ?? ''), 'appName', 'must be 3-32 lowercase letters, digits or hyphens');
  check(typeof c.owner === 'string' && c.owner.trim().length > 0, 'owner', 'must name the owning team');
  check(EMAIL.test(c.alarmEmail ?? ''), 'alarmEmail', 'must be an e-mail address');
  check(/^https:\/\/\S+$/.test(c.runbookUrl ?? ''), 'runbookUrl', 'must be an https URL where on-call finds docs/runbook.md');
  check(LOG_RETENTION.includes(c.logRetentionDays), 'logRetentionDays', `must be one of ${LOG_RETENTION.join(', ')}`);
  check(c.removalPolicy === 'retain' || c.removalPolicy === 'destroy', 'removalPolicy', 'must be "retain" or "destroy"');
  check(Array.isArray(c.keyAdminRoleArns) && c.keyAdminRoleArns.length > 0, 'keyAdminRoleArns', 'must name at least one key administrator role');
  (c.keyAdminRoleArns ?? []).forEach((a, i) => check(ROLE_ARN.test(a), `keyAdminRoleArns[${i}]`, 'must be an IAM role ARN'));
  check(ROLE_ARN.test(c.breakGlassRoleArn ?? ''), 'breakGlassRoleArn', 'must be an IAM role ARN');
  check(ROLE_ARN.test(c.deployRoleArn ?? ''), 'deployRoleArn', 'must be an IAM role ARN');
  check((c.keyAdminRoleArns ?? []).every((a) => a !== c.breakGlassRoleArn), 'keyAdminRoleArns', 'must not include the break-glass role (administration is separated from use)');
  check(Array.isArray(c.applicationTrustedPrincipals) && c.applicationTrustedPrincipals.length > 0, 'applicationTrustedPrincipals', 'must name at least one principal');
  (c.applicationTrustedPrincipals ?? []).forEach((p, i) =>
    check(ROLE_ARN.test(p) || SERVICE_PRINCIPAL.test(p), `applicationTrustedPrincipals[${i}]`, 'must be an IAM role ARN or a service principal such as ecs-tasks.amazonaws.com'),
  );
  (c.additionalReaderRoleArns ?? []).forEach((a, i) => check(ROLE_ARN.test(a), `additionalReaderRoleArns[${i}]`, 'must be an IAM role ARN'));
  check(Array.isArray(c.auditorTrustedPrincipals) && c.auditorTrustedPrincipals.length > 0, 'auditorTrustedPrincipals', 'must name at least one principal');
  (c.auditorTrustedPrincipals ?? []).forEach((a, i) => check(ROLE_ARN.test(a), `auditorTrustedPrincipals[${i}]`, 'must be an IAM role ARN'));

  const db = c.database;
  if (!db) {
    problems.push('database: is missing');
  } else {
    check((DATABASE_ENGINES as readonly string[]).includes(db.engine), 'database.engine', `must be one of ${DATABASE_ENGINES.join(', ')}`);
    check(HOST.test(db.host ?? ''), 'database.host', 'must be a host name');
    check(port(db.port), 'database.port', 'must be an integer between 1 and 65535');
    check(IDENT.test(db.dbname ?? ''), 'database.dbname', 'must be a plain database name');
    check(IDENT.test(db.username ?? ''), 'database.username', 'must be a plain user name (letters, digits, _ $ -)');
    check(['single-user', 'alternating-users', 'dual-password'].includes(db.strategy), 'database.strategy', 'must be single-user, alternating-users or dual-password');
    check(db.strategy !== 'alternating-users' || SECRET_ARN.test(db.masterSecretArn ?? ''), 'database.masterSecretArn', 'must be a Secrets Manager ARN when strategy is alternating-users');
    check(db.masterSecretArn === undefined || SECRET_ARN.test(db.masterSecretArn), 'database.masterSecretArn', 'must be a Secrets Manager secret ARN');
    check(db.masterSecretKeyArn === undefined || KEY_ARN.test(db.masterSecretKeyArn), 'database.masterSecretKeyArn', 'must be a KMS key ARN');
    check(VPC.test(db.vpcId ?? ''), 'database.vpcId', 'must be a VPC id (vpc-...)');
    check(Array.isArray(db.privateSubnetIds) && db.privateSubnetIds.length >= 2, 'database.privateSubnetIds', 'must list at least two subnets (two availability zones)');
    (db.privateSubnetIds ?? []).forEach((s, i) => check(SUBNET.test(s), `database.privateSubnetIds[${i}]`, 'must be a subnet id (subnet-...)'));
    check(Array.isArray(db.availabilityZones) && db.availabilityZones.length === (db.privateSubnetIds ?? []).length, 'database.availabilityZones', 'must list one zone per subnet, in the same order');
    check(SG.test(db.securityGroupId ?? ''), 'database.securityGroupId', 'must be a security group id (sg-...)');
    check(db.tls === true || c.envName !== 'prod', 'database.tls', 'must be true in prod');
    const ep = db.secretsManagerEndpoint;
    check(ep?.mode === 'create' || ep?.mode === 'existing', 'database.secretsManagerEndpoint.mode', 'must be "create" or "existing"');
  }

  const r = c.redis;
  if (!r) {
    problems.push('redis: is missing');
  } else {
    check(HOST.test(r.host ?? ''), 'redis.host', 'must be a host name');
    check(port(r.port), 'redis.port', 'must be an integer between 1 and 65535');
    check(IDENT.test(r.username ?? ''), 'redis.username', 'must be a plain user name');
    check((r.adminSecretArn === undefined) !== (r.elastiCacheUserId === undefined), 'redis.adminSecretArn', 'or redis.elastiCacheUserId must be set, exactly one');
    check(r.adminSecretArn === undefined || SECRET_ARN.test(r.adminSecretArn), 'redis.adminSecretArn', 'must be a Secrets Manager secret ARN');
    check(r.adminSecretKeyArn === undefined || KEY_ARN.test(r.adminSecretKeyArn), 'redis.adminSecretKeyArn', 'must be a KMS key ARN');
    check(r.tls === true || c.envName !== 'prod', 'redis.tls', 'must be true in prod');
    check(SG.test(r.securityGroupId ?? ''), 'redis.securityGroupId', 'must be a security group id (sg-...)');
  }

  const t = c.audit;
  if (!t) {
    problems.push('audit: is missing');
  } else {
    check(t.trail?.mode === 'create' || t.trail?.mode === 'existing', 'audit.trail.mode', 'must be "create" or "existing"');
    check(Number.isInteger(t.transitionToGlacierDays) && t.transitionToGlacierDays >= 30, 'audit.transitionToGlacierDays', 'must be an integer of at least 30');
    check(Number.isInteger(t.expireAfterDays) && t.expireAfterDays > t.transitionToGlacierDays, 'audit.expireAfterDays', 'must be an integer greater than transitionToGlacierDays');
    check(c.envName !== 'prod' || t.expireAfterDays >= 365, 'audit.expireAfterDays', 'must keep prod audit logs at least 365 days');
  }
  check(c.envName !== 'prod' || c.logRetentionDays >= 365, 'logRetentionDays', 'must be at least 365 in prod');
  check(c.envName !== 'prod' || c.removalPolicy === 'retain', 'removalPolicy', 'must be "retain" in prod');
  check(c.envName !== 'prod' || c.terminationProtection === true, 'terminationProtection', 'must be true in prod');

  for (const [name, schedule] of Object.entries(c.rotation ?? {})) {
    const field = `rotation.${name}`;
    if (!(SECRET_NAMES as readonly string[]).includes(name)) {
      problems.push(`${field}: is not one of the seven secrets (${SECRET_NAMES.join(', ')})`);
      continue;
    }
    const entry = CATALOG.find((e) => e.name === name);
    if (!entry?.rotator) {
      problems.push(`${field}: ${name} is issued by a third party and cannot rotate automatically; its age alarm uses the catalog's period`);
      continue;
    }
    validateSchedule(schedule as RotationScheduleConfig, field, c.envName, entry.kind !== 'key-ring', check);
  }

  if (problems.length > 0) throw new ConfigError(c.envName ?? '(unnamed)', problems);
  return c;
}

function validateSchedule(
  s: RotationScheduleConfig,
  field: string,
  envName: string,
  isCredential: boolean,
  check: (ok: boolean, f: string, p: string) => void,
) {
  check(Number.isInteger(s.days) && s.days >= 1 && s.days <= 1000, `${field}.days`, 'must be an integer between 1 and 1000 (Secrets Manager limits)');
  check(s.scheduleExpression === undefined || SCHEDULE.test(s.scheduleExpression), `${field}.scheduleExpression`, 'must be rate(...) or cron(...)');
  check(s.duration === undefined || (DURATION.test(s.duration) && parseInt(s.duration, 10) >= 1 && parseInt(s.duration, 10) <= 24), `${field}.duration`, 'must be between 1h and 24h');
  check(s.duration === undefined || s.scheduleExpression !== undefined, `${field}.duration`, 'needs a scheduleExpression (a rotation window is a schedule plus a duration)');
  check(typeof s.rotateImmediately === 'boolean', `${field}.rotateImmediately`, 'must be true or false');
  check(!(envName === 'prod' && isCredential && s.rotateImmediately), `${field}.rotateImmediately`, 'must be false in prod: a deploy must not rotate prod credentials as a side effect');
}

/** Every configured environment, validated; unique names. */
export function validateAll(envs: readonly EnvironmentConfig[]): EnvironmentConfig[] {
  const names = new Set<string>();
  for (const e of envs) {
    if (names.has(e.envName)) throw new ConfigError(e.envName, ['envName: is used by two environments']);
    names.add(e.envName);
  }
  return envs.map(validateEnvironment);
}
