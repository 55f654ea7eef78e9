/**
 * The KMS encryption context of the client's field-encryption data keys. The data key's key policy (lib/access/keys.ts)
 * admits GenerateDataKey/Decrypt only with exactly these context keys and this app's and environment's values,
 * so the policy and the client share this one definition.
 */
export const DATA_KEY_CONTEXT_KEYS = ['app', 'env', 'purpose'] as const;
export const DATA_KEY_PURPOSE = 'field-encryption';

export function dataKeyEncryptionContext(app: string, env: string): Record<(typeof DATA_KEY_CONTEXT_KEYS)[number], string> {
  return { app, env, purpose: DATA_KEY_PURPOSE };
}
