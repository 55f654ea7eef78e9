/**
 * cfn-lint (the pinned version .ci/run installs) over the synthesized template of every environment and account
 * baseline, with the
 * repo's .cfnlintrc.yaml: 0 errors and 0 warnings. CI runs the same check over cdk.out; this test keeps it in the
 * infra suite so a change in lib/ that brings a finding back fails here first.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ENVIRONMENTS } from '../../lib/config';
import { Template } from 'aws-cdk-lib/assertions';
import { accountBaselineStacks } from '../../lib/app';
import { synthAll } from '../support/synth';
import { APP_CONTEXT } from './monitoring.test-stack';

const ROOT = path.join(__dirname, '..', '..');

describe('cfn-lint over every synthesized template', () => {
  it('is installed at the pinned version (.ci/run installs it)', () => {
    expect(execFileSync('cfn-lint', ['--version'], { encoding: 'utf8' }).trim()).toBe('cfn-lint 1.51.0');
  });

  it('reports no error and no warning', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-'));
    try {
      // cdk.json's feature flags, as `cdk synth` applies them.
      const { app, results } = synthAll(ENVIRONMENTS, APP_CONTEXT);
      const stacks = [...results.map((r) => r.stack), ...accountBaselineStacks(app)];
      const files = stacks.map((stack) => {
        const file = path.join(outdir, `${stack.stackName}.template.json`);
        fs.writeFileSync(file, JSON.stringify(Template.fromStack(stack).toJSON(), null, 1));
        return file;
      });
      // Three environments and the account baseline of each of their accounts (dev's is environment-agnostic).
      expect(stacks.map((s) => s.stackName).sort()).toEqual([
        'gaara-store-account-baseline',
        'gaara-store-account-baseline-222222222222',
        'gaara-store-account-baseline-333333333333',
        'gaara-store-dev-secrets',
        'gaara-store-prod-secrets',
        'gaara-store-staging-secrets',
      ]);
      const run = spawnSync('cfn-lint', ['--config-file', path.join(ROOT, '.cfnlintrc.yaml'), '--format', 'parseable', '--', ...files], { encoding: 'utf8' });
      expect({ status: run.status, findings: run.stdout.split('\n').filter(Boolean), stderr: run.stderr }).toEqual({ status: 0, findings: [], stderr: '' });
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
