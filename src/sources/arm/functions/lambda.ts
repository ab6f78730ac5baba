/**
 * Lambda functions of languageVersion 2.0 templates: `lambda()` captures its `Env` (function table included),
 * and `map`, `filter`, `reduce`, `toObject` and `sort` apply it.
 */
import { evaluateNode } from '../expressions';
import { type ArmObject, type ArmValue, Lambda } from '../values';
import { fail, type Lazy, type Eager } from './support';

function asArray(value: ArmValue): ArmValue[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

function apply(lambda: ArmValue, values: ArmValue[]): ArmValue {
  if (!(lambda instanceof Lambda)) return fail('expected a lambda');
  const vars = new Map(lambda.env.lambdaVariables);
  lambda.params.forEach((p, i) => vars.set(p.toLowerCase(), values[i] ?? null));
  return evaluateNode(lambda.body, { ...lambda.env, lambdaVariables: vars });
}

export const LAZY_LAMBDA: Record<string, Lazy> = {
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

export const EAGER_LAMBDA: Record<string, Eager> = {
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
