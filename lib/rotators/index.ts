export { DatabaseRotation, type DatabaseRotationProps } from './database-rotation';
export { functionEntry } from './entries';
export { KeyRingRotation, type KeyRingRotationProps } from './key-ring-rotation';
export { AWS_APIS, FunctionNetwork, type AwsApi, type FunctionNetworkProps } from './network';
export { RedisRotation, type RedisRotationProps } from './redis-rotation';
export { ROTATOR_SECRET_ACTIONS, RotationFunction, scheduleFor, type RotatorProps } from './rotation-function';
export { SECRET_AGE_ACTIONS, SecretAgeCheck, type SecretAgeCheckProps } from './secret-age-check';
export { PROJECT_ROOT, SecureFunction, type FunctionSettings, type SecureFunctionProps, type UnscopedStatement } from './secure-function';
