/**
 * Starts a rotation (RotateSecret, operator role); with --wait follows it until AWSCURRENT moves to the new
 * version. The service runs the four steps in the rotator; the CLI sees them through the version stages and the
 * rotator's RotationFailed metric (its Step); on failure the error class comes from the rotator's log group.
 */
import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  ListSecretVersionIdsCommand,
  type ListSecretVersionIdsCommandOutput,
  RotateSecretCommand,
  type RotateSecretCommandOutput,
} from '@aws-sdk/client-secrets-manager';
import { ROTATION_STEPS } from '../../contracts/metrics';
import { call } from '../aws';
import { type Context, type EnvSecret, findSecret } from '../context';
import { CliError, EXIT } from '../errors';
import type { Out } from '../output';
import { lastFailureClasses } from '../failure-logs';
import { type RotationOutcome, rotationOutcomes } from '../rotation-metrics';

export interface RotateOptions {
  all?: boolean;
  wait?: boolean;
  timeoutSeconds?: string;
  pollSeconds?: string;
}

interface Outcome {
  secret: string;
  versionId: string;
  state: 'started' | 'finished' | 'failed' | 'not-finished';
  detail?: string;
  startedAt: Date;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LOG_DELIVERY_MS = 5_000;

export async function rotate(ctx: Context, out: Out, name: string | undefined, o: RotateOptions): Promise<number> {
  if (o.all && name) throw new CliError(EXIT.usage, 'give a secret or --all, not both');
  if (!o.all && !name) throw new CliError(EXIT.usage, 'name a secret to rotate, or pass --all');
  const targets = o.all ? ctx.secrets.filter((s) => s.entry.rotator) : [findSecret(ctx, name!)];
  for (const s of targets) {
    if (!s.entry.rotator)
      throw new CliError(
        EXIT.refused,
        `${s.name} has no rotator (third-party): store the provider's new value instead (runbook R1, or gaara-secrets import-env)`,
      );
  }
  const timeoutMs = Number(o.timeoutSeconds ?? 900) * 1000;
  const pollMs = Number(o.pollSeconds ?? 5) * 1000;
  if (!(timeoutMs > 0) || !(pollMs > 0)) throw new CliError(EXIT.usage, '--timeout-seconds and --poll-seconds must be positive numbers');
  const live = !out.json && Boolean(process.stdout.isTTY);

  // Preflight every target before starting any: nothing starts if one is already rotating.
  for (const s of targets) {
    const d = await call<DescribeSecretCommandOutput>(ctx.sm, new DescribeSecretCommand({ SecretId: s.id }), {
      action: 'secretsmanager:DescribeSecret',
      resource: s.id,
      role: ctx.operatorRole,
    });
    const pending = Object.entries(d.VersionIdsToStages ?? {}).find(([, st]) => st.includes('AWSPENDING') && !st.includes('AWSCURRENT'));
    if (pending)
      throw new CliError(
        EXIT.refused,
        `${s.name} already has a rotation in progress (AWSPENDING on ${pending[0].slice(0, 8)}): follow it with gaara-secrets status, or clear a stuck one (runbook #alarm-pending-rotation)`,
      );
  }

  const outcomes: Outcome[] = [];
  for (const s of targets) {
    const startedAt = new Date();
    const r = await startRotation(ctx, s);
    if (!out.json) out.line(`${s.name}: rotation started, version ${r.slice(0, 8)}`);
    outcomes.push({ secret: s.name, versionId: r, state: 'started', startedAt });
  }
  if (o.wait) {
    for (const oc of outcomes) {
      const s = findSecret(ctx, oc.secret);
      const result = await follow(ctx, out, s, oc.versionId, oc.startedAt, timeoutMs, pollMs, live);
      oc.state = result === true ? 'finished' : result === false ? 'not-finished' : 'failed';
      if (typeof result === 'object') {
        // One-minute metric buckets while following a rotation.
        const failure = new Map([[s.name, { lastFailure: result }]]);
        let classes = await lastFailureClasses(ctx, [s], failure, 60_000);
        // Log delivery can trail the metric by seconds: look once more before saying the class is unknown.
        if (!classes.get(s.name) && !classes.note) classes = await sleep(LOG_DELIVERY_MS).then(() => lastFailureClasses(ctx, [s], failure, 60_000));
        oc.detail = `the rotator reported a failure at ${result.step} (${classes.describe(s.name)}): the service retries it; open runbook #alarm-rotation-failed`;
      } else if (!result) {
        oc.detail = `AWSPENDING still on ${oc.versionId.slice(0, 8)} after ${timeoutMs / 1000}s: the rotator failed or is still retrying; open runbook #alarm-rotation-failed (the error class and step are in the rotator's log group)`;
      }
    }
  }
  if (out.json) out.line(JSON.stringify({ app: ctx.app, environment: ctx.env, rotations: outcomes }, null, 2));
  else {
    for (const oc of outcomes)
      if (oc.state !== 'started')
        out.line(`${oc.secret}: ${oc.state === 'finished' ? '✓ rotation finished, AWSCURRENT is version ' + oc.versionId.slice(0, 8) : '✗ ' + oc.detail}`);
  }
  return outcomes.some((oc) => oc.state === 'not-finished' || oc.state === 'failed') ? EXIT.findings : EXIT.ok;
}

async function startRotation(ctx: Context, s: EnvSecret): Promise<string> {
  try {
    const r = await call<RotateSecretCommandOutput>(ctx.sm, new RotateSecretCommand({ SecretId: s.id }), {
      action: 'secretsmanager:RotateSecret',
      resource: s.id,
      role: ctx.operatorRole,
    });
    return r.VersionId ?? '?';
  } catch (e) {
    if ((e as CliError).exitCode === EXIT.aws)
      throw new CliError(EXIT.refused, `Secrets Manager refused to start a rotation of ${s.name}: ${(e as CliError).message}`);
    throw e;
  }
}

/**
 * Polls the version stages and the rotator's metrics: true once AWSCURRENT is on the new version, the failure (step, time)
 * once the rotator reported RotationFailed for this rotation, false at the timeout. Steps that reported no metric
 * yet show as pending. Without metrics (no permission, no data yet) it follows the stages alone.
 */
async function follow(
  ctx: Context,
  out: Out,
  s: EnvSecret,
  token: string,
  startedAt: Date,
  timeoutMs: number,
  pollMs: number,
  live: boolean,
): Promise<boolean | NonNullable<RotationOutcome['lastFailure']>> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let metricsUsable = true;
  for (;;) {
    let failure: RotationOutcome['lastFailure'];
    if (metricsUsable) {
      try {
        failure = (await rotationOutcomes(ctx, [s], startedAt)).get(s.name)?.lastFailure;
      } catch (e) {
        metricsUsable = false;
        if (!out.json) out.err(`note: cannot read the rotator's metrics (${(e as Error).message}); following the version stages only`);
      }
    }
    if (failure) {
      const failedStep = failure.step;
      const line = `${s.name}: ${ROTATION_STEPS.map((step) => `${ROTATION_STEPS.indexOf(step) < ROTATION_STEPS.indexOf(failedStep as never) ? '✓' : step === failedStep ? '✗' : '·'} ${step}`).join('  ')}  failed`;
      if (!out.json) {
        if (live) process.stdout.write(`\r\x1b[2K${line}\n`);
        else out.line(line);
      }
      return failure;
    }
    const l = await call<ListSecretVersionIdsCommandOutput>(ctx.sm, new ListSecretVersionIdsCommand({ SecretId: s.id }), {
      action: 'secretsmanager:ListSecretVersionIds',
      resource: s.id,
      role: ctx.operatorRole,
    });
    const v = (l.Versions ?? []).find((x) => x.VersionId === token);
    const done = Boolean(v?.VersionStages?.includes('AWSCURRENT'));
    const line = `${s.name}: ${ROTATION_STEPS.map((step) => `${done ? '✓' : '…'} ${step}`).join('  ')}  ${done ? 'AWSCURRENT moved' : 'AWSPENDING'}`;
    if (!out.json && line !== last) {
      if (live) process.stdout.write(`\r\x1b[2K${line}`);
      else out.line(line);
      last = line;
    }
    if (done) {
      if (live) process.stdout.write('\n');
      return true;
    }
    if (Date.now() >= deadline) {
      if (live) process.stdout.write('\n');
      return false;
    }
    await sleep(pollMs);
  }
}
