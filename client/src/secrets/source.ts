/** Where secret values come from: Secrets Manager (aws-source.ts) or, in development only, the environment (env-source.ts). */
export interface SecretRequest {
  secretId: string;
  /** Staging label; AWSCURRENT when neither stage nor versionId is given. */
  stage?: string;
  versionId?: string;
}

export interface SourcedSecret {
  value: string;
  versionId: string | undefined;
}

export interface SecretSource {
  readonly kind: 'aws' | 'environment' | 'vault';
  read(request: SecretRequest, signal: AbortSignal): Promise<SourcedSecret>;
}

export function describeRequest(request: SecretRequest): string {
  if (request.versionId) return `secret "${request.secretId}" (version ${request.versionId})`;
  return `secret "${request.secretId}" (${request.stage ?? 'AWSCURRENT'})`;
}
