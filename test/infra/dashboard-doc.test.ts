/**
 * docs/dashboard.md describes the real dashboard: every widget of the synthesized prod dashboard is named in it,
 * its counts are the template's, and its error classes are the rotators' (lambdas/rotation/errors.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ENVIRONMENTS } from '../../lib/config';
import { buildObservabilityStack } from './monitoring.test-stack';

const DOC = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'dashboard.md'), 'utf8');
const ERRORS = fs.readFileSync(path.join(__dirname, '..', '..', 'lambdas', 'rotation', 'errors.ts'), 'utf8');

function dashboard(envName: string) {
  const s = buildObservabilityStack(ENVIRONMENTS.find((e) => e.envName === envName)!);
  const json = Template.fromStack(s.stack).toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  const resources = Object.values(json.Resources);
  const [d] = resources.filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
  const body = JSON.stringify(Stack.of(s.stack).resolve(d.Properties.DashboardBody));
  // The body is an Fn::Join of JSON text and tokens: the widget titles are plain text inside it.
  const titles = [...body.matchAll(/\\"title\\":\\"((?:[^"\\]|\\\\[^"])*)\\"/g)].map((m) => m[1].replace(/\\\\(.)/g, '$1'));
  const widgets = (body.match(/\\"type\\":\\"(metric|log|text|alarm)\\"/g) ?? []).length;
  return { titles, widgets, alarms: resources.filter((r) => r.Type === 'AWS::CloudWatch::Alarm').length };
}

describe('docs/dashboard.md matches the dashboard', () => {
  const prod = dashboard('prod');
  const dev = dashboard('dev');

  it('names every widget of the dashboard (the title up to its first parenthesis)', () => {
    expect(prod.titles.length).toBeGreaterThan(25);
    const missing = prod.titles
      .filter((t) => !/^[a-z-]+: age vs \d+-day schedule/.test(t) && !/^Rotator [a-z-]+: /.test(t) && !t.startsWith('All alarms of '))
      .map((t) => t.replace(/ \(.*$/, '').replace(/:.*$/, '').trim())
      .filter((t) => !DOC.includes(t));
    expect(missing).toEqual([]);
    expect(DOC).toContain('`<secret>: age vs <N>-day schedule (<rotator> rotator | rotated by hand)`');
    expect(DOC).toContain('`Rotator <kind>: invocations, errors, throttles; duration vs <T> s timeout`');
  });

  it('states the counts of the template: 50 alarms in dev and staging, 57 in prod, 44 widgets', () => {
    expect([dev.alarms, prod.alarms]).toEqual([50, 57]);
    expect([dev.widgets, prod.widgets]).toEqual([44, 44]);
    expect(DOC).toContain('50 alarms in dev and staging, 57 in prod');
    expect(DOC).toContain('44 widgets');
  });

  it('uses the error classes the rotators raise (Unreachable, not EndpointUnreachable) and prod database-url\'s 35-day window', () => {
    expect(DOC).not.toContain('EndpointUnreachable');
    expect(ERRORS).toContain("'Unreachable'");
    for (const cls of [...DOC.matchAll(/`([A-Z][A-Za-z]+)`/g)].map((m) => m[1]).filter((c) => /^(AuthFailed|Timeout|Unreachable|Dns|Tls|TargetUnavailable|AccessDenied|BadSecretShape|Placeholder|UnsupportedEngine|TestFailed|InvalidState|BadEvent|RingFull|TargetMismatch|OutOfScope|Internal)$/.test(c))) {
      expect({ cls, raised: ERRORS.includes(`'${cls}'`) }).toEqual({ cls, raised: true });
    }
    expect(DOC).toMatch(/prod\s+`database-url` rotates in a monthly window, so its schedule is 35 days and its alarm 40/);
  });
});
