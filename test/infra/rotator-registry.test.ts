/**
 * The stack composes its rotators from one registry (`ROTATORS`, lib/rotators/index.ts), while the rotator kinds are
 * defined by the contract (contracts/catalog.ts, contracts/function-names.ts). These tests fail when the two drift:
 * a kind with no construct, a construct registered twice or for no catalog secret, or a stack that builds a
 * different set of functions than the registry says.
 */
import { CATALOG } from '../../contracts';
import { FUNCTION_KINDS, functionLogGroupName } from '../../contracts/function-names';
import { ROTATORS } from '../../lib/rotators';
import { resourcesOf, synthAll, type SynthesizedEnvironment } from '../support/synth';

const registered = ROTATORS.map((rotator) => rotator.KIND);

describe('rotator registry and contract', () => {
  it('registers the database, Redis and key-ring rotators, in the order the stack builds them', () => {
    expect(registered).toEqual(['database', 'redis', 'key-ring']);
  });

  it('every rotator kind of the contract has exactly one registered construct, and every registered one rotates catalog secrets', () => {
    const catalogKinds = [...new Set(CATALOG.flatMap((e) => (e.rotator ? [e.rotator] : [])))].sort();
    expect(catalogKinds).toEqual(['database', 'key-ring', 'redis']);
    expect(FUNCTION_KINDS.filter((k) => k !== 'secret-age').sort()).toEqual(['database', 'key-ring', 'redis']);
    expect(new Set(registered).size).toBe(registered.length);
    expect([...registered].sort()).toEqual(catalogKinds);
  });
});

describe('the synthesized stacks build one rotation function per registered rotator', () => {
  // Synthesized here rather than at load, so that a drift above is reported as such even when synth fails on it.
  let results: SynthesizedEnvironment[];
  beforeAll(() => {
    ({ results } = synthAll());
  });

  it("each stack's rotators are the registry, in order, under their construct ids", () => {
    for (const { stack } of results) {
      expect(stack.rotators.map((r) => r.kind)).toEqual(registered);
      expect(stack.rotators.map((r) => r.node.id)).toEqual(['DatabaseRotation', 'RedisRotation', 'KeyRingRotation']);
    }
  });

  it('each stack has one function and one log group per registered rotator, plus the age check', () => {
    for (const { config, template } of results) {
      expect(resourcesOf(template, 'AWS::Lambda::Function')).toHaveLength(registered.length + 1);
      const logGroups = resourcesOf(template, 'AWS::Logs::LogGroup').map(([, g]) => g.Properties.LogGroupName);
      for (const kind of [...registered, 'secret-age' as const]) {
        expect(logGroups.filter((name) => name === functionLogGroupName(config.appName, config.envName, kind))).toHaveLength(1);
      }
    }
  });
});
