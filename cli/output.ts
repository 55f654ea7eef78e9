/** Human tables and --json output. Nothing here ever receives a secret value. */
export interface Out {
  json: boolean;
  color: boolean;
  line(s?: string): void;
  err(s: string): void;
}

export function createOut(json: boolean): Out {
  const color = !json && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  return {
    json,
    color,
    line: (s = '') => void process.stdout.write(s + '\n'),
    err: (s) => void process.stderr.write(s + '\n'),
  };
}

export const red = (out: Out, s: string) => (out.color ? `\x1b[1;31m${s}\x1b[0m` : s);
export const green = (out: Out, s: string) => (out.color ? `\x1b[32m${s}\x1b[0m` : s);

/** Fixed-width table; `highlight(row)` marks a row (ANSI red on a terminal, a leading `!` otherwise). */
export function table(out: Out, headers: string[], rows: string[][], highlight: (i: number) => boolean = () => false): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  out.line('  ' + fmt(headers));
  rows.forEach((r, i) => {
    const hot = highlight(i);
    const text = (hot ? '! ' : '  ') + fmt(r);
    out.line(hot ? red(out, text) : text);
  });
}

export const isoDate = (d: Date | undefined) => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-');
