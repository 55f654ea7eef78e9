import { ListSecretVersionIdsCommand, type ListSecretVersionIdsCommandOutput } from '@aws-sdk/client-secrets-manager';
import { call } from '../aws';
import { type Context, findSecret } from '../context';
import { EXIT } from '../errors';
import { isoDate, type Out, table } from '../output';

export interface VersionRow {
  versionId: string;
  stages: string[];
  created: string | null;
}

export async function listVersions(ctx: Context, id: string): Promise<VersionRow[]> {
  const rows: VersionRow[] = [];
  let NextToken: string | undefined;
  do {
    const page = await call<ListSecretVersionIdsCommandOutput>(ctx.sm, new ListSecretVersionIdsCommand({ SecretId: id, IncludeDeprecated: true, NextToken }), {
      action: 'secretsmanager:ListSecretVersionIds',
      resource: id,
      role: ctx.operatorRole,
    });
    for (const v of page.Versions ?? [])
      rows.push({ versionId: v.VersionId ?? '?', stages: v.VersionStages ?? [], created: v.CreatedDate ? isoDate(v.CreatedDate) : null });
    NextToken = page.NextToken;
  } while (NextToken);
  return rows.sort((a, b) => (b.created ?? '').localeCompare(a.created ?? ''));
}

/** Versions, stages and creation dates (the "list backups"): never values. */
export async function history(ctx: Context, out: Out, name: string): Promise<number> {
  const s = findSecret(ctx, name);
  const rows = await listVersions(ctx, s.id);
  if (out.json) {
    out.line(JSON.stringify({ secret: s.name, id: s.id, versions: rows }, null, 2));
  } else {
    out.line(`${s.id}: ${rows.length} version(s), newest first (versions without a label are deprecated and will be deleted by the service)`);
    table(
      out,
      ['VERSION', 'STAGES', 'CREATED'],
      rows.map((r) => [r.versionId, r.stages.join(',') || '(none)', r.created ?? '-']),
    );
  }
  return EXIT.ok;
}
