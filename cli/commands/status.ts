import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  ListSecretVersionIdsCommand,
  type ListSecretVersionIdsCommandOutput,
} from '@aws-sdk/client-secrets-manager';
import {
  type AgeFigures,
  ageFigures,
  isOverdue,
  isStuck,
  lastRotation,
  placeholderAlarms,
  rotatedBy,
  rotationDue,
  VersionMetadataError,
} from '../../contracts/secret-age-rules';
import { call } from '../aws';
import type { Context, EnvSecret } from '../context';
import { EXIT } from '../errors';
import { isoDate, type Out, table } from '../output';
import { type FailureClasses, lastFailureClasses, unresolvedFailure } from '../failure-logs';
import { type RotationOutcome, rotationOutcomes } from '../rotation-metrics';

export interface SecretStatus {
  secret: string;
  id: string;
  kind: string;
  rotationEnabled: boolean;
  rotationDays: number | null;
  maxAgeDays: number;
  /** Last rotation: DescribeSecret's LastRotatedDate for rotator-managed secrets (a manual put does not move it). */
  lastRotated: string | null;
  /** Days since the value last changed (AWSCURRENT's creation). */
  ageDays: number | null;
  /** Days since the last rotation: what the overdue alarm watches. */
  daysSinceLastRotation: number | null;
  neverRotated: boolean;
  nextDue: string | null;
  overdue: boolean;
  rotationInProgress: boolean;
  pendingRotationHours: number;
  stuck: boolean;
  placeholder: boolean;
  placeholderAlarms: boolean;
  /** A failure newer than the last success: step and time from the rotator's metrics, error class from its log group (null: unknown). */
  lastFailure: { step: string; at: string; errorClass: string | null } | null;
  lastSuccess: string | null;
  kmsKeyId: string | null;
  problems: string[];
}

/** Version metadata only (DescribeSecret, ListSecretVersionIds): never GetSecretValue. */
export async function secretStatus(
  ctx: Context,
  s: EnvSecret,
  now: Date,
  outcomes: Promise<Map<string, RotationOutcome>>,
  classes: Promise<FailureClasses>,
): Promise<SecretStatus> {
  const hint = (action: string) => ({ action, resource: s.id, role: ctx.operatorRole });
  const [d, l] = await Promise.all([
    call<DescribeSecretCommandOutput>(ctx.sm, new DescribeSecretCommand({ SecretId: s.id }), hint('secretsmanager:DescribeSecret')),
    call<ListSecretVersionIdsCommandOutput>(
      ctx.sm,
      new ListSecretVersionIdsCommand({ SecretId: s.id, IncludeDeprecated: false }),
      hint('secretsmanager:ListSecretVersionIds'),
    ),
  ]);
  const versions = l.Versions ?? [];
  const outcome = (await outcomes).get(s.name);
  const by = rotatedBy(s.name, d);
  let figures: AgeFigures | undefined;
  try {
    figures = ageFigures(versions, d, by, now);
  } catch (e) {
    if (!(e instanceof VersionMetadataError)) throw e;
  }
  const production = ctx.config.production === true;
  const problems: string[] = [];
  const overdue = figures ? isOverdue(figures, s.maxAgeDays) : false;
  const stuck = figures ? isStuck(figures) : false;
  const alarmingPlaceholder = figures ? placeholderAlarms(figures, production) : false;
  if (!figures) problems.push('no AWSCURRENT version');
  if (overdue) problems.push(`overdue (not rotated for more than ${s.maxAgeDays} days): runbook #alarm-days-since-rotation`);
  if (stuck) problems.push('rotation stuck (AWSPENDING lingers): runbook #alarm-pending-rotation');
  if (alarmingPlaceholder) problems.push('placeholder in a production environment: runbook #alarm-placeholder');
  const failure = unresolvedFailure(outcome);
  const errorClass = failure ? ((await classes).get(s.name)?.errorClass ?? null) : null;
  if (failure)
    problems.push(
      `last rotation failed at ${failure.step}${errorClass ? ` (${errorClass})` : ''} around ${isoDate(failure.at)}: runbook #alarm-rotation-failed`,
    );
  const last = figures ? lastRotation(versions, d, by) : undefined;
  const due = figures ? rotationDue(versions, d, by, s.maxAgeDays) : undefined;
  return {
    secret: s.name,
    id: s.id,
    kind: s.entry.kind,
    rotationEnabled: d.RotationEnabled === true,
    rotationDays: d.RotationRules?.AutomaticallyAfterDays ?? null,
    maxAgeDays: s.maxAgeDays,
    lastRotated: last && !last.never ? isoDate(last.since) : null,
    ageDays: figures?.daysSinceRotation ?? null,
    daysSinceLastRotation: figures?.daysSinceLastRotation ?? null,
    neverRotated: figures?.neverRotated === 1,
    nextDue: due ? isoDate(due) : null,
    overdue,
    rotationInProgress:
      (figures?.pendingRotationHours ?? 0) > 0 || versions.some((v) => v.VersionStages?.includes('AWSPENDING') && !v.VersionStages.includes('AWSCURRENT')),
    pendingRotationHours: figures?.pendingRotationHours ?? 0,
    stuck,
    placeholder: figures?.placeholder === 1,
    placeholderAlarms: alarmingPlaceholder,
    lastFailure: failure ? { step: failure.step, at: isoDate(failure.at), errorClass } : null,
    lastSuccess: outcome?.lastSuccess ? isoDate(outcome.lastSuccess) : null,
    kmsKeyId: d.KmsKeyId ?? null,
    problems,
  };
}

export async function status(ctx: Context, out: Out): Promise<number> {
  const now = new Date();
  // One GetMetricData call for the rotators' outcomes, beside the two Secrets Manager calls per secret.
  let metricsNote: string | undefined;
  const outcomesP = rotationOutcomes(
    ctx,
    ctx.secrets.filter((s) => s.entry.rotator),
  ).catch((e) => {
    metricsNote = `rotation outcomes unknown: ${(e as Error).message}`;
    return new Map<string, RotationOutcome>();
  });
  // FilterLogEvents on a rotator's log group only when one of its secrets failed since its last success.
  const classesP = outcomesP.then((o) => lastFailureClasses(ctx, ctx.secrets, o));
  const rows = await Promise.all(ctx.secrets.map((s) => secretStatus(ctx, s, now, outcomesP, classesP)));
  const logsNote = (await classesP).note;
  const problems = rows.flatMap((r) => r.problems.map((p) => `${r.secret}: ${p}`));
  if (out.json) {
    out.line(
      JSON.stringify(
        {
          app: ctx.app,
          environment: ctx.env,
          production: ctx.config.production === true,
          checkedAt: isoDate(now),
          secrets: rows,
          problems,
          ...(metricsNote ? { metricsNote } : {}),
          ...(logsNote ? { logsNote } : {}),
        },
        null,
        2,
      ),
    );
  } else {
    out.line(`${ctx.app}/${ctx.env}${ctx.config.production ? ' (production)' : ''} at ${isoDate(now)}`);
    table(
      out,
      ['SECRET', 'KIND', 'ROTATION', 'LAST ROTATED', 'ROTATED(d)', 'CHANGED(d)', 'NEXT DUE', 'OVERDUE', 'IN PROGRESS', 'PLACEHOLDER', 'LAST FAILURE', 'KEY'],
      rows.map((r) => [
        r.secret,
        r.kind,
        r.rotationEnabled ? `on ${r.rotationDays ?? '?'}d` : `off (max ${r.maxAgeDays}d)`,
        r.neverRotated ? 'never' : (r.lastRotated ?? '-'),
        r.daysSinceLastRotation === null ? '-' : r.daysSinceLastRotation.toFixed(1),
        r.ageDays === null ? '-' : r.ageDays.toFixed(1),
        r.nextDue ?? '-',
        r.overdue ? 'OVERDUE' : 'no',
        r.rotationInProgress ? `yes ${r.pendingRotationHours}h${r.stuck ? ' STUCK' : ''}` : 'no',
        r.placeholder ? (r.placeholderAlarms ? 'YES (alarms)' : 'yes') : 'no',
        r.lastFailure
          ? `${r.lastFailure.step} ${r.lastFailure.errorClass ?? '?'} ${r.lastFailure.at}`
          : r.kind === 'third-party'
            ? '-'
            : metricsNote
              ? '?'
              : 'none',
        shortKey(r.kmsKeyId),
      ]),
      (i) => rows[i].problems.length > 0,
    );
    out.line(
      metricsNote
        ? `LAST FAILURE ?: ${metricsNote}`
        : 'LAST FAILURE: step (rotator metrics), error class (rotator log group) and time of a failure since the last success (runbook #alarm-rotation-failed).',
    );
    if (logsNote) out.line(`error class ?: ${logsNote}`);
    for (const p of problems) out.line(`! ${p}`);
    out.line(problems.length ? `${problems.length} problem(s): exit ${EXIT.findings}` : 'no problems');
  }
  return problems.length ? EXIT.findings : EXIT.ok;
}

function shortKey(k: string | null): string {
  if (!k) return 'aws/secretsmanager';
  return k.replace(/^arn:aws[a-z-]*:kms:[^:]+:\d+:/, '');
}
