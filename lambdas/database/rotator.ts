/**
 * The database rotator: PostgreSQL / Aurora PostgreSQL and MySQL / MariaDB / Aurora MySQL, with the strategy the
 * stack configured (DB_STRATEGY). The engine differences live in the drivers, the lifecycle in lambdas/rotation,
 * the trust boundary (every value compared with the configured target before any connection) in target.ts.
 */
import { assertDatabaseUrlConsistent, DatabaseSecret, engineFamily } from '../../contracts/database';
import { quoteIdentifier } from '../../contracts/secret-identity';
import { parseAs, RotationError } from '../rotation/errors';
import { generatePassword, PasswordPolicy } from '../rotation/password';
import { previousOf, RawVersions, RotationContext, Rotator } from '../rotation/rotator';
import { applyStrategy } from '../rotation/strategy';
import { DbAccess } from './access';
import { DatabaseTarget } from './config';
import type { ConnectOptions, EngineDriver } from './driver';
import type { RdsCheck } from './rds-check';
import { isPlaceholder, parseVersion, placeholderMasterArn, withPassword } from './secret';
import { DATABASE_STRATEGIES } from './strategies';
import { readMasterCredential } from './strategies/alternating-users';
import type { StrategyInput } from './strategies/types';
import { checkValue, connectionTo, otherUser } from './target';

export interface DatabaseRotatorDeps {
  /** The configured database: the only one the rotator will connect to. */
  target: DatabaseTarget;
  passwordPolicy?: PasswordPolicy;
  newPassword?: () => string;
  connect?: ConnectOptions;
  /**
   * The driver of the configured engine's family. The bundle entry supplies it, so a bundle carries one driver
   * (entry-postgres.ts, entry-mysql.ts); tests wrap it to inject crashes or count statements.
   */
  driver: EngineDriver;
  /**
   * The RDS API check of a value naming a DB instance or cluster (rds-check.ts). Only the `-rds` entries carry it:
   * the stack picks them when the configuration names an instance or cluster identifier.
   */
  confirmRds?: RdsCheck;
}

export function createDatabaseRotator(deps: DatabaseRotatorDeps): Rotator<DatabaseSecret> {
  const { target } = deps;
  const strategy = target.strategy;
  const chosen = DATABASE_STRATEGIES[strategy];
  const newPassword = deps.newPassword ?? (() => generatePassword(deps.passwordPolicy));
  const { driver } = deps;
  if (driver.family !== engineFamily(target.engine)) {
    throw new RotationError(
      'UnsupportedEngine',
      `configuration: this function carries the ${driver.family} driver, but DB_ENGINE is ${target.engine} (the stack bundles the entry of the configured engine)`,
    );
  }
  const access = () => new DbAccess(driver, deps.connect ?? {});
  if (strategy === 'dual-password' && engineFamily(target.engine) !== 'mysql') {
    throw new RotationError('UnsupportedEngine', `configuration: dual-password rotation needs MySQL 8.0.14+ (DB_ENGINE is ${target.engine})`);
  }
  if (strategy === 'alternating-users' && !target.masterSecretArn) {
    throw new RotationError('BadSecretShape', 'configuration: alternating users need the master secret ARN (DB_MASTER_SECRET_ARN)');
  }

  /** A stored version parsed and checked against the configuration. */
  const checked = (raw: string, which: string): DatabaseSecret => {
    const value = parseVersion(raw, which);
    checkValue(value, target, which);
    return value;
  };

  /** AWSCURRENT parsed and checked; undefined when it is the placeholder. */
  const readCurrent = (versions: RawVersions): DatabaseSecret | undefined =>
    isPlaceholder(versions.current) ? undefined : checked(versions.current, 'AWSCURRENT');

  /** The first value, built from the configuration (alternating users only: the master sets it at setSecret). */
  const bootstrap = (versions: RawVersions): DatabaseSecret => {
    const masterarn = target.masterSecretArn as string;
    const carried = placeholderMasterArn(versions.current);
    if (carried !== undefined && carried !== masterarn) {
      throw new RotationError(
        'TargetMismatch',
        `AWSCURRENT (the placeholder) field "masterarn" names another master secret than the configured one (DB_MASTER_SECRET_ARN); nothing was changed`,
      );
    }
    const t = target;
    return withPassword(
      { schema: 1, engine: t.engine, host: t.host, port: t.port, username: t.username, dbname: t.dbname, masterarn, ...(t.tls ? {} : { ssl: false }) },
      newPassword(),
    );
  };

  /** What a strategy works with: the checked current and pending values, the target, AWSPREVIOUS on demand. */
  const inputFor = (pending: DatabaseSecret, versions: RawVersions, ctx: RotationContext): StrategyInput => {
    const current = readCurrent(versions);
    checkValue(pending, target, 'AWSPENDING');
    return {
      pending,
      current,
      target,
      ctx,
      db: access(),
      previous: async () => {
        const raw = await previousOf(versions);
        if (raw === undefined || isPlaceholder(raw)) return undefined;
        try {
          return checked(raw, 'AWSPREVIOUS');
        } catch (e) {
          ctx.logger.warn('AWSPREVIOUS is not a usable database-url value for the configured database: ignored', {
            errorClass: (e as RotationError).errorClass,
          });
          return undefined;
        }
      },
      confirmTarget: async () => {
        const named = pending.dbInstanceIdentifier ?? pending.dbClusterIdentifier;
        if (named === undefined) return;
        if (!deps.confirmRds) {
          const field = pending.dbInstanceIdentifier ? 'dbInstanceIdentifier' : 'dbClusterIdentifier';
          throw new RotationError(
            'TargetMismatch',
            `AWSPENDING field "${field}" names ${quoteIdentifier(named)}, but the function is configured without an RDS instance or cluster to confirm (database.${field} in the stack configuration); nothing was changed`,
          );
        }
        await deps.confirmRds(pending, 'RDS check');
      },
    };
  };

  const placeholderError = () =>
    new RotationError(
      'Placeholder',
      `AWSCURRENT is still the deploy-time placeholder; seed it with the runbook's first-deploy step (${strategy} rotation cannot bootstrap a credential)`,
    );

  return {
    kind: 'database',

    parse(secretString) {
      const value = parseVersion(secretString, 'stored');
      parseAs('stored value', () => assertDatabaseUrlConsistent(value));
      return value;
    },

    serialize: (value) => JSON.stringify(value),

    async createPending(versions, ctx) {
      const current = readCurrent(versions);
      if (!current) {
        if (strategy !== 'alternating-users') throw placeholderError();
        ctx.logger.info('AWSCURRENT is the placeholder: the first value is built from the configuration', { strategy });
        return bootstrap(versions);
      }
      return strategy === 'alternating-users' ? withPassword(current, newPassword(), otherUser(current.username)) : withPassword(current, newPassword());
    },

    async applyPending(pending, versions, ctx) {
      const input = inputFor(pending, versions, ctx);
      ctx.logger.info('applying the pending credential', { strategy, engine: target.engine, username: pending.username });
      await applyStrategy(chosen, input);
    },

    async testConfiguration(versions, ctx) {
      const current = readCurrent(versions);
      if (current) {
        await access().with(connectionTo(target, current), 'AWSCURRENT', (s) => s.ping());
        ctx.logger.info('configuration test: AWSCURRENT logs in', { username: current.username });
        return;
      }
      if (strategy !== 'alternating-users') throw placeholderError();
      const first = bootstrap(versions);
      const master = await readMasterCredential(ctx, target);
      await access().with(connectionTo(target, master), 'master credential (masterarn)', (s) => s.ping());
      ctx.logger.info('configuration test: the master credential logs in (AWSCURRENT is the placeholder)', { username: first.username });
    },

    async testPending(pending, versions, ctx) {
      await chosen.test(inputFor(pending, versions, ctx));
    },
  };
}
