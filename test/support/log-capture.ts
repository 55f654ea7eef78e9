/**
 * Captures everything a test's code under test prints (Powertools Logger and Metrics write JSON lines to
 * process.stdout/stderr through their own Console; plain console.* calls too) into a buffer, so a test can
 * search it for secret values. Errors the test caught can be added with `addError` so they are searched too.
 *
 * A leak check never prints the leaked value: it reports which value (by label/index) and where.
 */
import { inspect } from 'node:util';

type Write = typeof process.stdout.write;
const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

export interface OutputCapture {
  /** Everything captured so far (output lines and added errors). */
  readonly text: string;
  /** Captured output lines parsed as JSON where they are JSON (Powertools logs and EMF blobs). */
  json(): Record<string, unknown>[];
  /** Adds a caught error (message, stack, enumerable fields and cause chain) to the searched text. */
  addError(e: unknown): void;
  /** Clears the buffer, keeps capturing. */
  clear(): void;
  /** Restores stdout/stderr/console. Safe to call twice. */
  stop(): void;
}

/**
 * How an error shows when printed (message, stack, util.inspect: what console.error and the Lambda runtime show).
 * RotationError prints without its cause (see lambdas/rotation/errors.ts); other errors print whole.
 */
export function describeError(e: unknown): string {
  if (e instanceof Error) return [String(e.stack ?? e.message), inspect(e, { depth: 6 })].join('\n');
  return inspect(e, { depth: 6 });
}

export function captureOutput(opts: { passThrough?: boolean } = {}): OutputCapture {
  const chunks: string[] = [];
  const origOut = process.stdout.write;
  const origErr = process.stderr.write;
  const origConsole = Object.fromEntries(CONSOLE_METHODS.map((m) => [m, console[m]])) as Record<(typeof CONSOLE_METHODS)[number], (...a: unknown[]) => void>;
  const wrap = (orig: Write, stream: NodeJS.WriteStream): Write =>
    function (this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      if (opts.passThrough) return (orig as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    } as Write;
  process.stdout.write = wrap(origOut, process.stdout);
  process.stderr.write = wrap(origErr, process.stderr);
  for (const m of CONSOLE_METHODS) {
    console[m] = (...args: unknown[]) => {
      chunks.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 6 }))).join(' ') + '\n');
      if (opts.passThrough) origConsole[m](...args);
    };
  }
  let stopped = false;
  return {
    get text() {
      return chunks.join('');
    },
    json() {
      return chunks
        .join('')
        .split('\n')
        .filter((l) => l.trim().startsWith('{'))
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return [];
          }
        });
    },
    addError(e: unknown) {
      chunks.push(describeError(e) + '\n');
    },
    clear() {
      chunks.length = 0;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      process.stdout.write = origOut;
      process.stderr.write = origErr;
      for (const m of CONSOLE_METHODS) console[m] = origConsole[m];
    },
  };
}

/**
 * Finds which of `secrets` occur in `text` (also percent-encoded and JSON-escaped). Returns descriptions that
 * name the secret by label and never include it, so a failing assertion does not leak it either.
 */
export function findLeaks(text: string, secrets: Iterable<string>, label = 'secret'): string[] {
  const leaks: string[] = [];
  let i = 0;
  for (const s of secrets) {
    const index = i++;
    if (s.length < 6) continue; // too short to be a generated value; would match by chance
    const forms = new Set([s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]);
    for (const f of forms) {
      const at = text.indexOf(f);
      if (at >= 0) {
        leaks.push(`${label} #${index} (length ${s.length}) found at offset ${at}`);
        break;
      }
    }
  }
  return leaks;
}
