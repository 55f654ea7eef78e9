/**
 * Environments from a JSON file (`cdk synth -c config=./envs.json`), validated by the same rules as
 * lib/config/environments.ts, with errors naming the file, the environment and the field.
 */
import { App } from 'aws-cdk-lib';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../../lib/app';
import { ENVIRONMENTS } from '../../lib/config';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'envs-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, content: unknown) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
};
const build = (context: Record<string, unknown>) => buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } }));

describe('-c config=<file>', () => {
  it('builds exactly the environments of the file (the worked example docs/envs.example.json)', () => {
    const stacks = build({ config: path.join(__dirname, '..', '..', 'docs', 'envs.example.json') });
    expect(stacks.map((s) => s.stackName)).toEqual(['acme-shop-qa-secrets']);
    expect(stacks[0].config.network?.endpoints.secretsManager).toEqual({ mode: 'existing', securityGroupId: 'sg-0123456789abcdef0' });
  });

  it('accepts {"environments": [...]} and combines with -c env=<name>', () => {
    const file = write('wrapped.json', { environments: ENVIRONMENTS });
    expect(build({ config: file, env: 'staging' }).map((s) => s.stackName)).toEqual(['gaara-store-staging-secrets']);
  });

  it('validates every environment by the same rules, naming environment and field', () => {
    const staging = JSON.parse(JSON.stringify(ENVIRONMENTS.find((e) => e.envName === 'staging')));
    const file = write('bad.json', [{ ...staging, envName: 'uat', redis: { ...staging.redis, port: 0 } }]);
    expect(() => build({ config: file })).toThrow('Invalid configuration for environment "uat":\n  - redis.port: must be an integer between 1 and 65535');
  });

  it('applies the production guards to a JSON environment', () => {
    const prod = JSON.parse(JSON.stringify(ENVIRONMENTS.find((e) => e.envName === 'prod')));
    const file = write('prod.json', [{ ...prod, envName: 'live', redis: { ...prod.redis, tls: false } }]);
    expect(() => build({ config: file })).toThrow('Invalid configuration for environment "live":\n  - redis.tls: must be true in prod (production: true)');
  });

  it.each([
    ['missing.json', undefined, /-c config=.*missing\.json: cannot read .*missing\.json \(ENOENT\)/],
    ['broken.json', '[{"envName": "qa",', /-c config=.*broken\.json: not valid JSON/],
    ['empty.json', '[]', /-c config=.*empty\.json: must be a non-empty JSON array of environments, or \{"environments": \[\.\.\.\]\}/],
    ['entry.json', '["qa"]', /Invalid configuration for environment "\(entry 0 of .*entry\.json\)":\n {2}- \(entry\): must be an object/],
  ])('%s: a clear error naming the file', (name, content, expected) => {
    const file = content === undefined ? path.join(dir, name) : write(name, content);
    expect(() => build({ config: file })).toThrow(expected);
  });
});
