/**
 * Writes a rotator's log lines into moto's CloudWatch Logs, in the log group the stack names
 * (`/<app>/<env>/functions/<kind>`) and the shape lambdas/rotation/handler.ts logs through Powertools.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-cloudwatch-logs';

export interface FailureLine {
  kind: 'database' | 'redis' | 'key-ring';
  secret: string;
  step: string;
  errorClass: string;
  /** The error message the rotator logs beside the class: never shown by the CLI. */
  error: string;
  at: Date;
}

export async function writeRotatorLines(motoUrl: string, lines: (FailureLine | { kind: FailureLine['kind']; raw: string; at: Date })[]): Promise<void> {
  const logs = new CloudWatchLogsClient({
    region: 'eu-west-1',
    endpoint: motoUrl,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'modelled-not-a-real-key' },
  });
  for (const l of lines) {
    const group = `/gaara-store/dev/functions/${l.kind}`;
    for (const create of [new CreateLogGroupCommand({ logGroupName: group }), new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'stream-1' })]) {
      try {
        await logs.send(create as never);
      } catch (e) {
        if (!(e instanceof ResourceAlreadyExistsException)) throw e;
      }
    }
    const message =
      'raw' in l
        ? l.raw
        : JSON.stringify({
            level: 'ERROR',
            message: 'rotation step failed',
            timestamp: l.at.toISOString(),
            service: 'secrets-rotation',
            secret: l.secret,
            step: l.step,
            token: '0b1c2d3e',
            rotator: l.kind,
            errorClass: l.errorClass,
            error: l.error,
          });
    await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 'stream-1', logEvents: [{ timestamp: l.at.getTime(), message }] }));
  }
}
