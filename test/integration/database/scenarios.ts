/**
 * The rotation scenarios every engine must pass against a REAL server (password auth enforced), with Secrets
 * Manager MODELLED and driven the way the service drives a rotation.
 */
import { randomUUID } from 'node:crypto';
import type { Strategy } from '../../../lambdas/database/config';
import { CrashPoints, driveRotation, retryRotation, rotationEvent } from '../../support/drive-rotation';
import { captureOutput, findLeaks, OutputCapture } from '../../support/log-capture';
import { SecretsManagerModel } from '../../support/secrets-manager-model';
import { driverFor, makeHandler, modelSnapshot, SECRET_NAME, SecretValues, secretValue, Target, valueAt } from './harness';
import { rejection } from '../../support/rejection';

export interface ScenarioSetup {
  /** Starts (or connects to) the server. */
  start(): Promise<Target>;
  stop(): Promise<void>;
  /** A user name safe to create in this engine with a prefix, unique per call. */
  userName(prefix: string): string;
}

export function rotationScenarios(name: string, setup: ScenarioSetup): void {
  describe(`database rotator against ${name} (real server; Secrets Manager modelled)`, () => {
    let t: Target;
    let output: OutputCapture;
    const values = new SecretValues();
    const models: SecretsManagerModel[] = [];
    const errors: unknown[] = [];

    beforeAll(async () => {
      t = await setup.start();
      output = captureOutput();
    });
    afterAll(async () => {
      output?.stop();
      await t?.cleanup();
      await setup.stop();
    });

    const newModel = () => {
      const m = new SecretsManagerModel();
      models.push(m);
      return m;
    };

    /** A user with an initial password and a secret for it; alternating also gets a master. */
    async function provision(strategy: Strategy, username = setup.userName('app')) {
      const model = newModel();
      const password = values.generator();
      await t.createUser(username, password);
      let masterarn: string | undefined;
      if (strategy === 'alternating-users') {
        const masterName = setup.userName('master');
        const masterPassword = values.generator();
        await t.createMaster(masterName, masterPassword);
        masterarn = model.createSecret(
          `gaara-store/test/db-master-${randomUUID().slice(0, 4)}`,
          JSON.stringify({
            engine: t.engine,
            host: t.host,
            port: t.port,
            username: masterName,
            password: masterPassword,
            ...(t.ssl === false ? { ssl: false } : {}),
          }),
        );
      }
      const arn = model.createSecret(SECRET_NAME, JSON.stringify(secretValue(t, username, password, masterarn ? { masterarn } : {})));
      return { model, arn, username, password };
    }

    async function currentLogsIn(model: SecretsManagerModel, arn: string, stage = 'AWSCURRENT') {
      const v = valueAt(model, arn, stage);
      return v !== undefined && (await t.logsIn(v.username, v.password));
    }

    it('single-user: a full rotation, every step run twice: the new AWSCURRENT and its url log in, the old password is refused, AWSPREVIOUS holds the old version', async () => {
      const { model, arn, username, password } = await provision('single-user');
      const before = model.versionAt(arn, 'AWSCURRENT')?.versionId;
      const token = await driveRotation(model, arn, makeHandler(model, t, values, { strategy: 'single-user' }), {
        timesEachStep: 2,
        rotationToken: `rt-${randomUUID()}`,
      });
      const current = valueAt(model, arn, 'AWSCURRENT');
      expect(model.versionAt(arn, 'AWSCURRENT')?.versionId).toBe(token);
      expect(current?.username).toBe(username);
      expect(current?.password).not.toBe(password);
      expect(await t.logsIn(username, current?.password as string)).toBe(true);
      expect(await t.urlLogsIn(current?.url as string)).toBe(true);
      expect(await t.logsIn(username, password)).toBe(false);
      expect(await t.logsIn(username, `${current?.password}x`)).toBe(false);
      expect(model.versionAt(arn, 'AWSPREVIOUS')?.versionId).toBe(before);
      expect(valueAt(model, arn, 'AWSPREVIOUS')?.password).toBe(password);
      expect(model.versionAt(arn, 'AWSPENDING')).toBeUndefined();
      // A second rotation from the rotated state.
      await driveRotation(model, arn, makeHandler(model, t, values, { strategy: 'single-user' }));
      expect(await currentLogsIn(model, arn)).toBe(true);
      expect(await currentLogsIn(model, arn, 'AWSPREVIOUS')).toBe(false);
    });

    it('alternating users: clone created by the master, then back to the base user; AWSCURRENT and AWSPREVIOUS both log in; privileges follow the base user', async () => {
      const { model, arn, username, password } = await provision('alternating-users');
      await t.runAs(username, password, 'CREATE TABLE base_owned (id int)');
      const h = () => makeHandler(model, t, values, { strategy: 'alternating-users' });
      await driveRotation(model, arn, h(), { timesEachStep: 2 });
      const clone = valueAt(model, arn, 'AWSCURRENT');
      expect(clone?.username).toBe(`${username}_clone`);
      expect(await t.logsIn(clone?.username as string, clone?.password as string)).toBe(true);
      expect(await t.urlLogsIn(clone?.url as string)).toBe(true);
      expect(await t.logsIn(clone?.username as string, password)).toBe(false);
      expect(await t.logsIn(username, password)).toBe(true); // AWSPREVIOUS still works
      expect(valueAt(model, arn, 'AWSPREVIOUS')?.username).toBe(username);
      // The clone reads what the base user owns, and what the clone creates the base user can read.
      await t.runAs(clone?.username as string, clone?.password as string, 'SELECT * FROM base_owned');
      await t.runAs(clone?.username as string, clone?.password as string, 'CREATE TABLE clone_made (id int)');
      await t.runAs(username, password, 'SELECT * FROM clone_made');

      await driveRotation(model, arn, h(), { timesEachStep: 2 });
      const back = valueAt(model, arn, 'AWSCURRENT');
      expect(back?.username).toBe(username);
      expect(back?.password).not.toBe(password);
      expect(await t.logsIn(username, back?.password as string)).toBe(true);
      expect(await t.logsIn(username, password)).toBe(false);
      expect(await currentLogsIn(model, arn, 'AWSPREVIOUS')).toBe(true);
    });

    it('alternating users: bootstrap from the deploy-time placeholder through the master credential', async () => {
      const model = newModel();
      const base = setup.userName('boot');
      await t.createUser(base, values.generator());
      const masterName = setup.userName('master');
      const masterPassword = values.generator();
      await t.createMaster(masterName, masterPassword);
      const masterarn = model.createSecret(
        'gaara-store/test/db-master-boot',
        JSON.stringify({
          engine: t.engine,
          host: t.host,
          port: t.port,
          username: masterName,
          password: masterPassword,
          ...(t.ssl === false ? { ssl: false } : {}),
        }),
      );
      const arn = model.createSecret(SECRET_NAME, JSON.stringify({ schema: 1, placeholder: true, masterarn }));
      const { createDatabaseRotator } = await import('../../../lambdas/database/rotator');
      const { createRotationHandler } = await import('../../../lambdas/rotation/handler');
      const { VersionCache } = await import('../../../lambdas/rotation/secrets-api');
      const handler = createRotationHandler(
        createDatabaseRotator({
          target: {
            strategy: 'alternating-users',
            engine: t.engine,
            host: t.host,
            port: t.port,
            dbname: t.dbname,
            username: base,
            tls: t.ssl !== false,
            masterSecretArn: masterarn,
          },
          driver: driverFor(t.engine),
          newPassword: values.generator,
          connect: t.ca ? { ca: t.ca } : {},
        }),
        { secretsManager: model as never, versionCache: new VersionCache(), env: { METRICS_NAMESPACE: 'Test/Secrets', APP_ENVIRONMENT: 'test' } },
      );
      await driveRotation(model, arn, handler, { timesEachStep: 2 });
      const current = valueAt(model, arn, 'AWSCURRENT');
      expect(current?.username).toBe(base);
      expect(current?.masterarn).toBe(masterarn);
      expect(await t.logsIn(base, current?.password as string)).toBe(true);
      expect(await t.urlLogsIn(current?.url as string)).toBe(true);
    });

    it('a user name with quotes, semicolons and backticks cannot inject SQL (single-user and alternating)', async () => {
      const evil = `${setup.userName('q')}'";--\``;
      const { model, arn } = await provision('alternating-users', evil);
      await driveRotation(model, arn, makeHandler(model, t, values, { strategy: 'alternating-users' }));
      const clone = valueAt(model, arn, 'AWSCURRENT');
      expect(clone?.username).toBe(`${evil}_clone`);
      expect(await t.logsIn(clone?.username as string, clone?.password as string)).toBe(true);
      const single = await provision('single-user', `${setup.userName('s')}'; DROP TABLE x; --"`);
      await driveRotation(single.model, single.arn, makeHandler(single.model, t, values, { strategy: 'single-user' }));
      expect(await currentLogsIn(single.model, single.arn)).toBe(true);
      expect(await t.logsIn(single.username, single.password)).toBe(false);
    });

    it('RotateSecret with RotateImmediately=false (testSecret on an empty AWSPENDING): AWSCURRENT is proven to log in, nothing changes; a refused AWSCURRENT fails', async () => {
      const { model, arn, username, password } = await provision('single-user');
      const handler = makeHandler(model, t, values, { strategy: 'single-user' });
      const token = model.startRotation(arn);
      const before = modelSnapshot(model, arn);
      const hash = await t.storedHash(username);
      await handler(rotationEvent('testSecret', arn, token));
      expect(modelSnapshot(model, arn)).toBe(before);
      expect(await t.storedHash(username)).toBe(hash);
      expect(await t.logsIn(username, password)).toBe(true);

      const broken = await provision('single-user');
      const otherPassword = values.generator();
      await t.runAs(
        broken.username,
        broken.password,
        t.engine === 'postgres' ? `ALTER ROLE SESSION_USER PASSWORD '${otherPassword}'` : `SET PASSWORD = PASSWORD('${otherPassword}')`,
      );
      const e = await rejection(
        makeHandler(broken.model, t, values, { strategy: 'single-user' })(rotationEvent('testSecret', broken.arn, broken.model.startRotation(broken.arn))),
      );
      errors.push(e);
      expect(e.errorClass).toBe('AuthFailed');
      expect(e.message).toContain(`${SECRET_NAME}, step testSecret: AWSCURRENT`);
    });

    for (const strategy of ['single-user', 'alternating-users'] as const) {
      it(`${strategy}: a crash before and after every AWS call and every SQL statement, resumed with the same token by a fresh execution environment, completes and keeps the strategy invariant (checked by logging in)`, async () => {
        const { model, arn } = await provision(strategy);
        const crash: { current?: CrashPoints } = {};
        const crashing = makeHandler(model, t, values, { strategy, crash });
        const crashedAt: string[] = [];
        for (let point = 1; point < 200; point++) {
          const points = new CrashPoints(point);
          crash.current = points;
          points.attachToModel(model);
          const previousCurrent = model.versionAt(arn, 'AWSCURRENT')?.versionId;
          const token = randomUUID();
          let crashed = false;
          try {
            await driveRotation(model, arn, crashing, { token });
          } catch {
            crashed = true;
          }
          model.beforeCall = undefined;
          model.afterCall = undefined;
          crash.current = undefined;
          if (!crashed) break; // a clean run: every point has been crashed at
          crashedAt.push(points.passed[points.passed.length - 1] as string);
          // The invariant at the crash point.
          const currentOk = await currentLogsIn(model, arn);
          if (strategy === 'alternating-users') expect(currentOk).toBe(true);
          else expect(currentOk || (await currentLogsIn(model, arn, 'AWSPENDING'))).toBe(true);
          // The service's retry: the whole rotation again, same token, new execution environment.
          await retryRotation(model, arn, makeHandler(model, t, values, { strategy }), token);
          expect(model.versionAt(arn, 'AWSCURRENT')?.versionId).toBe(token);
          expect(model.versionAt(arn, 'AWSPREVIOUS')?.versionId).toBe(previousCurrent);
          expect(await currentLogsIn(model, arn)).toBe(true);
        }
        expect(crashedAt.length).toBeGreaterThan(10);
        expect(crashedAt.some((p) => p.includes('SQL'))).toBe(true);
        expect(crashedAt.some((p) => p.includes('PutSecretValue'))).toBe(true);
        expect(crashedAt.some((p) => p.includes('UpdateSecretVersionStage'))).toBe(true);
      });
    }

    describe('bad input: a clear error naming secret and step, and nothing changed (model versions, database password)', () => {
      async function expectNothingChanged(
        setupFn: (p: Awaited<ReturnType<typeof provision>>) => Promise<{ event: unknown; handler?: ReturnType<typeof makeHandler> }>,
        errorClass: string,
        mentions: (string | RegExp)[],
        strategy: Strategy = 'single-user',
      ) {
        const p = await provision(strategy);
        const { event, handler } = await setupFn(p);
        const modelBefore = modelSnapshot(p.model, p.arn);
        const hashBefore = await t.storedHash(p.username);
        const error = await rejection((handler ?? makeHandler(p.model, t, values, { strategy }))(event));
        errors.push(error);
        output.addError(error);
        expect(error.errorClass).toBe(errorClass);
        for (const m of mentions) expect(error.message).toMatch(m);
        expect(modelSnapshot(p.model, p.arn)).toBe(modelBefore);
        expect(await t.storedHash(p.username)).toBe(hashBefore);
        expect(await t.logsIn(p.username, p.password)).toBe(true);
      }
      const startedEvent = (p: Awaited<ReturnType<typeof provision>>, step = 'createSecret') => rotationEvent(step, p.arn, p.model.startRotation(p.arn));

      it.each([
        ['not an object', () => 'createSecret', 'rotation event'],
        ['no Step', (arn: string) => ({ SecretId: arn, ClientRequestToken: randomUUID() }), '"Step"'],
        ['unknown Step', (arn: string) => ({ Step: 'rotateEverything', SecretId: arn, ClientRequestToken: randomUUID() }), '"Step" must be one of'],
        ['no SecretId', () => ({ Step: 'createSecret', ClientRequestToken: randomUUID() }), '"SecretId"'],
        ['short token', (arn: string) => ({ Step: 'createSecret', SecretId: arn, ClientRequestToken: 'abc' }), '"ClientRequestToken"'],
        ['non-ASCII token', (arn: string) => ({ Step: 'setSecret', SecretId: arn, ClientRequestToken: `${randomUUID()}é` }), 'printable ASCII'],
        [
          'RotationToken not a string',
          (arn: string) => ({ Step: 'setSecret', SecretId: arn, ClientRequestToken: randomUUID(), RotationToken: 42 }),
          '"RotationToken"',
        ],
      ])('malformed event (%s): BadEvent', async (_label, make, mention) => {
        await expectNothingChanged(async (p) => ({ event: make(p.arn) }), 'BadEvent', [mention]);
      });

      it('a token that is not a version of the secret: InvalidState naming secret and step', async () => {
        await expectNothingChanged(async (p) => ({ event: rotationEvent('setSecret', p.arn, randomUUID()) }), 'InvalidState', [
          SECRET_NAME,
          'setSecret',
          'not a version',
        ]);
      });

      it('a token that is no longer AWSPENDING (a newer rotation replaced it): InvalidState', async () => {
        await expectNothingChanged(
          async (p) => {
            // A version with a value that no longer carries AWSPENDING (an abandoned rotation's token).
            const old = randomUUID();
            p.model.find(p.arn).versions.set(old, { versionId: old, secretString: '{}', stages: new Set(['ABANDONED']), createdDate: new Date() });
            return { event: rotationEvent('createSecret', p.arn, old) };
          },
          'InvalidState',
          [SECRET_NAME, 'createSecret', 'not AWSPENDING'],
        );
      });

      it('setSecret before createSecret wrote a value: InvalidState', async () => {
        await expectNothingChanged(async (p) => ({ event: startedEvent(p, 'setSecret') }), 'InvalidState', [
          SECRET_NAME,
          'setSecret',
          'createSecret has not completed',
        ]);
      });

      const withCurrent = async (p: Awaited<ReturnType<typeof provision>>, value: unknown) => {
        const s = p.model.find(p.arn);
        const current = [...s.versions.values()].find((v) => v.stages.has('AWSCURRENT'));
        if (current) current.stages.delete('AWSCURRENT');
        const id = randomUUID();
        s.versions.set(id, {
          versionId: id,
          secretString: typeof value === 'string' ? value : JSON.stringify(value),
          stages: new Set(['AWSCURRENT']),
          createdDate: new Date(),
        });
      };

      it('AWSCURRENT is the placeholder with single-user rotation: Placeholder', async () => {
        await expectNothingChanged(
          async (p) => {
            await withCurrent(p, { schema: 1, placeholder: true });
            return { event: startedEvent(p) };
          },
          'Placeholder',
          [SECRET_NAME, 'createSecret', 'placeholder'],
        );
      });

      it('AWSCURRENT lacks a field: BadSecretShape naming the field', async () => {
        await expectNothingChanged(
          async (p) => {
            const v = secretValue(t, p.username, p.password) as unknown as Record<string, unknown>;
            delete v.dbname;
            await withCurrent(p, v);
            return { event: startedEvent(p) };
          },
          'BadSecretShape',
          [SECRET_NAME, 'createSecret', '"dbname"'],
        );
      });

      it('AWSCURRENT has an unsupported engine: UnsupportedEngine', async () => {
        await expectNothingChanged(
          async (p) => {
            await withCurrent(p, { ...secretValue(t, p.username, p.password), engine: 'oracle-ee' });
            return { event: startedEvent(p) };
          },
          'UnsupportedEngine',
          [SECRET_NAME, 'createSecret', '"engine"'],
        );
      });

      it('the database is unreachable (a closed port): Unreachable, and nothing is written', async () => {
        const { freePort } = await import('../../support/postgres-server');
        const closed = await freePort();
        await expectNothingChanged(
          async (p) => {
            await withCurrent(p, secretValue(t, p.username, p.password, { port: closed }));
            const handler = makeHandler(p.model, { ...t, port: closed }, values, { strategy: 'single-user' });
            const token = p.model.startRotation(p.arn);
            await handler(rotationEvent('createSecret', p.arn, token));
            return { event: rotationEvent('setSecret', p.arn, token), handler };
          },
          'Unreachable',
          // Single-user logs in with AWSCURRENT first: the network failure stops the step there.
          [SECRET_NAME, 'setSecret', 'AWSCURRENT'],
        );
      });
    });

    it('no generated password or url appears in any captured log line, metric or error', () => {
      for (const m of models) values.collectFrom(m);
      for (const e of errors) output.addError(e);
      expect(errors.length).toBeGreaterThan(10); // runs after the bad-input tests, so their errors are searched too
      expect(values.all.size).toBeGreaterThan(10);
      expect(output.text.length).toBeGreaterThan(1000);
      expect(findLeaks(output.text, values.all, 'generated value')).toEqual([]);
    });
  });
}
