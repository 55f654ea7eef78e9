/**
 * The runbook's post-deploy smoke check as a checklist. Read-only and silent: only calls the operator role may
 * make (a refused call on this environment's secrets would fire SecretsAccessDenied), never GetSecretValue.
 */
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DescribeSecretCommand, type DescribeSecretCommandOutput, GetResourcePolicyCommand, type GetResourcePolicyCommandOutput, ListSecretVersionIdsCommand, type ListSecretVersionIdsCommandOutput } from '@aws-sdk/client-secrets-manager';
import { isStuck, pendingVersion, secretFigures } from '../../contracts/secret-age-rules';
import { call } from '../aws';
import type { Context } from '../context';
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
    const kms = new KMSClient({ region: ctx.region, ...(ctx.opts.profile ? { profile: ctx.opts.profile } : {}), maxAttempts: 5 });
    keyArn = (await kms.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata?.Arn;
    add(`secrets key ${alias} exists`, Boolean(keyArn), keyArn ?? '');
  } catch (e) {
    const err = describeAwsError(e, { action: 'kms:DescribeKey', resource: alias, role: ctx.operatorRole });
    if (err.exitCode === EXIT.credentials || err.exitCode === EXIT.throttled) throw err;
    add(`secrets key ${alias} exists`, false, err.message);
  }
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
      const got = d.RotationRules?.ScheduleExpression ? `schedule ${d.RotationRules.ScheduleExpression}` : `every ${d.RotationRules?.AutomaticallyAfterDays ?? '?'} days`;
      add(`${s.name} rotates ${want}`, d.RotationEnabled === true && want === got, d.RotationEnabled ? (want === got ? '' : `configured ${want}, deployed ${got}`) : 'rotation is off: runbook #alarm-rotation-cancelled');
    } else {
      add(`${s.name} has no automatic rotation (third-party, age-alarmed after ${s.maxAgeDays} days)`, d.RotationEnabled !== true, d.RotationEnabled ? 'rotation is on for a secret with no rotator' : '');
    }
    const p = await call<GetResourcePolicyCommandOutput>(ctx.sm, new GetResourcePolicyCommand({ SecretId: s.id }), hint('secretsmanager:GetResourcePolicy'));
    add(`${s.name} has its resource policy`, Boolean(p.ResourcePolicy), p.ResourcePolicy ? '' : 'no resource policy: redeploy the stack (runbook #alarm-policy-change)');
    add(`${s.name} resource policy equals the deployed template`, null, 'not yet covered (needs the synthesized template with resolved ARNs)');
    if (s.entry.rotator) {
      const l = await call<ListSecretVersionIdsCommandOutput>(ctx.sm, new ListSecretVersionIdsCommand({ SecretId: s.id }), hint('secretsmanager:ListSecretVersionIds'));
      const versions = l.Versions ?? [];
      const pending = pendingVersion(versions);
      let stuck: boolean;
      try {
        stuck = isStuck(secretFigures(versions, new Date()));
      } catch {
        stuck = true;
      }
      add(`${s.name} has rotated and no rotation is stuck`, Boolean(d.LastRotatedDate) && !stuck, !d.LastRotatedDate ? 'never rotated: runbook #alarm-placeholder' : stuck ? 'AWSPENDING lingers: runbook #alarm-pending-rotation' : pending ? 'a rotation is running now' : '');
    }
  }
  add('the alarm topic has a confirmed subscription', null, 'not yet covered (SNS)');
  const rotated = ctx.secrets.filter((s) => s.entry.rotator);
  const outcomes = await rotationOutcomes(ctx, rotated);
  for (const s of rotated) {
    const o = outcomes.get(s.name) ?? {};
    const check = `the last rotation of ${s.name} succeeded (${s.entry.rotator} rotator metrics, last ${Math.max(...rotated.map((x) => x.maxAgeDays)) + 1} days)`;
    // Hourly buckets: a failure and a success in the same hour read as "failed, then retried successfully".
    if (o.lastFailure && (!o.lastSuccess || o.lastFailure.at > o.lastSuccess)) {
      add(check, false, `failed at ${o.lastFailure.step} around ${isoDate(o.lastFailure.at)}: runbook #alarm-rotation-failed (the error class is in the rotator's log group)`);
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
    out.line(failed.length ? `${failed.length} check(s) failed` : 'all checks passed (- marks a check this version does not cover)');
  }
  return failed.length ? EXIT.findings : EXIT.ok;
}
