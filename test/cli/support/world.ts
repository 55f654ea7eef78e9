/** One modelled environment per test file: the seven secrets, some seeded with generated values to search for. */
import { randomBytes } from 'node:crypto';
import { buildDatabaseUrl } from '../../../contracts';
import { serveModel, type ModelServer } from '../../support/secrets-manager-http';
import { findLeaks } from '../../support/log-capture';
import { CliModel } from './cli-model';
import { modelEnv, runCli, type CliResult } from './run-cli';

export const gen = (prefix: string) => `${prefix}-${randomBytes(12).toString('base64url')}`;

export interface World {
  model: CliModel;
  server: ModelServer;
  env: Record<string, string>;
  /** Every secret value created by the test: searched in every output. */
  values: string[];
  outputs: string[];
  cli(args: string[], extraEnv?: Record<string, string>, stdin?: string): Promise<CliResult>;
  arns(env: string): Record<string, string>;
  /** Stores real-looking values (generated) as AWSCURRENT, `daysAgo` old, for `env`. */
  seed(env: string, daysAgo: number, names?: string[]): Promise<Record<string, string>>;
  leaks(): string[];
}

export async function createWorld(): Promise<World> {
  const model = new CliModel();
  const server = await serveModel(model);
  const values: string[] = [];
  const outputs: string[] = [];
  const arnsByEnv = new Map<string, Record<string, string>>();
  const env = modelEnv(server.url);
  const world: World = {
    model,
    server,
    env,
    values,
    outputs,
    async cli(args, extraEnv = {}, stdin) {
      const r = await runCli(args, { ...env, ...extraEnv }, stdin);
      outputs.push(r.all);
      return r;
    },
    arns(e) {
      let a = arnsByEnv.get(e);
      if (!a) {
        a = model.seedEnvironment('gaara-store', e);
        arnsByEnv.set(e, a);
      }
      return a;
    },
    async seed(e, daysAgo, names = ['secret-key', 'jwt-secret', 'encryption-key', 'database-url', 'redis-password', 'mail-password', 'sentry-dsn']) {
      const arns = world.arns(e);
      const tokens: Record<string, string> = {};
      for (const name of names) {
        const value = valueFor(name);
        values.push(...value.secrets);
        tokens[name] = await model.putCurrent(arns[name], JSON.stringify(value.json), daysAgo);
      }
      return tokens;
    },
    leaks: () => findLeaks(outputs.join('\n'), values),
  };
  return world;
}

function valueFor(name: string): { json: unknown; secrets: string[] } {
  const now = new Date().toISOString();
  switch (name) {
    case 'database-url': {
      const password = gen('dbpw');
      const base = { engine: 'postgres' as const, host: 'dev-db.gaara.internal', port: 5432, username: 'gaara_app', password, dbname: 'gaara' };
      return { json: { schema: 1, ...base, url: buildDatabaseUrl(base) }, secrets: [password] };
    }
    case 'redis-password': {
      const password = gen('redispw');
      return {
        json: {
          schema: 1,
          host: 'dev-cache.gaara.internal',
          port: 6379,
          username: 'gaara_app',
          password,
          tls: true,
          url: `rediss://gaara_app:${password}@dev-cache.gaara.internal:6379`,
          adminarn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:gaara-store/dev/admin/redis-AbCdEf',
        },
        secrets: [password],
      };
    }
    case 'mail-password': {
      const password = gen('mailpw');
      return { json: { host: 'smtp.example.com', port: 587, username: 'mailer', password }, secrets: [password] };
    }
    case 'sentry-dsn': {
      const key = randomBytes(16).toString('hex');
      return { json: { dsn: `https://${key}@o1.ingest.sentry.io/42` }, secrets: [key] };
    }
    default: {
      const key = randomBytes(32).toString('base64url');
      return { json: { schema: 1, current: { kid: gen('kid'), key, createdAt: now }, previous: [] }, secrets: [key] };
    }
  }
}
