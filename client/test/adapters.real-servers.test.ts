/**
 * The driver adapters and auth-error detection against real servers with password auth enforced: node-redis
 * (own redis-server, ACL users) and mysql2 (the local MariaDB). Secrets Manager's side is modelled.
 */
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { randomBytes } from 'node:crypto';
import { createConnection, type Connection } from 'mysql2/promise';
import { createClient } from 'redis';
import { buildDatabaseUrl, buildRedisUrl, type DatabaseSecret, type RedisSecret } from '../../contracts';
import { APP_USER_RULES, startRedisServer, type RedisTestServer } from '../../test/support/redis-server';
import { SecretsManagerModel } from '../../test/support/secrets-manager-model';
import { mysqlConnectionOptions, redisClientOptions } from '../src/adapters';
import { isMysqlAuthError, isRedisAuthError } from '../src/secrets/auth-errors';
import type { SecretsManagerSender } from '../src/secrets/aws-source';
import { SecretsClient } from '../src/secrets/secrets-client';

const pw = () => `Pw${randomBytes(12).toString('hex')}`;

/** Puts `next` under AWSPENDING, as createSecret does. */
async function pending(model: SecretsManagerModel, name: string, value: string) {
  const token = model.startRotation(name);
  await model.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: token, SecretString: value, VersionStages: ['AWSPENDING'] }));
}

describe('redis adapter with a real redis-server (ACL users; Secrets Manager modelled)', () => {
  let server: RedisTestServer;
  const first = pw();
  const NAME = 'gaara-store/test/redis-password';
  const secretWith = (password: string) => {
    const fields = { host: server.host, port: server.port, username: 'gaara_app', password, tls: false };
    return JSON.stringify({ schema: 1, ...fields, userId: 'gaara-app', url: buildRedisUrl(fields) });
  };
  const connect = async (secret: RedisSecret) => {
    const client = createClient(redisClientOptions(secret));
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      client.destroy();
      throw error;
    }
    return client;
  };

  beforeAll(async () => {
    server = await startRedisServer({ users: [{ name: 'gaara_app', passwords: [first], rules: APP_USER_RULES }] });
  });
  afterAll(async () => server?.stop());

  it('a wrong password is refused (WRONGPASS) and recognised as an authentication failure', async () => {
    const error = await connect(JSON.parse(secretWith('wrong')) as RedisSecret).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isRedisAuthError(error)).toBe(true);
  });

  it('after the password changed, withCredentialRetry connects with AWSPENDING', async () => {
    const model = new SecretsManagerModel();
    model.createSecret(NAME, secretWith(first));
    const secrets = new SecretsClient({ client: model as unknown as SecretsManagerSender, source: 'aws' });
    const next = pw();
    await pending(model, NAME, secretWith(next));
    const admin = createClient({ socket: { host: server.host, port: server.port }, username: server.admin.username, password: server.admin.password });
    await admin.connect();
    await admin.sendCommand(['ACL', 'SETUSER', 'gaara_app', 'resetpass', `>${next}`]);
    await admin.close();
    const stages: string[] = [];
    const client = await secrets.withCredentialRetry<RedisSecret, Awaited<ReturnType<typeof connect>>>(NAME, (s, a) => (stages.push(a.stage), connect(s)));
    expect(await client.ping()).toBe('PONG');
    client.destroy();
    expect(stages).toEqual(['AWSCURRENT', 'AWSPENDING']);
  });
});

describe('mysql2 adapter with the local MariaDB (password auth; Secrets Manager modelled)', () => {
  const user = `gaara_client_${randomBytes(3).toString('hex')}`;
  const NAME = 'gaara-store/test/database-url';
  let root: Connection;
  const secretWith = (password: string) => {
    const fields = { engine: 'mariadb' as const, host: '127.0.0.1', port: 3306, username: user, password, dbname: 'information_schema', ssl: false };
    return JSON.stringify({ schema: 1, ...fields, url: buildDatabaseUrl(fields) });
  };
  const connect = (db: DatabaseSecret) => createConnection(mysqlConnectionOptions(db));
  const first = pw();

  beforeAll(async () => {
    root = await createConnection({ socketPath: '/run/mysqld/mysqld.sock', user: 'root' });
    for (const host of ['localhost', '127.0.0.1']) await root.query(`CREATE USER '${user}'@'${host}' IDENTIFIED BY '${first}'`);
  });
  afterAll(async () => {
    for (const host of ['localhost', '127.0.0.1']) await root?.query(`DROP USER IF EXISTS '${user}'@'${host}'`);
    await root?.end();
  });

  it('a wrong password is refused (ER_ACCESS_DENIED_ERROR, 1045) and recognised', async () => {
    const error = await connect(JSON.parse(secretWith('wrong')) as DatabaseSecret).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isMysqlAuthError(error)).toBe(true);
  });

  it('after the password changed, withCredentialRetry connects with AWSPENDING', async () => {
    const model = new SecretsManagerModel();
    model.createSecret(NAME, secretWith(first));
    const secrets = new SecretsClient({ client: model as unknown as SecretsManagerSender, source: 'aws' });
    const next = pw();
    await pending(model, NAME, secretWith(next));
    for (const host of ['localhost', '127.0.0.1']) await root.query(`ALTER USER '${user}'@'${host}' IDENTIFIED BY '${next}'`);
    const stages: string[] = [];
    const conn = await secrets.withCredentialRetry(NAME, (db: DatabaseSecret, a) => (stages.push(a.stage), connect(db)));
    const [rows] = await conn.query('SELECT CURRENT_USER() AS u');
    await conn.end();
    expect((rows as { u: string }[])[0].u).toMatch(new RegExp(`^${user}@`));
    expect(stages).toEqual(['AWSCURRENT', 'AWSPENDING']);
  });
});
