/**
 * Prints, per environment, what the observability constructs create: alarms (by source), metric filters,
 * EventBridge rules, dashboard widgets (by type), the metric names the dashboard reads per secret with exactly
 * {Environment, Secret} (8: the age function's 5, RotationSucceeded, StaleSecretServed, KeyRingPreviousKeys) and the
 * dashboard body size; then the same counts for each account baseline (lib/baseline: the account's trail, its
 * account-wide filters and alarms), and the synth time of the whole app.
 * Synthesizes the app of lib/app.ts as the template tests do (test/support/synth.ts: cdk.json's context, no
 * bundling). Run: npx tsx bench/monitoring-counts.ts
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { synthAll } from '../test/support/synth';
import { synthBaselines } from '../test/support/synth-baseline';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Resource = { Type: string; Properties: Record<string, Json> };

/** Turns the dashboard body's Fn::Join into parseable JSON by replacing each intrinsic with a placeholder. */
function dashboardBody(body: Json): { widgets: { type: string; properties: { metrics?: Json[][] } }[] } {
  const join = (body as { 'Fn::Join': [string, Json[]] })['Fn::Join'];
  const text = join ? join[1].map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(join[0]) : String(body);
  return JSON.parse(text);
}

/** Alarms, billed alarm metrics (a metric-math alarm pays for each metric it reads), filters, rules and topics. */
function alarmCounts(template: Template) {
  const all = Object.values((template.toJSON() as { Resources: Record<string, Resource> }).Resources);
  const count = (type: string) => all.filter((r) => r.Type === type).length;
  const alarmMetrics = all
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .reduce(
      (n, r) => n + (Array.isArray(r.Properties.Metrics) ? (r.Properties.Metrics as { MetricStat?: unknown }[]).filter((m) => m.MetricStat).length : 1),
      0,
    );
  return {
    all,
    alarms: count('AWS::CloudWatch::Alarm'),
    'alarm metrics (billed)': alarmMetrics,
    'metric filters': count('AWS::Logs::MetricFilter'),
    'event rules': count('AWS::Events::Rule'),
    topics: count('AWS::SNS::Topic'),
  };
}

const started = process.hrtime.bigint();
const { app, results } = synthAll();
const baselines = synthBaselines(app);
const synthMs = Number(process.hrtime.bigint() - started) / 1e6;

const environments: Record<string, string | number>[] = [];
for (const { config, stack, template } of results) {
  const { all, ...counts } = alarmCounts(template);
  const dashboard = all.find((r) => r.Type === 'AWS::CloudWatch::Dashboard');
  const body = dashboardBody(dashboard?.Properties.DashboardBody ?? '{"widgets":[]}');
  const byType: Record<string, number> = {};
  for (const w of body.widgets) byType[w.type] = (byType[w.type] ?? 0) + 1;
  // Metrics with exactly {Environment, Secret}, counted for secret-key (a key ring: it has every kind).
  const perSecretNames = new Set(
    body.widgets.flatMap((w) =>
      (w.properties.metrics ?? [])
        .filter((m) => m[0] === 'GaaraStore/Secrets' && m.length === 7 && m[4] === 'Secret' && m[5] === 'secret-key')
        .map((m) => String(m[1])),
    ),
  );
  environments.push({
    env: config.envName,
    ...counts,
    'trail alarms': counts.alarms - stack.monitoring.alarms.length,
    'monitoring alarms': stack.monitoring.alarms.length,
    'per-secret metric names': perSecretNames.size,
    widgets: body.widgets.length,
    'metric widgets': byType.metric ?? 0,
    'log widgets': byType.log ?? 0,
    'text widgets': byType.text ?? 0,
    'alarm widgets': byType.alarm ?? 0,
    'body bytes': JSON.stringify(body).length,
  });
}
console.log('Environments');
console.table(environments);

console.log('Account baselines (one per account; the environments that use it)');
console.table(
  baselines.map(({ config, template }) => {
    const { all, ...counts } = alarmCounts(template);
    return {
      baseline: config.stackName,
      environments: config.envNames.join(', '),
      ...counts,
      trails: all.filter((r) => r.Type === 'AWS::CloudTrail::Trail').length,
    };
  }),
);
console.log(`synth of the app (${results.length} environments, ${baselines.length} baselines): ${Math.round(synthMs)} ms`);
