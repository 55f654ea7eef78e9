import { CATALOG } from '../../contracts';
import { ENVIRONMENTS, validateEnvironment } from '../../lib/config';
import { nagPacks } from '../../lib/nag';
import { resourcesOf, synthAll } from '../support/synth';

const { results } = synthAll();

describe.each(results.map((r) => [r.config.envName, r] as const))('rotation wiring of %s', (envName, { config, template, stack }) => {
  const secrets = resourcesOf(template, 'AWS::SecretsManager::Secret');
  const secretId = (name: string) => secrets.find(([, s]) => s.Properties.Name === `${config.appName}/${envName}/${name}`)![0];
  const schedules = resourcesOf(template, 'AWS::SecretsManager::RotationSchedule');
  const permissions = resourcesOf(template, 'AWS::Lambda::Permission');
  const functions = resourcesOf(template, 'AWS::Lambda::Function');
  const account = stack.resolve(stack.account);

  it('schedules every rotating secret and none of the third-party ones', () => {
    const scheduled = schedules.map(([, s]) => s.Properties.SecretId.Ref).sort();
    expect(scheduled).toEqual(
      CATALOG.filter((e) => e.rotator)
        .map((e) => secretId(e.name))
        .sort(),
    );
  });

  it.each(CATALOG.filter((e) => e.rotator).map((e) => [e.name, e] as const))('%s: schedule, window and rotate-at-deploy as configured', (name, entry) => {
    const [, schedule] = schedules.find(([, s]) => s.Properties.SecretId.Ref === secretId(name))!;
    const override = config.rotation[name];
    if (override?.scheduleExpression) {
      expect(schedule.Properties.RotationRules).toEqual({ ScheduleExpression: override.scheduleExpression, Duration: override.duration });
    } else {
      expect(schedule.Properties.RotationRules.AutomaticallyAfterDays).toBe(override?.days ?? entry.rotationDays);
    }
    // Credentials never rotate as a side effect of a deploy; key rings do (the first rotation creates the ring).
    expect(schedule.Properties.RotateImmediatelyOnUpdate).toBe(override?.rotateImmediately ?? entry.kind === 'key-ring');
    if (envName === 'prod' && entry.kind !== 'key-ring') expect(schedule.Properties.RotateImmediatelyOnUpdate).toBe(false);
    // The invoke permission exists before the schedule can call the function.
    const permission = permissions.find(([, p]) => p.Properties.SourceArn?.Ref === secretId(name))!;
    expect(schedule.DependsOn).toContain(permission[0]);
  });

  it('every schedule waits for the endpoints, security groups and their rules (a rotation at deploy must reach AWS)', () => {
    const network = ['AWS::EC2::VPCEndpoint', 'AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupEgress'].flatMap((t) =>
      resourcesOf(template, t).map(([id]) => id),
    );
    // the Secrets Manager endpoint, the function and endpoint security groups, egress to the endpoints, database and cache
    expect(network.filter((id) => /SecretsManagerEndpoint[0-9A-F]{8}$/.test(id))).toHaveLength(1);
    expect(network.filter((id) => /SecurityGroup[0-9A-F]{8}$/.test(id))).toHaveLength(2);
    expect(resourcesOf(template, 'AWS::EC2::SecurityGroupEgress').length).toBeGreaterThanOrEqual(3);
    expect(schedules).toHaveLength(5);
    for (const [, schedule] of schedules) expect(schedule.DependsOn).toEqual(expect.arrayContaining(network));
  });

  it('database-url rotates every 30 days by default', () => {
    const [, schedule] = schedules.find(([, s]) => s.Properties.SecretId.Ref === secretId('database-url'))!;
    const rules = schedule.Properties.RotationRules;
    if (rules.AutomaticallyAfterDays !== undefined) expect(rules.AutomaticallyAfterDays).toBe(30);
    else expect(rules.ScheduleExpression).toMatch(/^cron\(.* \? \* \d#1 \*\)$/); // monthly window
  });

  it('every invoke permission is for Secrets Manager, scoped to this account and one secret', () => {
    const rotation = permissions.filter(([, p]) => p.Properties.Principal === 'secretsmanager.amazonaws.com');
    expect(rotation).toHaveLength(5);
    for (const [, p] of rotation) {
      expect(p.Properties.SourceAccount).toEqual(account);
      expect(p.Properties.SourceArn.Ref).toMatch(/^Secrets/);
      expect(p.Properties.Action).toBe('lambda:InvokeFunction');
    }
  });

  it('functions: latest Node.js runtime, in the VPC, no reserved concurrency by default, own encrypted log group with retention', () => {
    expect(functions).toHaveLength(4);
    const logGroups = resourcesOf(template, 'AWS::Logs::LogGroup');
    for (const [, fn] of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.VpcConfig.SubnetIds).toEqual(['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002']);
      expect(fn.Properties.VpcConfig.SecurityGroupIds).toHaveLength(1);
      // Reserved concurrency is opt-in: reserving it fails deploys in accounts with a small quota.
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
      // Created after its role's policy (ENI permissions); the role itself is ordered by the GetAtt (no W3005).
      expect(fn.DependsOn).toEqual([
        expect.stringMatching(/^(DatabaseRotationRotator|RedisRotationRotator|KeyRingRotationRotator|SecretAge)Policy[0-9A-F]{8}$/),
      ]);
      expect(fn.DependsOn![0].replace(/Policy[0-9A-F]{8}$/, '')).toBe(fn.Properties.Role['Fn::GetAtt'][0].replace(/Role[0-9A-F]{8}$/, ''));
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref;
      const [, logGroup] = logGroups.find(([id]) => id === logGroupId)!;
      expect(logGroup.Properties.RetentionInDays).toBe(config.logRetentionDays);
      expect(logGroup.Properties.KmsKeyId['Fn::GetAtt'][0]).toMatch(/^KeysOpsKey/);
      expect(fn.Properties.Environment.Variables.APP_ENVIRONMENT).toBe(envName);
      expect(fn.Properties.Environment.Variables.METRICS_NAMESPACE).toBe('GaaraStore/Secrets');
    }
  });

  it('each function writes to its fixed log group /<app>/<env>/functions/<kind> (gaara-secrets status and the runbook name it)', () => {
    const logGroups = Object.fromEntries(resourcesOf(template, 'AWS::Logs::LogGroup'));
    const named = functions.map(([id, fn]) => [
      id.replace(/Function[0-9A-F]{8}$/, ''),
      logGroups[fn.Properties.LoggingConfig.LogGroup.Ref]!.Properties.LogGroupName,
    ]);
    expect(Object.fromEntries(named)).toEqual({
      DatabaseRotationRotator: `/gaara-store/${envName}/functions/database`,
      RedisRotationRotator: `/gaara-store/${envName}/functions/redis`,
      KeyRingRotationRotator: `/gaara-store/${envName}/functions/key-ring`,
      SecretAge: `/gaara-store/${envName}/functions/secret-age`,
    });
  });

  it("the database rotator trusts the Lambda runtime's RDS CAs and knows the configured database", () => {
    const [, fn] = functions.find(([id]) => id.startsWith('DatabaseRotation'))!;
    expect(fn.Properties.Environment.Variables).toMatchObject({
      NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
      DB_ENGINE: config.database.engine,
      DB_HOST: config.database.host,
      DB_STRATEGY: config.database.strategy,
    });
  });

  it('functions reach the Secrets Manager endpoint over 443 and the database on its port, nothing else', () => {
    const egress = resourcesOf(template, 'AWS::EC2::SecurityGroupEgress').map(([, e]) => e.Properties);
    expect(egress.map((e) => e.FromPort).sort()).toEqual([443, config.database.port, config.redis.port].sort());
    const fnSg = resourcesOf(template, 'AWS::EC2::SecurityGroup').find(([id]) => id.includes('FunctionSecurityGroup'))!;
    expect(JSON.stringify(fnSg[1])).not.toContain('0.0.0.0/0');
    const endpoints = resourcesOf(template, 'AWS::EC2::VPCEndpoint');
    expect(JSON.stringify(endpoints)).toContain('secretsmanager');
    for (const [, ep] of endpoints) expect(ep.Properties.PrivateDnsEnabled).toBe(true);
    // Ingress on the imported database group is added only when config asks for it.
    const ingress = resourcesOf(template, 'AWS::EC2::SecurityGroupIngress').map(([, i]) => i.Properties.GroupId);
    expect(ingress.includes(config.database.securityGroupId)).toBe(config.database.addIngressRule);
  });

  it('the secret-age function runs hourly', () => {
    const rules = resourcesOf(template, 'AWS::Events::Rule').filter(([, r]) => r.Properties.ScheduleExpression);
    expect(rules.map(([, r]) => r.Properties.ScheduleExpression)).toContain('rate(1 hour)');
  });
});

describe('reserved concurrency (opt-in)', () => {
  it('config reservedConcurrency reserves that many executions for each of the four functions, and nag still passes', () => {
    const staging = ENVIRONMENTS.find((e) => e.envName === 'staging')!;
    const {
      app,
      results: [{ template }],
    } = synthAll([{ ...staging, reservedConcurrency: 5 }]);
    const fns = resourcesOf(template, 'AWS::Lambda::Function');
    expect(fns.map(([, f]) => f.Properties.ReservedConcurrentExecutions)).toEqual([5, 5, 5, 5]);
    const findings = nagPacks().flatMap((p) => p.validateScope(app).violations.map((v) => v.ruleName));
    expect(findings).toEqual([]);
  });

  it.each([0, 1.5, 101])('rejects reservedConcurrency %p naming the environment and field', (value) => {
    const staging = ENVIRONMENTS.find((e) => e.envName === 'staging')!;
    expect(() => validateEnvironment({ ...staging, reservedConcurrency: value })).toThrow(
      'Invalid configuration for environment "staging":\n  - reservedConcurrency: must be an integer between 1 and 100, or left out (no reservation, the default)',
    );
  });
});
