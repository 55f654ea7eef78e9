/**
 * The database rotator: PostgreSQL / Aurora PostgreSQL and MySQL / MariaDB / Aurora MySQL, with the strategy
 * chosen by DB_STRATEGY (default: alternating users when the secret has `masterarn`, else single-user). The
 * engine differences live in the drivers; the lifecycle in lambdas/rotation.
 */
import { RDSClient } from '@aws-sdk/client-rds';
import { assertDatabaseUrlConsistent, DatabaseSecret, engineFamily, EngineFamily } from '../../contracts/database';
import { SecretShapeError } from '../../contracts/errors';
import { RotationError } from '../rotation/errors';
import { generatePassword, PasswordPolicy } from '../rotation/password';
import { previousOf, RawVersions, RotationContext, Rotator } from '../rotation/rotator';
import { DbAccess } from './access';
import { DatabaseTarget, envVarOf, Strategy } from './config';
import type { ConnectOptions, EngineDriver } from './driver';
import { mysqlDriver } from './mysql-driver';
import { postgresDriver } from './postgres-driver';
import { confirmRdsTarget, RdsSender } from './rds-check';
import { checkTarget, endpointOf, isPlaceholder, parseVersion, placeholderMasterArn, withPassword } from './secret';
import { applyAlternating, otherUser, readMasterCredential } from './strategies/alternating-users';
import { applySelfService, testSelfService } from './strategies/self-service';

export interface DatabaseRotatorDeps {
  target?: DatabaseTarget;
  passwordPolicy?: PasswordPolicy;
  newPassword?: () => string;
  connect?: ConnectOptions;
  /** Per-family drivers; tests wrap them to inject crashes or count statements. */
  drivers?: Partial<Record<EngineFamily, EngineDriver>>;
  /** RDS client factory (default: one client per process, created on first use). */
  rds?: () => RdsSender;
}

let sharedRds: RDSClient | undefined;
const defaultRds = (): RdsSender => (sharedRds ??= new RDSClient({ maxAttempts: 3, requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true } }));

export function createDatabaseRotator(deps: DatabaseRotatorDeps = {}): Rotator<DatabaseSecret> {
  const target = deps.target ?? {};
  const newPassword = deps.newPassword ?? (() => generatePassword(deps.passwordPolicy));
  const drivers: Record<EngineFamily, EngineDriver> = { postgres: postgresDriver, mysql: mysqlDriver, ...deps.drivers };
  const access = (secret: DatabaseSecret, ctx: RotationContext) => new DbAccess(drivers[engineFamily(secret.engine)], deps.connect ?? {}, ctx.secretName);

  /** DB_STRATEGY, else alternating users when a master secret is known (from the value, or for a placeholder from it or DB_MASTER_SECRET_ARN). */
  const strategyFor = (value: DatabaseSecret | undefined, ctx: RotationContext, placeholder?: string): Strategy => {
    const master = value ? value.masterarn : ((placeholder && placeholderMasterArn(placeholder)) ?? target.masterSecretArn);
    const strategy = target.strategy ?? (master ? 'alternating-users' : 'single-user');
    if (strategy === 'dual-password' && value && engineFamily(value.engine) !== 'mysql') {
      throw new RotationError('UnsupportedEngine', `secret ${ctx.secretName}: dual-password rotation needs MySQL 8.0.14+ (engine is ${value.engine})`);
    }
    return strategy;
  };

  /** AWSCURRENT parsed and checked against the configuration; undefined when it is the placeholder. */
  const readCurrent = (versions: RawVersions, ctx: RotationContext): DatabaseSecret | undefined => {
    if (isPlaceholder(versions.current)) return undefined;
    const current = parseVersion(versions.current, ctx.secretName, 'AWSCURRENT');
    checkTarget(current, target, ctx.secretName, 'AWSCURRENT');
    return current;
  };

  /** The first value, built from the configuration (alternating users only: the master sets it at setSecret). */
  const bootstrap = (versions: RawVersions, ctx: RotationContext): DatabaseSecret => {
    const missing = (['engine', 'host', 'port', 'dbname', 'username'] as const).filter((f) => target[f] === undefined);
    if (missing.length > 0) {
      throw new RotationError('BadSecretShape', `secret ${ctx.secretName}: AWSCURRENT is the placeholder and the configuration lacks ${missing.map(envVarOf).join(', ')} to build the first value`);
    }
    const masterarn = placeholderMasterArn(versions.current) ?? target.masterSecretArn;
    if (!masterarn) throw new RotationError('BadSecretShape', `secret ${ctx.secretName}: AWSCURRENT is the placeholder and no master secret ARN is known (placeholder "masterarn" or DB_MASTER_SECRET_ARN)`);
    const t = target as Required<Pick<DatabaseTarget, 'engine' | 'host' | 'port' | 'dbname' | 'username'>> & DatabaseTarget;
    return withPassword({ schema: 1, engine: t.engine, host: t.host, port: t.port, username: t.username, dbname: t.dbname, masterarn, ...(t.tls === false ? { ssl: false } : {}) }, newPassword());
  };

  return {
    kind: 'database',

    parse(secretString, ctx) {
      const value = parseVersion(secretString, ctx.secretName, 'stored');
      try {
        assertDatabaseUrlConsistent(value);
      } catch (e) {
        if (e instanceof SecretShapeError) throw new RotationError('BadSecretShape', `secret ${ctx.secretName}: stored value: ${e.message}`);
        throw e;
      }
      return value;
    },

    serialize: (value) => JSON.stringify(value),

    async createPending(versions, ctx) {
      const current = readCurrent(versions, ctx);
      const strategy = strategyFor(current, ctx, versions.current);
      if (!current) {
        if (strategy !== 'alternating-users') {
          throw new RotationError('Placeholder', `secret ${ctx.secretName}: AWSCURRENT is still the deploy-time placeholder; seed it with the runbook's first-deploy step (${strategy} rotation cannot bootstrap a credential)`);
        }
        ctx.logger.info('AWSCURRENT is the placeholder: the first value is built from the configuration', { strategy });
        return bootstrap(versions, ctx);
      }
      if (strategy === 'alternating-users') {
        if (!current.masterarn) throw new RotationError('BadSecretShape', `secret ${ctx.secretName}: AWSCURRENT field "masterarn" is missing: alternating users need the master secret ARN`);
        return withPassword(current, newPassword(), otherUser(current.username));
      }
      return withPassword(current, newPassword());
    },

    async applyPending(pending, versions, ctx) {
      const current = readCurrent(versions, ctx);
      checkTarget(pending, target, ctx.secretName, 'AWSPENDING');
      const strategy = strategyFor(current ?? pending, ctx);
      const input = {
        pending,
        current,
        ctx,
        db: access(pending, ctx),
        previous: async () => {
          const raw = await previousOf(versions);
          if (raw === undefined || isPlaceholder(raw)) return undefined;
          try {
            return parseVersion(raw, ctx.secretName, 'AWSPREVIOUS');
          } catch {
            ctx.logger.warn('AWSPREVIOUS is not a usable database-url value: ignored');
            return undefined;
          }
        },
        confirmTarget: async () => {
          if (pending.dbInstanceIdentifier || pending.dbClusterIdentifier) await confirmRdsTarget((deps.rds ?? defaultRds)(), pending, `secret ${ctx.secretName}`);
        },
      };
      ctx.logger.info('applying the pending credential', { strategy, engine: pending.engine, username: pending.username });
      if (strategy === 'alternating-users') await applyAlternating(input);
      else await applySelfService(input, strategy === 'dual-password');
    },

    async testConfiguration(versions, ctx) {
      const current = readCurrent(versions, ctx);
      if (current) {
        await access(current, ctx).with(endpointOf(current), 'AWSCURRENT', (s) => s.ping());
        ctx.logger.info('configuration test: AWSCURRENT logs in', { username: current.username });
        return;
      }
      const first = strategyFor(undefined, ctx, versions.current) === 'alternating-users' ? bootstrap(versions, ctx) : undefined;
      if (!first?.masterarn) {
        throw new RotationError('Placeholder', `secret ${ctx.secretName}: AWSCURRENT is still the deploy-time placeholder; seed it with the runbook's first-deploy step`);
      }
      const master = await readMasterCredential(ctx, first.masterarn);
      await access(first, ctx).with({ ...endpointOf(first), username: master.username, password: master.password, ssl: master.ssl ?? first.ssl }, 'master credential (masterarn)', (s) => s.ping());
      ctx.logger.info('configuration test: the master credential logs in (AWSCURRENT is the placeholder)');
    },

    async testPending(pending, versions, ctx) {
      const current = readCurrent(versions, ctx);
      const strategy = strategyFor(current ?? pending, ctx);
      await testSelfService({ pending, current, ctx, db: access(pending, ctx) }, strategy === 'dual-password');
    },
  };
}
