import { createRotationHandler } from '../rotation/handler';
import { keyMaterialFromEnv } from './key-material';
import { createKeyRingRotator } from './rotator';

/**
 * One function rotates the three key rings (secret-key, jwt-secret, encryption-key); the secret name's last
 * segment picks the catalog bounds. Env: KEY_MATERIAL_SOURCE (crypto | kms), APP_ENVIRONMENT, METRICS_NAMESPACE.
 */
export const handler = createRotationHandler(createKeyRingRotator({ keyMaterial: keyMaterialFromEnv() }));
