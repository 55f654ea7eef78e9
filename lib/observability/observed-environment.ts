/**
 * What the trail filters, alarms and dashboard of one environment are named, scoped and explained by: the few
 * config values the audit trail and the monitoring both use, said once (the stack fills them from the config);
 * and the environment's alarm topic as the config describes it.
 */
import { metricsNamespace, type EnvironmentConfig, type EnvironmentIdentity } from '../config';
import type { AlarmTopicProps } from './alarm-topic';
import { environmentLabel, observabilityNames } from './names';

/** An environment as its trail filters scope and explain it: its names, and the role its reviewed deploys run as. */
export interface DeployedEnvironment extends Readonly<EnvironmentIdentity> {
  /** The role CloudFormation deploys with: the policy-change alarms say a change by it during a reviewed deploy is expected. */
  readonly deployRoleArn: string;
}

export interface ObservedEnvironment extends DeployedEnvironment {
  /** The environment's metrics namespace (lib/config metricsNamespace): rotation metrics, and trail metrics under `<namespace>/Trail/<env>`. */
  readonly metricsNamespace: string;
  /** Where on-call finds docs/runbook.md: linked from the dashboard and each alarm description. */
  readonly runbookUrl: string;
  /** The break-glass role: every use of it alarms, and the dashboard lists every call made with it. */
  readonly breakGlassRoleArn: string;
}

/** The observed environment of a (resolved) environment config. */
export function observedEnvironment(config: EnvironmentConfig): ObservedEnvironment {
  return {
    appName: config.appName,
    envName: config.envName,
    metricsNamespace: metricsNamespace(config),
    runbookUrl: config.runbookUrl,
    deployRoleArn: config.deployRoleArn,
    breakGlassRoleArn: config.breakGlassRoleArn,
  };
}

/** The alarm topic of an environment: its names and label, e-mailed to the configured recipient (the key is the stack's ops key). */
export function environmentAlarmTopic(config: EnvironmentConfig): Omit<AlarmTopicProps, 'opsKey'> {
  return { names: observabilityNames(config), label: environmentLabel(config), emails: [config.alarmEmail] };
}
