/**
 * Grant sync for MySQL/MariaDB alternating users: the clone must hold exactly the base user's privileges. From
 * both users' SHOW GRANTS (the server's own canonical text) this plans the REVOKEs of every privilege the clone
 * holds and the base user does not (global, database, table, column and routine privileges, GRANT OPTION, roles,
 * PROXY); the caller then re-applies the base user's grants (GRANT only adds, and is idempotent).
 *
 * Why this order is safe to crash in: the revokes only take what the base user does not have, the grants only give
 * what it has, so at every point the clone holds a subset of (what it had) and (what the base user has), and never
 * gains anything the base user lacks. Running the sync again computes a fresh plan, so it is idempotent. The one
 * window where the clone holds LESS than the base user: when a broad privilege shrinks (the clone's `ALL
 * PRIVILEGES ON db.*` against the base user's `SELECT, INSERT ON db.*`), the REVOKE of ALL removes SELECT too until
 * the GRANT that follows restores it. The clone may be AWSCURRENT at that moment (every other rotation sets the
 * base user's password and syncs the clone), so statements of the application that need those privileges can fail
 * for that instant, or until the retried rotation completes if the step crashed in between.
 *
 * Not copied (the clone does not get them; extra ones on the clone are revoked): PROXY grants. MySQL 8 partial
 * revokes (`REVOKE ... ` lines with partial_revokes=ON) are not read.
 */
import { escape } from 'mysql2/promise';

export interface Account {
  user: string;
  host: string;
}

/** A grantee as SHOW GRANTS prints it: `user`@`host`, backticks doubled inside. */
export const showGrantsAccount = (a: Account): string => `${quoteBackticks(a.user)}@${quoteBackticks(a.host)}`;
const quoteBackticks = (s: string) => '`' + s.replace(/`/g, '``') + '`';

/** A grantee for a statement we write: quoted as string literals by mysql2. */
export const statementAccount = (a: Account): string => `${escape(a.user)}@${escape(a.host)}`;

type ParsedGrant =
  | { kind: 'privileges'; object: string; privileges: { name: string; columns: string[] }[]; grantOption: boolean }
  | { kind: 'role'; role: string; adminOption: boolean }
  | { kind: 'proxy'; target: string };

/** Splits at `separator` where it is outside backticks, quotes and parentheses. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote) {
        if (text[i + 1] === quote)
          i++; // doubled quote inside a quoted name
        else quote = undefined;
      } else if (c === '\\' && quote === "'") i++;
      continue;
    }
    if (c === '`' || c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && text.startsWith(separator, i)) {
      parts.push(text.slice(start, i));
      start = i + separator.length;
      i += separator.length - 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function parsePrivilege(item: string): { name: string; columns: string[] } {
  const open = item.indexOf('(');
  if (open < 0) return { name: item.trim().toUpperCase(), columns: [] };
  const inner = item.slice(open + 1, item.lastIndexOf(')'));
  return { name: item.slice(0, open).trim().toUpperCase(), columns: splitTopLevel(inner, ',').map((c) => c.trim()) };
}

/** One SHOW GRANTS line of `account`, parsed; undefined for what is not a grant (e.g. SET DEFAULT ROLE). */
export function parseGrantLine(line: string, account: Account): ParsedGrant | undefined {
  if (!line.startsWith('GRANT ')) return undefined;
  const grantee = ` TO ${showGrantsAccount(account)}`;
  const at = line.lastIndexOf(grantee);
  if (at < 0) return undefined;
  const body = line.slice('GRANT '.length, at);
  const rest = line.slice(at + grantee.length);
  const [what, object, ...more] = splitTopLevel(body, ' ON ');
  if (object === undefined) return { kind: 'role', role: body.trim(), adminOption: /\bWITH ADMIN OPTION\b/.test(rest) };
  if (more.length > 0 || what === undefined) return undefined;
  if (what.trim().toUpperCase() === 'PROXY') return { kind: 'proxy', target: object.trim() };
  const privileges = splitTopLevel(what, ',')
    .map(parsePrivilege)
    .filter((p) => p.name !== 'USAGE');
  return { kind: 'privileges', object: object.trim(), privileges, grantOption: /\bWITH GRANT OPTION\b/.test(rest) };
}

/** Every privilege as one comparable atom: object, privilege, column (or role / proxy). */
function atoms(lines: string[], account: Account): Map<string, ParsedGrant & { atom?: { name: string; column?: string } }> {
  const out = new Map<string, ParsedGrant & { atom?: { name: string; column?: string } }>();
  for (const line of lines) {
    const g = parseGrantLine(line, account);
    if (!g) continue;
    // With or without ADMIN OPTION are different atoms: a difference revokes the role, the re-grant restores it.
    if (g.kind === 'role') out.set(`role\u0000${g.role}\u0000${g.adminOption}`, g);
    else if (g.kind === 'proxy') out.set(`proxy\u0000${g.target}`, g);
    else {
      for (const p of g.privileges) {
        if (p.columns.length === 0) out.set(`priv\u0000${g.object}\u0000${p.name}`, { ...g, atom: { name: p.name } });
        for (const column of p.columns) out.set(`priv\u0000${g.object}\u0000${p.name}\u0000${column}`, { ...g, atom: { name: p.name, column } });
      }
      if (g.grantOption) out.set(`priv\u0000${g.object}\u0000GRANT OPTION`, { ...g, atom: { name: 'GRANT OPTION' } });
    }
  }
  return out;
}

/**
 * The REVOKE statements that take from `clone` every privilege, role and proxy grant `base` does not hold,
 * one statement per object (privileges of one object together). Both line lists are SHOW GRANTS output.
 */
export function staleGrantRevokes(baseLines: string[], base: Account, cloneLines: string[], clone: Account): string[] {
  const wanted = atoms(baseLines, base);
  const byObject = new Map<string, string[]>();
  const statements: string[] = [];
  const from = ` FROM ${statementAccount(clone)}`;
  for (const [key, g] of atoms(cloneLines, clone)) {
    // PROXY is never copied, so a proxy grant on the clone is always stale.
    if (g.kind === 'proxy') statements.push(`REVOKE PROXY ON ${g.target}${from}`);
    if (wanted.has(key)) continue;
    if (g.kind === 'role') statements.push(`REVOKE ${g.role}${from}`);
    if (g.kind === 'privileges' && g.atom) {
      const privilege = g.atom.column === undefined ? g.atom.name : `${g.atom.name} (${g.atom.column})`;
      byObject.set(g.object, [...(byObject.get(g.object) ?? []), privilege]);
    }
  }
  for (const [object, privileges] of byObject) {
    // GRANT OPTION alone: next to ALL PRIVILEGES with ON, not every server version accepts it in one list.
    const others = privileges.filter((p) => p !== 'GRANT OPTION');
    if (others.length > 0) statements.push(`REVOKE ${others.join(', ')} ON ${object}${from}`);
    if (others.length < privileges.length) statements.push(`REVOKE GRANT OPTION ON ${object}${from}`);
  }
  return statements;
}
