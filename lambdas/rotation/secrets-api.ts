/**
 * The Secrets Manager calls of the lifecycle, each turned into a classified RotationError on failure.
 *
 * Version values are cached by (secret ARN, VersionId) for a few minutes: a version is immutable once written,
 * and which version holds which label always comes from the step's fresh DescribeSecret. Secrets Manager
 * invokes the four steps back to back, usually in the same warm execution environment, so setSecret and
 * testSecret rarely need to read again what createSecret just read or wrote. Entries of a secret are dropped
 * when its rotation finishes.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { LRUCache } from 'lru-cache';
import { awsCallError } from './classify';
import { RotationError } from './errors';
import type { SecretReader } from './rotator';

export type SecretsManagerSender = Pick<SecretsManagerClient, 'send'>;

const SERVICE = 'Secrets Manager';

export interface SecretDescription {
  arn: string;
  name: string;
  rotationEnabled: boolean;
  versionStages: Record<string, string[]>;
}

export class VersionCache {
  private readonly cache: LRUCache<string, string>;
  constructor(opts: { max?: number; ttlMs?: number } = {}) {
    this.cache = new LRUCache<string, string>({ max: opts.max ?? 32, ttl: opts.ttlMs ?? 15 * 60_000 });
  }
  private key = (arn: string, versionId: string) => `${arn}\u0000${versionId}`;
  get(arn: string, versionId: string): string | undefined {
    return this.cache.get(this.key(arn, versionId));
  }
  set(arn: string, versionId: string, value: string): void {
    this.cache.set(this.key(arn, versionId), value);
  }
  forgetSecret(arn: string): void {
    for (const k of [...this.cache.keys()]) if (k.startsWith(`${arn}\u0000`)) this.cache.delete(k);
  }
  clear(): void {
    this.cache.clear();
  }
}

const isNotFound = (e: unknown) => (e as { name?: string } | null)?.name === 'ResourceNotFoundException';
const isExists = (e: unknown) => (e as { name?: string } | null)?.name === 'ResourceExistsException';

export class SecretsApi {
  constructor(
    private readonly client: SecretsManagerSender,
    private readonly cache: VersionCache | undefined,
  ) {}

  async describe(secretId: string, where: string): Promise<SecretDescription> {
    let out;
    try {
      out = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    } catch (e) {
      if (isNotFound(e)) throw new RotationError('InvalidState', `${where}: the secret does not exist (DescribeSecret)`, { cause: e });
      throw awsCallError(e, SERVICE, 'DescribeSecret', where);
    }
    if (!out.ARN || !out.Name) throw new RotationError('Internal', `${where}: DescribeSecret returned no ARN or Name`);
    return { arn: out.ARN, name: out.Name, rotationEnabled: out.RotationEnabled === true, versionStages: out.VersionIdsToStages ?? {} };
  }

  /** The value of a version, or undefined when the version has no value (yet). */
  async getVersion(arn: string, versionId: string, stage: string, where: string): Promise<string | undefined> {
    const cached = this.cache?.get(arn, versionId);
    if (cached !== undefined) return cached;
    let out;
    try {
      out = await this.client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: versionId, VersionStage: stage }));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw awsCallError(e, SERVICE, `GetSecretValue (${stage})`, where);
    }
    if (typeof out.SecretString !== 'string')
      throw new RotationError('BadSecretShape', `${where}: the ${stage} version has no SecretString (binary secrets are not supported)`);
    this.cache?.set(arn, versionId, out.SecretString);
    return out.SecretString;
  }

  /** Writes the pending value; 'exists' when a value for this token was already written (a repeated createSecret). */
  async putPending(arn: string, token: string, value: string, rotationToken: string | undefined, where: string): Promise<'created' | 'exists'> {
    try {
      await this.client.send(
        new PutSecretValueCommand({
          SecretId: arn,
          ClientRequestToken: token,
          SecretString: value,
          VersionStages: ['AWSPENDING'],
          ...(rotationToken === undefined ? {} : { RotationToken: rotationToken }),
        }),
      );
    } catch (e) {
      if (isExists(e)) return 'exists';
      throw awsCallError(e, SERVICE, 'PutSecretValue', where);
    }
    this.cache?.set(arn, token, value);
    return 'created';
  }

  async moveCurrent(arn: string, token: string, fromVersionId: string | undefined, where: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: arn,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: token,
          ...(fromVersionId === undefined ? {} : { RemoveFromVersionId: fromVersionId }),
        }),
      );
    } catch (e) {
      throw awsCallError(e, SERVICE, 'UpdateSecretVersionStage', where);
    }
  }

  forget(arn: string): void {
    this.cache?.forgetSecret(arn);
  }

  /** Reads another secret (a master credential) by stage. Never cached: its labels may move at any time. */
  reader(where: () => string): SecretReader {
    return {
      getSecretString: async (secretId, stage = 'AWSCURRENT') => {
        let out;
        try {
          out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
        } catch (e) {
          if (isNotFound(e)) throw new RotationError('InvalidState', `${where()}: the referenced secret ${secretId} has no ${stage} value`, { cause: e });
          throw awsCallError(e, SERVICE, `GetSecretValue of ${secretId}`, where());
        }
        if (typeof out.SecretString !== 'string')
          throw new RotationError('BadSecretShape', `${where()}: the referenced secret ${secretId} has no SecretString`);
        return out.SecretString;
      },
    };
  }
}

/** The version that holds a staging label, per DescribeSecret. */
export function versionWith(description: SecretDescription, stage: string): string | undefined {
  return Object.entries(description.versionStages).find(([, stages]) => stages.includes(stage))?.[0];
}
