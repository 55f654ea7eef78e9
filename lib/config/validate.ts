import { DATABASE_STRATEGIES } from '../../contracts/function-env';
import { CATALOG, DATABASE_ENGINES, SECRET_NAMES } from '../../contracts';
import { BOOTSTRAP_DEPLOY_ROLE } from './placeholders';
import type { DatabaseConfig, EndpointAccess, EnvironmentConfig, EnvironmentInput, RotationScheduleConfig } from './types';

/** Config errors are collected and reported together, each naming environment, field and problem. */
export class ConfigError extends Error {
  constructor(
    readonly envName: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration for environment "${envName}":\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
const APP_NAME = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;
const ENV_NAME = /^[a-z][a-z0-9]{1,15}$/;
// ARNs may name partition, region and account with the placeholders of lib/config/resolve.ts.
const PARTITION = '(?:aws[a-z-]*|\\$\\{AWS::Partition\\})';
const IN_REGION = '(?:[a-z0-9-]+|\\$\\{AWS::Region\\})';
const IN_ACCOUNT = '(?:\\d{12}|\\$\\{AWS::AccountId\\})';
const ROLE_ARN = new RegExp(`^arn:${PARTITION}:iam::${IN_ACCOUNT}:role\\/[\\w+=,.@/-]+$`);
const SECRET_ARN = new RegExp(`^arn:${PARTITION}:secretsmanager:${IN_REGION}:${IN_ACCOUNT}:secret:[^$]+$`);
const KEY_ARN = new RegExp(`^arn:${PARTITION}:kms:${IN_REGION}:${IN_ACCOUNT}:key\\/[0-9a-f-]+$`);
/** The account of an ARN written with a literal account id (undefined for `${AWS::AccountId}`: this account). */
const LITERAL_ACCOUNT = /^arn:[^:]+:[a-z0-9-]+:[^:]*:(\d{12}):/;
/** Reserved for the account baseline's names (`<app>-account-…`, lib/baseline). */
const BASELINE_NAME = 'account';
const SERVICE_PRINCIPAL = /^[a-z0-9-]+\.amazonaws\.com$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const VPC = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET = /^subnet-[0-9a-f]{8,17}$/;
const SG = /^sg-[0-9a-f]{8,17}$/;
const CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
const PREFIX_LIST = /^pl-[0-9a-f]{8,17}$/;
/** The services whose endpoint access `network.endpoints` configures. */
export const ENDPOINT_SERVICES = ['secretsManager', 'kms', 'rds', 'elastiCache'] as const;
const HOST = /^[A-Za-z0-9.-]+$/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/;
const DURATION = /^\d+h$/;
const SCHEDULE = /^(rate|cron)\(.+\)$/;
// The values CloudWatch Logs accepts for retention.
const LOG_RETENTION = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/**
 * Checks one environment and returns it with its defaults (the bootstrap deploy role when `deployRoleArn` is left
 * out). Throws a ConfigError listing every problem, each naming the field.
 */
export function validateEnvironment(input: EnvironmentInput): EnvironmentConfig {
  const c = { ...input, deployRoleArn: input.deployRoleArn ?? BOOTSTRAP_DEPLOY_ROLE } as EnvironmentConfig;
  const problems: string[] = [];
  const check = (ok: boolean, field: string, problem: string) => {
    if (!ok) problems.push(`${field}: ${problem}`);
  };
  const port = (p: number) => Number.isInteger(p) && p > 0 && p < 65536;
  // Production guards are keyed on the explicit flag, never on the environment's name.
  const production = c.production === true;
  check(c.production === undefined || typeof c.production === 'boolean', 'production', 'must be true or false');
  check(
    production || !/^prod/.test(c.envName ?? ''),
    'production',
    `must be true for an environment named "${c.envName}" (the production guards are keyed on it); set production: false only for a non-production environment with another name`,
  );

  check(typeof c.envName === 'string' && ENV_NAME.test(c.envName), 'envName', 'must be 2-16 lowercase letters or digits, starting with a letter');
  check(c.envName !== BASELINE_NAME, 'envName', `"${BASELINE_NAME}" is reserved for the account baseline's names`);
  check(c.account === undefined || ACCOUNT.test(c.account), 'account', 'must be a 12-digit AWS account id');
  check(c.region === undefined || REGION.test(c.region), 'region', 'must be an AWS region such as eu-west-1');
  check(
    (c.account === undefined) === (c.region === undefined),
    'account',
    'and region must be set together (or both left out for an environment-agnostic stack)',
  );
  check(APP_NAME.test(c.appName ?? ''), 'appName', 'must be 3-32 lowercase letters, digits or hyphens');
  check(typeof c.owner === 'string' && c.owner.trim().length > 0, 'owner', 'must name the owning team');
  check(EMAIL.test(c.alarmEmail ?? ''), 'alarmEmail', 'must be an e-mail address');
  check(/^https:\/\/\S+$/.test(c.runbookUrl ?? ''), 'runbookUrl', 'must be an https URL where on-call finds docs/runbook.md');
  check(
    c.reservedConcurrency === undefined || (Number.isInteger(c.reservedConcurrency) && c.reservedConcurrency >= 1 && c.reservedConcurrency <= 100),
    'reservedConcurrency',
    'must be an integer between 1 and 100, or left out (no reservation, the default)',
  );
  check(LOG_RETENTION.includes(c.logRetentionDays), 'logRetentionDays', `must be one of ${LOG_RETENTION.join(', ')}`);
  check(c.removalPolicy === 'retain' || c.removalPolicy === 'destroy', 'removalPolicy', 'must be "retain" or "destroy"');
  check(Array.isArray(c.keyAdminRoleArns) && c.keyAdminRoleArns.length > 0, 'keyAdminRoleArns', 'must name at least one key administrator role');
  (c.keyAdminRoleArns ?? []).forEach((a, i) => check(ROLE_ARN.test(a), `keyAdminRoleArns[${i}]`, 'must be an IAM role ARN'));
  check(ROLE_ARN.test(c.breakGlassRoleArn ?? ''), 'breakGlassRoleArn', 'must be an IAM role ARN');
  check(
    c.deployRoleArn === BOOTSTRAP_DEPLOY_ROLE || ROLE_ARN.test(c.deployRoleArn),
    'deployRoleArn',
    "must be an IAM role ARN, or left out (the CDK bootstrap's CloudFormation execution role)",
  );
  check(
    (c.keyAdminRoleArns ?? []).every((a) => a !== c.breakGlassRoleArn),
    'keyAdminRoleArns',
    'must not include the break-glass role (administration is separated from use)',
  );
  check(
    Array.isArray(c.applicationTrustedPrincipals) && c.applicationTrustedPrincipals.length > 0,
    'applicationTrustedPrincipals',
    'must name at least one principal',
  );
  (c.applicationTrustedPrincipals ?? []).forEach((p, i) =>
    check(
      ROLE_ARN.test(p) || SERVICE_PRINCIPAL.test(p),
      `applicationTrustedPrincipals[${i}]`,
      'must be an IAM role ARN or a service principal such as ecs-tasks.amazonaws.com',
    ),
  );
  (c.additionalReaderRoleArns ?? []).forEach((a, i) => check(ROLE_ARN.test(a), `additionalReaderRoleArns[${i}]`, 'must be an IAM role ARN'));
  check(Array.isArray(c.auditorTrustedPrincipals) && c.auditorTrustedPrincipals.length > 0, 'auditorTrustedPrincipals', 'must name at least one principal');
  (c.auditorTrustedPrincipals ?? []).forEach((a, i) => check(ROLE_ARN.test(a), `auditorTrustedPrincipals[${i}]`, 'must be an IAM role ARN'));
  check(
    c.operatorTrustedPrincipals === undefined || Array.isArray(c.operatorTrustedPrincipals),
    'operatorTrustedPrincipals',
    'must be a list of IAM role ARNs',
  );
  (c.operatorTrustedPrincipals ?? []).forEach((a, i) => check(ROLE_ARN.test(a), `operatorTrustedPrincipals[${i}]`, 'must be an IAM role ARN'));

  const db = c.database;
  if (!db) {
    problems.push('database: is missing');
  } else {
    check((DATABASE_ENGINES as readonly string[]).includes(db.engine), 'database.engine', `must be one of ${DATABASE_ENGINES.join(', ')}`);
    check(HOST.test(db.host ?? ''), 'database.host', 'must be a host name');
    check(port(db.port), 'database.port', 'must be an integer between 1 and 65535');
    check(IDENT.test(db.dbname ?? ''), 'database.dbname', 'must be a plain database name');
    check(IDENT.test(db.username ?? ''), 'database.username', 'must be a plain user name (letters, digits, _ $ -)');
    check((DATABASE_STRATEGIES as readonly string[]).includes(db.strategy), 'database.strategy', `must be ${DATABASE_STRATEGIES.join(', ')}`);
    check(
      db.strategy !== 'alternating-users' || SECRET_ARN.test(db.masterSecretArn ?? ''),
      'database.masterSecretArn',
      'must be a Secrets Manager ARN when strategy is alternating-users',
    );
    check(db.masterSecretArn === undefined || SECRET_ARN.test(db.masterSecretArn), 'database.masterSecretArn', 'must be a Secrets Manager secret ARN');
    check(db.masterSecretKeyArn === undefined || KEY_ARN.test(db.masterSecretKeyArn), 'database.masterSecretKeyArn', 'must be a KMS key ARN');
    check(SG.test(db.securityGroupId ?? ''), 'database.securityGroupId', 'must be a security group id (sg-...)');
    check(db.tls === true || !production, 'database.tls', 'must be true in prod (production: true)');
  }
  validateNetwork(c, check);
  validateAccounts(c, check);

  const r = c.redis;
  if (!r) {
    problems.push('redis: is missing');
  } else {
    check(HOST.test(r.host ?? ''), 'redis.host', 'must be a host name');
    check(port(r.port), 'redis.port', 'must be an integer between 1 and 65535');
    check(IDENT.test(r.username ?? ''), 'redis.username', 'must be a plain user name');
    check(
      (r.adminSecretArn === undefined) !== (r.elastiCacheUserId === undefined),
      'redis.adminSecretArn',
      'or redis.elastiCacheUserId must be set, exactly one',
    );
    check(r.adminSecretArn === undefined || SECRET_ARN.test(r.adminSecretArn), 'redis.adminSecretArn', 'must be a Secrets Manager secret ARN');
    check(r.adminSecretKeyArn === undefined || KEY_ARN.test(r.adminSecretKeyArn), 'redis.adminSecretKeyArn', 'must be a KMS key ARN');
    check(r.tls === true || !production, 'redis.tls', 'must be true in prod (production: true)');
    check(SG.test(r.securityGroupId ?? ''), 'redis.securityGroupId', 'must be a security group id (sg-...)');
  }

  const t = c.audit;
  if (!t) {
    problems.push('audit: is missing');
  } else {
    check(['baseline', 'create', 'existing'].includes(t.trail?.mode), 'audit.trail.mode', 'must be "baseline", "create" or "existing"');
    check(Number.isInteger(t.transitionToGlacierDays) && t.transitionToGlacierDays >= 30, 'audit.transitionToGlacierDays', 'must be an integer of at least 30');
    check(
      Number.isInteger(t.expireAfterDays) && t.expireAfterDays > t.transitionToGlacierDays,
      'audit.expireAfterDays',
      'must be an integer greater than transitionToGlacierDays',
    );
    check(!production || t.expireAfterDays >= 365, 'audit.expireAfterDays', 'must keep prod audit logs at least 365 days (production: true)');
  }
  check(!production || c.logRetentionDays >= 365, 'logRetentionDays', 'must be at least 365 in prod (production: true)');
  check(!production || c.removalPolicy === 'retain', 'removalPolicy', 'must be "retain" in prod (production: true)');
  check(!production || c.terminationProtection === true, 'terminationProtection', 'must be true in prod (production: true)');

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
    validateSchedule(schedule as RotationScheduleConfig, field, production, entry.kind !== 'key-ring', check);
  }

  if (problems.length > 0) throw new ConfigError(c.envName ?? '(unnamed)', problems);
  return c;
}

type Check = (ok: boolean, field: string, problem: string) => void;

/**
 * Every ARN of the config is in the environment's own account, unless listed in crossAccountArns: with `account`
 * set, written with that account or `${AWS::AccountId}`; in an environment-agnostic stack, only with
 * `${AWS::AccountId}` (a literal account id there is another account wherever the stack is deployed).
 */
function validateAccounts(c: EnvironmentConfig, check: Check): void {
  const allowed = new Set(c.crossAccountArns ?? []);
  (c.crossAccountArns ?? []).forEach((a, i) =>
    check(/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+$/.test(a), `crossAccountArns[${i}]`, 'must be an ARN with an account id'),
  );
  const fields: [string, string | undefined][] = [
    ...(c.keyAdminRoleArns ?? []).map((a, i) => [`keyAdminRoleArns[${i}]`, a] as [string, string]),
    ['breakGlassRoleArn', c.breakGlassRoleArn],
    ['deployRoleArn', c.deployRoleArn],
    ...(c.applicationTrustedPrincipals ?? []).map((a, i) => [`applicationTrustedPrincipals[${i}]`, a] as [string, string]),
    ...(c.additionalReaderRoleArns ?? []).map((a, i) => [`additionalReaderRoleArns[${i}]`, a] as [string, string]),
    ...(c.auditorTrustedPrincipals ?? []).map((a, i) => [`auditorTrustedPrincipals[${i}]`, a] as [string, string]),
    ...(c.operatorTrustedPrincipals ?? []).map((a, i) => [`operatorTrustedPrincipals[${i}]`, a] as [string, string]),
    ['database.masterSecretArn', c.database?.masterSecretArn],
    ['database.masterSecretKeyArn', c.database?.masterSecretKeyArn],
    ['redis.adminSecretArn', c.redis?.adminSecretArn],
    ['redis.adminSecretKeyArn', c.redis?.adminSecretKeyArn],
  ];
  for (const [field, arn] of fields) {
    const account = LITERAL_ACCOUNT.exec(arn ?? '')?.[1];
    if (account === undefined || account === c.account || allowed.has(arn as string)) continue;
    check(
      false,
      field,
      c.account === undefined
        ? `names account ${account}, but this environment is environment-agnostic (no account): write \${AWS::AccountId} for the account it is deployed to, or list the ARN in crossAccountArns if another account is meant`
        : `is in account ${account}, not this environment's ${c.account}; list it in crossAccountArns if that is on purpose`,
    );
  }
}

const LEGACY_NETWORK_FIELDS = ['vpcId', 'availabilityZones', 'privateSubnetIds', 'secretsManagerEndpoint'] as const;

/**
 * The top-level `network` block, or (deprecated) the same fields under `database`, validated under the name they
 * were given. Both at once is refused: one place says where the functions run.
 */
function validateNetwork(c: EnvironmentConfig, check: Check): void {
  const db = (c.database ?? {}) as Partial<DatabaseConfig>;
  const legacy = LEGACY_NETWORK_FIELDS.filter((f) => db[f] !== undefined);
  if (c.network !== undefined) {
    check(legacy.length === 0, 'network', `is set, so ${legacy.map((f) => `database.${f}`).join(', ')} must be left out (moved to network)`);
  } else {
    check(legacy.length > 0, 'network', 'is missing: give vpcId, privateSubnetIds and endpoints');
  }
  const validateShape = (prefix: string, n: { vpcId?: string; availabilityZones?: string[]; privateSubnetIds?: string[] }) => {
    check(VPC.test(n.vpcId ?? ''), `${prefix}.vpcId`, 'must be a VPC id (vpc-...)');
    check(
      Array.isArray(n.privateSubnetIds) && n.privateSubnetIds.length >= 2,
      `${prefix}.privateSubnetIds`,
      'must list at least two subnets (two availability zones)',
    );
    (n.privateSubnetIds ?? []).forEach((s, i) => check(SUBNET.test(s), `${prefix}.privateSubnetIds[${i}]`, 'must be a subnet id (subnet-...)'));
    const zones = n.availabilityZones;
    if (zones === undefined) return;
    check(
      c.region !== undefined,
      `${prefix}.availabilityZones`,
      'must be left out in an environment-agnostic stack (a zone name pins a region); the functions need only the subnet ids',
    );
    check(
      Array.isArray(zones) && zones.length === (n.privateSubnetIds ?? []).length,
      `${prefix}.availabilityZones`,
      'must list one zone per subnet, in the same order, or be left out',
    );
    (Array.isArray(zones) ? zones : []).forEach((z, i) =>
      check(
        c.region === undefined || (typeof z === 'string' && z.startsWith(c.region) && /^[a-z]$/.test(z.slice(c.region.length))),
        `${prefix}.availabilityZones[${i}]`,
        `must be a zone of ${c.region} (such as ${c.region}a)`,
      ),
    );
  };
  if (legacy.length > 0) {
    validateShape('database', db);
    if (db.secretsManagerEndpoint !== undefined) validateEndpoint(db.secretsManagerEndpoint, 'database.secretsManagerEndpoint', check);
  }
  const n = c.network;
  if (n === undefined) return;
  validateShape('network', n);
  const endpoints = (n.endpoints ?? {}) as Record<string, EndpointAccess | undefined>;
  check(
    n.endpoints?.secretsManager !== undefined,
    'network.endpoints.secretsManager',
    'is missing: every function calls Secrets Manager (create, existing or none)',
  );
  for (const [name, ep] of Object.entries(endpoints)) {
    if (!(ENDPOINT_SERVICES as readonly string[]).includes(name)) {
      check(false, `network.endpoints.${name}`, `is not one of ${ENDPOINT_SERVICES.join(', ')}`);
      continue;
    }
    if (ep !== undefined) validateEndpoint(ep, `network.endpoints.${name}`, check);
  }
}

function validateEndpoint(ep: EndpointAccess, field: string, check: Check): void {
  check(['create', 'existing', 'none'].includes(ep?.mode), `${field}.mode`, 'must be "create", "existing" or "none"');
  const given = (['securityGroupId', 'cidr', 'prefixListId'] as const).filter((k) => ep?.[k] !== undefined);
  if (ep?.mode === 'existing') {
    check(given.length === 1, field, "existing needs exactly one of securityGroupId (the endpoint's security group), cidr or prefixListId (its addresses)");
  } else {
    check(given.length === 0, field, `${given.join(', ')} only go with mode "existing"`);
  }
  check(ep?.securityGroupId === undefined || SG.test(ep.securityGroupId), `${field}.securityGroupId`, 'must be a security group id (sg-...)');
  check(ep?.cidr === undefined || CIDR.test(ep.cidr), `${field}.cidr`, 'must be an IPv4 CIDR such as 10.0.0.0/16');
  check(ep?.prefixListId === undefined || PREFIX_LIST.test(ep.prefixListId), `${field}.prefixListId`, 'must be a prefix list id (pl-...)');
}

function validateSchedule(s: RotationScheduleConfig, field: string, production: boolean, isCredential: boolean, check: Check) {
  check(Number.isInteger(s.days) && s.days >= 1 && s.days <= 1000, `${field}.days`, 'must be an integer between 1 and 1000 (Secrets Manager limits)');
  check(s.scheduleExpression === undefined || SCHEDULE.test(s.scheduleExpression), `${field}.scheduleExpression`, 'must be rate(...) or cron(...)');
  check(
    s.duration === undefined || (DURATION.test(s.duration) && parseInt(s.duration, 10) >= 1 && parseInt(s.duration, 10) <= 24),
    `${field}.duration`,
    'must be between 1h and 24h',
  );
  check(
    s.duration === undefined || s.scheduleExpression !== undefined,
    `${field}.duration`,
    'needs a scheduleExpression (a rotation window is a schedule plus a duration)',
  );
  check(typeof s.rotateImmediately === 'boolean', `${field}.rotateImmediately`, 'must be true or false');
  check(
    !(production && isCredential && s.rotateImmediately),
    `${field}.rotateImmediately`,
    'must be false in prod: a deploy must not rotate prod credentials as a side effect',
  );
}

/** Every configured environment, validated; unique names; one owner of the trail per account. */
export function validateAll(envs: readonly EnvironmentInput[]): EnvironmentConfig[] {
  const names = new Set<string>();
  for (const e of envs) {
    if (names.has(e.envName)) throw new ConfigError(e.envName, ['envName: is used by two environments']);
    names.add(e.envName);
  }
  const configs = envs.map(validateEnvironment);
  validateAccountSharing(configs);
  return configs;
}

/** `<account>` or, for environment-agnostic stacks (which may all land in one account), `(agnostic)`. */
export function accountKey(c: Pick<EnvironmentConfig, 'account'>): string {
  return c.account ?? '(agnostic)';
}

/**
 * Environments that share an account (environment-agnostic ones count as one account: they may be deployed to the
 * same one) must not each create the account's trail and CIS alarms, and those that share a baseline use it from
 * the baseline's region (its log group is regional).
 */
function validateAccountSharing(configs: readonly EnvironmentConfig[]): void {
  const byAccount = new Map<string, EnvironmentConfig[]>();
  for (const c of configs) byAccount.set(accountKey(c), [...(byAccount.get(accountKey(c)) ?? []), c]);
  for (const [account, group] of byAccount) {
    if (group.length < 2) continue;
    const where = account === '(agnostic)' ? 'environment-agnostic environments (deployable to one account)' : `environments of account ${account}`;
    const creators = group.filter((c) => c.audit.trail.mode === 'create');
    if (creators.length > 0) {
      throw new ConfigError(creators[0].envName, [
        `audit.trail.mode: "create" makes a second multi-region trail and duplicate CIS alarms in an account shared by ${group.map((c) => c.envName).join(', ')} (${where}); use "baseline" (one account baseline for all of them)`,
      ]);
    }
    const baseline = group.filter((c) => c.audit.trail.mode === 'baseline');
    const regions = [...new Set(baseline.map((c) => c.region ?? '(agnostic)'))];
    if (regions.length > 1) {
      throw new ConfigError(baseline[1].envName, [
        `region: the ${where} share one account baseline, whose trail log group is in one region; ${baseline.map((c) => `${c.envName} is in ${c.region}`).join(', ')}`,
      ]);
    }
  }
}
