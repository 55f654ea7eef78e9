import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from './validate';
import type { EnvironmentInput } from './types';

/**
 * Environments from a JSON file (`cdk synth -c config=./envs.json`): a JSON array of environment objects with the
 * fields of lib/config/types.ts, or `{"environments": [...]}`. The objects are validated by the same rules as
 * lib/config/environments.ts (validateAll, in lib/app.ts); this only reads and shapes the file, naming the file and
 * the entry when it cannot.
 */
export function environmentsFromJsonFile(file: string, cwd = process.cwd()): EnvironmentInput[] {
  const full = path.resolve(cwd, file);
  let text: string;
  try {
    text = fs.readFileSync(full, 'utf8');
  } catch (e) {
    throw new Error(`-c config=${file}: cannot read ${full} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`-c config=${file}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { environments?: unknown } | null)?.environments;
  if (!Array.isArray(list) || list.length === 0) {
    throw new Error(`-c config=${file}: must be a non-empty JSON array of environments, or {"environments": [...]}`);
  }
  return list.map((entry, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new ConfigError(`(entry ${i} of ${file})`, ['(entry): must be an object with the fields of an environment']);
    }
    const name = (entry as { envName?: unknown }).envName;
    if (typeof name !== 'string') throw new ConfigError(`(entry ${i} of ${file})`, ['envName: is missing']);
    return entry as EnvironmentInput;
  });
}
