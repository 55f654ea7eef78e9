/**
 * Passwords, key material and key ids come from Node's CSPRNG, never Math.random (issue 9 item 9c). Real
 * generators; Math.random is replaced by a function that throws, and node:crypto is spied on (called through).
 * The lint rule that bans Math.random in these modules is checked with ESLint's API on snippets.
 */
import { execFileSync } from 'node:child_process';
import * as nodeCrypto from 'node:crypto';
import { cryptoKeyMaterial } from '../../../lambdas/key-ring/key-material';
import { newKid } from '../../../lambdas/key-ring/kid';
import { generatePassword } from '../../../lambdas/rotation/password';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const cryptoModule = require('node:crypto') as typeof nodeCrypto;

describe('CSPRNG only: generation works with Math.random unusable (real generators, node:crypto spied on)', () => {
  beforeEach(() => {
    jest.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('Math.random must not be used to make secrets');
    });
  });
  afterEach(() => jest.restoreAllMocks());

  it('passwords: 200 distinct ones, each character drawn with crypto.randomInt', () => {
    const randomInt = jest.spyOn(cryptoModule, 'randomInt');
    const passwords = new Set(Array.from({ length: 200 }, () => generatePassword()));
    expect(passwords.size).toBe(200);
    expect(randomInt.mock.calls.length).toBeGreaterThanOrEqual(200 * 32);
    expect(Math.random).not.toHaveBeenCalled();
  });

  it('key material: 32 bytes from crypto.randomBytes, distinct each time', async () => {
    const randomBytes = jest.spyOn(cryptoModule, 'randomBytes');
    const a = await cryptoKeyMaterial.randomBytes(32, 'test');
    const b = await cryptoKeyMaterial.randomBytes(32, 'test');
    expect(a).toHaveLength(32);
    expect(a.equals(b)).toBe(false);
    expect(randomBytes).toHaveBeenCalledWith(32);
    expect(Math.random).not.toHaveBeenCalled();
  });

  it('key ids: distinct within the same second, random part from crypto.randomBytes', () => {
    const randomBytes = jest.spyOn(cryptoModule, 'randomBytes');
    const now = new Date('2026-11-30T10:00:00Z');
    const kids = new Set(Array.from({ length: 100 }, () => newKid(now)));
    expect(kids.size).toBe(100);
    expect(randomBytes).toHaveBeenCalled();
    expect(Math.random).not.toHaveBeenCalled();
  });
});

describe('lint rule: Math.random is banned where secrets are made (ESLint with the repository config, in a child process)', () => {
  const BANNED_IN = [
    'lambdas/rotation/new-module.ts',
    'lambdas/key-ring/new-module.ts',
    'contracts/new-module.ts',
    'client/src/field-encryption/new-module.ts',
    'client/src/keyring/new-module.ts',
  ];
  const ALLOWED_IN = 'client/src/secrets/new-module.ts';
  let reported: Record<string, boolean>;

  beforeAll(() => {
    // ESLint loads eslint.config.mjs with a dynamic import, which Jest's VM does not allow: lint in a child Node.
    const script = `
      const { ESLint } = require('eslint');
      const snippet = 'export const pick = (n: number): number => Math.floor(Math.random() * n);\\n';
      (async () => {
        const eslint = new ESLint({ cwd: process.cwd() });
        const out = {};
        for (const filePath of JSON.parse(process.argv[1])) {
          const [result] = await eslint.lintText(snippet, { filePath });
          out[filePath] = result.messages.some((m) => m.ruleId === 'no-restricted-properties');
        }
        process.stdout.write(JSON.stringify(out));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const stdout = execFileSync(process.execPath, ['-e', script, JSON.stringify([...BANNED_IN, ALLOWED_IN])], { cwd: process.cwd(), encoding: 'utf8' });
    reported = JSON.parse(stdout) as Record<string, boolean>;
  });

  it.each(BANNED_IN)('is reported in %s', (filePath) => {
    expect(reported[filePath]).toBe(true);
  });

  it('is allowed in client/src/secrets (cache TTL jitter)', () => {
    expect(reported[ALLOWED_IN]).toBe(false);
  });
});
