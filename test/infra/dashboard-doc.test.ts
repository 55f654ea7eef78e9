/**
 * docs/dashboard.md describes the real dashboard: every widget of the synthesized prod dashboard is named in it,
 * its counts are the templates' (the environments' and their account baselines', synthesized by lib/app.ts), the
 * account-wide alarms are where it says, and its error classes are the rotators' (lambdas/rotation/errors.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { synthAll } from '../support/synth';
import { synthBaselines } from '../support/synth-baseline';

const DOC = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'dashboard.md'), 'utf8');
/** The page with its line breaks as spaces, for phrases that wrap. */
const FLAT = DOC.replace(/\s*\n\s*/g, ' ');
const ERRORS = fs.readFileSync(path.join(__dirname, '..', '..', 'lambdas', 'rotation', 'errors.ts'), 'utf8');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface Widget {
  type: string;
  x: number;
  y: number;
  properties: { title?: string; metrics?: Json[][] };
}
interface Resource {
  Type: string;
  Properties: Record<string, Json>;
}

/** The widgets of the body, each intrinsic (region, log group, alarm ARN) replaced by a placeholder. */
function widgetsOf(body: Json): Widget[] {
  const join = (body as { 'Fn::Join': [string, Json[]] })['Fn::Join'];
  return (JSON.parse(join[1].map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(join[0])) as { widgets: Widget[] }).widgets;
}

const resourcesOf = (template: Template, type: string): [string, Resource][] =>
  Object.entries((template.toJSON() as { Resources: Record<string, Resource> }).Resources).filter(([, r]) => r.Type === type);

const { app, results } = synthAll();
const baselines = synthBaselines(app);

function dashboard(envName: string) {
  const { template } = results.find((r) => r.config.envName === envName)!;
  const [[, d]] = resourcesOf(template, 'AWS::CloudWatch::Dashboard');
  const body = JSON.stringify(d.Properties.DashboardBody);
  // The body is an Fn::Join of JSON text and tokens: the widget titles are plain text inside it.
  const titles = [...body.matchAll(/\\"title\\":\\"((?:[^"\\]|\\\\[^"])*)\\"/g)].map((m) => m[1].replace(/\\\\(.)/g, '$1'));
  const widgets = (body.match(/\\"type\\":\\"(metric|log|text|alarm)\\"/g) ?? []).length;
  return {
    titles,
    widgets,
    list: widgetsOf(d.Properties.DashboardBody),
    alarms: resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties),
    filters: resourcesOf(template, 'AWS::Logs::MetricFilter').length,
  };
}

/** The section of the page under a heading, up to the next heading. */
function section(heading: string): string {
  const start = DOC.indexOf(`\n${heading}\n`);
  expect({ heading, found: start >= 0 }).toEqual({ heading, found: true });
  const end = DOC.indexOf('\n#', start + heading.length + 2);
  return DOC.slice(start, end < 0 ? undefined : end);
}

describe('docs/dashboard.md matches the dashboard', () => {
  const prod = dashboard('prod');
  const dev = dashboard('dev');

  it('names every widget of the dashboard (the title up to its first parenthesis)', () => {
    expect(prod.titles.length).toBeGreaterThan(25);
    const missing = prod.titles
      .filter((t) => !/^[a-z-]+: age vs \d+-day schedule/.test(t) && !/^Rotator [a-z-]+: /.test(t) && !t.startsWith('All alarms of '))
      .map((t) =>
        t
          .replace(/ \(.*$/, '')
          .replace(/:.*$/, '')
          .trim(),
      )
      .filter((t) => !DOC.includes(t));
    expect(missing).toEqual([]);
    expect(DOC).toContain('`<secret>: age vs <N>-day schedule (<rotator> rotator | rotated by hand)`');
    expect(DOC).toContain('`Rotator <kind>: invocations, errors, throttles; duration vs <T> s timeout`');
  });

  it('states the counts of the templates: 44 alarms in dev and staging, 51 in prod, 15 filters, 47 widgets; 6 alarms and 6 filters per baseline', () => {
    expect([dev.alarms.length, prod.alarms.length]).toEqual([44, 51]);
    expect([dev.filters, prod.filters]).toEqual([15, 15]);
    expect([dev.widgets, prod.widgets]).toEqual([47, 47]);
    expect(DOC).toContain('44 alarms in dev and staging, 51 in prod');
    expect(DOC).toContain('15 metric filters (3 secrets filters and 7 `GetSecretValue-<secret>`');
    expect(DOC).toContain('47 widgets (26 metric, 9 Logs Insights, 10 text, 2 alarm status)');
    const perBaseline = baselines.map(({ template }) => [
      resourcesOf(template, 'AWS::CloudWatch::Alarm').length,
      resourcesOf(template, 'AWS::Logs::MetricFilter').length,
    ]);
    expect(perBaseline).toEqual([
      [6, 6],
      [6, 6],
      [6, 6],
    ]);
    expect(FLAT).toContain('Per account baseline: 6 alarms (6 alarm metrics), 6 metric filters');
    // one environment per account (as shipped): the account has what an environment had before the baseline
    expect(FLAT).toContain('An account with one environment therefore has 50 alarms (57 with prod) and 21 trail metric filters');
    expect([dev.alarms.length + perBaseline[0][0], prod.alarms.length + perBaseline[2][0], prod.filters + perBaseline[2][1]]).toEqual([50, 57, 21]);
    const byType = (list: Widget[]) => list.reduce<Record<string, number>>((n, w) => ({ ...n, [w.type]: (n[w.type] ?? 0) + 1 }), {});
    expect(byType(prod.list)).toEqual({ metric: 26, log: 9, text: 10, alarm: 2 });
  });

  it("weekly review: which secrets are overdue and which never rotated, from the age function's metrics; last rotation beside last change", () => {
    const widget = (prefix: string) => {
      const found = prod.list.filter((w) => w.properties.title?.startsWith(prefix));
      expect({ prefix, count: found.length }).toEqual({ prefix, count: 1 });
      return found[0];
    };
    /** [metric name, Environment, Secret] of each plain metric, and the metric-math expressions. */
    const read = (w: Widget) => (w.properties.metrics ?? []).filter((m) => typeof m[0] === 'string').map((m) => [m[1], m[3], m[5]]);
    const expressions = (w: Widget) =>
      (w.properties.metrics ?? []).filter((m) => typeof m[0] === 'object').map((m) => (m[0] as { expression: string }).expression);
    const secrets = ['secret-key', 'jwt-secret', 'encryption-key', 'database-url', 'redis-password', 'mail-password', 'sentry-dsn'];

    const overdue = widget('Days overdue');
    expect(read(overdue)).toEqual(secrets.map((s) => ['DaysSinceLastRotation', 'prod', s]));
    expect(expressions(overdue)).toEqual([
      'IF(r_secret_key > 90, r_secret_key - 90, 0)',
      'IF(r_jwt_secret > 90, r_jwt_secret - 90, 0)',
      'IF(r_encryption_key > 90, r_encryption_key - 90, 0)',
      'IF(r_database_url > 35, r_database_url - 35, 0)',
      'IF(r_redis_password > 30, r_redis_password - 30, 0)',
      'IF(r_mail_password > 90, r_mail_password - 90, 0)',
      'IF(r_sentry_dsn > 90, r_sentry_dsn - 90, 0)',
    ]);
    expect(read(widget('Never rotated'))).toEqual(secrets.map((s) => ['NeverRotated', 'prod', s]));
    const lastRotation = widget('Days since last rotation');
    const lastChange = widget('Days since last change');
    expect(read(lastRotation)).toEqual(secrets.map((s) => ['DaysSinceLastRotation', 'prod', s]));
    expect(read(lastChange)).toEqual(secrets.map((s) => ['DaysSinceRotation', 'prod', s]));
    expect([lastRotation.y, lastRotation.x, lastChange.x]).toEqual([lastChange.y, 0, 12]);
    // the per-secret graph draws both ages against the schedule
    expect(read(widget('database-url: age vs 35-day schedule')).slice(0, 2)).toEqual([
      ['DaysSinceLastRotation', 'prod', 'database-url'],
      ['DaysSinceRotation', 'prod', 'database-url'],
    ]);
  });

  it('puts the account-wide alarms where it says: the baseline, named <app>-account-<Id>, on the topic <app>-account-security-alarms', () => {
    const accountSection = section('### Account-wide alarms (the account baseline)');
    expect(accountSection).toContain('named `<app>-account-<Id>`');
    expect(accountSection.replace(/\s*\n\s*/g, ' ')).toContain('notify the topic `<app>-account-security-alarms`');
    for (const { config, template } of baselines) {
      const [[topicId, topic]] = resourcesOf(template, 'AWS::SNS::Topic');
      expect(topic.Properties.TopicName).toBe('gaara-store-account-security-alarms');
      const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
      const summary = alarms.map((a) => [a.AlarmName, a.Threshold, a.TreatMissingData, a.AlarmActions]);
      expect({ baseline: config.envNames, summary }).toEqual({
        baseline: config.envNames,
        summary: [
          ['gaara-store-account-UnauthorizedApiCalls', 10, 'notBreaching', [{ Ref: topicId }]],
          ['gaara-store-account-KmsKeyDisabledOrScheduledForDeletion', 1, 'notBreaching', [{ Ref: topicId }]],
          ['gaara-store-account-IamPolicyChanges', 1, 'notBreaching', [{ Ref: topicId }]],
          ['gaara-store-account-CloudTrailConfigChanges', 1, 'notBreaching', [{ Ref: topicId }]],
          ['gaara-store-account-DeletedSecretAccess', 1, 'notBreaching', [{ Ref: topicId }]],
          ['gaara-store-account-KmsKeyPolicyChangedOrRotationDisabled', 1, 'notBreaching', [{ Ref: topicId }]],
        ],
      });
      // the page's table names each of them
      for (const name of alarms.map((a) => String(a.AlarmName).replace('gaara-store-account-', ''))) {
        expect({ name, documented: accountSection.includes(`-${name}\``) }).toEqual({ name, documented: true });
      }
    }
    // not in any environment stack (so not in its alarm-status widget), and no longer listed in the environment's table
    for (const env of [dev, prod])
      expect(
        env.alarms.map((a) => a.AlarmName).filter((n) => /^gaara-store-account-|UnauthorizedApiCalls|IamPolicyChanges|CloudTrailConfigChanges/.test(String(n))),
      ).toEqual([]);
    const environmentTable = section('## Alarms');
    expect(environmentTable).not.toMatch(/\| trail, account-wide|`UnauthorizedApiCalls` \(≥ 10\)/);
    expect(environmentTable).toContain('The account-wide trail alarms are not among them');
  });

  it("uses the error classes the rotators raise (Unreachable, not EndpointUnreachable) and prod database-url's 35-day window", () => {
    expect(DOC).not.toContain('EndpointUnreachable');
    expect(ERRORS).toContain("'Unreachable'");
    for (const cls of [...DOC.matchAll(/`([A-Z][A-Za-z]+)`/g)]
      .map((m) => m[1])
      .filter((c) =>
        /^(AuthFailed|Timeout|Unreachable|Dns|Tls|TargetUnavailable|AccessDenied|BadSecretShape|Placeholder|UnsupportedEngine|TestFailed|InvalidState|BadEvent|RingFull|TargetMismatch|OutOfScope|Internal)$/.test(
          c,
        ),
      )) {
      expect({ cls, raised: ERRORS.includes(`'${cls}'`) }).toEqual({ cls, raised: true });
    }
    expect(DOC).toMatch(/prod\s+`database-url` rotates in a monthly window, so its schedule is 35 days and its alarm 40/);
  });
});
