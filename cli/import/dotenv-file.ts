/**
 * Reads a `.env` strictly: every non-blank, non-comment line must be `NAME=value` (optionally `export NAME=value`).
 * A bad line is reported by its number, never its content. Values are parsed by dotenv (quotes, escapes).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'dotenv';
import { CliError, EXIT } from '../errors';

const LINE = /^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=/;

export function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(EXIT.badInput, `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'}): give the path of the .env file to import`);
  }
  const lines = text.split(/\r?\n/);
  let inQuoted = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (inQuoted) {
      if (/"\s*(#.*)?$/.test(line)) inQuoted = false;
      continue;
    }
    if (/^\s*(#.*)?$/.test(line)) continue;
    if (!LINE.test(line)) throw new CliError(EXIT.badInput, `${path} line ${i + 1} is not NAME=value: fix that line (nothing was read or written)`);
    // A double-quoted value may continue over several lines (dotenv multiline).
    const rest = line.replace(LINE, '').trim();
    if (rest.startsWith('"') && !/^"([^"\\]|\\.)*"\s*(#.*)?$/.test(rest)) inQuoted = true;
  }
  if (inQuoted) throw new CliError(EXIT.badInput, `${path} has a quoted value that is never closed: fix the file (nothing was read or written)`);
  return parse(text);
}

/** The mapping file: JSON `{ "ENV_NAME": "<secret>" | "<secret>.<field>" }`. */
export function readMapFile(path: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      EXIT.badInput,
      code ? `cannot read --map ${path} (${code})` : `--map ${path} is not valid JSON: it must be {"ENV_NAME": "secret" or "secret.field"}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new CliError(EXIT.badInput, `--map ${path} must be a JSON object {"ENV_NAME": "secret" or "secret.field"}`);
  }
  return parsed as Record<string, string>;
}
