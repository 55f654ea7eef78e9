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

interface ClientSettings {
  region: string | undefined;
  opts: { profile?: string };
}

/** Any SDK client of the environment: its region, --profile, and standard retries (throttling backed off). */
export function awsClient<T>(ctx: ClientSettings, Client: new (config: { region?: string; profile?: string; maxAttempts: number; retryMode: string }) => T): T {
  return new Client({ region: ctx.region, ...(ctx.opts.profile ? { profile: ctx.opts.profile } : {}), maxAttempts: 5, retryMode: 'standard' });
}
