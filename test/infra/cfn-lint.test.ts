/**
 * cfn-lint (the pinned version .ci/run installs) over the synthesized template of every environment, with the
 * repo's .cfnlintrc.yaml: 0 errors and 0 warnings. CI runs the same check over cdk.out; this test keeps it in the
 * infra suite so a change in lib/ that brings a finding back fails here first.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ENVIRONMENTS } from '../../lib/config';
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
      const { results } = synthAll(ENVIRONMENTS, APP_CONTEXT);
      const files = results.map(({ stack, template }) => {
        const file = path.join(outdir, `${stack.stackName}.template.json`);
        fs.writeFileSync(file, JSON.stringify(template.toJSON(), null, 1));
        return file;
      });
      expect(files).toHaveLength(3);
      const run = spawnSync('cfn-lint', ['--config-file', path.join(ROOT, '.cfnlintrc.yaml'), '--format', 'parseable', '--', ...files], { encoding: 'utf8' });
      expect({ status: run.status, findings: run.stdout.split('\n').filter(Boolean), stderr: run.stderr }).toEqual({ status: 0, findings: [], stderr: '' });
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
