import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DATABASE_ROTATOR_ENV, DEFAULT_PASSWORD_LENGTH, PASSWORD_POLICY_ENV, writeEnv } from '../../contracts/function-env';
import { engineFamily } from '../../contracts/database';
import type { DatabaseConfig, EnvironmentConfig } from '../config';
import type { AwsApi } from './network';
import { RotationFunction, RotatorProps } from './rotation-function';
import { allowOnNamed, readForeignSecret } from './statements';

export interface DatabaseRotationProps extends RotatorProps {
  /** The database: engine, endpoint, user, TLS, strategy, master secret, RDS identifiers and its security group. */
  readonly database: DatabaseConfig;
  /**
   * Length of new passwords (PASSWORD_LENGTH), 12 to 256.
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
 * The database rotator (lambdas/database): the bundle of the configured engine's family, told exactly which
 * database, user and strategy it serves (its trust anchor), allowed to read the master secret (alternating users)
 * and to confirm the RDS instance or cluster, and admitted to the database on its port.
 */
export class DatabaseRotation extends RotationFunction {
  static readonly KIND = 'database';
  /** Connecting, cloning a user and syncing grants on a cold start: the runbook's "rotation timed out" lever. */
  static readonly TIMEOUT = Duration.minutes(2);

  /**
   * Its bundle entry: the driver of the engine family only, plus the RDS client when it confirms an instance or
   * cluster.
   */
  static entry(config: { database: Pick<DatabaseConfig, 'engine' | 'dbInstanceIdentifier' | 'dbClusterIdentifier'> }): string {
    // Typed callers cannot omit it; an untyped one learns what is missing.
    if (!config.database) throw new Error('DatabaseRotation.entry: the database rotator entry depends on the database configuration');
    const rds = confirmsRdsResource(config.database) ? '-rds' : '';
    return `lambdas/database/entry-${engineFamily(config.database.engine)}${rds}.ts`;
  }

  /** The AWS APIs it calls besides Secrets Manager: the RDS API when it confirms an instance or cluster. */
  static awsApis(config: { database: Pick<DatabaseConfig, 'dbInstanceIdentifier' | 'dbClusterIdentifier'> }): AwsApi[] {
    return confirmsRdsResource(config.database) ? ['rds'] : [];
  }

  /** The environment's database rotator, as the stack composes it. */
  static forEnvironment(scope: Construct, settings: RotatorProps, config: Pick<EnvironmentConfig, 'database'>): DatabaseRotation {
    return new DatabaseRotation(scope, 'DatabaseRotation', { ...settings, database: config.database });
  }

  constructor(scope: Construct, id: string, props: DatabaseRotationProps) {
    const db = props.database;
    super(scope, id, props, {
      kind: DatabaseRotation.KIND,
      entry: DatabaseRotation.entry({ database: db }),
      description: `Rotates ${props.appName}/${props.envName}/database-url (${db.engine}, ${db.strategy})`,
      timeout: DatabaseRotation.TIMEOUT,
      statements: databaseStatements(scope, db),
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
        ...writeEnv(PASSWORD_POLICY_ENV, { length: props.passwordLength ?? DEFAULT_PASSWORD_LENGTH, excludeCharacters: props.passwordExcludeCharacters }),
      },
    });
    props.network.allowTo('DatabaseSecurityGroup', {
      securityGroupId: db.securityGroupId,
      port: db.port,
      description: 'Database rotator to the database',
      admit: db.addIngressRule,
    });
  }
}

/** It confirms the RDS instance or cluster it serves when the configuration names one. */
function confirmsRdsResource(db: Pick<DatabaseConfig, 'dbInstanceIdentifier' | 'dbClusterIdentifier'>): boolean {
  return Boolean(db.dbInstanceIdentifier || db.dbClusterIdentifier);
}

function databaseStatements(scope: Construct, db: DatabaseConfig): iam.PolicyStatement[] {
  return [
    ...(db.masterSecretArn
      ? readForeignSecret(scope, { read: 'ReadMasterCredential', decrypt: 'DecryptMasterCredential' }, db.masterSecretArn, db.masterSecretKeyArn)
      : []),
    ...(db.dbInstanceIdentifier
      ? [allowOnNamed(scope, 'ConfirmDatabaseInstance', ['rds:DescribeDBInstances'], { service: 'rds', resource: 'db', name: db.dbInstanceIdentifier })]
      : []),
    ...(db.dbClusterIdentifier
      ? [allowOnNamed(scope, 'ConfirmDatabaseCluster', ['rds:DescribeDBClusters'], { service: 'rds', resource: 'cluster', name: db.dbClusterIdentifier })]
      : []),
  ];
}
