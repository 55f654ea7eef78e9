/**
 * Issue #10 item 8 (in part): where an environment names its account, an ARN of another account is refused at
 * synth unless it is listed in crossAccountArns on purpose.
 */
import { ENVIRONMENTS, validateEnvironment, type EnvironmentConfig } from '../../lib/config';

const staging = ENVIRONMENTS.find((e) => e.envName === 'staging')!;
const problems = (c: EnvironmentConfig): string[] => {
  try {
    validateEnvironment(c);
    return [];
  } catch (e) {
    return (e as { problems: string[] }).problems;
  }
};
const OTHER_BREAK_GLASS = 'arn:aws:iam::999999999999:role/gaara-store-break-glass';
const OTHER_AUDITOR = 'arn:aws:iam::888888888888:role/security-auditor';

describe('ARNs of another account', () => {
  it('the shipped environments have none', () => {
    for (const e of ENVIRONMENTS) expect(problems(e)).toEqual([]);
  });

  it('are refused where the account is set, naming environment, field and both accounts', () => {
    const config = { ...staging, breakGlassRoleArn: OTHER_BREAK_GLASS, auditorTrustedPrincipals: [OTHER_AUDITOR] };
    expect(() => validateEnvironment(config)).toThrow('Invalid configuration for environment "staging"');
    expect(problems(config)).toEqual([
      "breakGlassRoleArn: is in account 999999999999, not this environment's 222222222222; list it in crossAccountArns if that is on purpose",
      "auditorTrustedPrincipals[0]: is in account 888888888888, not this environment's 222222222222; list it in crossAccountArns if that is on purpose",
    ]);
  });

  it('are accepted when marked cross-account on purpose, one by one', () => {
    const config = { ...staging, breakGlassRoleArn: OTHER_BREAK_GLASS, auditorTrustedPrincipals: [OTHER_AUDITOR], crossAccountArns: [OTHER_AUDITOR] };
    expect(problems(config)).toEqual([
      "breakGlassRoleArn: is in account 999999999999, not this environment's 222222222222; list it in crossAccountArns if that is on purpose",
    ]);
  });

  it('checks secret and key ARNs too', () => {
    const config = { ...staging, redis: { ...staging.redis, adminSecretArn: 'arn:aws:secretsmanager:eu-west-1:999999999999:secret:redis-admin-AbCdEf' } };
    expect(problems(config)).toEqual([
      "redis.adminSecretArn: is in account 999999999999, not this environment's 222222222222; list it in crossAccountArns if that is on purpose",
    ]);
  });
});
