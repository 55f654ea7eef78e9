/**
 * The one naming rule of an environment's (or an account baseline's) alarms, EventBridge rules, trail filters,
 * trail, topic and dashboard. The names are fixed strings, not tokens of the resources: the ops key's and the
 * topic's policies name them before those resources exist (lib/observability/ops-key-statements.ts).
 */
import type { EnvironmentIdentity } from '../config';

export interface ObservabilityNames {
  /** Every alarm of this environment is named `<prefix><what>`: the key and topic policies match the prefix. */
  readonly alarmNamePrefix: string;
  /** Every EventBridge rule of this environment is named `<prefix><what>`. */
  readonly ruleNamePrefix: string;
  /** Every trail metric filter of this environment is named `<prefix><filter id>`. */
  readonly filterNamePrefix: string;
  readonly trailName: string;
  readonly trailLogGroupName: string;
  readonly topicName: string;
  readonly dashboardName: string;
}

/**
 * The names of everything that starts with `base`: an environment (`<app>-<env>`) or an account baseline
 * (`<app>-account`, lib/baseline).
 */
export function namesFor(base: string): ObservabilityNames {
  const prefix = `${base}-`;
  return {
    alarmNamePrefix: prefix,
    ruleNamePrefix: prefix,
    filterNamePrefix: prefix,
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

/** The names of the account baseline of an app (lib/baseline): `<app>-account-…`, e.g. the trail `<app>-account-audit`. */
export function accountBaselineNames(appName: string): ObservabilityNames {
  return namesFor(`${appName}-account`);
}

/** Whose names: an environment (its app and environment names), or the names themselves (an account baseline). */
export type NameOwner = EnvironmentIdentity | ObservabilityNames;

export function namesOf(owner: NameOwner): ObservabilityNames {
  return 'alarmNamePrefix' in owner ? owner : observabilityNames(owner);
}

/**
 * The one naming helper of alarms and EventBridge rules: `<app>-<env>-<what>` (`<app>-account-<what>` in the
 * baseline). Alarms and rules share the prefix, which the key and topic policies match.
 */
export function scopedName(owner: NameOwner, what: string): string {
  return `${namesOf(owner).alarmNamePrefix}${what}`;
}
