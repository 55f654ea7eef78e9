/**
 * Warm full single-user database rotation against a local PostgreSQL 15 over verified TLS (password auth,
 * SCRAM-SHA-256), the four steps run by one handler as in a warm execution environment, against the MODELLED
 * Secrets Manager (in process: its calls cost no network time here; they are counted). Today's code and the
 * reference commit's code rotate their own user on the same server, interleaved rotation by rotation.
 *
 * Printed per implementation: median time of a rotation and of each step; logins (accepted / refused), TLS
 * handshakes and their time, login time (TCP + TLS + startup + SCRAM), SQL statements and their time, Secrets
 * Manager calls by command; and the ratio of today's median rotation time to the reference's. A last column adds
 * the calls at a modelled per-call latency (argument 2) to show what the API calls weigh where they cost.
 *
 *   npx tsx bench/rotation-warm.ts [rotations=30] [modelled ms per API call=15]
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { postgresDriver } from '../lambdas/database/postgres-driver';
import type { ConnectOptions, EngineDriver } from '../lambdas/database/driver';
import { createDatabaseRotator } from '../lambdas/database/rotator';
import { createRotationHandler } from '../lambdas/rotation/handler';
import { SecretsManagerSender, VersionCache } from '../lambdas/rotation/secrets-api';
import { rotationEvent, STEPS } from '../test/support/drive-rotation';
import { startPostgres } from '../test/support/postgres-server';
import { SecretsManagerModel } from '../test/support/secrets-manager-model';
import { extractReference, REFERENCE_COMMIT } from './reference-tree';

type Handler = (event: unknown) => Promise<void>;

interface Counters {
  loginsOk: number;
  loginsRefused: number;
  loginMs: number;
  tlsHandshakes: number;
  tlsMs: number;
  statements: number;
  statementMs: number;
}

const zero = (): Counters => ({ loginsOk: 0, loginsRefused: 0, loginMs: 0, tlsHandshakes: 0, tlsMs: 0, statements: 0, statementMs: 0 });
let active: Counters = zero();

/** Every TLS handshake of the process (the drivers call tls.connect at connect time), timed to secureConnect. */
const tlsConnect = tls.connect;
(tls as { connect: typeof tls.connect }).connect = ((...args: Parameters<typeof tls.connect>) => {
  const started = performance.now();
  const counters = active;
  const socket = tlsConnect(...args);
  socket.once('secureConnect', () => {
    counters.tlsHandshakes += 1;
    counters.tlsMs += performance.now() - started;
  });
  return socket;
}) as typeof tls.connect;

function countingDriver(driver: EngineDriver): EngineDriver {
  return {
    ...driver,
    async connect(endpoint, opts) {
      const counters = active;
      const started = performance.now();
      try {
        const session = await driver.connect(endpoint, opts);
        counters.loginsOk += 1;
        return session;
      } catch (e) {
        counters.loginsRefused += 1;
        throw e;
      } finally {
        counters.loginMs += performance.now() - started;
      }
    },
  };
}

/** Statement hooks (both versions run every statement between them). */
function statementTiming(): ConnectOptions['hooks'] {
  let started = 0;
  return {
    before: () => void (started = performance.now()),
    after: () => {
      active.statements += 1;
      active.statementMs += performance.now() - started;
    },
  };
}

interface Implementation {
  name: string;
  handler: Handler;
  arn: string;
  model: SecretsManagerModel;
  rotationMs: number[];
  stepMs: Record<string, number[]>;
  counters: Counters;
  calls: Record<string, number>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

async function main(): Promise<void> {
  const rotations = Number(process.argv[2] ?? 30);
  const apiMs = Number(process.argv[3] ?? 15);
  const pg = await startPostgres({ tls: true });
  const work = mkdtempSync(join(tmpdir(), 'rotation-warm-'));
  try {
    const reference = extractReference(work, ['lambdas', 'contracts']);
    /* eslint-disable @typescript-eslint/no-require-imports */
    const ref = {
      createDatabaseRotator: require(join(reference, 'lambdas/database/rotator.ts')).createDatabaseRotator,
      createRotationHandler: require(join(reference, 'lambdas/rotation/handler.ts')).createRotationHandler,
      VersionCache: require(join(reference, 'lambdas/rotation/secrets-api.ts')).VersionCache,
      postgresDriver: require(join(reference, 'lambdas/database/postgres-driver.ts')).postgresDriver as EngineDriver,
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
    await pg.adminQuery('CREATE DATABASE bench');
    const silent = new Logger({ serviceName: 'bench', logLevel: 'SILENT' });
    const quiet = {
      logger: silent,
      metrics: { stepSucceeded: () => undefined, stepFailed: () => undefined },
      scope: { app: 'gaara-store', environment: 'bench' },
    };

    const implementation = async (
      name: string,
      user: string,
      make: (target: object, connect: ConnectOptions, model: SecretsManagerModel) => Handler,
    ): Promise<Implementation> => {
      const password = `initial-${user}-0000000001`;
      await pg.adminQuery(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
      const target = {
        engine: 'postgres' as const,
        host: pg.host,
        port: pg.port,
        dbname: 'bench',
        username: user,
        tls: true,
        strategy: 'single-user' as const,
      };
      const model = new SecretsManagerModel();
      const url = `postgresql://${user}:${password}@${pg.host}:${pg.port}/bench?sslmode=verify-full`;
      const arn = model.createSecret(
        'gaara-store/bench/database-url',
        JSON.stringify({ schema: 1, engine: 'postgres', host: pg.host, port: pg.port, username: user, password, dbname: 'bench', url }),
      );
      const handler = make(target, { ca: pg.ca, hooks: statementTiming() }, model);
      return { name, handler, arn, model, rotationMs: [], stepMs: Object.fromEntries(STEPS.map((s) => [s, []])), counters: zero(), calls: {} };
    };

    const implementations = [
      await implementation(`reference @${REFERENCE_COMMIT}`, 'bench_ref', (target, connect, model) =>
        ref.createRotationHandler(ref.createDatabaseRotator({ target, connect, drivers: { postgres: countingDriver(ref.postgresDriver) } }), {
          ...quiet,
          secretsManager: model as unknown as SecretsManagerSender,
          versionCache: new ref.VersionCache(),
        }),
      ),
      await implementation('today', 'bench_now', (target, connect, model) =>
        createRotationHandler(createDatabaseRotator({ target: target as never, connect, driver: countingDriver(postgresDriver) }), {
          ...quiet,
          secretsManager: model as unknown as SecretsManagerSender,
          versionCache: new VersionCache(),
        }),
      ),
    ];

    // One warm-up rotation each (module loading, the first TLS context), then the measured ones, interleaved.
    for (let i = -1; i < rotations; i++) {
      for (const impl of implementations) {
        active = i < 0 ? zero() : impl.counters;
        const callsBefore = impl.model.calls.length;
        const token = impl.model.startRotation(impl.arn);
        const started = performance.now();
        for (const step of STEPS) {
          const stepStarted = performance.now();
          await impl.handler(rotationEvent(step, impl.arn, token));
          if (i >= 0) impl.stepMs[step].push(performance.now() - stepStarted);
        }
        if (i >= 0) impl.rotationMs.push(performance.now() - started);
        impl.model.completeRotation(impl.arn);
        if (i >= 0) for (const c of impl.model.calls.slice(callsBefore)) impl.calls[c.command] = (impl.calls[c.command] ?? 0) + 1;
      }
    }

    const per = (x: number) => round(x / rotations, 2);
    const rows = implementations.map((impl) => {
      const c = impl.counters;
      const calls = Object.values(impl.calls).reduce((a, b) => a + b, 0) / rotations;
      return {
        implementation: impl.name,
        rotationMsMedian: round(median(impl.rotationMs)),
        ...Object.fromEntries(STEPS.map((s) => [`${s}Ms`, round(median(impl.stepMs[s]))])),
        loginsOk: per(c.loginsOk),
        loginsRefused: per(c.loginsRefused),
        loginMs: per(c.loginMs),
        tlsHandshakes: per(c.tlsHandshakes),
        tlsMs: per(c.tlsMs),
        statements: per(c.statements),
        statementMs: per(c.statementMs),
        apiCalls: calls,
        ...Object.fromEntries(Object.entries(impl.calls).map(([k, v]) => [k, per(v)])),
        [`withApiAt${apiMs}ms`]: round(median(impl.rotationMs) + calls * apiMs),
      };
    });
    console.log(
      `node ${process.version}; ${rotations} warm single-user rotations each, interleaved; PostgreSQL 15 over verified TLS, SCRAM-SHA-256; per-rotation figures`,
    );
    console.table(rows);
    const [before, after] = implementations.map((impl) => {
      const calls = Object.values(impl.calls).reduce((a, b) => a + b, 0) / rotations;
      const ms = median(impl.rotationMs);
      return { ms, withApi: ms + calls * apiMs };
    });
    console.log(
      `ratio today / reference: rotation time ${round(after.ms / before.ms, 2)}; with API calls at ${apiMs} ms each: ${round(after.withApi / before.withApi, 2)}`,
    );
  } finally {
    await pg.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
