/**
 * Drives the CLI in a real terminal: a tmux session on its own socket, read with capture-pane. Waits poll the
 * screen for text (bounded), they never assert on time.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { CLI } from './run-cli';

export interface Terminal {
  screen(): string;
  waitFor(text: string | RegExp, maxMs?: number): Promise<string>;
  type(keys: string): void;
  kill(): void;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function startInTmux(args: string[], env: Record<string, string>): Terminal {
  const socket = `gaara-cli-${randomBytes(4).toString('hex')}`;
  const envPart = Object.entries(env)
    .map(([k, v]) => `${k}=${shellQuote(v)}`)
    .join(' ');
  const command = `env -i ${envPart} ${shellQuote(process.execPath)} ${shellQuote(CLI)} ${args.map(shellQuote).join(' ')}; echo "EXIT=$?"; sleep 600`;
  const tmux = (...a: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...a], { encoding: 'utf8' });
  tmux('new-session', '-d', '-s', 'cli', '-x', '200', '-y', '50', command);
  const t: Terminal = {
    screen: () => tmux('capture-pane', '-p', '-t', 'cli', '-S', '-100'),
    async waitFor(text, maxMs = 30_000) {
      const until = Date.now() + maxMs;
      for (;;) {
        const s = t.screen();
        if (typeof text === 'string' ? s.includes(text) : text.test(s)) return s;
        if (Date.now() > until) throw new Error(`terminal never showed ${String(text)}; screen:\n${s}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    type(keys) {
      tmux('send-keys', '-t', 'cli', '-l', keys);
      tmux('send-keys', '-t', 'cli', 'Enter');
    },
    kill() {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    },
  };
  return t;
}
