/**
 * The runbook's post-deploy smoke check as a checklist. Read-only and silent: only calls the operator role may
 * make (a refused call on this environment's secrets would fire SecretsAccessDenied), never GetSecretValue.
 */
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { ListSubscriptionsByTopicCommand, type ListSubscriptionsByTopicCommandOutput, SNSClient } from '@aws-sdk/client-sns';
import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetResourcePolicyCommand,
  type GetResourcePolicyCommandOutput,
  ListSecretVersionIdsCommand,
  type ListSecretVersionIdsCommandOutput,
} from '@aws-sdk/client-secrets-manager';
import { isStuck, pendingVersion, secretFigures } from '../../contracts/secret-age-rules';
import { awsClient, call } from '../aws';
import type { Context } from '../context';
import { resolveIntrinsics } from '../deployed/intrinsics';
import { policyDifferences } from '../deployed/policy-diff';
import { type DeployedStack, readDeployedStack, secretsStackName } from '../deployed/stack';
import { lastFailureClasses } from '../failure-logs';
import { CliError, describeAwsError, EXIT } from '../errors';
import { green, isoDate, type Out, red } from '../output';
import { rotationOutcomes } from '../rotation-metrics';

export interface Check {
  check: string;
  /** true ✓, false ✗, null: not checked by this version of the CLI (says why). */
  ok: boolean | null;
  detail: string;
}

export async function verify(ctx: Context, out: Out): Promise<number> {
  const checks: Check[] = [];
  const add = (check: string, ok: boolean | null, detail = '') => checks.push({ check, ok, detail });
  const alias = `alias/${ctx.app}/${ctx.env}/secrets`;
  let keyArn: string | undefined;
  try {
    const kms = awsClient(ctx, KMSClient);
    keyArn = (await kms.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata?.Arn;
    add(`secrets key ${alias} exists`, Boolean(keyArn), keyArn ?? '');
  } catch (e) {
    const err = describeAwsError(e, { action: 'kms:DescribeKey', resource: alias, role: ctx.operatorRole });
    if (err.exitCode === EXIT.credentials || err.exitCode === EXIT.throttled) throw err;
    add(`secrets key ${alias} exists`, false, err.message);
  }
  const stack = await readStackAsCheck(ctx, add);
  for (const s of ctx.secrets) {
    const hint = (action: string) => ({ action, resource: s.id, role: ctx.operatorRole });
    let d: DescribeSecretCommandOutput;
    try {
      d = await call<DescribeSecretCommandOutput>(ctx.sm, new DescribeSecretCommand({ SecretId: s.id }), hint('secretsmanager:DescribeSecret'));
    } catch (e) {
      if ((e as CliError).exitCode !== EXIT.notFound) throw e;
      add(`${s.name} exists`, false, `${s.id} not found: deploy the stack (runbook #1)`);
      continue;
    }
    add(`${s.name} exists`, true, s.id);
    const onKey = Boolean(keyArn) && (d.KmsKeyId === keyArn || d.KmsKeyId === alias || Boolean(d.KmsKeyId?.endsWith(`:${alias}`)));
    add(`${s.name} is on ${alias}`, keyArn ? onKey : false, onKey ? '' : `KmsKeyId is ${d.KmsKeyId ?? 'aws/secretsmanager (default)'}`);
    const schedule = ctx.config.rotation[s.name];
    if (s.entry.rotator) {
      const want = schedule?.scheduleExpression ? `schedule ${schedule.scheduleExpression}` : `every ${s.maxAgeDays} days`;
      const got = d.RotationRules?.ScheduleExpression
        ? `schedule ${d.RotationRules.ScheduleExpression}`
        : `every ${d.RotationRules?.AutomaticallyAfterDays ?? '?'} days`;
      add(
        `${s.name} rotates ${want}`,
        d.RotationEnabled === true && want === got,
        d.RotationEnabled ? (want === got ? '' : `configured ${want}, deployed ${got}`) : 'rotation is off: runbook #alarm-rotation-cancelled',
      );
    } else {
      add(
        `${s.name} has no automatic rotation (third-party, age-alarmed after ${s.maxAgeDays} days)`,
        d.RotationEnabled !== true,
        d.RotationEnabled ? 'rotation is on for a secret with no rotator' : '',
      );
    }
    const p = await call<GetResourcePolicyCommandOutput>(ctx.sm, new GetResourcePolicyCommand({ SecretId: s.id }), hint('secretsmanager:GetResourcePolicy'));
    add(
      `${s.name} has its resource policy`,
      Boolean(p.ResourcePolicy),
      p.ResourcePolicy ? '' : 'no resource policy: redeploy the stack (runbook #alarm-policy-change)',
    );
    if (p.ResourcePolicy && stack) {
      const differences = deployedPolicyDifferences(stack, d.ARN ?? '', p.ResourcePolicy);
      add(
        `${s.name} resource policy equals the one ${stack.name} deployed`,
        differences.length === 0,
        differences.length ? `${differences.join('; ')}: redeploy the stack (runbook #alarm-policy-change)` : '',
      );
    }
    if (s.entry.rotator) {
      const l = await call<ListSecretVersionIdsCommandOutput>(
        ctx.sm,
        new ListSecretVersionIdsCommand({ SecretId: s.id }),
        hint('secretsmanager:ListSecretVersionIds'),
      );
      const versions = l.Versions ?? [];
      const pending = pendingVersion(versions);
      let stuck: boolean;
      try {
        stuck = isStuck(secretFigures(versions, new Date()));
      } catch {
        stuck = true;
      }
      add(
        `${s.name} has rotated and no rotation is stuck`,
        Boolean(d.LastRotatedDate) && !stuck,
        !d.LastRotatedDate
          ? 'never rotated: runbook #alarm-placeholder'
          : stuck
            ? 'AWSPENDING lingers: runbook #alarm-pending-rotation'
            : pending
              ? 'a rotation is running now'
              : '',
      );
    }
  }
  if (stack) for (const c of await alarmTopicChecks(ctx, stack)) add(c.check, c.ok, c.detail);
  const rotated = ctx.secrets.filter((s) => s.entry.rotator);
  const outcomes = await rotationOutcomes(ctx, rotated);
  const classes = await lastFailureClasses(ctx, rotated, outcomes);
  for (const s of rotated) {
    const o = outcomes.get(s.name) ?? {};
    const check = `the last rotation of ${s.name} succeeded (${s.entry.rotator} rotator metrics, last ${Math.max(...rotated.map((x) => x.maxAgeDays)) + 1} days)`;
    // Hourly buckets: a failure and a success in the same hour read as "failed, then retried successfully".
    if (o.lastFailure && (!o.lastSuccess || o.lastFailure.at > o.lastSuccess)) {
      add(check, false, `failed at ${o.lastFailure.step} around ${isoDate(o.lastFailure.at)} (${classes.describe(s.name)}): runbook #alarm-rotation-failed`);
    } else if (o.lastSuccess) add(check, true, `succeeded around ${isoDate(o.lastSuccess)}`);
    else add(check, null, 'no rotation in that window (no metrics)');
  }

  const failed = checks.filter((c) => c.ok === false);
  if (out.json) {
    out.line(JSON.stringify({ app: ctx.app, environment: ctx.env, ok: failed.length === 0, checks }, null, 2));
  } else {
    for (const c of checks) {
      const mark = c.ok === true ? green(out, '✓') : c.ok === false ? red(out, '✗') : '-';
      out.line(`${mark} ${c.check}${c.detail ? `: ${c.detail}` : ''}`);
    }
    out.line(failed.length ? `${failed.length} check(s) failed` : 'all checks passed (- marks a check with nothing to check yet)');
  }
  return failed.length ? EXIT.findings : EXIT.ok;
}

type Add = (check: string, ok: boolean | null, detail?: string) => void;

/** The deployed stack, or a ✗ saying why it cannot be read (then the checks that compare with it are skipped). */
async function readStackAsCheck(ctx: Context, add: Add): Promise<DeployedStack | undefined> {
  const check = `the deployed stack ${secretsStackName(ctx.app, ctx.env)} is readable`;
  try {
    const stack = await readDeployedStack(ctx);
    add(check, true);
    return stack;
  } catch (e) {
    if (e instanceof CliError && (e.exitCode === EXIT.credentials || e.exitCode === EXIT.throttled)) throw e;
    const why =
      e instanceof CliError && /\(ValidationError\)/.test(e.message)
        ? 'not found (ValidationError): deploy it (runbook #1) or check --app, --env and --region'
        : (e as Error).message;
    add(check, false, `${why}; the policy and alarm-topic checks need it`);
    return undefined;
  }
}

/** The policy the stack deployed for the secret `arn` (its intrinsics resolved), compared with the live one. */
function deployedPolicyDifferences(stack: DeployedStack, arn: string, live: string): string[] {
  const resources = Object.values(stack.template.Resources).filter((r) => r.Type === 'AWS::SecretsManager::ResourcePolicy');
  const mine = resources.filter((r) => resolveIntrinsics(r.Properties?.SecretId, stack.facts) === arn);
  if (mine.length !== 1) return [`the deployed template has ${mine.length} resource policies for this secret, expected 1`];
  try {
    return policyDifferences(resolveIntrinsics(mine[0]!.Properties?.ResourcePolicy, stack.facts), JSON.parse(live));
  } catch (e) {
    return [(e as Error).message];
  }
}

/** Every SNS topic of the stack (the security alarm topic) has a confirmed subscription; "PendingConfirmation" is not. */
async function alarmTopicChecks(ctx: Context, stack: DeployedStack): Promise<Check[]> {
  const sns = awsClient(ctx, SNSClient);
  const topics = [...stack.facts.resources.values()].filter((r) => r.type === 'AWS::SNS::Topic');
  if (topics.length === 0) return [{ check: 'the alarm topic has a confirmed subscription', ok: false, detail: `${stack.name} has no SNS topic` }];
  const checks: Check[] = [];
  for (const t of topics) {
    const check = `the alarm topic ${t.physicalId.replace(/^.*:/, '')} has a confirmed subscription`;
    const subs: { SubscriptionArn?: string; Protocol?: string }[] = [];
    let NextToken: string | undefined;
    try {
      do {
        const page = await call<ListSubscriptionsByTopicCommandOutput>(sns, new ListSubscriptionsByTopicCommand({ TopicArn: t.physicalId, NextToken }), {
          action: 'sns:ListSubscriptionsByTopic',
          resource: t.physicalId,
          role: ctx.operatorRole,
        });
        subs.push(...(page.Subscriptions ?? []));
        NextToken = page.NextToken;
      } while (NextToken);
    } catch (e) {
      if (e instanceof CliError && (e.exitCode === EXIT.credentials || e.exitCode === EXIT.throttled)) throw e;
      checks.push({ check, ok: false, detail: (e as Error).message });
      continue;
    }
    const confirmed = subs.filter((x) => x.SubscriptionArn?.startsWith('arn:'));
    const pending = subs.length - confirmed.length;
    checks.push({
      check,
      ok: confirmed.length > 0,
      detail: confirmed.length
        ? `${confirmed.length} confirmed (${[...new Set(confirmed.map((x) => x.Protocol))].join(', ')})${pending ? `, ${pending} pending` : ''}`
        : subs.length
          ? `${pending} subscription(s), none confirmed: confirm the e-mail AWS sent to the alarm address (runbook #1)`
          : 'no subscription: nobody receives the alarms (runbook #1)',
    });
  }
  return checks;
}
