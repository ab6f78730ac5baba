/**
 * Array functions (several also take a string or an object, as in ARM).
 */
import { type ArmValue, describeType, firstUnknown, isArmObject } from '../values';
import { fail, deepEqual, type Eager } from './support';

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

export const EAGER_ARRAY: Record<string, Eager> = {
  length: ([v]) => lengthOf(v ?? null),
  empty: ([v]) => {
    if (v === null || v === undefined) return true;
    const length = lengthOf(v);
    return typeof length === 'number' ? length === 0 : length;
  },
  contains: containsOf,
  array: ([v]) => (Array.isArray(v) ? v : [v ?? null]),
  createarray: (values) => values,
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
  flatten: ([v]) =>
    Array.isArray(v) && v.every(Array.isArray) ? v.flat() : fail('flatten() needs an array of arrays'),
};
