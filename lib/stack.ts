import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { secretsStackName, type SecretName } from '../contracts';
import { type EnvironmentConfig } from './config';
import { networkOf, resolveEnvironment, retentionOf, stackPlacement, type Retention } from './config/resolve';
import { metricsNamespace } from './config';
import { EnvironmentKeys } from './access/keys';
import { opsKeyServiceStatements } from './observability/ops-key-statements';
import { AlarmTopic } from './observability/alarm-topic';
import { environmentAlarmTopic, observedEnvironment } from './observability/observed-environment';
import { AuditTrail } from './observability/audit';
import { AuditorReadAccess } from './access/auditor-access';
import { OperatorAccess } from './access/operator-access';
import { SecurityMonitoring } from './observability/monitoring';
import { AccessPolicies, AccessRoles } from './access/roles';
import { FunctionNetwork, RotationFunction, ROTATORS, SecretAgeCheck, type FunctionSettings, type RotatorProps } from './rotators';
import { AppSecret, ApplicationSecrets, SecretAccessPolicy } from './access/secrets';

export interface SecretsStackProps extends StackProps {
  config: EnvironmentConfig;
}

export function stackName(config: EnvironmentConfig): string {
  return secretsStackName(config.appName, config.envName);
}

/** Everything one environment needs: keys, the seven secrets, access, rotation, audit and monitoring. */
export class SecretsStack extends Stack {
  readonly config: EnvironmentConfig;
  readonly keys: EnvironmentKeys;
  readonly secrets: ApplicationSecrets;
  readonly roles: AccessRoles;
  readonly rotators: RotationFunction[];
  readonly secretAge: SecretAgeCheck;
  readonly monitoring: SecurityMonitoring;

  constructor(scope: Construct, id: string, props: SecretsStackProps) {
    super(scope, id, {
      ...props,
      ...stackPlacement(props.config),
      description: `${props.config.appName} ${props.config.envName}: KMS keys, application secrets, rotation, audit and monitoring`,
    });
    // ARN placeholders and the bootstrap deploy role, resolved once for every construct (lib/config/resolve.ts).
    const config = (this.config = resolveEnvironment(props.config, this));

    this.roles = new AccessRoles(this, 'Access', {
      appName: config.appName,
      envName: config.envName,
      applicationTrustedPrincipals: config.applicationTrustedPrincipals,
      auditorTrustedPrincipals: config.auditorTrustedPrincipals,
      operatorTrustedPrincipals: config.operatorTrustedPrincipals,
    });
    const retention = retentionOf(config);
    this.keys = new EnvironmentKeys(this, 'Keys', {
      appName: config.appName,
      envName: config.envName,
      keyAdminRoleArns: config.keyAdminRoleArns,
      deployRoleArn: config.deployRoleArn,
      breakGlassRoleArn: config.breakGlassRoleArn,
      removalPolicy: retention.removalPolicy,
      applicationRoleArn: this.roles.applicationRole.roleArn,
      auditorRoleArn: this.roles.auditorRole.roleArn,
      operatorRoleArn: this.roles.operatorRole?.roleArn,
      // Auditors read the trail through CloudWatch Logs (the service decrypts) and its files in S3 for the whole
      // retention: kms:Decrypt of the ops key with CloudTrail's encryption context only (lib/access/auditor-access.ts).
      opsKeyServiceStatements: opsKeyServiceStatements(this, {
        appName: config.appName,
        envName: config.envName,
        trail: config.audit.trail,
        trailLogReaderArns: [this.roles.auditorRole.roleArn],
      }),
    });
    this.secrets = new ApplicationSecrets(this, 'Secrets', {
      appName: config.appName,
      envName: config.envName,
      owner: config.owner,
      removalPolicy: retention.removalPolicy,
      key: this.keys.secretsKey,
      rotation: config.rotation,
    });
    new AccessPolicies(this, 'AccessPolicies', {
      appName: config.appName,
      envName: config.envName,
      applicationRole: this.roles.applicationRole,
      auditorRole: this.roles.auditorRole,
      additionalReaderRoleArns: config.additionalReaderRoleArns,
      secretArns: this.secrets.secrets.map((s) => s.arn),
      secretsKeyArn: this.keys.secretsKey.keyArn,
      dataKeyArn: this.keys.dataKey.keyArn,
      opsKeyArn: this.keys.opsKey.keyArn,
    });

    // The functions' network reaches the AWS APIs each registered rotator says it calls.
    const network = new FunctionNetwork(this, 'Network', {
      appName: config.appName,
      envName: config.envName,
      ...networkOf(config),
      awsApis: ROTATORS.flatMap((rotator) => rotator.awsApis(config)),
    });
    const functions = this.functionSettings(network, retention);
    const secrets = this.secrets.secrets;
    const rotatorProps: RotatorProps = { ...functions, secrets, secretsKeyArn: this.keys.secretsKey.keyArn, rotation: config.rotation };
    this.rotators = ROTATORS.map((rotator) => rotator.forEnvironment(this, rotatorProps, config));
    this.secretAge = new SecretAgeCheck(this, 'SecretAge', { ...functions, secrets });
    if (this.roles.operatorRole) {
      new OperatorAccess(this, 'OperatorAccess', {
        appName: config.appName,
        envName: config.envName,
        operatorRole: this.roles.operatorRole,
        secretArns: this.secrets.secrets.map((s) => s.arn),
        secretsKeyArn: this.keys.secretsKey.keyArn,
        rotatorFunctionArns: this.rotators.map((r) => r.function.fn.functionArn),
      });
    }

    const readers = [this.roles.applicationRole.roleArn, ...config.additionalReaderRoleArns];
    for (const secret of this.secrets.secrets) {
      const rotator = this.rotators.find((r) => r.kind === secret.entry.rotator);
      new SecretAccessPolicy(this, `${secret.resource.node.id}Policy`, {
        secret,
        readerRoleArns: readers,
        rotatorRoleArn: rotator?.roleArn,
        breakGlassRoleArn: config.breakGlassRoleArn,
        deployRoleArn: config.deployRoleArn,
        operatorRoleArn: this.roles.operatorRole?.roleArn,
      });
    }

    const topic = new AlarmTopic(this, 'AlarmTopic', { opsKey: this.keys.opsKey, ...environmentAlarmTopic(config) });
    const observed = observedEnvironment(config);
    const audit = new AuditTrail(this, 'Audit', {
      ...observed,
      audit: config.audit,
      opsKey: this.keys.opsKey,
      alarmTopic: topic.topic,
      ...retention,
    });
    new AuditorReadAccess(this, 'AuditorAccess', {
      appName: config.appName,
      envName: config.envName,
      auditorRole: this.roles.auditorRole,
      trailMode: config.audit.trail.mode,
      trailBucket: audit.bucket,
      trailLogGroup: audit.logGroup,
      functionLogGroups: [...this.rotators.map((r) => r.function.logGroup), this.secretAge.logGroup],
      opsKeyArn: this.keys.opsKey.keyArn,
      keyArns: [this.keys.secretsKey.keyArn, this.keys.dataKey.keyArn, this.keys.opsKey.keyArn],
    });
    this.monitoring = new SecurityMonitoring(this, 'Monitoring', {
      ...observed,
      production: config.production,
      alarmTopic: topic.topic,
      audit,
      secrets: this.secrets.secrets.map((s) => ({ name: s.name, rotationDays: s.rotationDays, rotator: s.entry.rotator })),
      rotators: this.rotators.map((r) => ({ kind: r.kind, fn: r.function.fn, timeout: r.function.timeout, logGroup: r.function.logGroup })),
      ageFunction: this.secretAge.fn,
      // issue #11: environment-scoped key filters (lib/observability/environment-filters.ts) match exactly these keys.
      keys: [
        { purpose: 'secrets', keyArn: this.keys.secretsKey.keyArn },
        { purpose: 'data', keyArn: this.keys.dataKey.keyArn },
        { purpose: 'ops', keyArn: this.keys.opsKey.keyArn },
      ],
    });
  }

  secret(name: SecretName): AppSecret {
    return this.secrets.byName(name);
  }

  /** What the rotators and the age function share: who they are, their network, logs and metrics. */
  private functionSettings(network: FunctionNetwork, retention: Retention): FunctionSettings {
    const { config } = this;
    return {
      appName: config.appName,
      envName: config.envName,
      metricsNamespace: metricsNamespace(config),
      ...retention,
      reservedConcurrency: config.reservedConcurrency,
      network,
      opsKey: this.keys.opsKey,
    };
  }
}
