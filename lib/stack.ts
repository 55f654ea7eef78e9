import { DATABASE_ROTATOR_ENV, KEY_RING_ROTATOR_ENV, REDIS_ROTATOR_ENV, writeEnv } from '../contracts/function-env';
import { ArnFormat, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DATA_KEY_CONTEXT_KEYS, DATA_KEY_PURPOSE, RotatorKind, SecretName } from '../contracts';
import type { EnvironmentConfig } from './config';
import { EnvironmentKeys } from './keys';
import { FunctionNetwork } from './network';
import { opsKeyServiceStatements } from './ops-key-statements';
import { AlarmTopic } from './alarm-topic';
import { AuditTrail } from './audit';
import { AuditorReadAccess } from './auditor-access';
import { OperatorAccess } from './operator-access';
import { SecurityMonitoring } from './monitoring';
import { AccessPolicies, AccessRoles } from './roles';
import { ROTATOR_TIMEOUT, RotationFunction } from './rotation-function';
import { AppSecret, ApplicationSecrets, SecretAccessPolicy } from './secrets';
import { SecureFunction } from './secure-function';

export interface SecretsStackProps extends StackProps {
  config: EnvironmentConfig;
}

/** Entry file of each rotator (lib refers to rotators only by path). */
export const ROTATOR_ENTRIES: Record<RotatorKind, string> = {
  database: 'lambdas/database/index.ts',
  redis: 'lambdas/redis/index.ts',
  'key-ring': 'lambdas/key-ring/index.ts',
};
export const SECRET_AGE_ENTRY = 'lambdas/secret-age/index.ts';

export function stackName(config: EnvironmentConfig): string {
  return `${config.appName}-${config.envName}-secrets`;
}

/** Everything one environment needs: keys, the seven secrets, access, rotation, audit and monitoring. */
export class SecretsStack extends Stack {
  readonly config: EnvironmentConfig;
  readonly keys: EnvironmentKeys;
  readonly secrets: ApplicationSecrets;
  readonly roles: AccessRoles;
  readonly rotators: RotationFunction[];
  readonly secretAge: SecureFunction;
  readonly monitoring: SecurityMonitoring;

  constructor(scope: Construct, id: string, props: SecretsStackProps) {
    super(scope, id, {
      ...props,
      env: props.config.account ? { account: props.config.account, region: props.config.region } : undefined,
      terminationProtection: props.config.terminationProtection,
      description: `${props.config.appName} ${props.config.envName}: KMS keys, application secrets, rotation, audit and monitoring`,
    });
    const config = (this.config = props.config);

    this.roles = new AccessRoles(this, 'Access', { config });
    const dataKeyConditions = {
      'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [...DATA_KEY_CONTEXT_KEYS] },
      StringEquals: {
        'kms:EncryptionContext:app': config.appName,
        'kms:EncryptionContext:env': config.envName,
        'kms:EncryptionContext:purpose': DATA_KEY_PURPOSE,
      },
    };
    this.keys = new EnvironmentKeys(this, 'Keys', {
      config,
      applicationRoleArn: this.roles.applicationRole.roleArn,
      auditorRoleArn: this.roles.auditorRole.roleArn,
      operatorRoleArn: this.roles.operatorRole?.roleArn,
      // Auditors read the trail through CloudWatch Logs (the service decrypts) and its files in S3 for the whole
      // retention: kms:Decrypt of the ops key with CloudTrail's encryption context only (lib/auditor-access.ts).
      opsKeyServiceStatements: opsKeyServiceStatements(this, config, { trailLogReaderArns: [this.roles.auditorRole.roleArn] }),
    });
    this.secrets = new ApplicationSecrets(this, 'Secrets', { config, key: this.keys.secretsKey });
    new AccessPolicies(this, 'AccessPolicies', {
      config,
      roles: this.roles,
      secretArns: this.secrets.secrets.map((s) => s.arn),
      secretsKeyArn: this.keys.secretsKey.keyArn,
      dataKeyArn: this.keys.dataKey.keyArn,
      opsKeyArn: this.keys.opsKey.keyArn,
      dataKeyConditions,
    });

    const network = new FunctionNetwork(this, 'Network', { config });
    this.rotators = this.createRotators(network);
    this.secretAge = this.createSecretAgeFunction(network);
    if (this.roles.operatorRole) {
      new OperatorAccess(this, 'OperatorAccess', {
        config,
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

    const topic = new AlarmTopic(this, 'AlarmTopic', { config, opsKey: this.keys.opsKey });
    const audit = new AuditTrail(this, 'Audit', { config, opsKey: this.keys.opsKey, alarmTopic: topic.topic, runbookUrl: config.runbookUrl });
    new AuditorReadAccess(this, 'AuditorAccess', {
      config,
      auditorRole: this.roles.auditorRole,
      trailBucket: audit.bucket,
      trailLogGroup: audit.logGroup,
      functionLogGroups: [...this.rotators.map((r) => r.function.logGroup), this.secretAge.logGroup],
      opsKeyArn: this.keys.opsKey.keyArn,
      keyArns: [this.keys.secretsKey.keyArn, this.keys.dataKey.keyArn, this.keys.opsKey.keyArn],
    });
    this.monitoring = new SecurityMonitoring(this, 'Monitoring', {
      config,
      alarmTopic: topic.topic,
      audit,
      runbookUrl: config.runbookUrl,
      secrets: this.secrets.secrets.map((s) => ({ name: s.name, rotationDays: s.rotationDays, rotator: s.entry.rotator })),
      rotators: this.rotators.map((r) => ({ kind: r.kind, fn: r.function.fn, timeout: r.function.timeout, logGroup: r.function.logGroup })),
      ageFunction: this.secretAge.fn,
      // issue #11: environment-scoped key filters (lib/environment-filters.ts) match exactly these keys.
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

  private createRotators(network: FunctionNetwork): RotationFunction[] {
    const { config } = this;
    const common = { config, network, opsKey: this.keys.opsKey, secretsKeyArn: this.keys.secretsKey.keyArn };
    const db = config.database;
    const databaseExtras: iam.PolicyStatement[] = [];
    if (db.masterSecretArn) {
      databaseExtras.push(new iam.PolicyStatement({ sid: 'ReadMasterCredential', actions: ['secretsmanager:GetSecretValue'], resources: [db.masterSecretArn] }));
      if (db.masterSecretKeyArn) databaseExtras.push(this.decryptViaSecretsManager('DecryptMasterCredential', db.masterSecretKeyArn, db.masterSecretArn));
    }
    if (db.dbInstanceIdentifier) {
      databaseExtras.push(this.allowOnNamed('ConfirmDatabaseInstance', ['rds:DescribeDBInstances'], 'rds', 'db', db.dbInstanceIdentifier));
    }
    if (db.dbClusterIdentifier) {
      databaseExtras.push(this.allowOnNamed('ConfirmDatabaseCluster', ['rds:DescribeDBClusters'], 'rds', 'cluster', db.dbClusterIdentifier));
    }
    const database = new RotationFunction(this, 'DatabaseRotation', {
      ...common,
      kind: 'database',
      entry: ROTATOR_ENTRIES.database,
      description: `Rotates ${config.appName}/${config.envName}/database-url (${db.engine}, ${db.strategy})`,
      timeout: ROTATOR_TIMEOUT.database,
      secrets: [this.secret('database-url')],
      extraStatements: databaseExtras,
      environment: {
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        ...writeEnv(DATABASE_ROTATOR_ENV, {
          engine: db.engine,
          host: db.host,
          port: db.port,
          dbname: db.dbname,
          username: db.username,
          tls: db.tls,
          strategy: db.strategy,
          masterSecretArn: db.masterSecretArn,
        }),
      },
    });

    const redis = config.redis;
    const redisExtras: iam.PolicyStatement[] = [];
    if (redis.adminSecretArn) {
      redisExtras.push(new iam.PolicyStatement({ sid: 'ReadRedisAdminCredential', actions: ['secretsmanager:GetSecretValue'], resources: [redis.adminSecretArn] }));
      if (redis.adminSecretKeyArn) redisExtras.push(this.decryptViaSecretsManager('DecryptRedisAdminCredential', redis.adminSecretKeyArn, redis.adminSecretArn));
    }
    if (redis.elastiCacheUserId) {
      redisExtras.push(
        this.allowOnNamed('ChangeElastiCacheUserPasswords', ['elasticache:ModifyUser', 'elasticache:DescribeUsers'], 'elasticache', 'user', redis.elastiCacheUserId),
      );
    }
    const redisRotation = new RotationFunction(this, 'RedisRotation', {
      ...common,
      kind: 'redis',
      entry: ROTATOR_ENTRIES.redis,
      description: `Rotates ${config.appName}/${config.envName}/redis-password with two live passwords`,
      timeout: ROTATOR_TIMEOUT.redis,
      secrets: [this.secret('redis-password')],
      extraStatements: redisExtras,
      environment: {
        ...writeEnv(REDIS_ROTATOR_ENV, {
          host: redis.host,
          port: redis.port,
          username: redis.username,
          tls: redis.tls,
          adminSecretArn: redis.adminSecretArn,
          elastiCacheUserId: redis.elastiCacheUserId,
        }),
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
      },
    });

    const ringExtras = config.fipsKeyMaterial
      ? [new iam.PolicyStatement({ sid: 'FipsKeyMaterial', actions: ['kms:GenerateRandom'], resources: ['*'] })]
      : [];
    const fipsReason =
      'kms:GenerateRandom (FIPS-validated key material, asked for by config.fipsKeyMaterial) is not a key operation and AWS offers no resource-level permission for it.';
    const keyRing = new RotationFunction(this, 'KeyRingRotation', {
      ...common,
      kind: 'key-ring',
      entry: ROTATOR_ENTRIES['key-ring'],
      description: `Rotates the ${config.appName}/${config.envName} key rings (secret-key, jwt-secret, encryption-key)`,
      timeout: ROTATOR_TIMEOUT['key-ring'],
      secrets: this.secrets.secrets.filter((s) => s.entry.kind === 'key-ring'),
      extraStatements: ringExtras,
      // No AWS_USE_FIPS_ENDPOINT: it would send the Secrets Manager client to secretsmanager-fips (absent in most
      // regions) and KMS to kms-fips (no endpoint in the VPC). GenerateRandom on the standard endpoint is FIPS-validated.
      environment: writeEnv(KEY_RING_ROTATOR_ENV, { keyMaterial: config.fipsKeyMaterial ? 'kms' : 'crypto' }),
    });
    if (config.fipsKeyMaterial) keyRing.function.acknowledgeWildcard('kms:GenerateRandom', fipsReason);
    return [database, redisRotation, keyRing];
  }

  /** Allows actions on one resource of this account and region, named `arn:…:<service>:…:<resource>:<name>`. */
  private allowOnNamed(sid: string, actions: string[], service: string, resource: string, name: string): iam.PolicyStatement {
    const arn = this.formatArn({ service, resource, resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    return new iam.PolicyStatement({ sid, actions, resources: [arn] });
  }

  /** Decrypt an admin secret that lives on its own customer-managed key, only through Secrets Manager, only for that secret. */
  private decryptViaSecretsManager(sid: string, keyArn: string, secretArn: string): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid,
      actions: ['kms:Decrypt'],
      resources: [keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `secretsmanager.${this.region}.amazonaws.com` },
        StringLike: { 'kms:EncryptionContext:SecretARN': secretArn },
      },
    });
  }

  private createSecretAgeFunction(network: FunctionNetwork): SecureFunction {
    const { config } = this;
    const all = this.secrets.secrets;
    const fn = new SecureFunction(this, 'SecretAge', {
      config,
      network,
      opsKey: this.keys.opsKey,
      entry: SECRET_AGE_ENTRY,
      name: 'secret-age',
      description: `Publishes the age, pending rotations and placeholders of the ${config.appName}/${config.envName} secrets (never reads a value)`,
      timeout: Duration.minutes(1),
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadVersionMetadataOnly',
          actions: ['secretsmanager:ListSecretVersionIds'],
          resources: all.map((s) => s.arn),
        }),
      ],
      environment: {
        SECRETS_JSON: this.toJsonString(all.map((s) => ({ name: s.name, id: s.arn, maxAgeDays: s.rotationDays }))),
      },
    });
    new events.Rule(this, 'SecretAgeSchedule', {
      description: `Hourly age and stuck-rotation check of the ${config.appName}/${config.envName} secrets`,
      schedule: events.Schedule.rate(Duration.hours(1)),
      targets: [new targets.LambdaFunction(fn.fn, { retryAttempts: 2 })],
    });
    return fn;
  }
}
