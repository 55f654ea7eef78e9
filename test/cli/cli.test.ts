/** The skeleton and `history`: the real CLI as a process against the MODELLED Secrets Manager over HTTP. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENVIRONMENTS } from '../../lib/config';
import { createWorld, type World } from './support/world';

let w: World;
beforeAll(async () => {
  w = await createWorld();
  w.arns('dev');
  await w.seed('dev', 20);
  await w.seed('dev', 1, ['jwt-secret']);
});
afterAll(async () => {
  await w.server.close();
});
afterEach(() => expect(w.leaks()).toEqual([]));

const COMMANDS = ['status', 'history', 'rotate', 'rollback', 'verify', 'import-env', 'exec'];

describe('gaara-secrets skeleton (modelled Secrets Manager over HTTP)', () => {
  it('modelled: --help lists every command, the global options and the exit codes; each command has its own --help; no AWS call', async () => {
    const before = w.model.calls.length;
    const r = await w.cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    for (const o of ['--env', '--app', '--region', '--profile', '--config', '--json']) expect(r.stdout).toContain(o);
    expect(r.stdout).toContain('6 AccessDenied (the message names the role)');
    for (const c of COMMANDS) {
      const h = await w.cli([c, '--help']);
      expect(h.code).toBe(0);
      expect(h.stdout).toContain(`Usage: gaara-secrets ${c}`);
    }
    expect(w.model.calls.length).toBe(before);
  });

  it('modelled: an unknown option or command is a usage error (exit 2); a missing --env names the known environments', async () => {
    let r = await w.cli(['status', '--env', 'dev', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--bogus'");
    r = await w.cli(['frobnicate']);
    expect(r.code).toBe(2);
    r = await w.cli(['status']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('gaara-secrets: --env is required: one of dev, staging, prod\n');
  });

  it('modelled: history lists versions with stages and creation dates, newest first, never values; --json too', async () => {
    const arn = w.arns('dev')['jwt-secret'];
    const r = await w.cli(['history', 'jwt-secret', '--env', 'dev']);
    expect(r.code).toBe(0);
    const cur = w.model.versionAt(arn, 'AWSCURRENT')!.versionId;
    const prev = w.model.versionAt(arn, 'AWSPREVIOUS')!.versionId;
    const lines = r.stdout.split('\n');
    expect(lines[0]).toContain('gaara-store/dev/jwt-secret: 3 version(s), newest first');
    expect(lines[2]).toMatch(new RegExp(`^  ${cur}\\s+AWSCURRENT\\s+\\d{4}-`));
    expect(lines[3]).toMatch(new RegExp(`^  ${prev}\\s+AWSPREVIOUS\\s+\\d{4}-`));
    expect(lines[4]).toMatch(/\(none\)/);
    const j = await w.cli(['history', 'gaara-store/dev/jwt-secret', '--env', 'dev', '--json']);
    const body = JSON.parse(j.stdout);
    expect(body.versions.map((v: { versionId: string }) => v.versionId).slice(0, 2)).toEqual([cur, prev]);
    expect(w.model.calls.some((c) => c.command === 'GetSecretValue')).toBe(false);
  });

  it('modelled: history of an unknown secret: exit 4 listing the names; of a secret missing in AWS: exit 4 saying to check env, app, region', async () => {
    let r = await w.cli(['history', 'api-token', '--env', 'dev']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      'unknown secret "api-token" in gaara-store/dev: one of secret-key, jwt-secret, encryption-key, database-url, redis-password, mail-password, sentry-dsn',
    );
    r = await w.cli(['history', 'jwt-secret', '--env', 'staging']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      'gaara-store/staging/jwt-secret was not found by secretsmanager:ListSecretVersionIds (ResourceNotFoundException): check --env, --app and --region',
    );
  });

  it('modelled: pii-migrate is wrapped: its own --help, and bad arguments are refused (exit 8) naming the problem before any connection or AWS call', async () => {
    const before = w.model.calls.length;
    const help = await w.cli(['pii-migrate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: gaara-secrets pii-migrate');
    expect(help.stdout).toContain('--table T --columns a,b[,c]');
    const bad = await w.cli(['pii-migrate', '--env', 'dev', '--columns', 'email']);
    expect(bad.code).toBe(8);
    expect(bad.stderr).toMatch(/^gaara-secrets: pii-migrate: .*--table/m);
    expect(w.model.calls.length).toBe(before);
  });

  it('modelled: --config reads an environments file with the synth validation: a valid file works, an invalid environment exits 3 naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-config-'));
    const good = join(dir, 'envs.json');
    writeFileSync(good, JSON.stringify([{ ...ENVIRONMENTS[0], envName: 'qa', region: 'eu-west-1', account: '111111111111' }]));
    w.arns('qa');
    let r = await w.cli(['status', '--env', 'qa', '--config', good, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).secrets).toHaveLength(7);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ environments: [{ ...ENVIRONMENTS[0], envName: 'qa', alarmEmail: 'nope' }] }));
    r = await w.cli(['status', '--env', 'qa', '--config', bad]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('environment "qa" is invalid (the same check fails cdk synth): alarmEmail: must be an e-mail address');
    r = await w.cli(['status', '--env', 'qa', '--config', join(dir, 'missing.json')]);
    expect(r.code).toBe(3);
  });
});
