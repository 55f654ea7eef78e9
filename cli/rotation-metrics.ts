/**
 * The rotators' outcomes from their metrics (contracts/metrics: RotationSucceeded {Environment, Secret},
 * RotationFailed {Environment, Secret, Step}): one GetMetricData call for every rotated secret. Gives the last
 * success and the last failed step; the error class is only in the rotator's log group (not read here).
 */
import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandOutput, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { DIMENSION, METRIC, ROTATION_STEPS, type RotationStep } from '../contracts/metrics';
import { metricsNamespace } from '../lib/config';
import { awsClient, call } from './aws';
import type { Context, EnvSecret } from './context';

export interface RotationOutcome {
  lastSuccess?: Date;
  lastFailure?: { step: RotationStep; at: Date };
}

const HOUR_S = 3600;

/** `since`: only that window, at one-minute resolution (to follow one rotation); default: the longest rotation period, hourly. */
export async function rotationOutcomes(ctx: Context, secrets: readonly EnvSecret[], since?: Date): Promise<Map<string, RotationOutcome>> {
  const namespace = metricsNamespace({ ...ctx.config, appName: ctx.app });
  const days = Math.max(...secrets.map((s) => s.maxAgeDays)) + 1;
  const period = since ? 60 : HOUR_S;
  const queries: MetricDataQuery[] = [];
  const meaning = new Map<string, { secret: string; step?: RotationStep }>();
  secrets.forEach((s, i) => {
    const dims = [
      { Name: DIMENSION.Environment, Value: ctx.env },
      { Name: DIMENSION.Secret, Value: s.name },
    ];
    queries.push({
      Id: `s${i}`,
      MetricStat: { Metric: { Namespace: namespace, MetricName: METRIC.RotationSucceeded, Dimensions: dims }, Period: period, Stat: 'Sum' },
    });
    meaning.set(`s${i}`, { secret: s.name });
    ROTATION_STEPS.forEach((step, j) => {
      queries.push({
        Id: `f${i}_${j}`,
        MetricStat: {
          Metric: { Namespace: namespace, MetricName: METRIC.RotationFailed, Dimensions: [...dims, { Name: DIMENSION.Step, Value: step }] },
          Period: period,
          Stat: 'Sum',
        },
      });
      meaning.set(`f${i}_${j}`, { secret: s.name, step });
    });
  });
  // 3 attempts, not the CLI's 5: one read per report or poll, so a silent endpoint holds the command 3 x 30 s at most.
  const cw = awsClient(ctx, CloudWatchClient, { maxAttempts: 3 });
  const end = new Date();
  const start = since ? new Date(since.getTime() - 60_000) : new Date(end.getTime() - days * 86_400_000);
  const out = new Map<string, RotationOutcome>(secrets.map((s) => [s.name, {}]));
  let NextToken: string | undefined;
  do {
    const page = await call<GetMetricDataCommandOutput>(
      cw,
      new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: end, NextToken }),
      {
        action: 'cloudwatch:GetMetricData',
        resource: `namespace ${namespace}`,
        role: ctx.operatorRole,
      },
    );
    for (const r of page.MetricDataResults ?? []) {
      const m = meaning.get(r.Id ?? '');
      if (!m) continue;
      const times = (r.Timestamps ?? []).filter((_, k) => (r.Values?.[k] ?? 0) > 0);
      if (times.length === 0) continue;
      const latest = new Date(Math.max(...times.map((t) => t.getTime())));
      const o = out.get(m.secret)!;
      if (!m.step) o.lastSuccess = !o.lastSuccess || latest > o.lastSuccess ? latest : o.lastSuccess;
      else if (!o.lastFailure || latest > o.lastFailure.at) o.lastFailure = { step: m.step, at: latest };
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}
