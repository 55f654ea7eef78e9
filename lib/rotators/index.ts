import { DatabaseRotation } from './database-rotation';
import { KeyRingRotation } from './key-ring-rotation';
import { RedisRotation } from './redis-rotation';
import type { RotatorConstruct } from './rotation-function';

export { DatabaseRotation, KeyRingRotation, RedisRotation };
export type { DatabaseRotationProps } from './database-rotation';
export type { KeyRingRotationProps } from './key-ring-rotation';
export { AWS_APIS, FunctionNetwork, type AwsApi, type FunctionNetworkProps } from './network';
export type { RedisRotationProps } from './redis-rotation';
export { ROTATOR_SECRET_ACTIONS, RotationFunction, scheduleFor, type RotatorConstruct, type RotatorProps } from './rotation-function';
export { SECRET_AGE_ACTIONS, SecretAgeCheck, type SecretAgeCheckProps } from './secret-age-check';
export { PROJECT_ROOT, SecureFunction, type FunctionSettings, type SecureFunctionProps, type UnscopedStatement } from './secure-function';

/**
 * The rotators the stack composes, one per catalog rotator kind, in the order it builds them (their resources,
 * alarms and the operator's invoke list follow this order). A new rotator is its construct file and its entry here.
 */
export const ROTATORS: readonly RotatorConstruct[] = [DatabaseRotation, RedisRotation, KeyRingRotation];
