import type { OutputCapture } from '../../support/log-capture';

export interface EmfDocument extends Record<string, unknown> {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
}

/** The Embedded Metric Format documents among the captured output lines. */
export function emfOf(out: OutputCapture): EmfDocument[] {
  return out.json().filter((o): o is EmfDocument => typeof o._aws === 'object' && o._aws !== null && 'CloudWatchMetrics' in o._aws);
}
