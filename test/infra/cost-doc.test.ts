/**
 * docs/cost.md follows the templates: every line whose quantity comes from the synthesized stacks (keys, secrets,
 * alarm metrics, custom metrics, dashboards, interface endpoints) is recomputed here from the dev, staging and prod
 * templates with the list prices the page states, and the subtotals and totals must add up.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resourcesOf, synthAll } from '../support/synth';

const COST = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'cost.md'), 'utf8');

/** The per-environment table: line name -> [us-east-1 dev/staging, us-east-1 prod, eu-west-1 dev/staging, eu-west-1 prod]. */
function table(): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  const start = COST.indexOf('| line | quantity | us-east-1 dev/staging |');
  for (const line of COST.slice(start).split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    rows.set(cells[0].replace(/\*\*/g, '').replace(/ \(.*$/, ''), cells.slice(2).map((c) => Number(c.replace(/\*\*/g, ''))));
  }
  return rows;
}

const { results } = synthAll();
const counts = Object.fromEntries(
  results.map(({ config, template }) => {
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const alarmMetrics = alarms.reduce((n, p) => n + (Array.isArray(p.Metrics) ? p.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat).length : 1), 0);
    const endpoints = resourcesOf(template, 'AWS::EC2::VPCEndpoint').filter(([, e]) => e.Properties.VpcEndpointType === 'Interface');
    return [
      config.envName,
      {
        keys: resourcesOf(template, 'AWS::KMS::Key').length,
        secrets: resourcesOf(template, 'AWS::SecretsManager::Secret').length,
        alarms: alarms.length,
        alarmMetrics,
        filters: resourcesOf(template, 'AWS::Logs::MetricFilter').length,
        dashboards: resourcesOf(template, 'AWS::CloudWatch::Dashboard').length,
        endpointAzHours: endpoints.reduce((n, [, e]) => n + (e.Properties.SubnetIds as unknown[]).length * 730, 0),
        endpoints: endpoints.length,
      },
    ];
  }),
);
const cents = (x: number) => Math.round(x * 100) / 100;

describe('docs/cost.md follows the templates', () => {
  const rows = table();

  it('reads the quantities from the templates: 50/50/57 alarms (65/65/72 alarm metrics), 21 filters, 1/1/2 interface endpoints in 2 AZs', () => {
    expect([counts.dev.alarms, counts.staging.alarms, counts.prod.alarms]).toEqual([50, 50, 57]);
    expect([counts.dev.alarmMetrics, counts.staging.alarmMetrics, counts.prod.alarmMetrics]).toEqual([65, 65, 72]);
    expect([counts.dev.filters, counts.prod.filters]).toEqual([21, 21]);
    expect([counts.dev.endpoints, counts.staging.endpoints, counts.prod.endpoints]).toEqual([1, 1, 2]);
    expect(counts.prod.endpointAzHours).toBe(2 * 2 * 730);
  });

  it('staging has what dev has, so one column serves both', () => {
    expect(counts.staging).toEqual(counts.dev);
  });

  it('prices every template-driven line from the template', () => {
    const per = (f: (c: (typeof counts)['dev'], region: 'us' | 'eu') => number) => [
      cents(f(counts.dev, 'us')),
      cents(f(counts.prod, 'us')),
      cents(f(counts.dev, 'eu')),
      cents(f(counts.prod, 'eu')),
    ];
    expect(rows.get('KMS keys')).toEqual(per((c) => c.keys * 1.0));
    expect(rows.get('Secrets')).toEqual(per((c) => c.secrets * 0.4));
    expect(rows.get('Alarm metrics')).toEqual(per((c) => c.alarmMetrics * 0.1));
    // the age function publishes 3 metrics per secret; every metric filter publishes one metric
    expect(rows.get('Custom metrics')).toEqual(per((c) => (3 * c.secrets + c.filters) * 0.3));
    expect(rows.get('Dashboard')).toEqual(per((c) => c.dashboards * 3.0));
    expect(rows.get('VPC interface endpoints')).toEqual(per((c, r) => c.endpointAzHours * (r === 'us' ? 0.01 : 0.011)));
  });

  it('adds up: the subtotal is every line above it, the total adds the endpoints', () => {
    const names = [...rows.keys()];
    const above = names.slice(0, names.indexOf('Subtotal'));
    for (let col = 0; col < 4; col++) {
      const subtotal = cents(above.reduce((n, k) => n + rows.get(k)![col], 0));
      expect(rows.get('Subtotal')![col]).toBe(subtotal);
      expect(rows.get('Total')![col]).toBe(cents(subtotal + rows.get('VPC interface endpoints')![col]));
    }
  });

  it('prices S3 Standard for the trail files: none is moved to an archive class the auditor cannot read', () => {
    expect(COST).not.toMatch(/Glacier after 90 days|Glacier Flexible Retrieval storage/);
    expect(COST).toContain('S3 Glacier Instant Retrieval');
  });
});
