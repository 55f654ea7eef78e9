/** Captures everything written to the console and stdout/stderr while `fn` runs, so tests can search it for secrets. */
import { inspect } from 'node:util';

export async function captureOutput<T>(fn: () => Promise<T>): Promise<{ result: T | undefined; error: unknown; output: string }> {
  const chunks: string[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const saved = methods.map((m) => console[m]);
  methods.forEach((m) => {
    console[m] = (...args: unknown[]) => chunks.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 10 }))).join(' '));
  });
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => (chunks.push(String(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => (chunks.push(String(c)), true)) as typeof process.stderr.write;
  let result: T | undefined;
  let error: unknown;
  try {
    result = await fn();
  } catch (e) {
    error = e;
  } finally {
    methods.forEach((m, i) => (console[m] = saved[i]));
    process.stdout.write = out;
    process.stderr.write = err;
  }
  return { result, error, output: chunks.join('\n') };
}

/** Every rendering of a value a log line or error report could contain. */
export function renderings(value: unknown): string {
  const parts = [inspect(value, { depth: 10, showHidden: true }), safeJson(value), String(value)];
  if (value instanceof Error) parts.push(value.message, value.stack ?? '', inspect(value.cause, { depth: 10 }));
  return parts.join('\n');
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}
