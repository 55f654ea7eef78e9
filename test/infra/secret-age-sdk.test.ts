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
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    hung = createServer((s) => void sockets.push(s)); // accepts, never answers
    await new Promise<void>((r) => hung.listen(port, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => hung.close(r));
  });

  it('a hung endpoint fails the run with the secret named, after 2 attempts', async () => {
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
      expect(sockets).toHaveLength(2); // maxAttempts 2: one connection per attempt
    } finally {
      process.env = env;
    }
  }, 30_000);
});
