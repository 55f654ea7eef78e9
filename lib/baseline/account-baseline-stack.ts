import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { secretsStackName } from '../../contracts';
import { type AccountBaselineConfig } from '../config';
import { resolveDeployRole, resolvePlaceholders, retentionOf, stackPlacement } from '../config/resolve';
import { AlarmTopic } from '../observability/alarm-topic';
import { createAccountTrail, TrailFilters } from '../observability/audit';
import { keyAdministrationStatements } from '../access/keys';
import { accountFilters, accountTrailMetricsNamespace, deployHint } from '../observability/metric-filters';
import { accountBaselineNames, type ObservabilityNames } from '../observability/names';
import { alarmAndLogStatements, trailKeyStatements } from '../observability/ops-key-statements';
import { TrailReadAccess } from './trail-read-access';

export interface AccountBaselineStackProps extends StackProps {
  config: AccountBaselineConfig;
}

/**
 * What an account needs once, whatever number of environments it holds (issue #10 item 10): the multi-region trail
 * with its bucket, access-log bucket and log group, the verbatim CIS filters and the two account-wide
 * secrets/keys filters with their alarms, the topic they notify, the key that encrypts all of it, and the
 * trail-reader role auditors assume to read the trail's files. Environments in `baseline` mode find the log group
 * by name (`/aws/cloudtrail/<app>-account-audit`) and add their own filters to it: no cross-stack export, so an
 * environment can be deployed, changed or destroyed without touching the baseline. Deploy it first.
 */
export class AccountBaselineStack extends Stack {
  readonly config: AccountBaselineConfig;
  readonly key: kms.Key;
  readonly trailFilters: TrailFilters;
  readonly readAccess: TrailReadAccess;

  constructor(scope: Construct, id: string, props: AccountBaselineStackProps) {
    super(scope, id, {
      ...props,
      ...stackPlacement(props.config),
      description: `${props.config.appName} account baseline (${props.config.envNames.join(', ')}): audit trail, CIS filters and alarms, once per account`,
    });
    // The only place the baseline resolves config placeholders (as lib/config/resolve.ts does for environments).
    const config = (this.config = resolvePlaceholders(
      { ...props.config, deployRoleArns: props.config.deployRoleArns.map((arn) => resolveDeployRole(arn, props.config.stackName, this)) },
      this,
    ));
    const names = accountBaselineNames(config.appName);
    const label = `${config.appName} account baseline`;

    const readerRole = new iam.Role(this, 'TrailReaderRole', {
      // A fixed name: the runbook tells auditors to assume it.
      roleName: `${config.appName}-account-trail-reader`,
      description: `${label}: reads the audit trail (files, log group, status) for its whole retention; nothing else`,
      assumedBy: new iam.CompositePrincipal(...config.auditorTrustedPrincipals.map((p) => new iam.ArnPrincipal(p))),
    });
    this.key = this.trailKey(names, readerRole.roleArn);
    const topic = new AlarmTopic(this, 'AlarmTopic', { opsKey: this.key, names, label, emails: config.alarmEmails });

    const audit = new Construct(this, 'Audit');
    const trail = createAccountTrail(audit, {
      names,
      label,
      key: this.key,
      ...retentionOf(config),
      transitionToGlacierDays: config.transitionToGlacierDays,
      expireAfterDays: config.expireAfterDays,
    });
    this.trailFilters = new TrailFilters(audit, {
      logGroup: trail.logGroup,
      metricNamespace: accountTrailMetricsNamespace(config.metricsNamespace),
      owner: names,
      alarmTopic: topic.topic,
      runbookUrl: config.runbookUrl,
    });
    const hint = deployHint(
      config.deployRoleArns,
      `a stack of ${config.appName} (this baseline or ${config.envNames.map((e) => secretsStackName(config.appName, e)).join(', ')})`,
    );
    for (const spec of accountFilters(hint)) this.trailFilters.addAlarmed(spec);

    this.readAccess = new TrailReadAccess(this, 'TrailReadAccess', {
      role: readerRole,
      names,
      bucket: trail.bucket,
      logGroup: trail.logGroup,
      keyArn: this.key.keyArn,
    });
  }

  /** The key of the trail's files, bucket, log group and topic: administered like the environments' keys. */
  private trailKey(names: ObservabilityNames, readerRoleArn: string): kms.Key {
    const { config } = this;
    const key = new kms.Key(this, 'TrailKey', {
      alias: `alias/${config.appName}/account/trail`,
      description: `${config.appName} account baseline: encrypts the audit trail ${names.trailName} (files and log group) and the baseline's alarm topic`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      // Retained: it encrypts the retained audit evidence.
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new iam.PolicyDocument({
        statements: [
          ...keyAdministrationStatements({
            keyAdminRoleArns: config.keyAdminRoleArns,
            deployRoleArns: config.deployRoleArns,
            metadataReaderArns: [readerRoleArn],
          }),
          ...alarmAndLogStatements(this, names, { eventBridgeRules: false }),
          ...trailKeyStatements(this, names, [readerRoleArn]),
        ],
      }),
    });
    return key;
  }
}
