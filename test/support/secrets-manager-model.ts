/**
 * MODELLED Secrets Manager: a faithful in-memory model of versions and staging labels, used by integration
 * tests to drive rotations the way the service does. It is passed to the code under test in place of a
 * SecretsManagerClient (it implements `send`).
 *
 * Behaviour modelled (from the Secrets Manager API reference and rotation docs):
 * - RotateSecret creates a version for the new ClientRequestToken, labelled AWSPENDING with no value yet,
 *   before it invokes createSecret (`startRotation` does exactly that).
 * - PutSecretValue is idempotent per (token, value); the same token with another value is refused with
 *   ResourceExistsException. Labels given move to the new version.
 * - UpdateSecretVersionStage moving AWSCURRENT makes the old current AWSPREVIOUS; RemoveFromVersionId must
 *   name the version that holds the label, else InvalidParameterException.
 * - GetSecretValue by stage or version id; a version without a value raises ResourceNotFoundException.
 * - After a successful rotation the service removes AWSPENDING (`completeRotation`).
 */
import { randomUUID } from 'node:crypto';

export interface ModelVersion {
  versionId: string;
  secretString?: string;
  stages: Set<string>;
  createdDate: Date;
}

export interface ModelSecret {
  arn: string;
  name: string;
  rotationEnabled: boolean;
  versions: Map<string, ModelVersion>;
  tags: Record<string, string>;
  deleted: boolean;
  createdDate: Date;
  /** Set by `completeRotation`, as the service sets LastRotatedDate when a rotation completes. */
  lastRotatedDate?: Date;
}

export type CallHook = (commandName: string, input: Record<string, unknown>) => void | Promise<void>;

class ModelError extends Error {
  readonly $metadata = { httpStatusCode: 400 };
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export class SecretsManagerModel {
  readonly secrets = new Map<string, ModelSecret>();
  readonly calls: { command: string; input: Record<string, unknown> }[] = [];
  /** Called before every API call; throw from it to inject a crash before the call takes effect. */
  beforeCall?: CallHook;
  /** Called after every API call took effect; throw from it to inject a crash after the call. */
  afterCall?: CallHook;
  private clock = Date.parse('2026-11-01T00:00:00Z');

  constructor(
    private readonly region = 'eu-west-1',
    private readonly account = '111111111111',
  ) {}

  createSecret(name: string, secretString: string, opts: { rotationEnabled?: boolean; tags?: Record<string, string> } = {}): string {
    const arn = `arn:aws:secretsmanager:${this.region}:${this.account}:secret:${name}-${randomUUID().slice(0, 6)}`;
    const versionId = randomUUID();
    const createdDate = this.tick();
    const secret: ModelSecret = {
      arn,
      name,
      rotationEnabled: opts.rotationEnabled ?? true,
      versions: new Map([[versionId, { versionId, secretString, stages: new Set(['AWSCURRENT']), createdDate }]]),
      tags: opts.tags ?? {},
      deleted: false,
      createdDate,
    };
    this.secrets.set(arn, secret);
    return arn;
  }

  /** What RotateSecret does before it invokes the function: a new token labelled AWSPENDING, no value yet. */
  startRotation(secretId: string, token: string = randomUUID()): string {
    const s = this.find(secretId);
    for (const v of s.versions.values()) v.stages.delete('AWSPENDING');
    s.versions.set(token, { versionId: token, stages: new Set(['AWSPENDING']), createdDate: this.tick() });
    return token;
  }

  /** What the service does after finishSecret succeeded. */
  completeRotation(secretId: string): void {
    const s = this.find(secretId);
    for (const v of s.versions.values()) v.stages.delete('AWSPENDING');
    s.lastRotatedDate = this.tick();
  }

  /** How many calls of each API the code under test made, e.g. `{ DescribeSecret: 4, ... }`. */
  callsByCommand(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const c of this.calls) counts[c.command] = (counts[c.command] ?? 0) + 1;
    return counts;
  }

  /** Value at a stage, for assertions. */
  valueAt(secretId: string, stage: string): string | undefined {
    return [...this.find(secretId).versions.values()].find((v) => v.stages.has(stage))?.secretString;
  }

  versionAt(secretId: string, stage: string): ModelVersion | undefined {
    return [...this.find(secretId).versions.values()].find((v) => v.stages.has(stage));
  }

  find(secretId: string): ModelSecret {
    const s = this.secrets.get(secretId) ?? [...this.secrets.values()].find((x) => x.name === secretId || x.arn.startsWith(`${secretId}`));
    if (!s || s.deleted) throw new ModelError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return s;
  }

  private tick(): Date {
    this.clock += 1000;
    return new Date(this.clock);
  }

  /** The SecretsManagerClient surface used by the code under test. */
  async send(command: { input: object; constructor: { name: string } }): Promise<unknown> {
    const name = command.constructor.name.replace(/Command$/, '');
    const input = command.input as Record<string, unknown>;
    this.calls.push({ command: name, input });
    await this.beforeCall?.(name, input);
    const result = this.dispatch(name, input);
    await this.afterCall?.(name, input);
    return result;
  }

  private dispatch(name: string, input: Record<string, unknown>): unknown {
    switch (name) {
      case 'DescribeSecret':
        return this.describe(String(input.SecretId));
      case 'GetSecretValue':
        return this.getValue(input);
      case 'PutSecretValue':
        return this.putValue(input);
      case 'UpdateSecretVersionStage':
        return this.updateStage(input);
      case 'ListSecretVersionIds':
        return this.listVersions(String(input.SecretId), Boolean(input.IncludeDeprecated));
      default:
        throw new ModelError('InvalidRequestException', `model does not implement ${name}`);
    }
  }

  private describe(secretId: string) {
    const s = this.find(secretId);
    const versionIdsToStages: Record<string, string[]> = {};
    for (const v of s.versions.values()) if (v.stages.size > 0) versionIdsToStages[v.versionId] = [...v.stages];
    return {
      ARN: s.arn,
      Name: s.name,
      RotationEnabled: s.rotationEnabled,
      CreatedDate: s.createdDate,
      ...(s.lastRotatedDate ? { LastRotatedDate: s.lastRotatedDate } : {}),
      VersionIdsToStages: versionIdsToStages,
      Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
    };
  }

  private getValue(input: Record<string, unknown>) {
    const s = this.find(String(input.SecretId));
    const stage = (input.VersionStage as string | undefined) ?? (input.VersionId ? undefined : 'AWSCURRENT');
    const v = input.VersionId ? s.versions.get(String(input.VersionId)) : [...s.versions.values()].find((x) => x.stages.has(stage as string));
    if (!v || (stage && !v.stages.has(stage))) {
      throw new ModelError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for staging label or version.");
    }
    if (v.secretString === undefined) {
      throw new ModelError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for VersionId.");
    }
    return { ARN: s.arn, Name: s.name, VersionId: v.versionId, SecretString: v.secretString, VersionStages: [...v.stages], CreatedDate: v.createdDate };
  }

  private putValue(input: Record<string, unknown>) {
    const s = this.find(String(input.SecretId));
    const token = String(input.ClientRequestToken);
    const value = String(input.SecretString);
    const stages = (input.VersionStages as string[] | undefined) ?? ['AWSCURRENT'];
    const existing = s.versions.get(token);
    if (existing?.secretString !== undefined) {
      if (existing.secretString === value) return { ARN: s.arn, Name: s.name, VersionId: token, VersionStages: [...existing.stages] };
      throw new ModelError('ResourceExistsException', 'A resource with the ID you requested already exists.');
    }
    for (const stage of stages) this.moveLabel(s, stage, token);
    const v = existing ?? { versionId: token, stages: new Set<string>(), createdDate: this.tick() };
    v.secretString = value;
    for (const stage of stages) v.stages.add(stage);
    s.versions.set(token, v);
    return { ARN: s.arn, Name: s.name, VersionId: token, VersionStages: [...v.stages] };
  }

  private moveLabel(s: ModelSecret, stage: string, to: string) {
    for (const v of s.versions.values()) {
      if (v.versionId !== to && v.stages.has(stage)) {
        v.stages.delete(stage);
        if (stage === 'AWSCURRENT') {
          for (const o of s.versions.values()) o.stages.delete('AWSPREVIOUS');
          v.stages.add('AWSPREVIOUS');
        }
      }
    }
  }

  private updateStage(input: Record<string, unknown>) {
    const s = this.find(String(input.SecretId));
    const stage = String(input.VersionStage);
    const moveTo = input.MoveToVersionId as string | undefined;
    const removeFrom = input.RemoveFromVersionId as string | undefined;
    const holder = [...s.versions.values()].find((v) => v.stages.has(stage));
    if (holder && moveTo && holder.versionId !== moveTo && removeFrom !== holder.versionId) {
      throw new ModelError(
        'InvalidParameterException',
        `The staging label ${stage} is currently attached to version ${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
      );
    }
    if (removeFrom && !s.versions.get(removeFrom)?.stages.has(stage)) {
      throw new ModelError('InvalidParameterException', `The staging label ${stage} is not attached to version ${removeFrom}.`);
    }
    if (moveTo) {
      const target = s.versions.get(moveTo);
      if (!target) throw new ModelError('ResourceNotFoundException', 'version not found');
      this.moveLabel(s, stage, moveTo);
      target.stages.add(stage);
    } else if (removeFrom) {
      s.versions.get(removeFrom)?.stages.delete(stage);
    }
    return { ARN: s.arn, Name: s.name };
  }

  private listVersions(secretId: string, includeDeprecated: boolean) {
    const s = this.find(secretId);
    const versions = [...s.versions.values()]
      .filter((v) => includeDeprecated || v.stages.size > 0)
      .map((v) => ({ VersionId: v.versionId, VersionStages: [...v.stages], CreatedDate: v.createdDate }));
    return { ARN: s.arn, Name: s.name, Versions: versions };
  }
}
