/**
 * Compares a simulated access matrix with the expected one cell by cell and says, for each difference, who,
 * what, on which resource, what was expected and what the policies give.
 */
import type { PrincipalId, ResourceLabel, SimulatedEnvironment } from './iam-simulation';

export interface ExpectedAccess {
  principals: PrincipalId[];
  allowed: Partial<Record<ResourceLabel, Record<string, PrincipalId[]>>>;
  /** What AWS services may do on the stack's behalf, by check. */
  services: Record<string, 'allow' | 'deny'>;
}

export interface CellDifference {
  principal: string;
  action: string;
  resource: string;
  expected: 'allow' | 'deny' | 'no such check';
  actual: 'allow' | 'deny' | 'no such check';
}

export function matrixDifferences(expected: ExpectedAccess, simulated: SimulatedEnvironment): CellDifference[] {
  const differences: CellDifference[] = [];
  const simulatedPrincipals = simulated.principals.map((p) => p.id);
  for (const id of new Set([...expected.principals, ...simulatedPrincipals])) {
    if (!expected.principals.includes(id)) differences.push({ principal: id, action: '*', resource: '*', expected: 'no such check', actual: 'deny' });
    if (!simulatedPrincipals.includes(id)) differences.push({ principal: id, action: '*', resource: '*', expected: 'deny', actual: 'no such check' });
  }
  const resources = new Set<string>([...Object.keys(expected.allowed), ...simulated.matrix.keys()]);
  for (const resource of resources) {
    const want = expected.allowed[resource as ResourceLabel] ?? {};
    const got = simulated.matrix.get(resource as ResourceLabel) ?? new Map<string, Map<PrincipalId, boolean>>();
    for (const action of new Set([...Object.keys(want), ...got.keys()])) {
      const row = got.get(action);
      if (!(action in want) || !row) {
        differences.push({ principal: '*', action, resource, expected: action in want ? 'allow' : 'no such check', actual: row ? 'allow' : 'no such check' });
        continue;
      }
      for (const principal of simulatedPrincipals.filter((id) => expected.principals.includes(id))) {
        const e = want[action].includes(principal) ? 'allow' : 'deny';
        const a = row.get(principal) ? 'allow' : 'deny';
        if (e !== a) differences.push({ principal, action, resource, expected: e, actual: a });
      }
      for (const principal of want[action].filter((id) => !expected.principals.includes(id))) {
        differences.push({ principal, action, resource, expected: 'allow', actual: 'no such check' });
      }
    }
  }
  for (const label of new Set([...Object.keys(expected.services), ...simulated.services.keys()])) {
    const e = expected.services[label] ?? 'no such check';
    const a = simulated.services.has(label) ? (simulated.services.get(label) ? 'allow' : 'deny') : 'no such check';
    if (e !== a) differences.push({ principal: label.split(' ')[0], action: label, resource: '(service)', expected: e, actual: a });
  }
  return differences;
}

/** The differences as an aligned table, one line per cell. */
export function formatDifferences(envName: string, differences: CellDifference[]): string {
  const header: CellDifference = { principal: 'principal', action: 'action', resource: 'resource', expected: 'expected' as never, actual: 'actual' as never };
  const rows = [header, ...differences];
  const width = (k: keyof CellDifference) => Math.max(...rows.map((r) => r[k].length));
  const line = (r: CellDifference) => (['principal', 'action', 'resource', 'expected', 'actual'] as const).map((k) => r[k].padEnd(width(k))).join('  ');
  return [`${envName}: ${differences.length} cell(s) differ from test/infra/access-matrix/expected.ts`, ...rows.map(line)].join('\n');
}
