/**
 * `<choose>` conditions `token` can decide from the request and the token (issue 14): a small three-valued reader
 * of the C# policy expressions people write to route requests — `&&`, `||`, `!`, parentheses, `true`/`false`, and
 * comparisons of the request method, URL path, operation, API and product with string literals, and of a token
 * claim read with `AsJwt()`. Anything else is undecided (undefined), never guessed.
 */
import type { Claims } from './decode';
import { claimValues } from './decode';

export interface ConditionFacts {
  method: string | undefined;
  path: string | undefined;
  operationId: string | undefined;
  apiName: string;
  /** The product of the call path; undefined for calls without product policies. */
  product: string | undefined;
  /** The header the token is sent in (lower case). */
  tokenHeader: string;
  claims: Claims;
}

type Tri = boolean | undefined;

const and = (a: Tri, b: Tri): Tri =>
  a === false || b === false ? false : a === true && b === true ? true : undefined;
const or = (a: Tri, b: Tri): Tri =>
  a === true || b === true ? true : a === false && b === false ? false : undefined;

/** `@(...)` -> its inside; other text as is. */
function unwrap(condition: string): string {
  const text = condition.trim();
  const match = /^@\(([\s\S]*)\)$/.exec(text);
  return (match ? (match[1] ?? '') : text).trim();
}

/**
 * Calls `visit(i, depth)` for every character of `text` outside string literals, with the parenthesis depth after
 * it; `visit` returns how many characters to skip, or false to stop.
 */
function scanCode(text: string, visit: (i: number, depth: number) => number | false): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    const skip = visit(i, depth);
    if (skip === false) return;
    i += skip;
  }
}

/** Splits at a top-level binary operator (outside parentheses and string literals), or undefined. */
function splitTop(text: string, op: '||' | '&&'): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  scanCode(text, (i, depth) => {
    if (depth !== 0 || !text.startsWith(op, i)) return 0;
    parts.push(text.slice(start, i));
    start = i + 2;
    return 1;
  });
  if (parts.length === 0) return undefined;
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

/** True when the whole text is one parenthesised group: `(a && b)`, not `(a) && (b)`. */
function enclosed(text: string): boolean {
  if (!text.startsWith('(') || !text.endsWith(')')) return false;
  let whole = true;
  scanCode(text, (i, depth) => {
    if (depth === 0 && text[i] === ')' && i < text.length - 1) {
      whole = false;
      return false;
    }
    return 0;
  });
  return whole;
}

export function decideCondition(condition: string, facts: ConditionFacts): Tri {
  return decide(unwrap(condition), facts, 0);
}

function decide(text: string, facts: ConditionFacts, depth: number): Tri {
  if (depth > 50) return undefined;
  const t = text.trim();
  const ors = splitTop(t, '||');
  if (ors) return ors.map((p) => decide(p, facts, depth + 1)).reduce(or);
  const ands = splitTop(t, '&&');
  if (ands) return ands.map((p) => decide(p, facts, depth + 1)).reduce(and);
  if (enclosed(t)) return decide(t.slice(1, -1), facts, depth + 1);
  if (t.startsWith('!') && !t.startsWith('!=')) {
    const inner = decide(t.slice(1), facts, depth + 1);
    return inner === undefined ? undefined : !inner;
  }
  if (t === 'true') return true;
  if (t === 'false') return false;
  return atom(t, facts);
}

const STRING = '"((?:[^"\\\\]|\\\\.)*)"';

/** A value expression `token` knows: the request method, path, operation, API, product, a claim. */
function valueOf(
  expr: string,
  facts: ConditionFacts,
): { known: true; value: string | null } | { known: false } {
  const e = expr.replace(/\s+/g, '').replace(/\?\./g, '.');
  if (e === 'context.Request.Method') return known(facts.method);
  if (e === 'context.Request.Url.Path' || e === 'context.Request.OriginalUrl.Path') return known(facts.path);
  if (e === 'context.Operation.Id' || e === 'context.Operation.Name') return known(facts.operationId);
  if (e === 'context.Api.Name' || e === 'context.Api.Id') return { known: true, value: facts.apiName };
  if (e === 'context.Product.Name' || e === 'context.Product.Id') {
    return { known: true, value: facts.product ?? null };
  }
  if (e === 'context.Product') return { known: true, value: facts.product === undefined ? null : 'product' };
  // context.Request.Headers.GetValueOrDefault("Authorization","").AsJwt()?.Claims.GetValueOrDefault("ver","")
  const claim = new RegExp(
    `^context\\.Request\\.Headers\\.GetValueOrDefault\\(${STRING}(?:,${STRING})?\\)\\.AsJwt\\(\\)\\.Claims(?:\\.GetValueOrDefault\\(${STRING}(?:,${STRING})?\\)|\\[${STRING}\\])$`,
  ).exec(e);
  if (claim) {
    if ((claim[1] ?? '').toLowerCase() !== facts.tokenHeader) return { known: false };
    const name = claim[3] ?? claim[5] ?? '';
    const values = claimValues(facts.claims, name);
    if (values === undefined) return { known: true, value: claim[4] ?? null };
    return { known: true, value: values.join(',') };
  }
  return { known: false };
}

function known(value: string | undefined): { known: true; value: string } | { known: false } {
  return value === undefined ? { known: false } : { known: true, value };
}

function literal(expr: string): { value: string | null } | undefined {
  const t = expr.trim();
  if (t === 'null') return { value: null };
  const m = new RegExp(`^${STRING}$`).exec(t);
  return m ? { value: (m[1] ?? '').replace(/\\(.)/g, '$1') } : undefined;
}

function atom(text: string, facts: ConditionFacts): Tri {
  const cmp = /^([\s\S]+?)\s*(==|!=)\s*([\s\S]+)$/.exec(text);
  if (cmp) {
    const [, leftText = '', op, rightText = ''] = cmp;
    const right = literal(rightText) ?? literal(leftText);
    const left = valueOf(literal(rightText) ? leftText : rightText, facts);
    if (!right || !left.known) return undefined;
    const equal = left.value === right.value;
    return op === '==' ? equal : !equal;
  }
  // x.Equals("GET"), x.StartsWith("/a"), x.EndsWith, x.Contains, optionally with StringComparison.OrdinalIgnoreCase
  const call = new RegExp(
    `^([\\s\\S]+)\\.(Equals|StartsWith|EndsWith|Contains)\\(${STRING}(\\s*,\\s*StringComparison\\.(\\w+))?\\)$`,
  ).exec(text.trim());
  if (call) {
    const left = valueOf(call[1] ?? '', facts);
    if (!left.known || left.value === null) return undefined;
    const ignoreCase = /IgnoreCase/.test(call[5] ?? '');
    const a = ignoreCase ? left.value.toLowerCase() : left.value;
    const b = ignoreCase ? (call[3] ?? '').toLowerCase() : (call[3] ?? '');
    switch (call[2]) {
      case 'Equals':
        return a === b;
      case 'StartsWith':
        return a.startsWith(b);
      case 'EndsWith':
        return a.endsWith(b);
      default:
        return a.includes(b);
    }
  }
  return undefined;
}
