export * from './types';
export * from './validate';
export { ENVIRONMENTS } from './environments';

import type { EndpointAccess, EnvironmentConfig, NetworkConfig } from './types';
import type { SecretName, CatalogEntry } from '../../contracts';
import { CATALOG, metricsNamespaceFor } from '../../contracts';

/** The effective rotation period of a secret in an environment: config overrides the catalog. */
export function rotationDays(config: EnvironmentConfig, entry: CatalogEntry): number {
  return config.rotation[entry.name as SecretName]?.days ?? entry.rotationDays;
}

export function metricsNamespace(config: EnvironmentConfig): string {
  return metricsNamespaceFor(config.appName, config.metricsNamespace);
}

export { CATALOG };

/** The functions' network: the `network` block, or the deprecated fields under `database`. */
export function networkOf(config: EnvironmentConfig): NetworkConfig {
  if (config.network) return config.network;
  const db = config.database;
  return {
    vpcId: db.vpcId ?? '',
    availabilityZones: db.availabilityZones ?? [],
    privateSubnetIds: db.privateSubnetIds ?? [],
    endpoints: { secretsManager: db.secretsManagerEndpoint ?? { mode: 'create' } },
  };
}

/** The AWS APIs the functions call from the VPC under this config, each with how it is reached (default `create`). */
export function endpointsInUse(config: EnvironmentConfig): { service: 'secretsManager' | 'kms' | 'rds' | 'elastiCache'; access: EndpointAccess }[] {
  const { endpoints } = networkOf(config);
  const create: EndpointAccess = { mode: 'create' };
  return [
    { service: 'secretsManager' as const, access: endpoints.secretsManager },
    ...(config.fipsKeyMaterial ? [{ service: 'kms' as const, access: endpoints.kms ?? create }] : []),
    ...(config.database.dbInstanceIdentifier || config.database.dbClusterIdentifier ? [{ service: 'rds' as const, access: endpoints.rds ?? create }] : []),
    ...(config.redis.elastiCacheUserId ? [{ service: 'elastiCache' as const, access: endpoints.elastiCache ?? create }] : []),
  ];
}
