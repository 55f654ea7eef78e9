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
