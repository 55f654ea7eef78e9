import { createInterface } from 'node:readline/promises';
import { CliError, EXIT } from './errors';

/**
 * Asks for the exact word `expected` on the terminal. --yes skips it; without a terminal and without --yes the
 * command refuses (a script must say --yes explicitly).
 */
export async function confirm(question: string, expected: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw new CliError(EXIT.notConfirmed, 'no terminal to confirm on and no --yes: nothing changed (pass --yes in scripts)');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${question} Type ${expected} to confirm: `)).trim();
    if (answer !== expected) throw new CliError(EXIT.notConfirmed, `not confirmed (expected "${expected}"): nothing changed`);
  } finally {
    rl.close();
  }
}
