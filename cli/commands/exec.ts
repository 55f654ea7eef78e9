/**
 * Runs a command with the environment's secrets as environment variables (as `chamber exec` and `aws-vault exec`
 * do). Break-glass by design: it reads values. The values go only into the child's environment: never on a
 * command line, never printed. The child's exit code is the CLI's exit code.
 */
import { spawn } from 'node:child_process';
import { GetSecretValueCommand, type GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import { type SecretName, SECRET_NAMES } from '../../contracts/catalog';
import { call } from '../aws';
import { type Context, findSecret } from '../context';
import { CliError, EXIT } from '../errors';
import { readMapFile } from '../import/dotenv-file';

/** Variable -> `secret` or `secret.field`. A key ring gives its current key. */
export const DEFAULT_NAMES: Readonly<Record<string, string>> = {
  SECRET_KEY: 'secret-key',
  JWT_SECRET_KEY: 'jwt-secret',
  ENCRYPTION_KEY: 'encryption-key',
  DATABASE_URL: 'database-url.url',
  REDIS_URL: 'redis-password.url',
  REDIS_PASSWORD: 'redis-password.password',
  MAIL_SERVER: 'mail-password.host',
  MAIL_PORT: 'mail-password.port',
  MAIL_USERNAME: 'mail-password.username',
  MAIL_PASSWORD: 'mail-password.password',
  SENTRY_DSN: 'sentry-dsn.dsn',
};

export interface ExecOptions {
  names?: string;
}

/** A ring key imported from a .env (UTF-8 text) comes back as that text; a generated key as its base64url text. */
function ringKeyText(key: string): string {
  const text = Buffer.from(key, 'base64url').toString('utf8');
  return Buffer.from(text, 'utf8').toString('base64url') === key ? text : key;
}

export async function execWithSecrets(ctx: Context, command: string[], o: ExecOptions): Promise<number> {
  if (command.length === 0) throw new CliError(EXIT.usage, 'give the command after --, e.g. gaara-secrets exec --env dev -- flask run');
  const names = o.names ? readMapFile(o.names) : DEFAULT_NAMES;
  const wanted = new Set<SecretName>();
  for (const [variable, target] of Object.entries(names)) {
    const secret = target.split('.')[0];
    if (!(SECRET_NAMES as readonly string[]).includes(secret))
      throw new CliError(EXIT.badInput, `--names maps ${variable} to "${target}": use one of ${SECRET_NAMES.join(', ')}, optionally .field`);
    wanted.add(secret as SecretName);
  }
  process.stderr.write(
    `note: exec reads secret values of ${ctx.app}/${ctx.env} into the command's environment: run it as ${ctx.breakGlassRole}; its use fires the break-glass alarm, as intended (runbook #alarm-break-glass)\n`,
  );
  const values = new Map<SecretName, Record<string, unknown>>();
  const placeholders: string[] = [];
  for (const name of wanted) {
    const s = findSecret(ctx, name);
    const v = await call<GetSecretValueCommandOutput>(ctx.sm, new GetSecretValueCommand({ SecretId: s.id }), {
      action: 'secretsmanager:GetSecretValue',
      resource: s.id,
      role: ctx.breakGlassRole,
    });
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(v.SecretString ?? '');
    } catch {
      throw new CliError(EXIT.badInput, `${s.id} does not hold JSON: fix the value (runbook R1)`);
    }
    if (parsed.placeholder === true) placeholders.push(name);
    else values.set(name, parsed);
  }
  const env: Record<string, string> = {};
  for (const [variable, target] of Object.entries(names)) {
    const [secret, field] = target.split('.') as [SecretName, string | undefined];
    const value = values.get(secret);
    if (!value) continue;
    if (!field && (secret === 'secret-key' || secret === 'jwt-secret' || secret === 'encryption-key')) {
      env[variable] = ringKeyText(String((value.current as { key: string }).key));
    } else if (field) {
      if (value[field] !== undefined) env[variable] = String(value[field]);
    } else env[variable] = JSON.stringify(value);
  }
  if (placeholders.length) process.stderr.write(`note: not set (still placeholders): ${placeholders.join(', ')}\n`);
  process.stderr.write(`note: setting ${Object.keys(env).sort().join(', ')}\n`);
  const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env: { ...process.env, ...env } });
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) => [sig, forward(sig)] as const);
  for (const [sig, h] of handlers) process.on(sig, h);
  return new Promise((resolve, reject) => {
    child.on('error', (e) => reject(new CliError(EXIT.usage, `cannot run ${command[0]} (${(e as NodeJS.ErrnoException).code ?? e.name})`)));
    child.on('close', (code, signal) => {
      for (const [sig, h] of handlers) process.off(sig, h);
      resolve(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1) : 1));
    });
  });
}
