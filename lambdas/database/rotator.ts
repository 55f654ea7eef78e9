/**
 * The database rotator: PostgreSQL / Aurora PostgreSQL and MySQL / MariaDB / Aurora MySQL, with the strategy
 * chosen by DB_STRATEGY (default: alternating users when the secret has `masterarn`, else single-user). The
 * engine differences live in the drivers; the lifecycle in lambdas/rotation.
 */
import { RDSClient } from '@aws-sdk/client-rds';
import { DatabaseSecret, engineFamily, EngineFamily } from '../../contracts/database';
import { assertDatabaseUrlConsistent } from '../../contracts/database';
import { SecretShapeError } from '../../contracts/errors';
import { RotationError } from '../rotation/errors';
import { generatePassword, PasswordPolicy } from '../rotation/password';
import { previousOf, RawVersions, RotationContext, Rotator } from '../rotation/rotator';
import { DbAccess } from './access';
import type { DatabaseTarget, Strategy } from './config';
import type { ConnectOptions, EngineDriver } from './driver';
import { mysqlDriver } from './mysql-driver';
import { postgresDriver } from './postgres-driver';
import { confirmRdsTarget, RdsSender } from './rds-check';
import { checkTarget, isPlaceholder, parseVersion, placeholderMasterArn, withPassword } from './secret';
import { applyAlternating, otherUser } from './strategies/alternating-users';
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
const defaultRds = (): RdsSender => (sharedRds ??= new RDSClient({ maxAttempts: 3, requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 } }));

export function createDatabaseRotator(deps: DatabaseRotatorDeps = {}): Rotator<DatabaseSecret> {
  const target = deps.target ?? {};
  const newPassword = deps.newPassword ?? (() => generatePassword(deps.passwordPolicy));
  const drivers: Record<EngineFamily, EngineDriver> = { postgres: postgresDriver, mysql: mysqlDriver, ...deps.drivers };
  const access = (secret: DatabaseSecret, ctx: RotationContext) => new DbAccess(drivers[engineFamily(secret.engine)], deps.connect ?? {}, ctx.secretName);

  const strategyFor = (value: DatabaseSecret | undefined, ctx: RotationContext): Strategy => {
    const strategy = target.strategy ?? (value?.masterarn || (!value && target.masterSecretArn) ? 'alternating-users' : 'single-user');
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
      throw new RotationError('BadSecretShape', `secret ${ctx.secretName}: AWSCURRENT is the placeholder and the configuration lacks ${missing.map((f) => `DB_${f === 'dbname' ? 'NAME' : f.toUpperCase()}`).join(', ')} to build the first value`);
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
      const strategy = strategyFor(current, ctx);
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
        confirmTarget: () => confirmRdsTarget((deps.rds ?? defaultRds)(), pending, `secret ${ctx.secretName}`),
      };
      if (pending.dbInstanceIdentifier === undefined && pending.dbClusterIdentifier === undefined) input.confirmTarget = async () => undefined;
      ctx.logger.info('applying the pending credential', { strategy, engine: pending.engine, username: pending.username });
      if (strategy === 'alternating-users') await applyAlternating(input);
      else await applySelfService(input, strategy === 'dual-password');
    },

    async testPending(pending, versions, ctx) {
      const current = readCurrent(versions, ctx);
      const strategy = strategyFor(current ?? pending, ctx);
      await testSelfService({ pending, current, ctx, db: access(pending, ctx) }, strategy === 'dual-password');
    },
  };
}
