export * from './types';
export * from './validate';
export { ENVIRONMENTS } from './environments';

import type { EnvironmentConfig } from './types';
import type { SecretName, CatalogEntry } from '../../contracts';
import { CATALOG } from '../../contracts';

/** The effective rotation period of a secret in an environment: config overrides the catalog. */
export function rotationDays(config: EnvironmentConfig, entry: CatalogEntry): number {
  return config.rotation[entry.name as SecretName]?.days ?? entry.rotationDays;
}

export function metricsNamespace(config: EnvironmentConfig): string {
  if (config.metricsNamespace) return config.metricsNamespace;
  const app = config.appName.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
  return `${app}/Secrets`;
}

export { CATALOG };
