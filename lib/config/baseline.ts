import { metricsNamespaceFor } from '../../contracts';
import type { EnvironmentConfig } from './types';
import { accountKey } from './validate';

/**
 * The account baseline of the environments of one account that say `audit.trail.mode: "baseline"`: the trail, its
 * bucket and log group, the account-wide (CIS) filters and alarms, created once per account (lib/baseline). Derived
 * from those environments, so there is nothing more to configure: the strictest retention wins, every
 * environment's key administrators, deploy role, alarm recipients and auditors are included.
 */
export interface AccountBaselineConfig {
  appName: string;
  /** Absent: environment-agnostic, like the environments it serves. */
  account?: string;
  region?: string;
  /** `<app>-account-baseline-<account>`, or `<app>-account-baseline` when agnostic. */
  stackName: string;
  /** The environments that use it (and so deploy after it). */
  envNames: string[];
  production: boolean;
  alarmEmails: string[];
  /** The first environment's runbook. */
  runbookUrl: string;
  metricsNamespace: string;
  logRetentionDays: number;
  removalPolicy: 'retain' | 'destroy';
  terminationProtection: boolean;
  transitionToGlacierDays: number;
  expireAfterDays: number;
  keyAdminRoleArns: string[];
  /** Every environment's deploy role (BOOTSTRAP_DEPLOY_ROLE: the baseline stack's own bootstrap role). */
  deployRoleArns: string[];
  /** Who may assume the baseline's trail-reader role: every environment's auditorTrustedPrincipals. */
  auditorTrustedPrincipals: string[];
}

const unique = <T>(values: T[]): T[] => [...new Set(values)];

export function baselineStackName(appName: string, account: string | undefined): string {
  return account ? `${appName}-account-baseline-${account}` : `${appName}-account-baseline`;
}

/** One baseline per app and account (environment-agnostic environments share one), in the order of the environments. */
export function accountBaselines(configs: readonly EnvironmentConfig[]): AccountBaselineConfig[] {
  const groups = new Map<string, EnvironmentConfig[]>();
  for (const c of configs.filter((e) => e.audit.trail.mode === 'baseline')) {
    const key = `${c.appName} ${accountKey(c)}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.values()].map((envs) => {
    const [first] = envs;
    const production = envs.some((e) => e.production === true);
    return {
      appName: first.appName,
      account: first.account,
      region: first.region,
      stackName: baselineStackName(first.appName, first.account),
      envNames: envs.map((e) => e.envName),
      production,
      alarmEmails: unique(envs.map((e) => e.alarmEmail)),
      runbookUrl: first.runbookUrl,
      metricsNamespace: metricsNamespaceFor(first.appName),
      logRetentionDays: Math.max(...envs.map((e) => e.logRetentionDays)),
      removalPolicy: envs.some((e) => e.removalPolicy === 'retain') ? 'retain' : 'destroy',
      terminationProtection: envs.some((e) => e.terminationProtection),
      transitionToGlacierDays: Math.min(...envs.map((e) => e.audit.transitionToGlacierDays)),
      expireAfterDays: Math.max(...envs.map((e) => e.audit.expireAfterDays)),
      keyAdminRoleArns: unique(envs.flatMap((e) => e.keyAdminRoleArns)),
      deployRoleArns: unique(envs.map((e) => e.deployRoleArn)),
      auditorTrustedPrincipals: unique(envs.flatMap((e) => e.auditorTrustedPrincipals)),
    };
  });
}
