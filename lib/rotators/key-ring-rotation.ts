import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { KEY_RING_ROTATOR_ENV, writeEnv } from '../../contracts/function-env';
import type { EnvironmentConfig } from '../config';
import type { AwsApi } from './network';
import { RotationFunction, RotatorProps } from './rotation-function';

export interface KeyRingRotationProps extends RotatorProps {
  /**
   * Take key material from KMS GenerateRandom (FIPS-validated) instead of crypto.randomBytes.
   * @default false
   */
  readonly fipsKeyMaterial?: boolean;
}

/** The key-ring rotator (lambdas/key-ring): secret-key, jwt-secret and encryption-key, each a ring of kid-tagged keys. */
export class KeyRingRotation extends RotationFunction {
  static readonly KIND = 'key-ring';
  /** Generating one key and writing one version: no network call but Secrets Manager (and KMS with FIPS material). */
  static readonly TIMEOUT = Duration.seconds(30);

  /** Its bundle entry: one for every configuration. */
  static entry(): string {
    return 'lambdas/key-ring/index.ts';
  }

  /** The AWS APIs it calls besides Secrets Manager: KMS for FIPS key material. */
  static awsApis(config: Pick<EnvironmentConfig, 'fipsKeyMaterial'>): AwsApi[] {
    return config.fipsKeyMaterial ? ['kms'] : [];
  }

  /** The environment's key-ring rotator, as the stack composes it. */
  static forEnvironment(scope: Construct, settings: RotatorProps, config: Pick<EnvironmentConfig, 'fipsKeyMaterial'>): KeyRingRotation {
    return new KeyRingRotation(scope, 'KeyRingRotation', { ...settings, fipsKeyMaterial: config.fipsKeyMaterial });
  }

  constructor(scope: Construct, id: string, props: KeyRingRotationProps) {
    const fips = props.fipsKeyMaterial ?? false;
    super(scope, id, props, {
      kind: KeyRingRotation.KIND,
      entry: KeyRingRotation.entry(),
      description: `Rotates the ${props.appName}/${props.envName} key rings (secret-key, jwt-secret, encryption-key)`,
      timeout: KeyRingRotation.TIMEOUT,
      unscopedStatements: fips
        ? [
            {
              sid: 'FipsKeyMaterial',
              actions: ['kms:GenerateRandom'],
              reason:
                'kms:GenerateRandom (FIPS-validated key material, asked for by config.fipsKeyMaterial) is not a key operation and AWS offers no resource-level permission for it.',
            },
          ]
        : [],
      // No AWS_USE_FIPS_ENDPOINT: it would send the Secrets Manager client to secretsmanager-fips (absent in most
      // regions) and KMS to kms-fips (no endpoint in the VPC). GenerateRandom on the standard endpoint is FIPS-validated.
      environment: writeEnv(KEY_RING_ROTATOR_ENV, { keyMaterial: fips ? 'kms' : 'crypto' }),
    });
  }
}
