/**
 * Captures everything written to stdout/stderr (Powertools Logger and Metrics write there) so tests can parse the
 * EMF blobs and prove that no generated secret value appears in any output.
 */
export interface OutputCapture {
  text(): string;
  lines(): string[];
  /** Parsed EMF documents (lines with `_aws.CloudWatchMetrics`). */
  emf(): Array<Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } }>;
  restore(): void;
}

export function captureOutput(): OutputCapture {
  const chunks: string[] = [];
  const originals = { out: process.stdout.write, err: process.stderr.write };
  const grab = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  process.stdout.write = grab as typeof process.stdout.write;
  process.stderr.write = grab as typeof process.stderr.write;
  const lines = () => chunks.join('').split('\n').filter((l) => l.trim() !== '');
  return {
    text: () => chunks.join(''),
    lines,
    emf: () =>
      lines()
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))
        .filter((o) => o._aws?.CloudWatchMetrics),
    restore() {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
}

/** Fails when any of `values` (or its base64url/percent-encoded form) occurs in `text`. */
export function expectNoneOf(text: string, values: readonly string[]): void {
  for (const v of values) {
    for (const form of new Set([v, encodeURIComponent(v)])) {
      if (form.length >= 8 && text.includes(form)) throw new Error(`output contains a generated secret value (length ${form.length})`);
    }
  }
}
