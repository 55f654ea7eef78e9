/**
 * The MODELLED Secrets Manager (test/support/secrets-manager-model.ts) with what the CLI reads beyond versions:
 * DescribeSecret's rotation rules, KMS key and dates, RotateSecret (start a rotation; `onRotate` runs the rotator
 * the way the service invokes it), and GetResourcePolicy. Served over HTTP by serveModel.
 */
import { randomUUID } from 'node:crypto';
import { CATALOG, secretId } from '../../../contracts/catalog';
import { SecretsManagerModel } from '../../support/secrets-manager-model';

export interface SecretMeta {
  rotationDays?: number;
  kmsKeyId?: string;
  lastRotatedDate?: Date;
  resourcePolicy?: string;
  hasRotator: boolean;
}

class ModelError extends Error {
  readonly $metadata = { httpStatusCode: 400 };
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export const SECRETS_KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/0f0e0d0c-0b0a-0908-0706-050403020100';

export class CliModel extends SecretsManagerModel {
  readonly meta = new Map<string, SecretMeta>();
  /** What the service does after RotateSecret created AWSPENDING: invoke the rotator (four steps). */
  onRotate?: (arn: string, token: string) => Promise<void>;
  /** Rotations started by RotateSecret and still running. */
  readonly running: Promise<void>[] = [];

  /** The seven secrets of an environment as the deploy leaves them: placeholders, rotation on where a rotator exists. */
  seedEnvironment(app: string, env: string): Record<string, string> {
    const arns: Record<string, string> = {};
    for (const e of CATALOG) {
      const arn = this.createSecret(secretId(app, env, e.name), JSON.stringify(e.initialValue()), { rotationEnabled: Boolean(e.rotator) });
      this.meta.set(arn, {
        rotationDays: e.rotator ? e.rotationDays : undefined,
        kmsKeyId: SECRETS_KEY_ARN,
        hasRotator: Boolean(e.rotator),
        resourcePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
      });
      arns[e.name] = arn;
    }
    return arns;
  }

  /** A value stored the way put-secret-value does (AWSCURRENT moves, the old one becomes AWSPREVIOUS), created `daysAgo`. */
  async putCurrent(id: string, value: string, daysAgo: number): Promise<string> {
    const token = randomUUID();
    await this.send({ input: { SecretId: id, ClientRequestToken: token, SecretString: value }, constructor: { name: 'PutSecretValueCommand' } });
    this.find(id).versions.get(token)!.createdDate = new Date(Date.now() - daysAgo * 86_400_000);
    this.calls.pop();
    return token;
  }

  /** Sets every version's CreatedDate `daysAgo` (so ages do not depend on the model's clock). */
  ageAll(id: string, daysAgo: number): void {
    for (const v of this.find(id).versions.values()) v.createdDate = new Date(Date.now() - daysAgo * 86_400_000);
  }

  stagesOf(id: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const v of this.find(id).versions.values()) if (v.stages.size) out[v.versionId] = [...v.stages].sort();
    return out;
  }

  override async send(command: { input: object; constructor: { name: string } }): Promise<unknown> {
    const name = command.constructor.name.replace(/Command$/, '');
    const input = command.input as Record<string, unknown>;
    if (!['DescribeSecret', 'RotateSecret', 'GetResourcePolicy'].includes(name)) return super.send(command);
    this.calls.push({ command: name, input });
    await this.beforeCall?.(name, input);
    const result = await this.extra(name, input);
    await this.afterCall?.(name, input);
    return result;
  }

  private metaOf(arn: string): SecretMeta {
    return this.meta.get(arn) ?? { hasRotator: false };
  }

  private async extra(name: string, input: Record<string, unknown>): Promise<unknown> {
    const s = this.find(String(input.SecretId));
    const m = this.metaOf(s.arn);
    if (name === 'DescribeSecret') {
      const versionIdsToStages: Record<string, string[]> = {};
      for (const v of s.versions.values()) if (v.stages.size > 0) versionIdsToStages[v.versionId] = [...v.stages];
      // The model keeps no creation time per secret: its oldest version stands for it (ageAll moves both).
      const created = Math.min(...[...s.versions.values()].map((v) => v.createdDate.getTime()));
      return {
        ARN: s.arn,
        Name: s.name,
        KmsKeyId: m.kmsKeyId,
        RotationEnabled: s.rotationEnabled,
        CreatedDate: new Date(created),
        ...(m.rotationDays
          ? { RotationRules: { AutomaticallyAfterDays: m.rotationDays }, RotationLambdaARN: 'arn:aws:lambda:eu-west-1:111111111111:function:rotator' }
          : {}),
        ...(m.lastRotatedDate ? { LastRotatedDate: m.lastRotatedDate } : {}),
        VersionIdsToStages: versionIdsToStages,
        Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
      };
    }
    if (name === 'GetResourcePolicy') return { ARN: s.arn, Name: s.name, ...(m.resourcePolicy ? { ResourcePolicy: m.resourcePolicy } : {}) };
    // RotateSecret
    if (!m.hasRotator) throw new ModelError('InvalidRequestException', 'No Lambda rotation function ARN is associated with this secret.');
    const pending = [...s.versions.values()].some((v) => v.stages.has('AWSPENDING') && !v.stages.has('AWSCURRENT'));
    if (pending) throw new ModelError('InvalidRequestException', "A previous rotation isn't complete. That rotation will be reattempted.");
    const token = (input.ClientRequestToken as string | undefined) ?? randomUUID();
    this.startRotation(s.arn, token);
    if (this.onRotate) {
      const run = this.onRotate(s.arn, token).then(
        () => {
          this.completeRotation(s.arn);
          m.lastRotatedDate = new Date();
        },
        () => undefined, // a failed rotation leaves AWSPENDING, as the service does until it retries
      );
      this.running.push(run);
    }
    return { ARN: s.arn, Name: s.name, VersionId: token };
  }
}
