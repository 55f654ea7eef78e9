/**
 * The secret-age function runs in the VPC. Its real entry module (lambdas/secret-age/index.ts, the file the stack
 * bundles) against a local Secrets Manager endpoint that accepts connections and never answers (no AWS involved):
 * the run must fail naming the secret, not hang until the Lambda timeout. Without the SDK timeouts the SDK waits
 * forever and this test hits Jest's timeout.
 */
import { createServer, Server, Socket } from 'node:net';
import { freePort } from '../support/free-port';

describe('secret-age SDK timeouts (local hung endpoint, no AWS)', () => {
  let hung: Server;
  const sockets: Socket[] = [];
  /** What each connection asked for: its request's X-Amz-Target (the Secrets Manager operation). */
  const received: string[] = [];
  const operations = (connections = received) => connections.map((r) => /^x-amz-target: *(\S+)/im.exec(r)?.[1] ?? 'no target').sort();
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    hung = createServer((s) => {
      // Accepts and reads, never answers.
      const i = received.push('') - 1;
      sockets.push(s);
      s.on('data', (d) => (received[i] += d.toString('latin1')));
    });
    await new Promise<void>((r) => hung.listen(port, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => hung.close(r));
  });

  it('a hung endpoint fails the run with the secret named, after 2 attempts of each of its 2 calls', async () => {
    const env = { ...process.env };
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'not-a-real-key',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}`,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      APP_ENVIRONMENT: 'dev',
      SECRETS_JSON: JSON.stringify([{ name: 'jwt-secret', id: 'gaara-store/dev/jwt-secret', maxAgeDays: 90 }]),
    });
    try {
      let handler: () => Promise<unknown> = async () => undefined;
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        handler = require('../../lambdas/secret-age/index').handler;
      });
      await expect(handler()).rejects.toThrow('secret-age: 1 of 1 secrets could not be checked (jwt-secret); the others were published');
      // DescribeSecret and ListSecretVersionIds, issued together; maxAttempts 2: one connection per attempt.
      expect(operations()).toEqual([
        'secretsmanager.DescribeSecret',
        'secretsmanager.DescribeSecret',
        'secretsmanager.ListSecretVersionIds',
        'secretsmanager.ListSecretVersionIds',
      ]);
      // Issued at once (one call's worst case per run, lambdas/secret-age/index.ts): the first two connections carry one of each.
      expect(operations(received.slice(0, 2))).toEqual(['secretsmanager.DescribeSecret', 'secretsmanager.ListSecretVersionIds']);
    } finally {
      process.env = env;
    }
  }, 30_000);
});
