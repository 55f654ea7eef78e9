import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DEFAULT_PASSWORD_LENGTH, PASSWORD_POLICY_ENV, REDIS_ROTATOR_ENV, writeEnv } from '../../contracts/function-env';
import type { DatabaseConfig, EnvironmentConfig, RedisConfig } from '../config';
import type { AwsApi } from './network';
import { RotationFunction, RotatorProps } from './rotation-function';
import { allowOnNamed, readForeignSecret } from './statements';

export interface RedisRotationProps extends RotatorProps {
  /** The cache: endpoint, user, TLS, the admin secret or ElastiCache user id, and its security group. */
  readonly redis: RedisConfig;
  /**
   * Add the ingress rule to the cache's (imported) security group.
   * @default false
   */
  readonly addIngressRule?: boolean;
  /**
   * Length of new passwords (PASSWORD_LENGTH); ElastiCache accepts 16 to 128.
   * @default 32
   */
  readonly passwordLength?: number;
  /**
   * Characters new passwords never contain (PASSWORD_EXCLUDE_CHARACTERS).
   * @default - none
   */
  readonly passwordExcludeCharacters?: string;
}

/**
 * The Redis rotator (lambdas/redis): two live passwords per user, through ACL SETUSER with the admin secret or
 * through the ElastiCache API; told exactly which cache and user it serves, and admitted to the cache on its port.
 */
export class RedisRotation extends RotationFunction {
  static readonly KIND = 'redis';
  /** Waiting for an ElastiCache user modification to finish can take minutes. */
  static readonly TIMEOUT = Duration.minutes(5);

  /** Its bundle entry: the ElastiCache client only for an ElastiCache user, else ACL SETUSER alone. */
  static entry(config: { redis: Pick<RedisConfig, 'elastiCacheUserId'> }): string {
    return config.redis.elastiCacheUserId ? 'lambdas/redis/entry-elasticache.ts' : 'lambdas/redis/entry-acl.ts';
  }

  /** The AWS APIs it calls besides Secrets Manager: the ElastiCache API for an ElastiCache user. */
  static awsApis(config: { redis: Pick<RedisConfig, 'elastiCacheUserId'> }): AwsApi[] {
    return config.redis.elastiCacheUserId ? ['elastiCache'] : [];
  }

  /** The environment's Redis rotator, as the stack composes it. */
  static forEnvironment(
    scope: Construct,
    settings: RotatorProps,
    config: Pick<EnvironmentConfig, 'redis'> & { database: Pick<DatabaseConfig, 'addIngressRule'> },
  ): RedisRotation {
    return new RedisRotation(scope, 'RedisRotation', {
      ...settings,
      redis: config.redis,
      // The cache's ingress rule follows database.addIngressRule: the config has one switch for both imported groups.
      addIngressRule: config.database.addIngressRule,
    });
  }

  constructor(scope: Construct, id: string, props: RedisRotationProps) {
    const redis = props.redis;
    super(scope, id, props, {
      kind: RedisRotation.KIND,
      entry: RedisRotation.entry({ redis }),
      description: `Rotates ${props.appName}/${props.envName}/redis-password with two live passwords`,
      timeout: RedisRotation.TIMEOUT,
      statements: redisStatements(scope, redis),
      environment: {
        ...writeEnv(REDIS_ROTATOR_ENV, {
          host: redis.host,
          port: redis.port,
          username: redis.username,
          tls: redis.tls,
          adminSecretArn: redis.adminSecretArn,
          elastiCacheUserId: redis.elastiCacheUserId,
        }),
        ...writeEnv(PASSWORD_POLICY_ENV, { length: props.passwordLength ?? DEFAULT_PASSWORD_LENGTH, excludeCharacters: props.passwordExcludeCharacters }),
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
      },
    });
    props.network.allowTo('CacheSecurityGroup', {
      securityGroupId: redis.securityGroupId,
      port: redis.port,
      description: 'Redis rotator to the cache',
      admit: props.addIngressRule ?? false,
    });
  }
}

function redisStatements(scope: Construct, redis: RedisConfig): iam.PolicyStatement[] {
  return [
    ...(redis.adminSecretArn
      ? readForeignSecret(scope, { read: 'ReadRedisAdminCredential', decrypt: 'DecryptRedisAdminCredential' }, redis.adminSecretArn, redis.adminSecretKeyArn)
      : []),
    ...(redis.elastiCacheUserId
      ? [
          allowOnNamed(scope, 'ChangeElastiCacheUserPasswords', ['elasticache:ModifyUser', 'elasticache:DescribeUsers'], {
            service: 'elasticache',
            resource: 'user',
            name: redis.elastiCacheUserId,
          }),
        ]
      : []),
  ];
}
