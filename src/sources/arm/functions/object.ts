/**
 * Object functions, and `union` / `intersection`, which take all arrays or all objects.
 */
import { element, member } from '../expressions';
import { type ArmObject, type ArmValue, isArmObject } from '../values';
import { ArmLimitError } from '../limits';
import { jsonDepthProblem } from '../../../json/positions';
import { fail, deepEqual, type Eager } from './support';

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

export const EAGER_OBJECT: Record<string, Eager> = {
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
};
