/**
 * Lists the audit keeps, at their length. V8 gives an array filled by `push` (or made by a spread, `filter` or
 * `flatMap`) room for 17 entries or more, while most lists the model and the per-audit memos keep hold one or two:
 * on a 5,000-API folder such lists held some 6 MB of room never used (0.7 MB once fitted).
 */

const NONE: readonly never[] = Object.freeze([]);

/** The one frozen empty list every kept empty list is (nothing may push to it: a push throws). */
export function none<T>(): T[] {
  return NONE as unknown as T[];
}

/**
 * A copy of `list` at its length; for an empty one, `none()` (a 5,000-API scan keeps some 35,000 empty lists).
 * Nothing may push to the list later.
 */
export function fitted<T>(list: T[]): T[] {
  return list.length === 0 ? none() : list.slice();
}

/**
 * Appends `items` to `list`, one by one; returns `list`. For lists as long as the input makes them (applications of
 * a file, problems, not-evaluated entries, statements of a policy section): `list.push(...items)` passes every item
 * as an argument on the stack, and past some 100,000 of them throws RangeError (Maximum call stack size exceeded).
 */
export function pushAll<T>(list: T[], items: readonly T[]): T[] {
  for (let i = 0; i < items.length; i++) list.push(items[i] as T);
  return list;
}
