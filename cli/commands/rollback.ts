/**
 * Moves AWSCURRENT back to AWSPREVIOUS (or --to-version), the "restore a backup". Break-glass by design: it changes
 * which value is current (and, for database and Redis credentials, reads the value it restores to check that it
 * still logs in). Refused while a rotation is in progress; shows exactly what changes; asks for confirmation.
 */
import { GetSecretValueCommand, type GetSecretValueCommandOutput, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { parseDatabaseSecret } from '../../contracts/database';
import { parseRedisSecret } from '../../contracts/redis';
import { call } from '../aws';
import { confirm } from '../confirm';
import { type Context, type EnvSecret, findSecret } from '../context';
import { CliError, EXIT } from '../errors';
import { databaseLogsIn, type LoginResult, redisLogsIn } from '../login-check';
import type { Out } from '../output';
import { listVersions } from './history';

export interface RollbackOptions {
  toVersion?: string;
  yes?: boolean;
  skipLoginCheck?: boolean;
}

const KIND_NOTES: Record<string, string> = {
  'key-ring': 'key rings: prefer rotating forward; the newer key leaves the ring, so tokens/sessions signed with it stop verifying',
  database:
    'database-url: with single-user rotation the database no longer accepts an older password unless it was reset; alternating users keep the older user working',
  redis: 'redis-password: the previous password stays valid on Redis until the next rotation (dual password)',
  'third-party': "third-party: the provider's older credential must still be valid",
};

export async function rollback(ctx: Context, out: Out, name: string, o: RollbackOptions): Promise<number> {
  const s = findSecret(ctx, name);
  process.stderr.write(
    `note: rollback changes which value of ${s.id} is current: run it as ${ctx.breakGlassRole}; ` +
      'its use fires the break-glass alarm, as intended (runbook #alarm-break-glass)\n',
  );
  const versions = await listVersions(ctx, s.id);
  const current = versions.find((v) => v.stages.includes('AWSCURRENT'));
  const pending = versions.find((v) => v.stages.includes('AWSPENDING') && !v.stages.includes('AWSCURRENT'));
  if (pending)
    throw new CliError(
      EXIT.refused,
      `${s.name} has a rotation in progress (AWSPENDING on ${pending.versionId.slice(0, 8)}): wait for it or clear it first (runbook #alarm-pending-rotation); nothing changed`,
    );
  if (!current) throw new CliError(EXIT.refused, `${s.name} has no AWSCURRENT version: nothing to roll back from`);
  const target = o.toVersion ? versions.find((v) => v.versionId === o.toVersion) : versions.find((v) => v.stages.includes('AWSPREVIOUS'));
  if (o.toVersion && !target)
    throw new CliError(EXIT.noSuchVersion, `${s.name} has no version "${o.toVersion}": list them with gaara-secrets history ${s.name}; nothing changed`);
  if (!target) throw new CliError(EXIT.refused, `${s.name} has no AWSPREVIOUS version: nothing to roll back to (it may still be the deploy-time placeholder)`);
  if (target.versionId === current.versionId) throw new CliError(EXIT.refused, `version ${target.versionId} is already AWSCURRENT: nothing to do`);
  if (s.entry.name === 'encryption-key')
    process.stderr.write('warning: never roll encryption-key back once data may have been written under the newer key: that data becomes unreadable\n');

  let login: LoginResult | 'skipped' | 'not-applicable' = 'not-applicable';
  if (s.entry.kind === 'database' || s.entry.kind === 'redis') {
    login = o.skipLoginCheck ? 'skipped' : await checkLogin(ctx, s, target.versionId);
  }

  const plan = {
    secret: s.name,
    id: s.id,
    changes: [
      { stage: 'AWSCURRENT', from: current.versionId, to: target.versionId },
      { stage: 'AWSPREVIOUS', from: versions.find((v) => v.stages.includes('AWSPREVIOUS'))?.versionId ?? null, to: current.versionId },
    ],
    restoredCreated: target.created,
    loginCheck: typeof login === 'string' ? login : login.ok ? 'ok' : `${login.reason} (${login.code})`,
    note: KIND_NOTES[s.entry.kind],
  };
  if (out.json) out.line(JSON.stringify({ plan }, null, 2));
  else {
    out.line(`Rollback plan for ${s.id}:`);
    out.line(`  AWSCURRENT   ${current.versionId} -> ${target.versionId} (created ${target.created ?? '?'})`);
    out.line(`  AWSPREVIOUS  ${plan.changes[1].from ?? '(none)'} -> ${current.versionId}`);
    out.line(`  login check  ${plan.loginCheck}`);
    out.line(`  note         ${plan.note}`);
    out.line(
      s.entry.rotator
        ? '  afterwards   days since last change counts from the restored version; the overdue alarm still follows the last completed rotation: rotate forward when the cause is fixed'
        : "  afterwards   days since last change and since last rotation count from the restored version's creation (it may alarm): replace the value properly",
    );
  }
  if (typeof login !== 'string' && !login.ok) {
    throw new CliError(
      EXIT.refused,
      login.reason === 'auth'
        ? `the credential in version ${target.versionId.slice(0, 8)} no longer logs in (${login.code}): rolling back would break the application; rotate forward (gaara-secrets rotate ${s.name}) or reset the password first (runbook R3); nothing changed`
        : login.reason === 'mismatch'
          ? `version ${target.versionId.slice(0, 8)} names another ${login.code} than the environment config (${s.entry.kind}.${login.code}): the rotator would refuse it and its password is sent nowhere; restore another version (gaara-secrets history ${s.name}); nothing changed`
          : `cannot check that the credential in version ${target.versionId.slice(0, 8)} logs in: ${login.reason} (${login.code}) from this machine; run from inside the database's network, or check by hand and pass --skip-login-check; nothing changed`,
    );
  }
  await confirm(`Move AWSCURRENT of ${s.id} to ${target.versionId}?`, s.name, o.yes);
  await call(
    ctx.sm,
    new UpdateSecretVersionStageCommand({
      SecretId: s.id,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: target.versionId,
      RemoveFromVersionId: current.versionId,
    }),
    {
      action: 'secretsmanager:UpdateSecretVersionStage',
      resource: s.id,
      role: ctx.breakGlassRole,
    },
  );
  if (out.json) out.line(JSON.stringify({ done: true, current: target.versionId, previous: current.versionId }));
  else
    out.line(
      `✓ ${s.name}: AWSCURRENT is now ${target.versionId}; AWSPREVIOUS is ${current.versionId}. Applications pick it up when their cache expires (client TTL).`,
    );
  return EXIT.ok;
}

async function checkLogin(ctx: Context, s: EnvSecret, versionId: string): Promise<LoginResult> {
  const v = await call<GetSecretValueCommandOutput>(ctx.sm, new GetSecretValueCommand({ SecretId: s.id, VersionId: versionId }), {
    action: 'secretsmanager:GetSecretValue',
    resource: s.id,
    role: ctx.breakGlassRole,
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(v.SecretString ?? '');
  } catch {
    return { ok: false, reason: 'other', code: 'NotJson' };
  }
  try {
    return s.entry.kind === 'database'
      ? await databaseLogsIn(parseDatabaseSecret(parsed), ctx.config.database)
      : await redisLogsIn(parseRedisSecret(parsed), ctx.config.redis);
  } catch (e) {
    // A shape error names the field, never the value.
    return { ok: false, reason: 'other', code: (e as Error).name };
  }
}
