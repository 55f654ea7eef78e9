/**
 * The production guards of lib/config/validate.ts, one test per guard: a production environment is refused with the
 * environment, the field and the problem; the same value passes in a non-production environment, so each test
 * fails when its guard is removed and when the guard is keyed on anything but `production: true`.
 */
import { ConfigError, ENVIRONMENTS, EnvironmentConfig, validateEnvironment } from '../../lib/config';

const clone = (name: string): EnvironmentConfig => JSON.parse(JSON.stringify(ENVIRONMENTS.find((e) => e.envName === name)));

function problems(config: EnvironmentConfig): string[] {
  try {
    validateEnvironment(config);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).message).toContain(`environment "${config.envName}"`);
    return (e as ConfigError).problems;
  }
  return [];
}

/** A production environment that is not called prod: the guards must still apply. */
function liveConfig(): EnvironmentConfig {
  return { ...clone('prod'), envName: 'live' };
}

type Guard = [field: string, expected: string, mutate: (c: EnvironmentConfig) => void];
const guards: Guard[] = [
  ['redis.tls', 'redis.tls: must be true in prod (production: true)', (c) => (c.redis.tls = false)],
  ['database.tls', 'database.tls: must be true in prod (production: true)', (c) => (c.database.tls = false)],
  ['audit.expireAfterDays', 'audit.expireAfterDays: must keep prod audit logs at least 365 days (production: true)', (c) => (c.audit.expireAfterDays = 364)],
  ['logRetentionDays', 'logRetentionDays: must be at least 365 in prod (production: true)', (c) => (c.logRetentionDays = 180)],
  ['removalPolicy', 'removalPolicy: must be "retain" in prod (production: true)', (c) => (c.removalPolicy = 'destroy')],
  ['terminationProtection', 'terminationProtection: must be true in prod (production: true)', (c) => (c.terminationProtection = false)],
  [
    'rotation.database-url.rotateImmediately',
    'rotation.database-url.rotateImmediately: must be false in prod: a deploy must not rotate prod credentials as a side effect',
    (c) => (c.rotation['database-url'] = { days: 30, rotateImmediately: true }),
  ],
];

describe('production guards (keyed on production: true)', () => {
  it('the shipped prod environment is production and valid; dev and staging are not production', () => {
    expect(ENVIRONMENTS.map((e) => [e.envName, e.production === true])).toEqual([
      ['dev', false],
      ['staging', false],
      ['prod', true],
    ]);
    expect(problems(clone('prod'))).toEqual([]);
    expect(problems(liveConfig())).toEqual([]);
  });

  it.each(guards)('%s: refused in production, named with the environment', (_field, expected, mutate) => {
    for (const config of [clone('prod'), liveConfig()]) {
      mutate(config);
      expect(problems(config)).toEqual([expected]);
    }
  });

  it.each(guards)('%s: the same value is accepted outside production', (_field, _expected, mutate) => {
    const config = { ...clone('prod'), envName: 'perf', production: false };
    mutate(config);
    expect(problems(config)).toEqual([]);
  });

  it('an environment named prod… must say production: true (a forgotten flag would drop every guard)', () => {
    const config = clone('prod');
    delete config.production;
    expect(problems(config)).toEqual([
      'production: must be true for an environment named "prod" (the production guards are keyed on it); set production: false only for a non-production environment with another name',
    ]);
  });

  it('production must be a boolean', () => {
    const config = clone('staging');
    (config as unknown as Record<string, unknown>).production = 'yes';
    expect(problems(config)).toEqual(['production: must be true or false']);
  });
});
