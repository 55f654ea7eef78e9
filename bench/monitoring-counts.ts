/**
 * Prints, per environment, what the observability constructs create: alarms (by source), metric filters,
 * EventBridge rules, dashboard widgets (by type) and the dashboard body size, plus the synth time.
 * Synthesizes the test stack of test/infra/monitoring.test-stack.ts (the constructs as the environment stack
 * instantiates them, with stand-in rotator functions). Run: npx tsx bench/monitoring-counts.ts
 */
import { Template } from 'aws-cdk-lib/assertions';
import { ENVIRONMENTS } from '../lib/config';
import { buildObservabilityStack } from '../test/infra/monitoring.test-stack';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Turns the dashboard body's Fn::Join into parseable JSON by replacing each intrinsic with a placeholder. */
function dashboardBody(body: Json): { widgets: { type: string }[] } {
  const join = (body as { 'Fn::Join': [string, Json[]] })['Fn::Join'];
  const text = join ? join[1].map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(join[0]) : String(body);
  return JSON.parse(text);
}

const rows: Record<string, string | number>[] = [];
for (const config of ENVIRONMENTS) {
  const started = process.hrtime.bigint();
  const s = buildObservabilityStack(config);
  const template = Template.fromStack(s.stack).toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, Json> }> };
  const synthMs = Number(process.hrtime.bigint() - started) / 1e6;
  const all = Object.values(template.Resources);
  const count = (type: string) => all.filter((r) => r.Type === type).length;
  const dashboard = all.find((r) => r.Type === 'AWS::CloudWatch::Dashboard');
  const body = dashboardBody(dashboard?.Properties.DashboardBody ?? '{"widgets":[]}');
  const byType: Record<string, number> = {};
  for (const w of body.widgets) byType[w.type] = (byType[w.type] ?? 0) + 1;
  const alarmMetrics = all
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .reduce((n, r) => n + (Array.isArray(r.Properties.Metrics) ? (r.Properties.Metrics as { MetricStat?: unknown }[]).filter((m) => m.MetricStat).length : 1), 0);
  rows.push({
    env: config.envName,
    alarms: count('AWS::CloudWatch::Alarm'),
    'alarm metrics (billed)': alarmMetrics,
    'trail alarms': s.audit.alarms.length,
    'monitoring alarms': s.monitoring.alarms.length,
    'metric filters': count('AWS::Logs::MetricFilter'),
    'event rules': count('AWS::Events::Rule'),
    widgets: body.widgets.length,
    'metric widgets': byType.metric ?? 0,
    'log widgets': byType.log ?? 0,
    'text widgets': byType.text ?? 0,
    'alarm widgets': byType.alarm ?? 0,
    'body bytes': JSON.stringify(body).length,
    'synth ms': Math.round(synthMs),
  });
}
console.table(rows);
