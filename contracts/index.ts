export * from './errors';
export * from './fields';
export * from './database';
export * from './redis';
export * from './keyring';
export * from './third-party';
export * from './catalog';
export * from './metrics';
