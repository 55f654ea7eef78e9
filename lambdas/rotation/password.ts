/**
 * Passwords from Node's CSPRNG (crypto.randomInt: uniform, no modulo bias), over an alphabet that is safe
 * unquoted in URLs (RFC 3986 unreserved), shells and connection strings: letters, digits and `-` `_` `.`
 * (no `~`, which a shell expands at the start of a word). Every character class left in the alphabet appears at
 * least once; the first character is a letter or digit (a leading `-` reads as an option to CLI tools).
 * No IAM permission is needed (GetRandomPassword needs Resource "*").
 */
import { randomInt } from 'node:crypto';
import { DEFAULT_PASSWORD_LENGTH, PASSWORD_POLICY_ENV, readEnv } from '../../contracts/function-env';
import type { Env } from './observability';

const CLASSES = {
  upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  lower: 'abcdefghijklmnopqrstuvwxyz',
  digit: '0123456789',
  symbol: '-_.',
} as const;

export { DEFAULT_PASSWORD_LENGTH };
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

export interface PasswordPolicy {
  length: number;
  /** Characters never used. */
  exclude: string;
}

export class PasswordPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PasswordPolicyError';
  }
}

/**
 * Reads PASSWORD_LENGTH (default 32) and PASSWORD_EXCLUDE_CHARACTERS (contracts/function-env.ts, written by the
 * stack); a bad value is a clear error naming the variable.
 */
export function passwordPolicyFromEnv(env: Env = process.env): PasswordPolicy {
  const { length, excludeCharacters } = readEnv(PASSWORD_POLICY_ENV, env);
  const policy = { length: length ?? DEFAULT_PASSWORD_LENGTH, exclude: excludeCharacters ?? '' };
  alphabetFor(policy); // validate now, not at the first rotation
  return policy;
}

function alphabetFor(policy: PasswordPolicy): { classes: string[]; all: string } {
  if (!Number.isInteger(policy.length) || policy.length < MIN_PASSWORD_LENGTH || policy.length > MAX_PASSWORD_LENGTH) {
    throw new PasswordPolicyError(`PASSWORD_LENGTH must be between ${MIN_PASSWORD_LENGTH} and ${MAX_PASSWORD_LENGTH}`);
  }
  const excluded = new Set(policy.exclude);
  const classes = Object.values(CLASSES)
    .map((chars) => [...chars].filter((c) => !excluded.has(c)).join(''))
    .filter((chars) => chars.length > 0);
  const all = classes.join('');
  if (all.length < 16) throw new PasswordPolicyError('PASSWORD_EXCLUDE_CHARACTERS leaves fewer than 16 characters to choose from');
  if (!/[A-Za-z0-9]/.test(all)) throw new PasswordPolicyError('PASSWORD_EXCLUDE_CHARACTERS excludes every letter and digit');
  return { classes, all };
}

const pick = (chars: string): string => chars[randomInt(chars.length)] as string;

export function generatePassword(policy: PasswordPolicy = { length: DEFAULT_PASSWORD_LENGTH, exclude: '' }): string {
  const { classes, all } = alphabetFor(policy);
  const alnum = [...all].filter((c) => /[A-Za-z0-9]/.test(c)).join('');
  // Rejection sampling keeps the distribution uniform over all passwords that satisfy the rules.
  for (;;) {
    let password = pick(alnum);
    for (let i = 1; i < policy.length; i++) password += pick(all);
    if (classes.every((chars) => [...password].some((c) => chars.includes(c)))) return password;
  }
}
