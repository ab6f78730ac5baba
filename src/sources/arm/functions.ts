/**
 * The ARM template functions the offline evaluator knows. Functions whose result only a deployment knows
 * (resourceGroup(), reference(), uniqueString(), utcNow(), list*()...) return `Unknown`; so does any function
 * this table lacks. Names are case-insensitive, as in ARM.
 */
import {
  describeType,
  element,
  evaluateNode,
  firstUnknown,
  isArmObject,
  isUnknownValue,
  Lambda,
  member,
  PartialString,
  Unknown,
  type ArmObject,
  type ArmValue,
  type Env,
  type ExprNode,
} from './expressions';
import { jsonDepthProblem } from '../../json/positions';
import { ArmLimitError, chargeResult, checkSize, enterCall, leaveCall } from './limits';

type Lazy = (args: readonly ExprNode[], env: Env) => ArmValue;
type Eager = (values: ArmValue[], env: Env) => ArmValue;

const DEPLOYMENT_ONLY = [
  'resourcegroup',
  'subscription',
  'tenant',
  'deployment',
  'environment',
  'managementgroup',
  'deployer',
  'utcnow',
  'newguid',
  'uniquestring',
  'guid',
  'pickzones',
  'providers',
  'extensionresourceid',
  'managementgroupresourceid',
];

export function callFunction(name: string, args: readonly ExprNode[], env: Env): ArmValue {
  enterCall(name);
  try {
    return callUnbounded(name, args, env);
  } catch (error) {
    // V8 refuses strings over ~512 M characters with a RangeError; past the checks below it is still a limit.
    if (error instanceof RangeError) throw new ArmLimitError(`${name}(): ${error.message}`);
    throw error;
  } finally {
    leaveCall();
  }
}

function callUnbounded(name: string, args: readonly ExprNode[], env: Env): ArmValue {
  const key = name.toLowerCase();
  if (DEPLOYMENT_ONLY.includes(key) || key.startsWith('list')) {
    return new Unknown(`${name}() is known only at deployment`, `${name}()`);
  }
  const lazy = LAZY[key];
  if (lazy) return lazy(args, env);
  const eager = EAGER[key];
  if (!eager) {
    return new Unknown(
      key.includes('.')
        ? `user-defined function ${name}() is not evaluated offline`
        : `function ${name}() is not evaluated offline`,
    );
  }
  const values = args.map((a) => evaluateNode(a, env));
  const unknown = values.find(isUnknownValue);
  if (unknown && !TOLERATES_UNKNOWN_ARGS.has(key)) return new Unknown(unknown.reason);
  const result = eager(values, env);
  chargeResult(name, result);
  return result;
}

// ----- Helpers ---------------------------------------------------------------------------------------------

function fail(message: string): Unknown {
  return new Unknown(message);
}

/** Text of a value as `concat`/`format`/`string` render it (.NET renders booleans as True/False). */
function toText(value: ArmValue): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value === null) return '';
  if (Array.isArray(value) || isArmObject(value)) {
    return firstUnknown(value) ? undefined : JSON.stringify(value);
  }
  return undefined;
}

/** Joins known text and unknown pieces: a string when everything is known, else a `PartialString`. */
export function joinPieces(pieces: readonly ArmValue[]): ArmValue {
  const parts: (string | Unknown)[] = [];
  const push = (part: string | Unknown) => {
    const last = parts[parts.length - 1];
    if (typeof part === 'string' && typeof last === 'string') parts[parts.length - 1] = last + part;
    else if (part !== '') parts.push(part);
  };
  for (const piece of pieces) {
    if (piece instanceof PartialString) piece.parts.forEach(push);
    else if (piece instanceof Unknown) push(piece);
    else {
      const text = toText(piece);
      push(text ?? new Unknown(`cannot render a ${describeType(piece)} as text`));
    }
  }
  if (parts.every((p) => typeof p === 'string')) return parts.join('');
  return new PartialString(parts);
}

function canonicalJson(value: ArmValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isArmObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] ?? null)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function deepEqual(a: ArmValue, b: ArmValue): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function asArray(value: ArmValue): ArmValue[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

function apply(lambda: ArmValue, values: ArmValue[]): ArmValue {
  if (!(lambda instanceof Lambda)) return fail('expected a lambda');
  const vars = new Map(lambda.env.lambdaVariables);
  lambda.params.forEach((p, i) => vars.set(p.toLowerCase(), values[i] ?? null));
  return evaluateNode(lambda.body, { scope: lambda.env.scope, lambdaVariables: vars });
}

function compare(values: ArmValue[], test: (order: number) => boolean): ArmValue {
  const [a, b] = values;
  if (typeof a === 'number' && typeof b === 'number') return test(a - b);
  if (typeof a === 'string' && typeof b === 'string') return test(a < b ? -1 : a > b ? 1 : 0);
  return fail('comparison needs two numbers or two strings');
}

function numbers(values: ArmValue[]): number[] | undefined {
  const flat = values.flatMap((v) => (Array.isArray(v) ? v : [v]));
  return flat.every((v): v is number => typeof v === 'number') ? flat : undefined;
}

function arithmetic(op: (a: number, b: number) => number | undefined): Eager {
  return ([a, b]) => {
    if (typeof a !== 'number' || typeof b !== 'number') return fail('arithmetic needs two integers');
    return op(a, b) ?? fail('division by zero');
  };
}

function unionOf(values: ArmValue[]): ArmValue {
  if (values.every(Array.isArray)) {
    const result: ArmValue[] = [];
    for (const item of values.flat()) if (!result.some((r) => deepEqual(r, item))) result.push(item);
    return result;
  }
  if (values.every(isArmObject)) return values.reduce<ArmObject>((acc, v) => deepMerge(acc, v), {});
  return fail('union needs all arrays or all objects');
}

function deepMerge(a: ArmObject, b: ArmObject): ArmObject {
  const result: ArmObject = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const existing = result[key];
    result[key] =
      existing !== undefined && isArmObject(existing) && isArmObject(value)
        ? deepMerge(existing, value)
        : value;
  }
  return result;
}

function resourceIdOf(values: ArmValue[], scopeSegments: number): ArmValue {
  const typeIndex = values.findIndex((v) => typeof v === 'string' && /^[^/]+\.[^/]+\/[^/]/.test(v));
  if (typeIndex < 0) return fail('resourceId() without a resource type');
  const scopeArgs = values.slice(0, typeIndex);
  const type = values[typeIndex] as string;
  const names = values.slice(typeIndex + 1);
  const [namespace, ...types] = type.split('/');
  const pieces: ArmValue[] = [];
  if (scopeSegments >= 1) {
    pieces.push('/subscriptions/');
    pieces.push(
      scopeArgs.length >= scopeSegments
        ? (scopeArgs[0] ?? null)
        : new Unknown('the subscription is known only at deployment'),
    );
  }
  if (scopeSegments >= 2) {
    pieces.push('/resourceGroups/');
    pieces.push(
      scopeArgs.length >= 1
        ? (scopeArgs[scopeArgs.length - 1] ?? null)
        : new Unknown('the resource group is known only at deployment'),
    );
  }
  pieces.push(`/providers/${namespace ?? ''}`);
  types.forEach((t, i) => pieces.push(`/${t}/`, names[i] ?? new Unknown('resourceId() lacks a name')));
  return joinPieces(pieces);
}

function formatOf([template, ...args]: ArmValue[]): ArmValue {
  if (typeof template !== 'string') return fail('format() needs a format string');
  const pieces: ArmValue[] = [];
  const pattern = /\{\{|\}\}|\{(\d+)(?:,-?\d+)?(?::([^}]*))?\}/g;
  let last = 0;
  for (let match = pattern.exec(template); match; match = pattern.exec(template)) {
    pieces.push(template.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[0] === '{{' || match[0] === '}}') {
      pieces.push(match[0][0] ?? '');
      continue;
    }
    const value = args[Number(match[1])];
    if (value === undefined) return fail(`format() has no argument {${match[1] ?? ''}}`);
    if (match[2] && typeof value === 'number')
      return fail('numeric format specifiers are not evaluated offline');
    pieces.push(value);
  }
  pieces.push(template.slice(last));
  return joinPieces(pieces);
}

function mapCase(value: ArmValue, fn: (s: string) => string): ArmValue {
  if (typeof value === 'string') return fn(value);
  if (value instanceof PartialString) {
    return new PartialString(value.parts.map((p) => (typeof p === 'string' ? fn(p) : p)));
  }
  return fail('expected a string');
}

function lengthOf(value: ArmValue): ArmValue {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (isArmObject(value)) return Object.keys(value).length;
  return fail(`length() of a ${describeType(value)}`);
}

function containsOf([container, item]: ArmValue[]): ArmValue {
  if (typeof container === 'string' && typeof item === 'string') return container.includes(item);
  if (Array.isArray(container)) {
    if (firstUnknown(container) || firstUnknown(item ?? null)) return fail('contains() over unknown values');
    return container.some((c) => deepEqual(c, item ?? null));
  }
  if (isArmObject(container) && typeof item === 'string') {
    return Object.keys(container).some((k) => k.toLowerCase() === item.toLowerCase());
  }
  return fail('contains() needs a string, array or object');
}

// ----- Lazily evaluated functions ------------------------------------------------------------------------

const LAZY: Record<string, Lazy> = {
  parameters: (args, env) => named('parameters', args, env, (n) => env.scope.parameter(n)),
  variables: (args, env) => named('variables', args, env, (n) => env.scope.variable(n)),
  copyindex: (args, env) => {
    const values = args.map((a) => evaluateNode(a, env));
    const loop = typeof values[0] === 'string' ? values[0] : undefined;
    const offset = values.find((v): v is number => typeof v === 'number') ?? 0;
    const index = env.scope.copyIndex(loop);
    return index instanceof Unknown ? index : index + offset;
  },
  reference: (args, env) =>
    env.scope.reference(evaluateNode(args[0] ?? { kind: 'ident', name: 'null' }, env)),
  if: (args, env) => {
    const [cond, then, otherwise] = args;
    if (!cond || !then || !otherwise) return fail('if() needs three arguments');
    const c = evaluateNode(cond, env);
    if (c === true) return evaluateNode(then, env);
    if (c === false) return evaluateNode(otherwise, env);
    if (isUnknownValue(c)) {
      const a = evaluateNode(then, env);
      const b = evaluateNode(otherwise, env);
      return !firstUnknown(a) && !firstUnknown(b) && deepEqual(a, b) ? a : new Unknown(c.reason);
    }
    return fail('if() needs a boolean condition');
  },
  and: (args, env) => logical(args, env, false),
  or: (args, env) => logical(args, env, true),
  coalesce: (args, env) => {
    for (const arg of args) {
      const value = evaluateNode(arg, env);
      if (isUnknownValue(value)) return new Unknown(value.reason);
      if (value !== null) return value;
    }
    return null;
  },
  lambda: (args, env) => {
    const body = args[args.length - 1];
    const params = args.slice(0, -1).map((a) => (a.kind === 'string' ? a.value : ''));
    return body ? new Lambda(params, body, env) : fail('lambda() needs a body');
  },
  lambdavariables: (args, env) => {
    const name = evaluateNode(args[0] ?? { kind: 'string', value: '' }, env);
    if (typeof name !== 'string') return fail('lambdaVariables() needs a name');
    return env.lambdaVariables.get(name.toLowerCase()) ?? fail(`no lambda variable '${name}'`);
  },
};

/** `parameters('x')` / `variables('x')`; an unknown result remembers which input it was. */
function named(
  kind: string,
  args: readonly ExprNode[],
  env: Env,
  read: (name: string) => ArmValue,
): ArmValue {
  const name = evaluateNode(args[0] ?? { kind: 'string', value: '' }, env);
  if (typeof name !== 'string') return fail(`${kind}() needs a name`);
  const value = read(name);
  return value instanceof Unknown && !value.expression
    ? new Unknown(value.reason, `${kind}('${name}')`)
    : value;
}

function logical(args: readonly ExprNode[], env: Env, stopAt: boolean): ArmValue {
  let unknown: Unknown | PartialString | undefined;
  for (const arg of args) {
    const value = evaluateNode(arg, env);
    if (value === stopAt) return stopAt;
    if (isUnknownValue(value)) unknown ??= value;
    else if (typeof value !== 'boolean') return fail('and()/or() need booleans');
  }
  return unknown ? new Unknown(unknown.reason) : !stopAt;
}

// ----- Eagerly evaluated functions -----------------------------------------------------------------------

/** Functions that move values around without looking at them: unknown arguments stay inside the result. */
const TOLERATES_UNKNOWN_ARGS = new Set([
  'concat',
  'format',
  'createarray',
  'createobject',
  'array',
  'tolower',
  'toupper',
  'resourceid',
  'subscriptionresourceid',
  'tenantresourceid',
]);

const EAGER: Record<string, Eager> = {
  true: () => true,
  false: () => false,
  null: () => null,
  not: ([v]) => (typeof v === 'boolean' ? !v : fail('not() needs a boolean')),
  bool: ([v]) => {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return v !== 0;
    if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
    return fail('bool() needs a boolean, integer or "true"/"false"');
  },
  equals: ([a, b]) =>
    firstUnknown(a ?? null) || firstUnknown(b ?? null)
      ? fail('equals() over unknown values')
      : deepEqual(a ?? null, b ?? null),
  less: (v) => compare(v, (o) => o < 0),
  lessorequals: (v) => compare(v, (o) => o <= 0),
  greater: (v) => compare(v, (o) => o > 0),
  greaterorequals: (v) => compare(v, (o) => o >= 0),
  concat: (values) => {
    if (values.length > 0 && values.every((v) => Array.isArray(v) || v === null)) {
      return values.flatMap((v) => (Array.isArray(v) ? v : []));
    }
    if (values.some(Array.isArray)) return fail('concat() of arrays and strings');
    return joinPieces(values);
  },
  format: formatOf,
  tolower: ([v]) => mapCase(v ?? null, (s) => s.toLowerCase()),
  toupper: ([v]) => mapCase(v ?? null, (s) => s.toUpperCase()),
  trim: ([v]) => (typeof v === 'string' ? v.trim() : fail('trim() needs a string')),
  replace: ([s, a, b]) => {
    if (typeof s !== 'string' || typeof a !== 'string' || typeof b !== 'string') {
      return fail('replace() needs three strings');
    }
    const pieces = s.split(a);
    checkSize('replace', s.length + (pieces.length - 1) * (b.length - a.length));
    return pieces.join(b);
  },
  substring: ([s, start, length]) => {
    if (typeof s !== 'string' || typeof start !== 'number') return fail('substring() needs a string');
    const end = typeof length === 'number' ? start + length : s.length;
    return start < 0 || end > s.length ? fail('substring() outside the string') : s.slice(start, end);
  },
  startswith: ([s, p]) =>
    typeof s === 'string' && typeof p === 'string'
      ? s.toLowerCase().startsWith(p.toLowerCase())
      : fail('startsWith() needs strings'),
  endswith: ([s, p]) =>
    typeof s === 'string' && typeof p === 'string'
      ? s.toLowerCase().endsWith(p.toLowerCase())
      : fail('endsWith() needs strings'),
  indexof: ([s, p]) =>
    typeof s === 'string' && typeof p === 'string'
      ? s.toLowerCase().indexOf(p.toLowerCase())
      : Array.isArray(s) && !firstUnknown(s)
        ? s.findIndex((item) => deepEqual(item, p ?? null))
        : fail('indexOf() needs strings or an array'),
  lastindexof: ([s, p]) =>
    typeof s === 'string' && typeof p === 'string'
      ? s.toLowerCase().lastIndexOf(p.toLowerCase())
      : fail('lastIndexOf() needs strings'),
  split: ([s, d]) => {
    if (typeof s !== 'string') return fail('split() needs a string');
    const delimiters = typeof d === 'string' ? [d] : Array.isArray(d) ? d : [];
    if (!delimiters.every((x): x is string => typeof x === 'string')) return fail('split() delimiters');
    return delimiters.reduce<string[]>((parts, x) => parts.flatMap((p) => p.split(x)), [s]);
  },
  join: ([a, d]) => {
    if (!Array.isArray(a) || typeof d !== 'string') return fail('join() needs an array and a string');
    const texts = a.map(toText);
    if (!texts.every((t): t is string => t !== undefined) || firstUnknown(a)) {
      return fail('join() over unknown values');
    }
    checkSize(
      'join',
      texts.reduce((n, t) => n + t.length + d.length, 0),
    );
    return texts.join(d);
  },
  length: ([v]) => lengthOf(v ?? null),
  empty: ([v]) => {
    if (v === null || v === undefined) return true;
    const length = lengthOf(v);
    return typeof length === 'number' ? length === 0 : length;
  },
  contains: containsOf,
  string: ([v]) => (typeof v === 'string' ? v : (toText(v ?? null) ?? fail('string() of an unknown value'))),
  int: ([v]) => {
    if (typeof v === 'number') return Math.trunc(v);
    if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
    return fail('int() needs an integer');
  },
  json: ([v]) => {
    if (typeof v !== 'string') return fail('json() needs a string');
    const tooDeep = jsonDepthProblem(v);
    if (tooDeep) throw new ArmLimitError(`json(): ${tooDeep.message}`);
    try {
      return JSON.parse(v) as ArmValue;
    } catch {
      return fail('json() of invalid JSON');
    }
  },
  array: ([v]) => (Array.isArray(v) ? v : [v ?? null]),
  createarray: (values) => values,
  createobject: (values) => {
    const result: ArmObject = {};
    for (let i = 0; i + 1 < values.length; i += 2) {
      const key = values[i];
      if (typeof key !== 'string') return fail('createObject() needs string keys');
      result[key] = values[i + 1] ?? null;
    }
    return result;
  },
  union: unionOf,
  shallowmerge: ([list]) =>
    Array.isArray(list) && list.every(isArmObject)
      ? (Object.assign({}, ...list) as ArmObject)
      : fail('shallowMerge() needs an array of objects'),
  intersection: (values) => {
    const [head, ...rest] = values;
    if (Array.isArray(head) && rest.every(Array.isArray)) {
      return head.filter((item) => rest.every((r) => r.some((x) => deepEqual(x, item))));
    }
    if (isArmObject(head) && rest.every(isArmObject)) {
      const result: ArmObject = {};
      for (const [k, v] of Object.entries(head))
        if (rest.every((r) => r[k] !== undefined && deepEqual(r[k] ?? null, v))) result[k] = v;
      return result;
    }
    return fail('intersection() needs all arrays or all objects');
  },
  first: ([v]) =>
    typeof v === 'string'
      ? v.slice(0, 1)
      : Array.isArray(v)
        ? (v[0] ?? null)
        : fail('first() needs an array'),
  last: ([v]) =>
    typeof v === 'string'
      ? v.slice(-1)
      : Array.isArray(v)
        ? (v[v.length - 1] ?? null)
        : fail('last() needs an array'),
  take: ([v, n]) =>
    typeof n === 'number' && (typeof v === 'string' || Array.isArray(v))
      ? v.slice(0, Math.max(n, 0))
      : fail('take() needs an array or string and a count'),
  skip: ([v, n]) =>
    typeof n === 'number' && (typeof v === 'string' || Array.isArray(v))
      ? v.slice(Math.max(n, 0))
      : fail('skip() needs an array or string and a count'),
  range: ([start, count]) =>
    typeof start === 'number' && typeof count === 'number' && count >= 0 && count <= 10000
      ? Array.from({ length: count }, (_, i) => start + i)
      : fail('range() needs a start and a count'),
  min: (values) => {
    const n = numbers(values);
    return n && n.length > 0 ? Math.min(...n) : fail('min() needs integers');
  },
  max: (values) => {
    const n = numbers(values);
    return n && n.length > 0 ? Math.max(...n) : fail('max() needs integers');
  },
  add: arithmetic((a, b) => a + b),
  sub: arithmetic((a, b) => a - b),
  mul: arithmetic((a, b) => a * b),
  div: arithmetic((a, b) => (b === 0 ? undefined : Math.trunc(a / b))),
  mod: arithmetic((a, b) => (b === 0 ? undefined : a % b)),
  items: ([v]) =>
    isArmObject(v)
      ? Object.keys(v)
          .sort((a, b) => a.localeCompare(b))
          .map((key) => ({ key, value: v[key] ?? null }))
      : fail('items() needs an object'),
  objectkeys: ([v]) => (isArmObject(v) ? Object.keys(v) : fail('objectKeys() needs an object')),
  tryget: ([v, ...keys]) => {
    let current: ArmValue = v ?? null;
    for (const key of keys) {
      if (current === null) return null;
      current =
        typeof key === 'number'
          ? element(current, key, true)
          : typeof key === 'string'
            ? member(current, key, true)
            : fail('tryGet() keys');
    }
    return current;
  },
  flatten: ([v]) =>
    Array.isArray(v) && v.every(Array.isArray) ? v.flat() : fail('flatten() needs an array of arrays'),
  uri: ([base, relative]) => {
    if (typeof base !== 'string' || typeof relative !== 'string') return fail('uri() needs strings');
    try {
      return new URL(relative, base).toString();
    } catch {
      return fail('uri() of an invalid URI');
    }
  },
  uricomponent: ([v]) =>
    typeof v === 'string' ? encodeURIComponent(v) : fail('uriComponent() needs a string'),
  uricomponenttostring: ([v]) =>
    typeof v === 'string' ? decodeURIComponent(v) : fail('uriComponentToString() needs a string'),
  base64: ([v]) => (typeof v === 'string' ? Buffer.from(v, 'utf8').toString('base64') : fail('base64()')),
  base64tostring: ([v]) =>
    typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : fail('base64ToString()'),
  padleft: ([v, width, pad]) => {
    const text = toText(v ?? null);
    if (text === undefined || typeof width !== 'number') return fail('padLeft() needs a value and a width');
    checkSize('padLeft', width);
    return text.padStart(width, typeof pad === 'string' && pad ? pad : ' ');
  },
  resourceid: (values) => resourceIdOf(values, 2),
  subscriptionresourceid: (values) => resourceIdOf(values, 1),
  tenantresourceid: (values) => resourceIdOf(values, 0),
  map: ([list, fn]) => (asArray(list ?? null) ?? []).map((item, i) => apply(fn ?? null, [item, i])),
  filter: ([list, fn]) => {
    const items = asArray(list ?? null);
    if (!items) return fail('filter() needs an array');
    const kept: ArmValue[] = [];
    for (const [i, item] of items.entries()) {
      const keep = apply(fn ?? null, [item, i]);
      if (typeof keep !== 'boolean') return fail('filter() predicate is not a known boolean');
      if (keep) kept.push(item);
    }
    return kept;
  },
  reduce: ([list, initial, fn]) =>
    (asArray(list ?? null) ?? []).reduce<ArmValue>(
      (acc, item, i) => apply(fn ?? null, [acc, item, i]),
      initial ?? null,
    ),
  toobject: ([list, keyFn, valueFn]) => {
    const result: ArmObject = {};
    for (const item of asArray(list ?? null) ?? []) {
      const key = apply(keyFn ?? null, [item]);
      if (typeof key !== 'string') return fail('toObject() key is not a known string');
      result[key] = valueFn ? apply(valueFn, [item]) : item;
    }
    return result;
  },
  sort: ([list, fn]) => {
    const items = asArray(list ?? null);
    if (!items) return fail('sort() needs an array');
    let failed = false;
    const sorted = [...items].sort((a, b) => {
      const before = apply(fn ?? null, [a, b]);
      if (typeof before !== 'boolean') failed = true;
      return before === true ? -1 : 1;
    });
    return failed ? fail('sort() comparison is not a known boolean') : sorted;
  },
};
