/**
 * The error class of a rotator's last failure, from its log group (`/<app>/<env>/functions/<kind>`,
 * contracts/function-names.ts). The metrics say when and at which step a rotation failed; the rotators' structured
 * failure line (lambdas/rotation/handler.ts: "rotation step failed", or the deadline line, each with `errorClass`,
 * `step` and `secret`) says why. Only that window is searched (FilterLogEvents), and only for secrets whose last
 * failure is newer than their last success. Only the class and step are read out, never the message.
 */
import { CloudWatchLogsClient, FilterLogEventsCommand, type FilterLogEventsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import type { RotatorKind } from '../contracts/catalog';
import { functionLogGroupName } from '../contracts/function-names';
import { ROTATION_STEPS } from '../contracts/metrics';
import { awsClient, call } from './aws';
import type { Context, EnvSecret } from './context';
import { CliError } from './errors';
import type { RotationOutcome } from './rotation-metrics';

const HOUR_MS = 3_600_000;
const SLACK_MS = 5 * 60_000;
/** Pages of one search: a failing rotation logs a few lines per retry; more than this is a flood, not history. */
const MAX_PAGES = 10;
/** The rotators' error classes are identifiers (lambdas/rotation/errors.ts ErrorClass); anything else is ignored. */
const ERROR_CLASS = /^[A-Za-z][A-Za-z0-9]{0,39}$/;

export interface FailureClass {
  errorClass: string;
  step: string;
}

export interface FailureClasses {
  get(secret: string): FailureClass | undefined;
  /** "error class AuthFailed", or why it is unknown. */
  describe(secret: string): string;
  /** Set when a log group could not be read (the reason, with the role needed). */
  note?: string;
}

/** A failure newer than the last success: the same rule status and verify apply. */
export function unresolvedFailure(o: RotationOutcome | undefined): RotationOutcome['lastFailure'] {
  return o?.lastFailure && (!o.lastSuccess || o.lastFailure.at > o.lastSuccess) ? o.lastFailure : undefined;
}

/** `bucketMs`: the metric period the failure times are rounded down to (hourly by default). */
export async function lastFailureClasses(
  ctx: Context,
  secrets: readonly EnvSecret[],
  outcomes: ReadonlyMap<string, RotationOutcome>,
  bucketMs = HOUR_MS,
): Promise<FailureClasses> {
  const found = new Map<string, FailureClass>();
  const notes: string[] = [];
  const failing = secrets.filter((s) => s.entry.rotator && unresolvedFailure(outcomes.get(s.name)));
  const kinds = [...new Set(failing.map((s) => s.entry.rotator as RotatorKind))];
  const logs = kinds.length ? awsClient(ctx, CloudWatchLogsClient) : undefined;
  await Promise.all(
    kinds.map(async (kind) => {
      const mine = failing.filter((s) => s.entry.rotator === kind);
      const times = mine.map((s) => unresolvedFailure(outcomes.get(s.name))!.at.getTime());
      const group = functionLogGroupName(ctx.app, ctx.env, kind);
      try {
        const lines = await failureLines(ctx, logs!, group, Math.min(...times) - SLACK_MS, Math.max(...times) + bucketMs + SLACK_MS);
        for (const s of mine) {
          const step = unresolvedFailure(outcomes.get(s.name))!.step;
          const own = lines.filter((l) => l.secret === s.id);
          const best = own.filter((l) => l.step === step).at(-1) ?? own.at(-1);
          if (best) found.set(s.name, { errorClass: best.errorClass, step: best.step });
        }
      } catch (e) {
        if (!(e instanceof CliError)) throw e;
        notes.push(e.message);
      }
    }),
  );
  const note = notes.length ? notes.join('; ') : undefined;
  return {
    get: (secret) => found.get(secret),
    describe: (secret) => {
      const f = found.get(secret);
      if (f) return `error class ${f.errorClass}`;
      return note ? 'error class unknown: the log group could not be read' : "error class unknown: no failure line in the rotator's log group for that time";
    },
    ...(note ? { note } : {}),
  };
}

interface FailureLine {
  at: number;
  secret: string;
  step: string;
  errorClass: string;
}

async function failureLines(ctx: Context, logs: CloudWatchLogsClient, group: string, startTime: number, endTime: number): Promise<FailureLine[]> {
  const lines: FailureLine[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await call<FilterLogEventsCommandOutput>(
      logs,
      // Every failure line of the rotators carries the errorClass key; the term narrows the search server-side.
      new FilterLogEventsCommand({ logGroupName: group, startTime, endTime, filterPattern: '"errorClass"', nextToken }),
      { action: 'logs:FilterLogEvents', resource: `log group ${group}`, role: ctx.operatorRole },
    );
    for (const e of page.events ?? []) {
      const line = parseFailureLine(e.message, e.timestamp);
      if (line) lines.push(line);
    }
    nextToken = page.nextToken;
  } while (nextToken && ++pages < MAX_PAGES);
  return lines.sort((a, b) => a.at - b.at);
}

function parseFailureLine(message: string | undefined, timestamp: number | undefined): FailureLine | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message ?? '');
  } catch {
    return undefined;
  }
  const l = parsed as Record<string, unknown>;
  if (
    typeof l.errorClass !== 'string' ||
    !ERROR_CLASS.test(l.errorClass) ||
    typeof l.secret !== 'string' ||
    !(ROTATION_STEPS as readonly unknown[]).includes(l.step)
  )
    return undefined;
  return { at: timestamp ?? 0, secret: l.secret, step: String(l.step), errorClass: l.errorClass };
}
