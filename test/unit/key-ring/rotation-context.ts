import { Logger } from '@aws-lambda-powertools/logger';
import type { RotationContext, RotationStep, SecretReader } from '../../../lambdas/rotation/rotator';

export function rotationContext(
  secretName: string,
  opts: { step?: RotationStep; now?: Date; secrets?: SecretReader; logLevel?: 'DEBUG' | 'INFO' | 'SILENT' } = {},
): RotationContext {
  return {
    secretArn: `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${secretName}-AbCdEf`,
    secretName,
    token: '00000000-1111-2222-3333-444444444444',
    step: opts.step ?? 'createSecret',
    logger: new Logger({ serviceName: 'test', logLevel: opts.logLevel ?? 'SILENT' }),
    secrets: opts.secrets ?? {
      getSecretString: async () => {
        throw new Error('no secrets in this test');
      },
    },
    now: () => opts.now ?? new Date('2026-11-23T10:00:00.000Z'),
  };
}
