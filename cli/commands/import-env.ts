/**
 * Migrates a `.env` into the environment's secrets. Break-glass by design (it writes values). The plan names
 * secrets, variables and fields, never values; nothing is written without confirmation; a secret that is no
 * longer a placeholder (same metadata rule as the age function) is overwritten only with --force.
 */
import { randomUUID } from 'node:crypto';
import { ListSecretVersionIdsCommand, type ListSecretVersionIdsCommandOutput, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { pendingVersion, secretFigures, VersionMetadataError } from '../../contracts/secret-age-rules';
import { call } from '../aws';
import { confirm } from '../confirm';
import { type Context, findSecret } from '../context';
import { CliError, EXIT } from '../errors';
import { DEFAULT_MAP, planImport, targetMismatches } from '../import/convert';
import { readEnvFile, readMapFile } from '../import/dotenv-file';
import { type Out, table } from '../output';

export interface ImportOptions {
  dryRun?: boolean;
  map?: string;
  force?: boolean;
  yes?: boolean;
}

export async function importEnv(ctx: Context, out: Out, file: string, o: ImportOptions): Promise<number> {
  const vars = readEnvFile(file);
  const map = { ...DEFAULT_MAP, ...(o.map ? readMapFile(o.map) : {}) };
  const planned = planImport(vars, map, ctx.config);
  const unmapped = Object.keys(vars).filter((v) => !(v in map));
  if (!o.dryRun) {
    process.stderr.write(
      `note: import-env writes secret values of ${ctx.app}/${ctx.env}: run it as ${ctx.breakGlassRole}; its use fires the break-glass alarm, as intended (runbook #alarm-break-glass)\n`,
    );
  }
  const rows = [];
  for (const p of planned) {
    const s = findSecret(ctx, p.name);
    const l = await call<ListSecretVersionIdsCommandOutput>(ctx.sm, new ListSecretVersionIdsCommand({ SecretId: s.id }), {
      action: 'secretsmanager:ListSecretVersionIds',
      resource: s.id,
      role: ctx.operatorRole,
    });
    const versions = l.Versions ?? [];
    let placeholder = false;
    try {
      placeholder = secretFigures(versions, new Date()).placeholder === 1;
    } catch (e) {
      if (!(e instanceof VersionMetadataError)) throw e;
    }
    const rotating = Boolean(pendingVersion(versions));
    const action = rotating ? 'refused: rotation in progress' : placeholder ? 'write' : o.force ? 'overwrite (--force)' : 'skip: holds a value (use --force)';
    rows.push({ ...p, id: s.id, placeholder, action, mismatches: targetMismatches(p, ctx.config) });
  }
  const plan = rows.map((r) => ({
    secret: r.name,
    from: r.from,
    fields: r.fields,
    placeholder: r.placeholder,
    action: r.action,
    differsFromConfig: r.mismatches,
  }));
  if (out.json) out.line(JSON.stringify({ file, environment: ctx.env, dryRun: Boolean(o.dryRun), plan, unmappedVariables: unmapped }, null, 2));
  else {
    out.line(`Import plan for ${ctx.app}/${ctx.env} from ${file} (names only, no values):`);
    table(
      out,
      ['SECRET', 'FROM', 'FIELDS', 'NOW', 'ACTION'],
      rows.map((r) => [r.name, r.from.join(','), r.fields.join(','), r.placeholder ? 'placeholder' : 'has a value', r.action]),
    );
    for (const r of rows)
      if (r.mismatches.length)
        out.line(
          `! ${r.name}: ${r.mismatches.join(', ')} differ from the environment config: the rotator will refuse this value (TargetMismatch) until config or value agree`,
        );
    if (unmapped.length) out.line(`not imported (no mapping; add them with --map): ${unmapped.join(', ')}`);
  }
  if (rows.some((r) => r.action.startsWith('refused')))
    throw new CliError(
      EXIT.refused,
      `${rows
        .filter((r) => r.action.startsWith('refused'))
        .map((r) => r.name)
        .join(', ')}: a rotation is in progress; wait for it (gaara-secrets status) and rerun; nothing was written`,
    );
  const toWrite = rows.filter((r) => r.action === 'write' || r.action.startsWith('overwrite'));
  if (o.dryRun || toWrite.length === 0) {
    if (!out.json) out.line(o.dryRun ? 'dry run: nothing written' : 'nothing to write');
    return EXIT.ok;
  }
  await confirm(`Write ${toWrite.length} secret(s) of ${ctx.app}/${ctx.env}?`, 'import', o.yes);
  for (const r of toWrite) {
    await call(ctx.sm, new PutSecretValueCommand({ SecretId: r.id, SecretString: r.value, ClientRequestToken: randomUUID() }), {
      action: 'secretsmanager:PutSecretValue',
      resource: r.id,
      role: ctx.breakGlassRole,
    });
    if (!out.json) out.line(`✓ ${r.name}: written as AWSCURRENT (the old value is AWSPREVIOUS)`);
  }
  return EXIT.ok;
}
