/**
 * The real AWS SDK client of the lifecycle against local dead endpoints (no AWS involved): a Secrets Manager
 * endpoint that never answers must fail with Timeout (not hang: the SDK only warns unless
 * throwOnRequestTimeout is set), a refused connection with Unreachable, each saying what a VPC needs.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createServer, Server, Socket } from 'node:net';
import { createSecretsManagerClient } from '../../../lambdas/rotation/aws-clients';
import { RotationError } from '../../../lambdas/rotation/errors';
import { createRotationHandler } from '../../../lambdas/rotation/handler';
import { freePort } from '../../support/postgres-server';

const rotator = {
  kind: 'x',
  serves: ['database-url'] as const,
  parse: (s: string) => s,
  serialize: (s: string) => s,
  createPending: async () => 'x',
  applyPending: async () => undefined,
  testPending: async () => undefined,
};
const event = { Step: 'createSecret', SecretId: 'gaara-store/dev/database-url', ClientRequestToken: 'aaaaaaaa-1111-2222-3333-444444444444' };

async function failureAgainst(endpoint: string): Promise<RotationError> {
  const env = { ...process.env };
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'not-a-real-key',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
  });
  try {
    const handler = createRotationHandler(rotator, {
      secretsManager: createSecretsManagerClient({ connectionTimeout: 300, requestTimeout: 300 }, 1),
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: { stepSucceeded: () => undefined, stepFailed: () => undefined },
      versionCache: false,
      scope: { app: 'gaara-store', environment: 'dev' },
    });
    await handler(event);
  } catch (e) {
    expect(e).toBeInstanceOf(RotationError);
    return e as RotationError;
  } finally {
    process.env = env;
  }
  throw new Error('expected a failure');
}

describe('Secrets Manager endpoint failures with the real SDK client (local sockets, no AWS)', () => {
  let hung: Server;
  const sockets: Socket[] = [];
  let hungPort: number;
  beforeAll(async () => {
    hungPort = await freePort();
    hung = createServer((s) => void sockets.push(s)); // accepts, never answers
    await new Promise<void>((r) => hung.listen(hungPort, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => hung.close(r));
  });

  it('an endpoint that accepts but never answers: Timeout naming the VPC endpoint / NAT requirement', async () => {
    const e = await failureAgainst(`http://127.0.0.1:${hungPort}`);
    expect(e.errorClass).toBe('Timeout');
    expect(e.message).toContain('secret gaara-store/dev/database-url, step createSecret: DescribeSecret: Secrets Manager endpoint timed out');
    expect(e.message).toContain('interface VPC endpoint');
  });

  it('a refused connection: Unreachable', async () => {
    const e = await failureAgainst(`http://127.0.0.1:${await freePort()}`);
    expect(e.errorClass).toBe('Unreachable');
  });
});
