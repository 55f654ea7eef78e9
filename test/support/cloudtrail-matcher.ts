/**
 * MODELLED matchers, for tests only:
 *
 * 1. CloudWatch Logs JSON filter patterns (`{ ($.a = "x") || ($.b != "y") && ... }`), the subset the audit
 *    filters use: selectors `$.a.b[0].c`; `=`/`!=` with quoted or bare strings (wildcard `*` anywhere) or numbers;
 *    `<`, `>`, `<=`, `>=` on numbers; `NOT EXISTS`, `EXISTS`, `IS NULL`, `IS TRUE`, `IS FALSE`; `&&`, `||`,
 *    parentheses. `&&` binds tighter than `||`.
 *    Modelling choice (conservative): a comparison on a field that is absent is false, `!=` included; the audit
 *    patterns therefore guard optional fields with `NOT EXISTS` and do not depend on the service's choice.
 *    Anything else (regex `%...%`, space-delimited or plain-term patterns) is refused with an error.
 * 2. EventBridge event patterns: exact values (arrays: any element), nested objects, `prefix`, `suffix`,
 *    `anything-but` (value, list or `{prefix}`), `exists`, `equals-ignore-case`. Unknown operators are refused.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

// ---------------------------------------------------------------- CloudWatch Logs filter patterns

type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'cmp'; path: (string | number)[]; op: '=' | '!=' | '<' | '>' | '<=' | '>='; value: string | number; quoted: boolean }
  | { kind: 'test'; path: (string | number)[]; test: 'NOT EXISTS' | 'EXISTS' | 'IS NULL' | 'IS TRUE' | 'IS FALSE' };

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parsePattern(): Node {
    this.skip();
    this.expect('{');
    const node = this.parseOr();
    this.skip();
    this.expect('}');
    this.skip();
    if (this.pos !== this.src.length) this.fail('unexpected text after the closing brace');
    return node;
  }

  private parseOr(): Node {
    let left = this.parseAnd();
    for (;;) {
      this.skip();
      if (!this.src.startsWith('||', this.pos)) return left;
      this.pos += 2;
      left = { kind: 'or', left, right: this.parseAnd() };
    }
  }

  private parseAnd(): Node {
    let left = this.parseUnary();
    for (;;) {
      this.skip();
      if (!this.src.startsWith('&&', this.pos)) return left;
      this.pos += 2;
      left = { kind: 'and', left, right: this.parseUnary() };
    }
  }

  private parseUnary(): Node {
    this.skip();
    if (this.src[this.pos] === '(') {
      this.pos++;
      const inner = this.parseOr();
      this.skip();
      this.expect(')');
      return inner;
    }
    return this.parseComparison();
  }

  private parseComparison(): Node {
    const path = this.parseSelector();
    this.skip();
    for (const test of ['NOT EXISTS', 'EXISTS', 'IS NULL', 'IS TRUE', 'IS FALSE'] as const) {
      if (this.src.startsWith(test, this.pos)) {
        this.pos += test.length;
        return { kind: 'test', path, test };
      }
    }
    const op = (['!=', '<=', '>=', '=', '<', '>'] as const).find((o) => this.src.startsWith(o, this.pos));
    if (!op) this.fail('expected a comparison operator');
    this.pos += op.length;
    this.skip();
    if (this.src[this.pos] === '"') {
      const end = this.src.indexOf('"', this.pos + 1);
      if (end < 0) this.fail('unterminated string');
      const value = this.src.slice(this.pos + 1, end);
      this.pos = end + 1;
      return { kind: 'cmp', path, op, value, quoted: true };
    }
    if (this.src[this.pos] === '%') this.fail('regular expressions (%...%) are not modelled');
    const m = /^[^\s()&|{}]+/.exec(this.src.slice(this.pos));
    if (!m) this.fail('expected a value');
    this.pos += m[0].length;
    const numeric = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(m[0]);
    return { kind: 'cmp', path, op, value: numeric ? Number(m[0]) : m[0], quoted: false };
  }

  private parseSelector(): (string | number)[] {
    this.skip();
    if (this.src[this.pos] !== '$') this.fail('expected a selector starting with $');
    this.pos++;
    const path: (string | number)[] = [];
    for (;;) {
      const rest = this.src.slice(this.pos);
      const prop = /^\.([A-Za-z_][A-Za-z0-9_-]*)/.exec(rest);
      const index = /^\[(\d+)\]/.exec(rest);
      if (prop) {
        path.push(prop[1]);
        this.pos += prop[0].length;
      } else if (index) {
        path.push(Number(index[1]));
        this.pos += index[0].length;
      } else break;
    }
    if (path.length === 0) this.fail('empty selector');
    return path;
  }

  private skip(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos])) this.pos++;
  }

  private expect(c: string): void {
    if (this.src[this.pos] !== c) this.fail(`expected "${c}"`);
    this.pos++;
  }

  private fail(what: string): never {
    throw new Error(`filter pattern: ${what} at offset ${this.pos} in ${this.src}`);
  }
}

export function parseFilterPattern(pattern: string): Node {
  return new Parser(pattern).parsePattern();
}

function resolve(event: Json, path: (string | number)[]): Json | undefined {
  let cur: Json | undefined = event;
  for (const p of path) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? (typeof p === 'number' ? cur[p] : undefined) : typeof p === 'string' ? cur[p] : undefined;
  }
  return cur;
}

function wildcardRegex(value: string): RegExp {
  return new RegExp(
    `^${value
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );
}

function evaluate(node: Node, event: Json): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, event) && evaluate(node.right, event);
    case 'or':
      return evaluate(node.left, event) || evaluate(node.right, event);
    case 'test': {
      const v = resolve(event, node.path);
      if (node.test === 'NOT EXISTS') return v === undefined;
      if (node.test === 'EXISTS') return v !== undefined;
      if (node.test === 'IS NULL') return v === null;
      return v === (node.test === 'IS TRUE');
    }
    case 'cmp': {
      const v = resolve(event, node.path);
      if (v === undefined) return false;
      if (typeof node.value === 'number' && !node.quoted) {
        if (typeof v !== 'number') return node.op === '!=' ? true : false;
        const x = node.value;
        return { '=': v === x, '!=': v !== x, '<': v < x, '>': v > x, '<=': v <= x, '>=': v >= x }[node.op];
      }
      if (node.op !== '=' && node.op !== '!=') throw new Error(`filter pattern: ${node.op} needs a number`);
      const text = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
      const equal = text !== undefined && wildcardRegex(String(node.value)).test(text);
      return node.op === '=' ? equal : !equal;
    }
  }
}

/** MODELLED CloudWatch Logs JSON filter-pattern match of one log event. */
export function matchesFilterPattern(pattern: string, event: Json): boolean {
  return evaluate(parseFilterPattern(pattern), event);
}

// ---------------------------------------------------------------- EventBridge event patterns

function matchesOne(rule: Json, value: Json | undefined): boolean {
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) return value === rule;
  const [op, arg] = Object.entries(rule)[0] ?? [];
  const s = typeof value === 'string' ? value : undefined;
  switch (op) {
    case 'prefix':
      return s !== undefined && typeof arg === 'string' && s.startsWith(arg);
    case 'suffix':
      return s !== undefined && typeof arg === 'string' && s.endsWith(arg);
    case 'equals-ignore-case':
      return s !== undefined && typeof arg === 'string' && s.toLowerCase() === arg.toLowerCase();
    case 'exists':
      return (value !== undefined) === arg;
    case 'anything-but': {
      if (value === undefined) return false;
      if (Array.isArray(arg)) return !arg.some((a) => a === value);
      if (arg !== null && typeof arg === 'object') return !matchesOne(arg, value);
      return value !== arg;
    }
    default:
      throw new Error(`event pattern: operator ${String(op)} is not modelled`);
  }
}

function matchesField(rules: Json[], value: Json | undefined): boolean {
  // An `exists: false` rule matches absence; every other rule needs a value.
  const values = Array.isArray(value) ? value : [value];
  return rules.some((r) => values.some((v) => matchesOne(r, v)) || (value === undefined && matchesOne(r, undefined)));
}

/** MODELLED EventBridge pattern match of one event envelope. */
export function matchesEventPattern(pattern: { [k: string]: Json }, event: Json): boolean {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return false;
  return Object.entries(pattern).every(([key, rule]) => {
    const value = (event as { [k: string]: Json })[key];
    if (Array.isArray(rule)) return matchesField(rule, value);
    if (rule !== null && typeof rule === 'object') return matchesEventPattern(rule as { [k: string]: Json }, value ?? null);
    throw new Error(`event pattern: ${key} must be an array or an object`);
  });
}

/** How EventBridge delivers a CloudTrail record: the record is `detail`. */
export function cloudTrailEnvelope(record: { [k: string]: Json }): { [k: string]: Json } {
  const source = String(record.eventSource).replace('.amazonaws.com', '');
  return {
    version: '0',
    id: 'c7a8e8f2-5e9f-4b1a-9a53-000000000001',
    'detail-type': record.eventType === 'AwsServiceEvent' ? 'AWS Service Event via CloudTrail' : 'AWS API Call via CloudTrail',
    source: `aws.${source}`,
    account: String(record.recipientAccountId),
    time: String(record.eventTime),
    region: String(record.awsRegion),
    resources: [],
    detail: record,
  };
}

export type { Json };
