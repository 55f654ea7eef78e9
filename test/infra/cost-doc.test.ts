/**
 * docs/cost.md follows the templates: every line whose quantity comes from the synthesized stacks (keys, secrets,
 * alarm metrics, custom and filter metrics, dashboards, interface endpoints, the trail's retention) is recomputed here
 * from the dev, staging and prod templates and from their account baselines' templates, with the list prices the
 * page states, and the subtotals and totals of its three tables must add up.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { resourcesOf, synthAll } from '../support/synth';
import { synthBaselines } from '../support/synth-baseline';

const COST = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'cost.md'), 'utf8');
/** The page with its line breaks as spaces, for phrases that wrap. */
const FLAT = COST.replace(/\s*\n\s*/g, ' ');

/**
 * The table under a `## <heading>` of the page: line name -> [us-east-1 dev/staging, us-east-1 prod,
 * eu-west-1 dev/staging, eu-west-1 prod].
 */
function table(heading: string): Map<string, number[]> {
  const at = COST.indexOf(`\n## ${heading}\n`);
  if (at < 0) throw new Error(`docs/cost.md has no section "## ${heading}"`);
  const start = COST.indexOf('| line | quantity | us-east-1 dev/staging |', at);
  const rows = new Map<string, number[]>();
  for (const line of COST.slice(start).split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    rows.set(
      cells[0].replace(/\*\*/g, '').replace(/ \(.*$/, ''),
      cells.slice(2).map((c) => Number(c.replace(/\*\*/g, ''))),
    );
  }
  return rows;
}

/** What the page prices from a template. */
function countsOf(template: Template) {
  const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  const endpoints = resourcesOf(template, 'AWS::EC2::VPCEndpoint').filter(([, e]) => e.Properties.VpcEndpointType === 'Interface');
  return {
    keys: resourcesOf(template, 'AWS::KMS::Key').length,
    secrets: resourcesOf(template, 'AWS::SecretsManager::Secret').length,
    alarms: alarms.length,
    // a metric-math alarm pays for each metric it reads
    alarmMetrics: alarms.reduce((n, p) => n + (Array.isArray(p.Metrics) ? p.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat).length : 1), 0),
    filters: resourcesOf(template, 'AWS::Logs::MetricFilter').length,
    dashboards: resourcesOf(template, 'AWS::CloudWatch::Dashboard').length,
    topics: resourcesOf(template, 'AWS::SNS::Topic').length,
    trails: resourcesOf(template, 'AWS::CloudTrail::Trail').length,
    buckets: resourcesOf(template, 'AWS::S3::Bucket').length,
    endpointAzHours: endpoints.reduce((n, [, e]) => n + (e.Properties.SubnetIds as unknown[]).length * 730, 0),
    endpoints: endpoints.length,
  };
}

/** The trail's log retention and the expiry of its files (the bucket the trail writes to), in days. */
function trailRetention(template: Template) {
  const [[, trail]] = resourcesOf(template, 'AWS::CloudTrail::Trail');
  const [[, logGroup]] = resourcesOf(template, 'AWS::Logs::LogGroup');
  const bucketId = (trail.Properties.S3BucketName as { Ref: string }).Ref;
  const bucket = resourcesOf(template, 'AWS::S3::Bucket').find(([id]) => id === bucketId)![1];
  const expiry = (bucket.Properties.LifecycleConfiguration.Rules as { ExpirationInDays?: number }[])
    .map((r) => r.ExpirationInDays)
    .filter((d) => d !== undefined);
  return { logDays: logGroup.Properties.RetentionInDays as number, fileDays: Math.max(...(expiry as number[])) };
}

const { app, results } = synthAll();
const env = Object.fromEntries(results.map(({ config, template }) => [config.envName, countsOf(template)]));
const baselines = synthBaselines(app);
/** Each shipped environment is alone in its account, so each baseline is found by its one environment. */
const baseline = Object.fromEntries(
  baselines.map(({ config, template }) => [config.envNames.join(','), { ...countsOf(template), ...trailRetention(template) }]),
);

const cents = (x: number) => Math.round(x * 100) / 100;
type Region = 'us' | 'eu';
/** The four columns of every table: the dev (or staging) and prod templates, in us-east-1 and eu-west-1. */
function columns<C>(of: Record<string, C>, price: (c: C, region: Region) => number): number[] {
  return [cents(price(of.dev, 'us')), cents(price(of.prod, 'us')), cents(price(of.dev, 'eu')), cents(price(of.prod, 'eu'))];
}

// The page's traffic assumptions for the trail (one environment in the account), and its prices.
const MONTH_DAYS = 365 / 12;
const TRAIL_GB_INGESTED = 2.1;
const TRAIL_GB_STORED_PER_MONTH = 0.35;
const TRAIL_GB_TO_S3_PER_MONTH = 0.25;
const TRAIL_PUTS = 100_000;
const LOGS_INGESTION = { us: 0.5, eu: 0.57 };

describe('docs/cost.md follows the templates', () => {
  const perEnvironment = table('One environment, per month (USD)');
  const perBaseline = table('Account baseline, per month (USD)');
  const perAccount = table('One account, per month (USD)');

  it('reads the environment quantities from the templates: 44/44/51 alarms (59/59/66 alarm metrics), 15 filters, no trail, 1/1/2 interface endpoints in 2 AZs', () => {
    expect([env.dev.alarms, env.staging.alarms, env.prod.alarms]).toEqual([44, 44, 51]);
    expect([env.dev.alarmMetrics, env.staging.alarmMetrics, env.prod.alarmMetrics]).toEqual([59, 59, 66]);
    expect([env.dev.filters, env.staging.filters, env.prod.filters]).toEqual([15, 15, 15]);
    expect([env.dev.trails + env.dev.buckets, env.staging.trails + env.staging.buckets, env.prod.trails + env.prod.buckets]).toEqual([0, 0, 0]);
    expect([env.dev.endpoints, env.staging.endpoints, env.prod.endpoints]).toEqual([1, 1, 2]);
    expect(env.prod.endpointAzHours).toBe(2 * 2 * 730);
  });

  it('reads the baseline quantities from the templates: one baseline per account, each with 1 trail, 2 buckets, 1 key, 6 filters, 6 alarms, 1 topic', () => {
    expect(baselines.map((b) => b.config.envNames)).toEqual([['dev'], ['staging'], ['prod']]);
    for (const name of ['dev', 'staging', 'prod']) {
      const { trails, buckets, keys, filters, alarms, alarmMetrics, topics } = baseline[name];
      expect({ name, trails, buckets, keys, filters, alarms, alarmMetrics, topics }).toEqual({
        name,
        trails: 1,
        buckets: 2,
        keys: 1,
        filters: 6,
        alarms: 6,
        alarmMetrics: 6,
        topics: 1,
      });
    }
    // the longest log retention and file expiry of the account's environments
    expect([baseline.dev.logDays, baseline.staging.logDays, baseline.prod.logDays]).toEqual([30, 90, 400]);
    expect([baseline.dev.fileDays, baseline.staging.fileDays, baseline.prod.fileDays]).toEqual([400, 400, 2555]);
  });

  it('staging has what dev has, so one column serves both (its baseline keeps 90 days of logs: 0.02 more a month)', () => {
    expect(env.staging).toEqual(env.dev);
    expect({ ...baseline.staging, logDays: 30 }).toEqual(baseline.dev);
    const logs = (days: number) => TRAIL_GB_INGESTED * LOGS_INGESTION.us + ((TRAIL_GB_STORED_PER_MONTH * days) / MONTH_DAYS) * 0.03;
    expect(cents(cents(logs(baseline.staging.logDays)) - cents(logs(baseline.dev.logDays)))).toBe(0.02);
    expect(FLAT).toContain("the staging account's baseline keeps 90 days, 0.02 more a month");
  });

  it('prices every template-driven line of an environment from its template', () => {
    expect(perEnvironment.get('KMS keys')).toEqual(columns(env, (c) => c.keys * 1.0));
    expect(perEnvironment.get('Secrets')).toEqual(columns(env, (c) => c.secrets * 0.4));
    expect(perEnvironment.get('Alarm metrics')).toEqual(columns(env, (c) => c.alarmMetrics * 0.1));
    expect(perEnvironment.get('Alarm metrics')).toEqual([5.9, 6.6, 5.9, 6.6]);
    // the age function publishes 5 metrics per secret (test/unit/secret-age lists them); every metric filter publishes one metric
    expect(perEnvironment.get('Custom metrics')).toEqual(columns(env, (c) => (5 * c.secrets + c.filters) * 0.3));
    expect(perEnvironment.get('Custom metrics')).toEqual([15, 15, 15, 15]);
    expect(perEnvironment.get('Dashboard')).toEqual(columns(env, (c) => c.dashboards * 3.0));
    expect(perEnvironment.get('VPC interface endpoints')).toEqual(columns(env, (c, r) => c.endpointAzHours * (r === 'us' ? 0.01 : 0.011)));
    // the trail is the baseline's: no trail line in an environment
    expect([...perEnvironment.keys()].filter((k) => k.startsWith('Trail'))).toEqual([]);
  });

  it("prices every template-driven line of a baseline from its template, the trail's retention included", () => {
    expect(perBaseline.get('KMS key')).toEqual(columns(baseline, (c) => c.keys * 1.0));
    expect(perBaseline.get('Alarm metrics')).toEqual(columns(baseline, (c) => c.alarmMetrics * 0.1));
    expect(perBaseline.get('Filter metrics')).toEqual(columns(baseline, (c) => c.filters * 0.3));
    expect(perBaseline.get('Filter metrics')).toEqual([1.8, 1.8, 1.8, 1.8]);
    expect(perBaseline.get('Alarm topic')).toEqual([0, 0, 0, 0]);
    expect(perBaseline.get('Trail to CloudWatch Logs')).toEqual(
      columns(baseline, (c, r) => TRAIL_GB_INGESTED * LOGS_INGESTION[r] + ((TRAIL_GB_STORED_PER_MONTH * c.logDays) / MONTH_DAYS) * 0.03),
    );
    expect(perBaseline.get('Trail to S3')).toEqual(
      columns(baseline, (c) => (TRAIL_PUTS / 1000) * 0.005 + ((TRAIL_GB_TO_S3_PER_MONTH * c.fileDays) / MONTH_DAYS) * 0.023),
    );
  });

  it('moves, and does not lose, the trail, its filter and alarm metrics and its log-file data keys: environment + baseline = the account', () => {
    // account-wide filter and alarm metrics once per account, beside the environment's own
    expect(env.prod.filters + baseline.prod.filters).toBe(21);
    expect([env.dev.alarmMetrics + baseline.dev.alarmMetrics, env.prod.alarmMetrics + baseline.prod.alarmMetrics]).toEqual([65, 72]);
    expect(perBaseline.get('KMS requests')).toEqual([0.3, 0.3, 0.3, 0.3]);
    expect(perEnvironment.get('KMS requests')).toEqual([1.81, 1.81, 1.81, 1.81]);
  });

  it('adds up: the environment subtotal is every line above it, its total adds the endpoints', () => {
    const names = [...perEnvironment.keys()];
    const above = names.slice(0, names.indexOf('Subtotal'));
    for (let col = 0; col < 4; col++) {
      const subtotal = cents(above.reduce((n, k) => n + perEnvironment.get(k)![col], 0));
      expect(perEnvironment.get('Subtotal')![col]).toBe(subtotal);
      expect(perEnvironment.get('Total')![col]).toBe(cents(subtotal + perEnvironment.get('VPC interface endpoints')![col]));
    }
    expect(perEnvironment.get('Total')).toEqual([51.19, 66.49, 52.65, 69.41]);
  });

  it('adds up: the baseline total is every line above it; an account pays its environment and one baseline', () => {
    const names = [...perBaseline.keys()].filter((k) => k !== 'Total');
    expect(names).toHaveLength(8);
    for (let col = 0; col < 4; col++) {
      expect(perBaseline.get('Total')![col]).toBe(cents(names.reduce((n, k) => n + perBaseline.get(k)![col], 0)));
    }
    expect(perBaseline.get('Total')).toEqual([5.34, 5.87, 5.49, 6.02]);
    expect(perAccount.get('Environment')).toEqual(perEnvironment.get('Total'));
    expect(perAccount.get('Account baseline')).toEqual(perBaseline.get('Total'));
    expect(perAccount.get('Total')).toEqual([0, 1, 2, 3].map((col) => cents(perEnvironment.get('Total')![col] + perBaseline.get('Total')![col])));
    expect(FLAT).toContain('an account with N environments pays N environments and **one** baseline');
  });

  it('prices S3 Standard for the trail files: none is moved to an archive class the auditor cannot read', () => {
    expect(COST).not.toMatch(/Glacier after 90 days|Glacier Flexible Retrieval storage/);
    expect(COST).toContain('S3 Glacier Instant Retrieval');
  });
});
