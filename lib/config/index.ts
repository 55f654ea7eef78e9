export * from './types';
export * from './validate';
export * from './placeholders';
// lib/config/resolve.ts (ARNs, deploy role and zones resolved against a stack) imports aws-cdk-lib and is imported
// by lib/ directly: this module is also loaded by the gaara-secrets CLI, which runs without the CDK installed.
export { ENVIRONMENTS } from './environments';

import type { EnvironmentConfig } from './types';
import type { SecretName, CatalogEntry } from '../../contracts';
import { CATALOG, metricsNamespaceFor } from '../../contracts';

/** The effective rotation period of a secret in an environment: config overrides the catalog. */
export function rotationDays(config: { readonly rotation?: EnvironmentConfig['rotation'] }, entry: CatalogEntry): number {
  return config.rotation?.[entry.name as SecretName]?.days ?? entry.rotationDays;
}

export function metricsNamespace(config: EnvironmentConfig): string {
  return metricsNamespaceFor(config.appName, config.metricsNamespace);
}

export { CATALOG };

export * from './baseline';
