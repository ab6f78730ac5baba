/**
 * Integer functions.
 */
import { type ArmValue } from '../values';
import { fail, type Eager } from './support';

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

export const EAGER_NUMERIC: Record<string, Eager> = {
  int: ([v]) => {
    if (typeof v === 'number') return Math.trunc(v);
    if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
    return fail('int() needs an integer');
  },
  min: (values) => {
    const n = numbers(values);
    return n && n.length > 0 ? n.reduce((a, b) => Math.min(a, b)) : fail('min() needs integers');
  },
  max: (values) => {
    const n = numbers(values);
    return n && n.length > 0 ? n.reduce((a, b) => Math.max(a, b)) : fail('max() needs integers');
  },
  add: arithmetic((a, b) => a + b),
  sub: arithmetic((a, b) => a - b),
  mul: arithmetic((a, b) => a * b),
  div: arithmetic((a, b) => (b === 0 ? undefined : Math.trunc(a / b))),
  mod: arithmetic((a, b) => (b === 0 ? undefined : a % b)),
};
