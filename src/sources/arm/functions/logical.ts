/**
 * Logical and comparison functions: `if`, `and`, `or` and `coalesce` evaluate their arguments lazily, so an
 * unknown branch not taken stays harmless.
 */
import { evaluateNode } from '../expressions';
import type { ExprNode } from '../parse';
import { type ArmValue, type Env, firstUnknown, isUnknownValue, PartialString, Unknown } from '../values';
import { fail, deepEqual, type Lazy, type Eager } from './support';

function compare(values: ArmValue[], test: (order: number) => boolean): ArmValue {
  const [a, b] = values;
  if (typeof a === 'number' && typeof b === 'number') return test(a - b);
  if (typeof a === 'string' && typeof b === 'string') return test(a < b ? -1 : a > b ? 1 : 0);
  return fail('comparison needs two numbers or two strings');
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

export const LAZY_LOGICAL: Record<string, Lazy> = {
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
};

export const EAGER_LOGICAL: Record<string, Eager> = {
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
};
