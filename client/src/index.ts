export { SecretValue, REDACTED, type SecretMeta } from './secret-value';
export { SecretsClientError, FieldEncryptionError, FieldDecryptionError, KeyRingError, type SecretErrorReason } from './errors';
export {
  SecretsClient,
  declaredEnvironment,
  staleMetricNamespace,
  type SecretsClientOptions,
  type GetSecretOptions,
  type StaleEvent,
  type RefreshEvent,
  type FetchErrorEvent,
  type StaleMetricOptions,
} from './secrets/secrets-client';
export {
  getSecret,
  getJsonSecret,
  getDatabaseSecret,
  getRedisSecret,
  getMailSecret,
  getSentrySecret,
  getKeyRing,
  defaultSecretsClient,
  configureSecrets,
  resetDefaultSecretsClient,
  resolveSecretId,
  type ReadOptions,
} from './secrets/default-client';
export type { SecretsManagerSender } from './secrets/aws-source';
export { VaultSecretSource, type VaultSourceOptions, type VaultAuth, type VaultHealth } from './secrets/vault-source';
export { environmentVariableFor, developmentVariablesFor, CONVENTIONAL_VARIABLES, DEFAULT_ENV_PREFIX } from './secrets/env-source';
export { withCredentialRetry, type CredentialAttempt, type CredentialRetryOptions } from './secrets/credential-retry';
export { isAuthenticationError, isPgAuthError, isMysqlAuthError, isRedisAuthError, type AuthErrorPredicate } from './secrets/auth-errors';
export { pgClientConfig, mysqlConnectionOptions, redisClientOptions, type TlsOptions } from './adapters';
export { KeyRingKeys, type RingKeyMaterial } from './keyring/key-ring';
export { JwtKeyRing, jwtKeyRing, type JwtSignOptions, type KeyRingProvider } from './keyring/jwt';
export { FieldEncryptor, type FieldEncryptorOptions, type DecryptManyItem, type FieldFormatName } from './field-encryption/field-encryptor';
export { MemoryFieldKeyStore, KeyStoreError, type FieldKeyStore, type StoredFieldKey } from './field-encryption/key-store';
export { PostgresFieldKeyStore, MysqlFieldKeyStore, DEFAULT_KEY_TABLE } from './field-encryption/key-store-sql';
export type { FieldContext } from './field-encryption/format';
export type { KmsSender, DataKeyLimits, DecryptedKeyCacheLimits } from './field-encryption/data-keys';
export { BlindIndexer, type BlindIndexOptions, type Normalization } from './field-encryption/blind-index';
export { EncryptionSdkMode, type EncryptionSdkModeOptions, type EncryptionSdkCacheOptions } from './field-encryption/esdk-mode';
export { secretId, SECRET_NAMES, type SecretName, type DatabaseSecret, type RedisSecret, type KeyRing } from '../../contracts';
export { fieldFormatOf, FIELD_FORMATS, type FieldFormat } from './field-encryption/format';
export {
  migratePiiColumns,
  renderProgress,
  PiiMigrationError,
  type PiiMigrationOptions,
  type PiiMigrationResult,
  type PiiMigrationProgress,
  type PiiMigrationMode,
  type PiiColumn,
  type MigrationDatabase,
  type PgQueryable,
  type MysqlQueryable,
} from './migration/pii-migration';
export { parsePiiMigrateArgs, runPiiMigrateCommand, type PiiMigrateArgs } from './migration/pii-migrate-command';
