/**
 * docs/runbook.md against what the stack tells on-call: every alarm description (and rotation-event message) links
 * to a section of the runbook by an explicit, stable anchor that sits right above a heading; the runbook's own
 * links resolve; its shell snippets parse (`bash -n`) and its complete scripts (`#!/usr/bin/env bash`) pass
 * shellcheck.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { ENVIRONMENTS } from '../../lib/config';
import { RUNBOOK_ANCHOR, TRAIL_ALARM_ANCHOR } from '../../lib/observability/runbook-sections';
import { buildObservabilityStack, RUNBOOK_URL } from './monitoring.test-stack';

const RUNBOOK = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'runbook.md'), 'utf8');
const lines = RUNBOOK.split('\n');

/** GitHub's heading slug: lower case, punctuation other than `-` and `_` dropped, spaces to `-`. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Explicit anchors `<a id="...">` on the lines right above a heading (several may stack up). */
function explicitAnchors(): Map<string, string> {
  const found = new Map<string, string>();
  lines.forEach((line, i) => {
    const m = /^<a id="([^"]+)"><\/a>$/.exec(line.trim());
    if (!m) return;
    let j = i + 1;
    while (j < lines.length && /^<a id="[^"]+"><\/a>$/.test(lines[j].trim())) j++;
    if (/^#{1,6} /.test(lines[j] ?? '')) found.set(m[1], lines[j]);
  });
  return found;
}

const anchors = explicitAnchors();
const headingSlugs = new Set(lines.filter((l) => /^#{1,6} /.test(l)).map((l) => slug(l.replace(/^#+ /, ''))));

/**
 * The text CloudFormation will show: a string as is, or the parts of an Fn::Join joined, a Ref written as ${Name}.
 * (In an environment without a fixed account, dev, descriptions name the deploy role with Refs to AWS::AccountId.)
 */
function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  const o = v as { 'Fn::Join'?: [string, unknown[]]; Ref?: string };
  if (Array.isArray(o?.['Fn::Join'])) return o['Fn::Join'][1].map(textOf).join(o['Fn::Join'][0]);
  if (typeof o?.Ref === 'string') return `\${${o.Ref}}`;
  throw new Error(`unexpected description value ${JSON.stringify(v)}`);
}

interface Described {
  env: string;
  name: string;
  text: string;
}
const described: Described[] = ENVIRONMENTS.flatMap((config) => {
  const json = Template.fromStack(buildObservabilityStack(config).stack).toJSON() as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  return Object.values(json.Resources).flatMap((r) => {
    if (r.Type === 'AWS::CloudWatch::Alarm')
      return [{ env: config.envName, name: String(r.Properties.AlarmName), text: textOf(r.Properties.AlarmDescription) }];
    if (r.Type === 'AWS::Events::Rule') {
      const [target] = r.Properties.Targets as { InputTransformer: { InputTemplate: string } }[];
      return [{ env: config.envName, name: String(r.Properties.Name), text: target.InputTransformer.InputTemplate }];
    }
    return [];
  });
});

describe('runbook links (every alarm of every environment)', () => {
  it('every anchor the code can link to sits right above a heading of docs/runbook.md', () => {
    const wanted = [...Object.values(RUNBOOK_ANCHOR), ...Object.values(TRAIL_ALARM_ANCHOR)];
    expect(wanted.filter((a) => !anchors.has(a))).toEqual([]);
  });

  it('pins each alarm anchor to the heading of its section (another edit cannot slide a section in between)', () => {
    const heading = (a: string) => (anchors.get(a) ?? '').replace(/^#+ /, '');
    expect(Object.fromEntries(Object.values(RUNBOOK_ANCHOR).map((a) => [a, heading(a)]))).toEqual({
      'alarm-rotation-failed': 'Failed or stuck rotation',
      'alarm-rotation-abandoned': 'Rotation abandoned',
      'alarm-pending-rotation': 'Failed or stuck rotation',
      'alarm-days-since-rotation': 'A secret is overdue (`<secret>-days-since-rotation`)',
      'alarm-placeholder': 'A secret still holds its placeholder (`<secret>-placeholder`, production environments)',
      'alarm-key-ring-full': 'R5. Pruning a full key ring (`key-ring-near-full` and `key-ring-full` alarms, `RingFull` rotation error)',
      'alarm-rotator-errors': 'Failed or stuck rotation',
      'alarm-rotator-throttles': 'A rotator is throttled (`rotator-<kind>-throttles`)',
      'alarm-rotator-duration': 'A rotator runs close to its timeout (`rotator-<kind>-duration-near-timeout`)',
      'alarm-age-function-errors': 'The secret-age function fails (`age-function-errors`)',
      'alarm-stale-value-served': 'Services live on stale values (`<secret>-stale-value-served`)',
      'alarm-trail-heartbeat': 'The trail went quiet (`TrailHeartbeat`)',
      'alarm-access-denied': 'Access-denied spike',
      'alarm-deleted-secret-access': 'Reads of a secret scheduled for deletion',
      'alarm-policy-change': 'Policy change alarm',
      'alarm-key-disabled-or-deletion': 'Suspected key compromise',
      'alarm-break-glass': 'Suspected key compromise',
      'alarm-rotation-cancelled': 'Automatic rotation switched off (`EnvRotationCancelled`)',
      'alarm-iam-policy-change': 'IAM policy changed (`IamPolicyChanges`, CIS 3.4)',
      'alarm-trail-config-change': 'Trail configuration changed (`CloudTrailConfigChanges`, CIS 3.5)',
    });
  });

  it('checks 46, 46 and 53 descriptions: the 44/44/51 alarms and 2 rules of each environment (the account-wide alarms are in the account baseline)', () => {
    const count = (env: string) => described.filter((d) => d.env === env).length;
    expect([count('dev'), count('staging'), count('prod')]).toEqual([46, 46, 53]);
  });

  it.each(ENVIRONMENTS.map((c) => c.envName))('%s: every alarm description and rule message links to a runbook section that exists', (env) => {
    const problems: string[] = [];
    for (const d of described.filter((x) => x.env === env)) {
      const links = [...d.text.matchAll(new RegExp(`${RUNBOOK_URL.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(#[A-Za-z0-9_-]+)?`, 'g'))];
      if (links.length === 0) problems.push(`${d.name}: no runbook link`);
      for (const [, fragment] of links) {
        if (!fragment) problems.push(`${d.name}: links to the runbook's top, not a section`);
        else if (!anchors.has(fragment.slice(1))) problems.push(`${d.name}: ${fragment} is not an anchor above a heading`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives the seven alarms that had no section one each (throttles, duration near timeout, age-function errors)', () => {
    const prod = described.filter((d) => d.env === 'prod');
    const linkOf = (name: string) => /#([A-Za-z0-9_-]+)$/.exec(prod.find((d) => d.name === name)!.text)?.[1];
    expect(['key-ring', 'database', 'redis'].map((k) => linkOf(`gaara-store-prod-rotator-${k}-throttles`))).toEqual([
      'alarm-rotator-throttles',
      'alarm-rotator-throttles',
      'alarm-rotator-throttles',
    ]);
    expect(['key-ring', 'database', 'redis'].map((k) => linkOf(`gaara-store-prod-rotator-${k}-duration-near-timeout`))).toEqual([
      'alarm-rotator-duration',
      'alarm-rotator-duration',
      'alarm-rotator-duration',
    ]);
    expect(linkOf('gaara-store-prod-age-function-errors')).toBe('alarm-age-function-errors');
    expect(anchors.get('alarm-rotator-throttles')).toBe('### A rotator is throttled (`rotator-<kind>-throttles`)');
  });

  it("the runbook's own links (#...) resolve to an anchor or a heading", () => {
    const internal = [...RUNBOOK.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
    expect(internal.length).toBeGreaterThan(10);
    expect(internal.filter((l) => !anchors.has(l) && !headingSlugs.has(l))).toEqual([]);
  });
});

/** Fenced bash/sh blocks, with the indentation of a list item removed. */
function snippets(): { line: number; code: string }[] {
  const out: { line: number; code: string }[] = [];
  const re = /^( *)```(bash|sh)\n([\s\S]*?)^\1```/gm;
  for (const m of RUNBOOK.matchAll(re)) {
    const indent = m[1].length;
    const code = m[3]
      .split('\n')
      .map((l) => (l.startsWith(' '.repeat(indent)) ? l.slice(indent) : l))
      .join('\n');
    out.push({ line: RUNBOOK.slice(0, m.index).split('\n').length + 1, code });
  }
  return out;
}

describe('runbook shell snippets', () => {
  const blocks = snippets();

  it('every bash/sh snippet parses (bash -n): no <placeholder> where a shell reads a redirect', () => {
    expect(blocks.length).toBeGreaterThan(30);
    const failures = blocks
      .map((b) => ({ line: b.line, r: spawnSync('bash', ['-n'], { input: b.code, encoding: 'utf8' }) }))
      .filter((x) => x.r.status !== 0)
      .map((x) => `docs/runbook.md:${x.line}: ${x.r.stderr.trim()}`);
    expect(failures).toEqual([]);
  });

  it('complete scripts (#!/usr/bin/env bash) pass shellcheck and stop on errors (set -euo pipefail)', () => {
    const scripts = blocks.filter((b) => b.code.startsWith('#!/usr/bin/env bash'));
    expect(scripts.length).toBeGreaterThanOrEqual(3); // smoke check, finish rotation, revoke sessions
    const version = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
    if (version.status !== 0) throw new Error('shellcheck is not installed (Debian: apt-get install -y shellcheck)');
    const failures: string[] = [];
    for (const s of scripts) {
      if (!/^set -euo pipefail$/m.test(s.code)) failures.push(`docs/runbook.md:${s.line}: no set -euo pipefail`);
      try {
        execFileSync('shellcheck', ['--shell=bash', '--severity=style', '-'], { input: s.code, encoding: 'utf8' });
      } catch (e) {
        failures.push(`docs/runbook.md:${s.line}: ${String((e as { stdout?: string }).stdout)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('the manual finish-rotation loop stops at a failed step (aws lambda invoke exits 0 when the function fails)', () => {
    const finish = blocks.find((b) => b.code.includes('for STEP in setSecret testSecret finishSecret'))!;
    expect(finish.code).toContain('--query FunctionError');
    expect(finish.code).toMatch(/if \[ "\$ERR" != None \]; then[\s\S]*exit 1/);
  });

  it('modelled: the finish-rotation loop, run against a stub aws CLI whose testSecret fails, never invokes finishSecret', () => {
    const finish = blocks.find((b) => b.code.includes('for STEP in setSecret testSecret finishSecret'))!;
    const dir = fs.mkdtempSync('/tmp/runbook-finish-');
    const log = path.join(dir, 'calls.log');
    // A stub `aws`: describe/list answer like Secrets Manager; `lambda invoke` writes the payload's step to the log
    // and reports FunctionError "Unhandled" for testSecret, exactly as the CLI does (exit status 0).
    fs.writeFileSync(
      path.join(dir, 'aws'),
      [
        '#!/usr/bin/env bash',
        `LOG=${log}`,
        'case "$1 $2" in',
        '  "secretsmanager describe-secret") case "$*" in *RotationLambdaARN*) echo arn:aws:lambda:eu-west-1:333333333333:function:rotator ;; *ARN*) echo arn:aws:secretsmanager:eu-west-1:333333333333:secret:gaara-store/prod/database-url-AbCdEf ;; *) echo "{}" ;; esac ;;',
        '  "secretsmanager list-secret-version-ids") echo 11111111-2222-3333-4444-555555555555 ;;',
        '  "lambda invoke")',
        '    step=$(printf "%s" "$*" | grep -o \'"Step":"[A-Za-z]*"\' | cut -d\'"\' -f4); echo "$step" >> "$LOG"',
        '    out="${!#}"',
        '    if [ "$step" = testSecret ]; then echo \'{"errorType":"RotationError","errorMessage":"TestFailed"}\' > "$out"; echo Unhandled; else echo null > "$out"; echo None; fi ;;',
        'esac',
        'exit 0',
      ].join('\n'),
      { mode: 0o755 },
    );
    const r = spawnSync('bash', ['-c', finish.code], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, ENV: 'prod', REGION: 'eu-west-1', SECRET: 'database-url' },
    });
    expect(r.status).toBe(1);
    expect(fs.readFileSync(log, 'utf8').trim().split('\n')).toEqual(['setSecret', 'testSecret']);
    expect(r.stderr).toContain('testSecret FAILED');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the smoke check reads no value, makes no refused call and rotates nothing', () => {
    const smoke = blocks.find((b) => b.code.includes('Post-deploy smoke check'))!;
    expect(smoke.code).not.toMatch(/get-secret-value|batch-get-secret-value|rotate-secret|--profile auditor/);
    expect(smoke.code).toContain('simulate-principal-policy');
  });
});
