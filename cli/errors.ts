/**
 * Exit codes and one-line error messages. Every failure names the problem and what to do, and never a value
 * (AWS error messages are not echoed for value-bearing calls; see describeAwsError).
 */
export const EXIT = {
  ok: 0,
  /** status/verify found something wrong (overdue, stuck, failing, alarming placeholder, ✗ check); rotate --wait: rotation failed. */
  findings: 1,
  usage: 2,
  /** Unknown environment, unreadable or invalid --config. */
  config: 3,
  /** Unknown secret name, or the secret does not exist in AWS. */
  notFound: 4,
  /** No credentials, or expired ones. */
  credentials: 5,
  /** AWS refused the call (AccessDenied): the message names the role to use. */
  accessDenied: 6,
  /** Still throttled after the SDK's retries with backoff. */
  throttled: 7,
  /** Refused by a precondition: a rotation is in progress, nothing to roll back to, secret not rotatable. */
  refused: 8,
  /** --to-version names a version the secret does not have. */
  noSuchVersion: 9,
  /** The user did not confirm (or no terminal to ask and no --yes). */
  notConfirmed: 10,
  /** Bad input file (.env, mapping, DATABASE_URL). */
  badInput: 11,
  /** Anything else AWS or the network reported. */
  aws: 12,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Which role a command needs, for messages. */
export interface RoleHint {
  /** e.g. "the operator role (gaara-store-dev-operator)". */
  role: string;
  /** the IAM action the call needed, e.g. secretsmanager:DescribeSecret. */
  action: string;
  /** the resource named in the call (a secret name, never a value). */
  resource: string;
}

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredTokenException',
  'ExpiredToken',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'TokenRefreshRequired',
  'InvalidClientTokenId',
]);
const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded']);

/** Maps an AWS SDK error to a CliError with one line naming the problem, the call and what to do. */
export function describeAwsError(e: unknown, hint: RoleHint): CliError {
  if (e instanceof CliError) return e;
  const err = e as { name?: string; message?: string; Code?: string };
  const name = err.name ?? 'Error';
  if (CREDENTIAL_ERRORS.has(name) || /Could not load credentials|expired/i.test(err.message ?? '')) {
    const expired = /expired/i.test(`${name} ${err.message ?? ''}`);
    return new CliError(
      EXIT.credentials,
      `${expired ? 'AWS credentials have expired' : 'no usable AWS credentials'} (${name}) calling ${hint.action}: ` +
        `sign in again (e.g. aws sso login --profile …) or pass --profile, then rerun with ${hint.role}`,
    );
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || /not authorized to perform/i.test(err.message ?? '')) {
    return new CliError(EXIT.accessDenied, `AWS refused ${hint.action} on ${hint.resource} (AccessDenied): this command needs ${hint.role}`);
  }
  if (THROTTLING.has(name)) {
    return new CliError(EXIT.throttled, `AWS is throttling ${hint.action} on ${hint.resource} (${name}) after retries with backoff: wait a minute and rerun`);
  }
  if (name === 'ResourceNotFoundException') {
    return new CliError(
      EXIT.notFound,
      `${hint.resource} was not found by ${hint.action} (ResourceNotFoundException): check --env, --app and --region, and that the stack is deployed`,
    );
  }
  if (name === 'DecryptionFailure' || name === 'KMSAccessDeniedException') {
    return new CliError(EXIT.accessDenied, `KMS refused to decrypt ${hint.resource} (${name}): this command needs ${hint.role}`);
  }
  if (name === 'TimeoutError') {
    return new CliError(EXIT.aws, `AWS did not answer ${hint.action} in time (TimeoutError): check the network, --region and any AWS_ENDPOINT_URL_* setting`);
  }
  const code = (e as { code?: string }).code;
  if (code && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)$/.test(code)) {
    return new CliError(EXIT.aws, `cannot reach AWS for ${hint.action} (${code}): check the network, --region and any AWS_ENDPOINT_URL_* setting`);
  }
  // Unknown error: the class and call, never the message (a value-bearing call's message is not ours to print).
  return new CliError(EXIT.aws, `${hint.action} on ${hint.resource} failed (${name}); rerun with --region/--profile checked, or see docs/runbook.md`);
}
