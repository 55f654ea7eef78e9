/**
 * gaara-secrets: the operator's command line. Commands run with the operator role (status, history, rotate,
 * verify) or, where they change or reveal values (rollback, import-env, exec), as break-glass, which the CLI
 * announces before it starts. No command prints a secret value.
 */
import { Command, CommanderError, Option } from 'commander';
import { createContext, type GlobalOptions } from './context';
import { CliError, EXIT } from './errors';
import { createOut } from './output';
import { history } from './commands/history';
import { status } from './commands/status';
import { verify } from './commands/verify';
import { rotate, type RotateOptions } from './commands/rotate';
import { rollback, type RollbackOptions } from './commands/rollback';
import { importEnv, type ImportOptions } from './commands/import-env';
import { execWithSecrets, type ExecOptions } from './commands/exec';

type Handler = (opts: GlobalOptions, args: string[], cmdOpts: Record<string, unknown>) => Promise<number>;

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('gaara-secrets')
    .description('Operate the secrets of one environment: status, history, rotation, rollback, checks.')
    .addOption(new Option('--env <name>', 'environment (envName in the config), e.g. dev, staging, prod').env('GAARA_ENV'))
    .option('--app <name>', 'application name (default: appName of the environment config)')
    .option('--region <region>', 'AWS region (default: AWS_REGION, then the environment config)')
    .option('--profile <profile>', 'AWS profile for the SDK credential chain')
    .option('--config <file>', 'environments JSON file (the one cdk synth -c config=FILE reads); default: lib/config')
    .option('--json', 'machine-readable JSON on stdout instead of tables')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s) });
  program.addHelpText(
    'after',
    `
Exit codes: 0 ok, 1 findings (overdue, stuck, alarming placeholder, failed check or rotation), 2 usage,
3 unknown environment or bad --config, 4 unknown or missing secret, 5 no or expired credentials,
6 AccessDenied (the message names the role), 7 throttled after retries, 8 refused (rotation in progress, nothing
to roll back, not rotatable), 9 no such version, 10 not confirmed, 11 bad input file, 12 other AWS error.
Roles: status, history, rotate, verify run with the operator role; rollback runs as break-glass (it alarms).`,
  );

  const run =
    (handler: Handler) =>
    async (...raw: unknown[]) => {
      const cmd = raw[raw.length - 1] as Command;
      const args = raw.slice(0, cmd.registeredArguments.length).flat() as string[];
      setExit(await handler(cmd.optsWithGlobals() as GlobalOptions, args, cmd.opts()));
    };

  program
    .command('status')
    .description(
      'one table for every secret: rotation, last rotated, age, next due, overdue, in progress, placeholder, last failure (step and error class), key (operator role)',
    )
    .addHelpText(
      'after',
      '\nExit 1 when a secret is overdue, a rotation is stuck or its last run failed, or a placeholder remains where the age alarm fires (production).',
    )
    .action(
      run(async (opts) => {
        return status(createContext(opts), createOut(Boolean(opts.json)));
      }),
    );

  program
    .command('history')
    .description('versions of a secret with their stages and creation dates, never values (operator role)')
    .argument('<secret>', 'catalog name (e.g. jwt-secret) or full name <app>/<env>/<name>')
    .action(
      run(async (opts, [secret]) => {
        return history(createContext(opts), createOut(Boolean(opts.json)), secret);
      }),
    );

  program
    .command('verify')
    .description(
      'post-deploy smoke check as a ✓/✗ checklist (secrets, key, rotation, resource policies equal to the deployed template, a confirmed alarm subscription, last rotations): read-only, makes no refused call (operator role)',
    )
    .action(run(async (opts) => verify(createContext(opts), createOut(Boolean(opts.json)))));

  program
    .command('rotate')
    .description('start rotation of one secret or --all rotated ones; --wait follows it to the end (operator role)')
    .argument('[secret]', 'catalog name or full name')
    .option('--all', 'every secret with a rotator')
    .option('--wait', 'follow the rotation until AWSCURRENT moves, then print the outcome')
    .option('--timeout-seconds <n>', 'with --wait: give up after this long (exit 1)', '900')
    .option('--poll-seconds <n>', 'with --wait: seconds between checks', '5')
    .action(run(async (opts, [secret], o) => rotate(createContext(opts), createOut(Boolean(opts.json)), secret, o as RotateOptions)));

  program
    .command('rollback')
    .description('move AWSCURRENT back to AWSPREVIOUS (or --to-version): break-glass, refused during a rotation, asks for confirmation')
    .argument('<secret>', 'catalog name or full name')
    .option('--to-version <id>', 'restore this version instead of AWSPREVIOUS (see history)')
    .option('--yes', 'do not ask for confirmation (scripts)')
    .option('--skip-login-check', 'database/redis: do not check that the restored credential logs in (you checked by hand)')
    .action(run(async (opts, [secret], o) => rollback(createContext(opts), createOut(Boolean(opts.json)), secret, o as RollbackOptions)));

  program
    .command('import-env')
    .description('migrate a .env into the secrets: plan first (names, never values), confirmation, break-glass')
    .argument('<file>', 'the .env file')
    .option('--dry-run', 'show the plan, write nothing')
    .option('--map <file>', 'JSON {"ENV_NAME": "secret" | "secret.field"} for names beyond the defaults')
    .option('--force', 'also overwrite secrets that are no longer placeholders')
    .option('--yes', 'do not ask for confirmation (scripts)')
    .addHelpText(
      'after',
      '\nDefault names: SECRET_KEY, JWT_SECRET_KEY, ENCRYPTION_KEY, DATABASE_URL, REDIS_PASSWORD, MAIL_PASSWORD (+MAIL_SERVER, MAIL_PORT, MAIL_USERNAME), SENTRY_DSN.',
    )
    .action(run(async (opts, [file], o) => importEnv(createContext(opts), createOut(Boolean(opts.json)), file, o as ImportOptions)));

  program
    .command('exec')
    .description("run a command with the environment's secrets as environment variables (break-glass; values never printed)")
    .argument('<command...>', 'the command and its arguments, after --')
    .option('--names <file>', 'JSON {"ENV_VAR": "secret" | "secret.field"} replacing the default names')
    .addHelpText(
      'after',
      `\nDefault names: SECRET_KEY, JWT_SECRET_KEY, ENCRYPTION_KEY, DATABASE_URL, REDIS_URL, REDIS_PASSWORD, MAIL_SERVER, MAIL_PORT,\nMAIL_USERNAME, MAIL_PASSWORD, SENTRY_DSN. The exit code is the command's.`,
    )
    .action(run(async (opts, command, o) => execWithSecrets(createContext(opts), command, o as ExecOptions)));

  program
    .command('pii-migrate')
    .description(
      'encrypt, decrypt or re-key existing plaintext PII columns in place with the field format (reads database-url and uses the data key: break-glass or the application role)',
    )
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .addHelpText(
      'after',
      "\nOptions are the migration's own (client/src/migration/pii-migrate-command.ts, docs/field-encryption.md):\n" +
        '  --table T --columns a,b[,c] [--blind-index col=index_col[:normalize[:bytes]]] [--mode encrypt|decrypt|rekey]\n' +
        '  [--dry-run] [--batch-size N] [--schema S] [--start-after ID] [--key-id K] [--previous-key-id K] [--database-url-env VAR]\n' +
        'Exit 0: done; 1: rows left by concurrent writes or values that do not decrypt (run again / investigate); 8: refused or failed.',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      // Loaded only here: the database drivers and the field encryptor are not needed by any other command.
      // require, not import(): the CLI runs through tsx's CommonJS hook, which a dynamic import() of a .ts file bypasses.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { main: migrate } = require('../client/src/migration/pii-migrate-command') as typeof import('../client/src/migration/pii-migrate-command');
      const global = cmd.optsWithGlobals() as GlobalOptions;
      const scope = [...(global.env ? ['--env', global.env] : []), ...(global.app ? ['--app', global.app] : [])];
      let outcome: number;
      try {
        outcome = await migrate([...cmd.args, ...scope]);
      } catch (e) {
        throw new CliError(EXIT.refused, `pii-migrate: ${(e as Error).message}`);
      }
      setExit(outcome === 0 ? EXIT.ok : EXIT.findings);
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  try {
    const program = buildProgram((c) => (code = c));
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; every parse error is a usage error.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof CliError) {
      process.stderr.write(`gaara-secrets: ${e.message}\n`);
      return e.exitCode;
    }
    // Unexpected: the class only (a message could carry anything); GAARA_SECRETS_DEBUG=1 adds the stack trace.
    if (process.env.GAARA_SECRETS_DEBUG === '1') process.stderr.write(`${(e as Error)?.stack ?? ''}\n`);
    process.stderr.write(
      `gaara-secrets: internal error (${(e as Error)?.name ?? 'unknown'}); rerun with GAARA_SECRETS_DEBUG=1 for the stack trace and report it\n`,
    );
    return EXIT.aws;
  }
}
