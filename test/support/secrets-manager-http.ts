/**
 * MODELLED Secrets Manager over HTTP: serves the SecretsManagerModel with the service's JSON protocol
 * (`X-Amz-Target: secretsmanager.<Operation>`), so a bundled function with its own copy of the AWS SDK can run
 * against it unchanged (point it here with AWS_ENDPOINT_URL_SECRETS_MANAGER).
 */
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerModel } from './secrets-manager-model';

export interface ModelServer {
  url: string;
  close(): Promise<void>;
}

const toEpochSeconds = (_key: string, value: unknown) => (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) ? Date.parse(value) / 1000 : value);

export async function serveModel(model: SecretsManagerModel): Promise<ModelServer> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '');
      const input = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      try {
        const output = await model.send({ input, constructor: { name: `${operation}Command` } });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(output, toEpochSeconds));
      } catch (e) {
        const error = e as Error;
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: error.name, message: error.message }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
