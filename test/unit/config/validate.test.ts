import { ConfigError, ENVIRONMENTS, EnvironmentConfig, validateAll, validateEnvironment, metricsNamespace } from '../../../lib/config';

const byName = (name: string) => ENVIRONMENTS.find((e) => e.envName === name)!;
const clone = (c: EnvironmentConfig): EnvironmentConfig => JSON.parse(JSON.stringify(c));

function problemsOf(config: EnvironmentConfig): ConfigError {
  try {
    validateEnvironment(config);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected the config to be rejected');
}

describe('environment config', () => {
  it('the shipped dev, staging and prod configs are valid', () => {
    expect(validateAll(ENVIRONMENTS).map((e) => e.envName)).toEqual(['dev', 'staging', 'prod']);
  });

  it('dev is environment-agnostic; staging and prod name account and region', () => {
    expect(byName('dev').account).toBeUndefined();
    expect(byName('prod').account).toMatch(/^\d{12}$/);
    expect(byName('prod').region).toBe('eu-west-1');
  });

  it('derives the metrics namespace from the app name', () => {
    expect(metricsNamespace(byName('dev'))).toBe('GaaraStore/Secrets');
  });

  type Mutation = [string, string, string, (c: EnvironmentConfig) => void];
  const bad: Mutation[] = [
    ['dev', 'account', '12-digit', (c) => (c.account = '1234')],
    ['staging', 'region', 'AWS region', (c) => (c.region = 'europe')],
    ['dev', 'appName', 'lowercase', (c) => (c.appName = 'Gaara Store')],
    ['dev', 'alarmEmail', 'e-mail', (c) => (c.alarmEmail = 'security team')],
    ['dev', 'logRetentionDays', 'one of', (c) => (c.logRetentionDays = 45)],
    ['dev', 'keyAdminRoleArns', 'at least one', (c) => (c.keyAdminRoleArns = [])],
    ['dev', 'keyAdminRoleArns[0]', 'IAM role ARN', (c) => (c.keyAdminRoleArns = ['arn:aws:iam::111111111111:user/alice'])],
    ['dev', 'keyAdminRoleArns', 'separated from use', (c) => (c.keyAdminRoleArns = [c.breakGlassRoleArn])],
    ['dev', 'applicationTrustedPrincipals[0]', 'service principal', (c) => (c.applicationTrustedPrincipals = ['*'])],
    ['dev', 'database.engine', 'one of', (c) => ((c.database as { engine: string }).engine = 'oracle')],
    ['dev', 'database.port', 'between 1 and 65535', (c) => (c.database.port = 0)],
    ['dev', 'database.username', 'plain user name', (c) => (c.database.username = "app'; DROP TABLE users; --")],
    ['prod', 'database.masterSecretArn', 'alternating-users', (c) => delete c.database.masterSecretArn],
    ['dev', 'database.privateSubnetIds', 'at least two', (c) => (c.database.privateSubnetIds = ['subnet-0a1b2c3d4e5f60001'])],
    ['dev', 'database.vpcId', 'VPC id', (c) => (c.database.vpcId = 'my-vpc')],
    ['dev', 'database.securityGroupId', 'security group', (c) => (c.database.securityGroupId = 'default')],
    ['prod', 'database.tls', 'true in prod', (c) => (c.database.tls = false)],
    ['dev', 'redis.adminSecretArn', 'exactly one', (c) => (c.redis.elastiCacheUserId = 'gaara-app')],
    ['prod', 'removalPolicy', 'retain', (c) => (c.removalPolicy = 'destroy')],
    ['prod', 'terminationProtection', 'true in prod', (c) => (c.terminationProtection = false)],
    ['prod', 'logRetentionDays', 'at least 365', (c) => (c.logRetentionDays = 90)],
    ['dev', 'audit.expireAfterDays', 'greater than', (c) => (c.audit.expireAfterDays = 10)],
    ['dev', 'rotation.mail-password', 'third party', (c) => (c.rotation['mail-password'] = { days: 30, rotateImmediately: false })],
    ['dev', 'rotation.database-url.days', 'between 1 and 1000', (c) => (c.rotation['database-url'] = { days: 0, rotateImmediately: false })],
    [
      'dev',
      'rotation.database-url.duration',
      'needs a scheduleExpression',
      (c) => (c.rotation['database-url'] = { days: 30, duration: '2h', rotateImmediately: false }),
    ],
    ['prod', 'rotation.database-url.rotateImmediately', 'side effect', (c) => (c.rotation['database-url'] = { days: 30, rotateImmediately: true })],
    ['dev', 'rotation.api-key', 'not one of the seven', (c) => ((c.rotation as Record<string, unknown>)['api-key'] = { days: 30, rotateImmediately: false })],
  ];

  it.each(bad)('%s: rejects a bad %s, naming environment, field and problem', (env, field, problem, mutate) => {
    const config = clone(byName(env));
    mutate(config);
    const error = problemsOf(config);
    expect(error.envName).toBe(env);
    expect(error.message).toContain(`environment "${env}"`);
    const line = error.problems.find((p) => p.startsWith(`${field}:`));
    expect(line).toBeDefined();
    expect(line).toContain(problem);
  });

  it('reports every problem of a config at once', () => {
    const config = clone(byName('dev'));
    config.alarmEmail = 'nobody';
    config.database.port = 99999;
    expect(problemsOf(config).problems).toHaveLength(2);
  });

  it('allows key rings to rotate at deploy in prod (no credential changes)', () => {
    const config = clone(byName('prod'));
    config.rotation['jwt-secret'] = { days: 90, rotateImmediately: true };
    expect(() => validateEnvironment(config)).not.toThrow();
  });

  it('rejects two environments with one name', () => {
    expect(() => validateAll([byName('dev'), byName('dev')])).toThrow(/used by two environments/);
  });
});
