/**
 * The rotation lifecycle, written once for every rotator: event validation, the DescribeSecret stage checks,
 * idempotent steps, Secrets Manager calls, classified errors, logs and metrics. A rotator supplies only what
 * differs (rotator.ts).
 *
 * API calls per rotation: one DescribeSecret per step (its answer serves the whole step), GetSecretValue only for
 * the versions a step needs (by VersionId, cached: versions are immutable), AWSPREVIOUS only when a rotator asks
 * for it (`versions.loadPrevious`), one PutSecretValue and one UpdateSecretVersionStage. Warm (the four steps in
 * one execution environment): 7 calls; cold (each step in a new one): 12.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CATALOG, DEFAULT_APP_NAME, SecretName } from '../../contracts/catalog';
import { METRICS_ENV } from '../../contracts/metrics';
import { catalogNameOf, identifierPrefix, outOfScope, parseSecretArn, quoteIdentifier, SecretScope, secretNameOf } from '../../contracts/secret-identity';
import { createSecretsManagerClient } from './aws-clients';
import { classifyNetworkError, describeNetworkClass, errorSummary } from './classify';
import { RotationError } from './errors';
import { parseRotationEvent, RotationEvent, tokenPrefix } from './event';
import { createRotationLogger, Env, powertoolsRotationMetrics, RotationMetrics } from './observability';
import type { RawVersions, RotationContext, Rotator } from './rotator';
import { SecretDescription, SecretsApi, SecretsManagerSender, VersionCache, versionWith } from './secrets-api';

export interface RotationHandlerDeps {
  /** Default: one SecretsManagerClient per process, created on first use (module scope). */
  secretsManager?: SecretsManagerSender;
  logger?: Logger;
  metrics?: RotationMetrics;
  env?: Env;
  now?: () => Date;
  /** Cache of immutable version values; `false` turns it off (every step reads what it needs). */
  versionCache?: VersionCache | false;
  /**
   * The application and environment whose secrets this function may touch. Default: APP_NAME (default
   * `gaara-store`) and APP_ENVIRONMENT from `env`, as the stack sets them; without APP_ENVIRONMENT the function
   * refuses every secret.
   */
  scope?: Pick<SecretScope, 'app' | 'environment'>;
  /**
   * How long before the Lambda deadline a step still running is reported as failed (RotationFailed, class
   * Timeout): a function killed by its timeout publishes nothing itself. Default 1500 ms.
   */
  deadlineMarginMs?: number;
}

/** What the Lambda runtime passes beside the event: the function's own ARN names its account and region. */
export interface InvocationContext {
  invokedFunctionArn?: string;
  getRemainingTimeInMillis?: () => number;
}

export type RotationHandler = (event: unknown, context?: InvocationContext) => Promise<void>;

let sharedClient: SecretsManagerClient | undefined;
const sharedCache = new VersionCache();

function defaultClient(): SecretsManagerClient {
  sharedClient ??= createSecretsManagerClient();
  return sharedClient;
}

const where = (secret: string, step: string) => `secret ${secret}, step ${step}`;

/** The catalog secrets a rotator serves: its own list, else the catalog entries rotated by its kind. */
export function servedSecrets(rotator: Pick<Rotator<unknown>, 'kind' | 'serves'>): readonly SecretName[] {
  return rotator.serves ?? CATALOG.filter((e) => e.rotator === rotator.kind).map((e) => e.name);
}

function scopeOf(deps: RotationHandlerDeps, env: Env, serves: readonly SecretName[]): SecretScope | undefined {
  if (deps.scope) return { ...deps.scope, serves };
  const app = env[METRICS_ENV.app] || DEFAULT_APP_NAME;
  const environment = env[METRICS_ENV.environment];
  return environment ? { app, environment, serves } : undefined;
}

/**
 * Defence in depth beside the IAM policy: a function touches only the secrets of its own application and
 * environment that it serves, in its own account and region. Checked on the event's SecretId before any call,
 * and again on the name and ARN DescribeSecret returns.
 */
function assertInScope(secretId: string, scope: SecretScope | undefined, context: InvocationContext | undefined, step: string): void {
  const at = `secret ${quoteIdentifier(secretNameOf(secretId))}, step ${step}`;
  if (!scope) throw new RotationError('OutOfScope', `${at}: refused: the function has no APP_ENVIRONMENT configuration, so no secret is in its scope`);
  const problem = outOfScope(secretId, scope);
  if (problem) throw new RotationError('OutOfScope', `${at}: refused: the secret ${problem}`);
  const secretArn = parseSecretArn(secretId);
  const functionArn = context?.invokedFunctionArn?.split(':');
  if (secretArn && functionArn && functionArn.length >= 5 && (secretArn.account !== functionArn[4] || secretArn.region !== functionArn[3])) {
    throw new RotationError('OutOfScope', `${at}: refused: the secret is in another account or region than this function`);
  }
}

/** Every failure leaves as a RotationError whose message names the secret and step and never a value. */
function toStepError(e: unknown, secretName: string, step: string): RotationError {
  const at = where(secretName, step);
  if (e instanceof RotationError) {
    // Rotators say what failed; the secret and step are added here, once.
    if (e.message.startsWith(at) || e.errorClass === 'OutOfScope') return e;
    return new RotationError(e.errorClass, `${at}: ${e.message}`, { cause: e });
  }
  const network = classifyNetworkError(e);
  if (network) return new RotationError(network, `${at}: ${describeNetworkClass(network)} (${errorSummary(e)})`, { cause: e });
  return new RotationError('Internal', `${at}: unexpected error (${errorSummary(e)})`, { cause: e });
}

export function createRotationHandler<T>(rotator: Rotator<T>, deps: RotationHandlerDeps = {}): RotationHandler {
  const env = deps.env ?? process.env;
  const baseLogger = deps.logger ?? createRotationLogger(env);
  const metrics = deps.metrics ?? powertoolsRotationMetrics(env);
  const now = deps.now ?? (() => new Date());
  const cache = deps.versionCache === false ? undefined : (deps.versionCache ?? sharedCache);
  const scope = scopeOf(deps, env, servedSecrets(rotator));

  const deadlineMarginMs = deps.deadlineMarginMs ?? 1_500;

  return async function rotationHandler(rawEvent: unknown, context?: InvocationContext): Promise<void> {
    const started = Date.now();
    let deadline: NodeJS.Timeout | undefined;
    let reportedTimeout = false;
    let event: RotationEvent;
    try {
      event = parseRotationEvent(rawEvent);
    } catch (e) {
      const error = e instanceof RotationError ? e : toStepError(e, 'unknown', 'unknown');
      baseLogger.error('rotation event rejected', { errorClass: error.errorClass, error: error.message, rotator: rotator.kind });
      throw error;
    }
    const api = new SecretsApi(deps.secretsManager ?? defaultClient(), cache);
    let secretName = secretNameOf(event.secretId);
    let logger = baseLogger.createChild({
      persistentKeys: { secret: identifierPrefix(secretName), step: event.step, token: tokenPrefix(event.token), rotator: rotator.kind },
    });
    const remaining = context?.getRemainingTimeInMillis?.();
    if (remaining !== undefined) {
      deadline = setTimeout(
        () => {
          reportedTimeout = true;
          logger.error('rotation step still running at the function deadline: reported as failed', { errorClass: 'Timeout', remainingMs: deadlineMarginMs });
          metrics.stepFailed(catalogNameOf(secretName), event.step, Date.now() - started);
        },
        Math.max(0, remaining - deadlineMarginMs),
      );
      deadline.unref();
    }
    try {
      assertInScope(event.secretId, scope, context, event.step);
      const description = await api.describe(event.secretId, where(secretName, event.step));
      assertInScope(description.arn, scope, context, event.step);
      assertInScope(description.name, scope, context, event.step);
      secretName = description.name;
      logger = baseLogger.createChild({ persistentKeys: { secret: secretName, step: event.step, token: tokenPrefix(event.token), rotator: rotator.kind } });
      const ctx: RotationContext = {
        secretArn: description.arn,
        secretName,
        token: event.token,
        step: event.step,
        logger,
        secrets: api.reader(() => where(secretName, event.step)),
        now,
      };
      await runStep(rotator, api, description, event, ctx);
      metrics.stepSucceeded(catalogNameOf(secretName), event.step, Date.now() - started);
    } catch (e) {
      const error = toStepError(e, secretName, event.step);
      logger.error('rotation step failed', { errorClass: error.errorClass, error: error.message });
      // Out of scope: no metric, so a hostile SecretId cannot invent a Secret dimension.
      if (error.errorClass !== 'OutOfScope' && !reportedTimeout) metrics.stepFailed(catalogNameOf(secretName), event.step, Date.now() - started);
      throw error;
    } finally {
      clearTimeout(deadline);
    }
  };
}

/** DescribeSecret checks: 'done' when the token is already AWSCURRENT (return at once), else it must be AWSPENDING. */
function checkStages(description: SecretDescription, token: string, at: string): 'done' | 'pending' {
  if (!description.rotationEnabled) throw new RotationError('InvalidState', `${at}: rotation is not enabled for this secret`);
  const stages = description.versionStages[token];
  if (stages === undefined) throw new RotationError('InvalidState', `${at}: token ${tokenPrefix(token)}… is not a version of this secret`);
  if (stages.includes('AWSCURRENT')) return 'done';
  if (!stages.includes('AWSPENDING'))
    throw new RotationError('InvalidState', `${at}: version ${tokenPrefix(token)}… is not AWSPENDING (a newer rotation replaced it?)`);
  return 'pending';
}

async function runStep<T>(rotator: Rotator<T>, api: SecretsApi, description: SecretDescription, event: RotationEvent, ctx: RotationContext): Promise<void> {
  const at = where(ctx.secretName, ctx.step);
  if (checkStages(description, event.token, at) === 'done') {
    ctx.logger.info('version is already AWSCURRENT: nothing to do');
    return;
  }
  const { arn } = description;
  const currentId = versionWith(description, 'AWSCURRENT');
  const previousId = versionWith(description, 'AWSPREVIOUS');
  const readCurrent = async (): Promise<string> => {
    const value = currentId === undefined ? undefined : await api.getVersion(arn, currentId, 'AWSCURRENT', at);
    if (value === undefined) throw new RotationError('InvalidState', `${at}: the secret has no AWSCURRENT value`);
    return value;
  };
  let previous: Promise<string | undefined> | undefined;
  const versions = async (): Promise<RawVersions> => ({
    current: await readCurrent(),
    loadPrevious: () =>
      (previous ??= previousId === undefined || previousId === currentId ? Promise.resolve(undefined) : api.getVersion(arn, previousId, 'AWSPREVIOUS', at)),
  });
  const readPending = () => api.getVersion(arn, event.token, 'AWSPENDING', at);

  switch (event.step) {
    case 'createSecret': {
      // No read of AWSPENDING first: PutSecretValue keeps the value a repeated createSecret wrote (the same token
      // with another value is refused with ResourceExistsException), and building a value changes nothing.
      const pending = await rotator.createPending(await versions(), ctx);
      const outcome = await api.putPending(arn, event.token, rotator.serialize(pending), event.rotationToken, at);
      ctx.logger.info(outcome === 'created' ? 'pending version created' : 'pending version already created (ResourceExistsException): kept');
      return;
    }
    case 'setSecret':
    case 'testSecret': {
      const raw = await readPending();
      if (raw === undefined && event.step === 'testSecret' && rotator.testConfiguration) {
        ctx.logger.info('AWSPENDING has no value: testing the rotation configuration (RotateSecret with RotateImmediately=false)');
        await rotator.testConfiguration(await versions(), ctx);
        return;
      }
      if (raw === undefined)
        throw new RotationError('InvalidState', `${at}: the AWSPENDING version has no value (createSecret has not completed for this token)`);
      const pending = rotator.parse(raw, ctx);
      const all = await versions();
      if (event.step === 'setSecret') {
        await rotator.applyPending(pending, all, ctx);
        ctx.logger.info('pending value applied');
      } else {
        await rotator.testPending(pending, all, ctx);
        ctx.logger.info('pending value tested');
      }
      return;
    }
    case 'finishSecret': {
      // Never make AWSCURRENT a version that is empty (finishSecret before createSecret) or not a valid value.
      const raw = await readPending();
      if (raw === undefined)
        throw new RotationError(
          'InvalidState',
          `${at}: the AWSPENDING version has no value (createSecret has not completed for this token); AWSCURRENT was not moved`,
        );
      rotator.parse(raw, ctx);
      await api.moveCurrent(arn, event.token, currentId, at);
      ctx.logger.info('AWSCURRENT moved to the pending version', { fromVersion: currentId?.slice(0, 8) });
      api.forget(arn);
      return;
    }
    default: {
      const never: never = event.step;
      throw new RotationError('BadEvent', `${at}: unknown step ${String(never)}`);
    }
  }
}

/** For tests: drop the process-wide version cache. */
export function clearVersionCache(): void {
  sharedCache.clear();
}
