/** The age rules live in contracts/ (shared with the operator CLI); re-exported here for existing imports. */
export { secretFigures, VersionMetadataError } from '../../contracts/secret-age-rules';
export type { SecretFigures, VersionInfo } from '../../contracts/secret-age-rules';
