import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { publishMetrics } from '../rotation/observability';
import { DescribeSecretCommand, ListSecretVersionIdsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { METRIC, metricDimensions } from '../../contracts/metrics';
import type { WatchedSecret } from './config';
import { ageFigures, type AgeFigures, isOverdue, rotatedBy, type RotatedBy, type SecretRotationMetadata } from '../../contracts/secret-age-rules';

export interface SecretAgeDeps {
  secretsManager: Pick<SecretsManagerClient, 'send'>;
  secrets: readonly WatchedSecret[];
  environment: string;
  namespace: string;
  logger: Logger;
  now?: () => Date;
}

export interface SecretAgeResult {
  checked: number;
  failed: string[];
}

export class SecretAgeCheckFailed extends Error {
  constructor(
    readonly failed: string[],
    total: number,
  ) {
    super(`secret-age: ${failed.length} of ${total} secrets could not be checked (${failed.join(', ')}); the others were published`);
    this.name = 'SecretAgeCheckFailed';
  }
}

/** A Secrets Manager call that failed, with the call's name (the log says which of the two calls it was). */
class CallFailed extends Error {
  constructor(
    readonly call: string,
    original: Error,
  ) {
    super(original.message);
    this.name = original.name;
  }
}

async function named<T>(call: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw new CallFailed(call, e as Error);
  }
}

interface Checked {
  figures: AgeFigures;
  by: RotatedBy;
  metadata: SecretRotationMetadata;
}

const iso = (d: Date | undefined) => d?.toISOString();

/**
 * Per secret, ListSecretVersionIds and DescribeSecret (metadata only; never GetSecretValue: the role has no such
 * permission), then DaysSinceRotation, DaysSinceLastRotation, NeverRotated, PendingRotationHours and
 * PlaceholderSecret with exactly {Environment, Secret} (contracts/secret-age-rules.ts defines each).
 * Every call is issued at once, so the run lasts one call's worst case (client.ts), not the sum of fourteen.
 * A failing secret is logged by name and does not stop the others; the invocation then fails so the function's
 * Errors metric shows it.
 */
export function createSecretAgeHandler(deps: SecretAgeDeps): () => Promise<SecretAgeResult> {
  const now = deps.now ?? (() => new Date());

  async function check(secret: WatchedSecret, at: Date): Promise<Checked> {
    const [listed, metadata] = await Promise.all([
      named('ListSecretVersionIds', deps.secretsManager.send(new ListSecretVersionIdsCommand({ SecretId: secret.id, IncludeDeprecated: false }))),
      named('DescribeSecret', deps.secretsManager.send(new DescribeSecretCommand({ SecretId: secret.id }))),
    ]);
    const by = rotatedBy(secret.name, metadata);
    return { figures: ageFigures(listed.Versions ?? [], metadata, by, at), by, metadata };
  }

  return async () => {
    const at = now();
    const results = await Promise.allSettled(deps.secrets.map((s) => check(s, at)));
    const failed: string[] = [];
    deps.secrets.forEach((secret, i) => {
      const result = results[i];
      if (result.status === 'rejected') {
        const e = result.reason as Error;
        failed.push(secret.name);
        deps.logger.error('secret age check failed', {
          secret: secret.name,
          ...(e instanceof CallFailed ? { call: e.call } : {}),
          errorName: e.name,
          errorMessage: e.message,
        });
        return;
      }
      const { figures, by, metadata } = result.value;
      publishMetrics(deps.namespace, metricDimensions(deps.environment, secret.name), [
        [METRIC.DaysSinceRotation, MetricUnit.Count, figures.daysSinceRotation],
        [METRIC.DaysSinceLastRotation, MetricUnit.Count, figures.daysSinceLastRotation],
        [METRIC.NeverRotated, MetricUnit.Count, figures.neverRotated],
        [METRIC.PendingRotationHours, MetricUnit.Count, figures.pendingRotationHours],
        [METRIC.PlaceholderSecret, MetricUnit.Count, figures.placeholder],
      ]);
      const overdue = isOverdue(figures, secret.maxAgeDays);
      (overdue ? deps.logger.warn : deps.logger.info).call(deps.logger, overdue ? 'secret overdue for rotation' : 'secret age checked', {
        secret: secret.name,
        ...figures,
        maxAgeDays: secret.maxAgeDays,
        rotatedBy: by,
        rotationEnabled: metadata.RotationEnabled === true,
        lastRotatedDate: iso(metadata.LastRotatedDate),
        lastChangedDate: iso(metadata.LastChangedDate),
        nextRotationDate: iso(metadata.NextRotationDate),
      });
    });
    if (failed.length > 0) throw new SecretAgeCheckFailed(failed, deps.secrets.length);
    return { checked: deps.secrets.length, failed };
  };
}
