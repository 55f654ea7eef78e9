import { ROTATOR_KINDS, type RotatorKind } from './catalog';

/** The four functions of an environment: three rotators and the hourly secret-age check. */
export type FunctionKind = RotatorKind | 'secret-age';
export const FUNCTION_KINDS: readonly FunctionKind[] = [...ROTATOR_KINDS, 'secret-age'];

/**
 * The log group each function writes to, named by the stack so that operators (`gaara-secrets status`), auditors
 * and the runbook can find it without reading CloudFormation: `/<app>/<env>/functions/<kind>`.
 */
export function functionLogGroupName(appName: string, envName: string, kind: FunctionKind): string {
  return `/${appName}/${envName}/functions/${kind}`;
}
