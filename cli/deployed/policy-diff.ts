/**
 * Compares two IAM policy documents by meaning: statement order, a string against a one-element array, duplicate
 * entries, `"*"` against `{"AWS": "*"}`, and the case of action names do not count. Each difference names the
 * statement (its Sid) and the element; policies hold principals and actions, never secret values.
 */

type Canonical = Record<string, unknown>;

const SET_FIELDS = ['Action', 'NotAction', 'Resource', 'NotResource'] as const;

function set(v: unknown, lower = false): string[] {
  const list = (Array.isArray(v) ? v : [v]).map((x) => (lower ? String(x).toLowerCase() : String(x)));
  return [...new Set(list)].sort();
}

function principals(p: unknown): Record<string, string[]> {
  if (p === '*') return { AWS: ['*'] };
  const entries = Object.entries((p ?? {}) as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
  return Object.fromEntries(entries.map(([k, v]) => [k, set(v)]));
}

function conditions(c: unknown): Record<string, Record<string, string[]>> {
  const ops = Object.entries((c ?? {}) as Record<string, Record<string, unknown>>).sort(([a], [b]) => a.localeCompare(b));
  const byKey = (keys: Record<string, unknown>) => Object.entries(keys).sort(([a], [b]) => a.localeCompare(b));
  return Object.fromEntries(ops.map(([op, keys]) => [op, Object.fromEntries(byKey(keys).map(([k, v]) => [k, set(v)]))]));
}

export function canonicalStatement(s: Record<string, unknown>): Canonical {
  const out: Canonical = { Effect: s.Effect };
  if (s.Sid !== undefined) out.Sid = s.Sid;
  if (s.Principal !== undefined) out.Principal = principals(s.Principal);
  if (s.NotPrincipal !== undefined) out.NotPrincipal = principals(s.NotPrincipal);
  for (const f of SET_FIELDS) if (s[f] !== undefined) out[f] = set(s[f], f.endsWith('Action'));
  if (s.Condition !== undefined) out.Condition = conditions(s.Condition);
  return out;
}

const keyOf = (s: Canonical) => (typeof s.Sid === 'string' && s.Sid ? s.Sid : `(no Sid) ${JSON.stringify(s)}`);

/** Leaf-level differences of two canonical values: `path: +added -missing` for sets, `path` otherwise. */
function leafDiffs(path: string, deployed: unknown, live: unknown): string[] {
  if (JSON.stringify(deployed) === JSON.stringify(live)) return [];
  if (Array.isArray(deployed) && Array.isArray(live)) {
    const extra = live.filter((x) => !deployed.includes(x));
    const missing = deployed.filter((x) => !live.includes(x));
    return [`${path}: ${[...extra.map((x) => `+${x}`), ...missing.map((x) => `-${x}`)].join(' ')}`];
  }
  if (deployed && live && typeof deployed === 'object' && typeof live === 'object' && !Array.isArray(deployed) && !Array.isArray(live)) {
    const keys = [...new Set([...Object.keys(deployed), ...Object.keys(live)])].sort();
    return keys.flatMap((k) => leafDiffs(path ? `${path} ${k}` : k, (deployed as Record<string, unknown>)[k], (live as Record<string, unknown>)[k]));
  }
  return [`${path}: ${deployed === undefined ? 'only live' : live === undefined ? 'missing in live' : 'differs'}`];
}

/**
 * Differences of the live policy from the deployed one, one line each, `[]` when they mean the same. `+x`: the
 * live policy has x and the deployed template has not; `-x`: the reverse.
 */
export function policyDifferences(deployed: unknown, live: unknown): string[] {
  const doc = (p: unknown) => (p ?? {}) as { Version?: unknown; Statement?: unknown };
  const statements = (p: unknown) => {
    const s = doc(p).Statement ?? [];
    return new Map((Array.isArray(s) ? s : [s]).map((x) => canonicalStatement(x as Record<string, unknown>)).map((c) => [keyOf(c), c]));
  };
  const out: string[] = [];
  if (doc(deployed).Version !== doc(live).Version) out.push(`Version: deployed ${String(doc(deployed).Version)}, live ${String(doc(live).Version)}`);
  const want = statements(deployed);
  const got = statements(live);
  for (const [sid, s] of want) {
    const g = got.get(sid);
    if (!g) out.push(`statement ${sid} is missing`);
    else out.push(...leafDiffs('', s, g).map((d) => `statement ${sid} differs in ${d}`));
  }
  for (const sid of got.keys()) if (!want.has(sid)) out.push(`statement ${sid} is not in the deployed template`);
  return out;
}
