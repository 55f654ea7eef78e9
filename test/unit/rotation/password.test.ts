/** Password generation: CSPRNG over a URL/shell/connection-string-safe alphabet, policy from the environment. */
import { DEFAULT_PASSWORD_LENGTH, generatePassword, passwordPolicyFromEnv } from '../../../lambdas/rotation/password';

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

describe('password generation', () => {
  it('default: 32 characters from the safe alphabet, every class present, first character alphanumeric, URL-encoding a no-op', () => {
    for (let i = 0; i < 500; i++) {
      const p = generatePassword();
      expect(p).toHaveLength(DEFAULT_PASSWORD_LENGTH);
      expect(p).toMatch(SAFE);
      expect(p).toMatch(/[A-Z]/);
      expect(p).toMatch(/[a-z]/);
      expect(p).toMatch(/[0-9]/);
      expect(p).toMatch(/[._-]/);
      expect(encodeURIComponent(p)).toBe(p);
    }
  });

  it('uses the whole alphabet (no character is unreachable) and does not repeat', () => {
    const seen = new Set<string>();
    const all = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const p = generatePassword();
      all.add(p);
      for (const c of p) seen.add(c);
    }
    expect(seen.size).toBe(26 + 26 + 10 + 3);
    expect(all.size).toBe(2000);
  });

  it('honours length and exclusions; an excluded class is no longer required', () => {
    const policy = passwordPolicyFromEnv({ PASSWORD_LENGTH: '20', PASSWORD_EXCLUDE_CHARACTERS: '-_.0Oo1lI' });
    for (let i = 0; i < 200; i++) {
      const p = generatePassword(policy);
      expect(p).toHaveLength(20);
      expect(p).not.toMatch(/[-_.0Oo1lI]/);
    }
  });

  it.each([
    [{ PASSWORD_LENGTH: 'ten' }, 'PASSWORD_LENGTH must be a whole number'],
    [{ PASSWORD_LENGTH: '8' }, 'PASSWORD_LENGTH must be between 12 and 256'],
    [{ PASSWORD_LENGTH: '1000' }, 'PASSWORD_LENGTH must be between 12 and 256'],
    [{ PASSWORD_EXCLUDE_CHARACTERS: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456' }, 'fewer than 16 characters'],
  ])('%j is refused: %s', (env, message) => {
    expect(() => passwordPolicyFromEnv(env)).toThrow(message);
  });
});
