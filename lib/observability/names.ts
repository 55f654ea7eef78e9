/**
 * The one naming rule of an environment's (or an account baseline's) alarms, EventBridge rules, trail filters,
 * trail, topic and dashboard. The names are fixed strings, not tokens of the resources: the ops key's and the
 * topic's policies name them before those resources exist (lib/observability/ops-key-statements.ts).
 */
import type { EnvironmentIdentity } from '../config';

export interface ObservabilityNames {
  /**
   * Every alarm, EventBridge rule and trail metric filter of the owner is named `<namePrefix><what>` (scopedName): the
   * key and topic policies match alarms and rules by it.
   */
  readonly namePrefix: string;
  readonly trailName: string;
  readonly trailLogGroupName: string;
  readonly topicName: string;
  readonly dashboardName: string;
}

/**
 * The names of everything that starts with `base`: an environment (`<app>-<env>`) or an account baseline
 * (`<app>-account`, lib/baseline).
 */
function namesFor(base: string): ObservabilityNames {
  return {
    namePrefix: `${base}-`,
    trailName: `${base}-audit`,
    trailLogGroupName: `/aws/cloudtrail/${base}-audit`,
    topicName: `${base}-security-alarms`,
    dashboardName: `${base}-secrets`,
  };
}

/** The names of one environment (`<app>-<env>-…`). */
export function observabilityNames(env: EnvironmentIdentity): ObservabilityNames {
  return namesFor(`${env.appName}-${env.envName}`);
}

/** How descriptions and the alarm topic's display name call one environment: `<app> <env>`. */
export function environmentLabel(env: EnvironmentIdentity): string {
  return `${env.appName} ${env.envName}`;
}

/** The names of the account baseline of an app (lib/baseline): `<app>-account-…`, e.g. the trail `<app>-account-audit`. */
export function accountBaselineNames(appName: string): ObservabilityNames {
  return namesFor(`${appName}-account`);
}

/** Whose names: an environment (its app and environment names), or the names themselves (an account baseline). */
export type NameOwner = EnvironmentIdentity | ObservabilityNames;

export function namesOf(owner: NameOwner): ObservabilityNames {
  return 'namePrefix' in owner ? owner : observabilityNames(owner);
}

/**
 * The one naming rule of alarms, EventBridge rules and trail metric filters: `<app>-<env>-<what>`
 * (`<app>-account-<what>` in the baseline). The key and topic policies match alarms and rules by the prefix.
 */
export function scopedName(owner: NameOwner, what: string): string {
  return `${namesOf(owner).namePrefix}${what}`;
}
