import { GetSecretValueCommand, type GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import { awsErrorInfo, classifyAwsError } from '../aws-errors';
import { SecretsClientError } from '../errors';
import { describeRequest, type SecretRequest, type SecretSource, type SourcedSecret } from './source';

/** The one call the client makes: anything with the SDK's `send` (a SecretsManagerClient, or a model in tests). */
export interface SecretsManagerSender {
  send(command: GetSecretValueCommand, options?: { abortSignal?: AbortSignal }): Promise<GetSecretValueCommandOutput>;
}

const REASON_TEXT = {
  'access-denied': 'access denied',
  'not-found': 'not found',
  unavailable: 'Secrets Manager unavailable',
  other: 'read failed',
} as const;

export class AwsSecretSource implements SecretSource {
  readonly kind = 'aws' as const;

  constructor(
    private readonly client: SecretsManagerSender,
    private readonly timeoutMs: number,
  ) {}

  async read(request: SecretRequest, signal: AbortSignal): Promise<SourcedSecret> {
    const command = new GetSecretValueCommand({
      SecretId: request.secretId,
      ...(request.versionId ? { VersionId: request.versionId } : { VersionStage: request.stage ?? 'AWSCURRENT' }),
    });
    let output: GetSecretValueCommandOutput;
    try {
      const abortSignal = AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]);
      output = await untilAborted(this.client.send(command, { abortSignal }), abortSignal);
    } catch (error) {
      throw toSecretsClientError(request, error);
    }
    if (typeof output.SecretString !== 'string') {
      throw new SecretsClientError(request.secretId, 'invalid-value', `${describeRequest(request)} holds no SecretString (binary secrets are not supported)`);
    }
    return { value: output.SecretString, versionId: output.VersionId };
  }
}

export function toSecretsClientError(request: SecretRequest, error: unknown): SecretsClientError {
  if (error instanceof SecretsClientError) return error;
  const info = awsErrorInfo(error);
  const reason = classifyAwsError(error);
  const text = REASON_TEXT[reason as keyof typeof REASON_TEXT] ?? REASON_TEXT.other;
  const status = info.httpStatusCode ? `, HTTP ${info.httpStatusCode}` : '';
  return new SecretsClientError(request.secretId, reason, `${describeRequest(request)}: ${text} (${info.name}${status})`, {
    awsErrorName: info.name,
    httpStatusCode: info.httpStatusCode,
    requestId: info.requestId,
  });
}

/** Rejects with the signal's reason when it aborts, even if the sender ignores `abortSignal`. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
