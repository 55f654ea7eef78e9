/**
 * The CLI's SDK clients against a MODELLED AWS endpoint that accepts connections and never answers (a local TCP
 * server; no AWS involved): a call must fail with a timeout, not hang. Without the CLI's request timeout the SDK
 * waits 5 minutes of socket silence and this test hits its Jest timeout.
 */
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createServer, type Server, type Socket } from 'node:net';
import { cliClientConfig } from '../../cli/aws';
import { describeAwsError } from '../../cli/errors';
import { freePort } from '../support/free-port';

describe('CLI SDK timeouts (modelled AWS endpoint that never answers)', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  /** What each connection sent. */
  const received: string[] = [];
  let endpoint: string;
  beforeAll(async () => {
    const port = await freePort();
    silent = createServer((s) => {
      // Accepts and reads, never answers.
      const i = received.push('') - 1;
      sockets.push(s);
      s.on('data', (d) => (received[i] += d.toString('latin1')));
    });
    await new Promise<void>((r) => silent.listen(port, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('a call the endpoint never answers fails with the SDK TimeoutError after the 30 s request timeout', async () => {
    // The CLI's settings; one attempt, so the test waits for one request timeout rather than five.
    const client = new SecretsManagerClient({
      ...cliClientConfig({ region: 'eu-west-1', opts: {} }),
      maxAttempts: 1,
      endpoint,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'modelled-not-a-real-key' },
    });
    try {
      const failure = await client.send(new DescribeSecretCommand({ SecretId: 'gaara-store/dev/jwt-secret' })).catch((e: unknown) => e);
      expect(failure).toMatchObject({ name: 'TimeoutError', message: expect.stringContaining('30000 ms requestTimeout') });
      // What the operator reads: the call, that AWS did not answer, and where to look.
      const hint = { action: 'DescribeSecret', resource: 'gaara-store/dev/jwt-secret', role: 'the operator role' };
      expect(describeAwsError(failure, hint).message).toBe(
        'AWS did not answer DescribeSecret in time (TimeoutError): check the network, --region and any AWS_ENDPOINT_URL_* setting',
      );
      // The request reached the modelled endpoint: the timeout is the request's, not a refused connection.
      expect(received.map((r) => /^x-amz-target: *(\S+)/im.exec(r)?.[1])).toEqual(['secretsmanager.DescribeSecret']);
    } finally {
      client.destroy();
    }
  }, 90_000);
});
