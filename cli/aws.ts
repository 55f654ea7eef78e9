import { describeAwsError } from './errors';

/** Anything with the SDK clients' `send` (a SecretsManagerClient, a KMSClient). */
export interface Sender {
  send(command: never): Promise<unknown>;
}

/** Sends one command; any failure becomes a one-line CliError naming the action, the resource and the role. */
export async function call<T>(client: Sender, command: object, hint: { action: string; resource: string; role: string }): Promise<T> {
  try {
    return (await client.send(command as never)) as T;
  } catch (e) {
    throw describeAwsError(e, hint);
  }
}

/** Where a client points: the environment's region and the operator's --profile. */
interface ClientTarget {
  region: string | undefined;
  opts: { profile?: string };
}

/**
 * An operator's command must fail on a dead or silent endpoint (a dropped VPN, a proxy that swallows the request),
 * not hang: without these the SDK waits for 5 minutes of socket silence per attempt. A reachable AWS endpoint accepts a
 * connection within a second even on a poor link (5 s); the slowest call (GetMetricData over every secret, a
 * FilterLogEvents page) answers within seconds, so 30 s cuts only a request that will never answer. Without
 * throwOnRequestTimeout the SDK only warns.
 */
const CLI_SDK_TIMEOUTS = { connectionTimeout: 5_000, requestTimeout: 30_000, throwOnRequestTimeout: true } as const;

/** What a client may set differently from the CLI's settings. */
export interface ClientOverrides {
  /** @default 5 */
  readonly maxAttempts?: number;
}

/** The settings of every SDK client of the CLI: region, --profile, standard retries (throttling backed off with jitter), the timeouts above. */
export function cliClientConfig(target: ClientTarget, overrides: ClientOverrides = {}) {
  return {
    region: target.region,
    ...(target.opts.profile ? { profile: target.opts.profile } : {}),
    maxAttempts: overrides.maxAttempts ?? 5,
    retryMode: 'standard',
    requestHandler: { ...CLI_SDK_TIMEOUTS },
  };
}

/** Any SDK client of the environment, with the CLI's settings. */
export function awsClient<T>(target: ClientTarget, Client: new (config: ReturnType<typeof cliClientConfig>) => T, overrides: ClientOverrides = {}): T {
  return new Client(cliClientConfig(target, overrides));
}
