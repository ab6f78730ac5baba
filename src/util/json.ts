/** Small helpers for values parsed from JSON (and JSON-shaped values from other sources). */

/** A plain object: not `null`, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value);
}

/** Sets `target[key]` only when `value` is defined (keeps `exactOptionalPropertyTypes` records free of undefined). */
export function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

/**
 * `record` without its undefined values (a record of `exactOptionalPropertyTypes` types): the literal itself when
 * every value is there, as it usually is, so that records read value by value and made in one literal share one
 * object shape with their properties in the object; else a copy with the defined ones, in the same order.
 */
export function definedOnly<T extends object>(record: { [K in keyof T]-?: T[K] | undefined }): T {
  const keys = Object.keys(record) as (keyof T)[];
  if (keys.every((key) => record[key] !== undefined)) return record as T;
  const out = {} as T;
  for (const key of keys) put(out, key, record[key]);
  return out;
}

/** Sets an own property, even `__proto__` (which a plain assignment would take as a change of prototype). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/**
 * `text` as a string of its own: a substring of a file's text (what a parser slices out) keeps the whole text alive
 * in V8 for as long as it is kept. Concatenated and sliced again, it is copied (one character more), and the file's
 * text can go. For values kept for the whole audit from texts that are not (a specification's summaries).
 */
export function ownString(text: string): string {
  return ` ${text}`.slice(1);
}

/** A copy of `value` with `map` applied to every string in it (plain objects and arrays; other values as they are). */
export function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = mapStrings(item, map);
    return copy;
  }
  return value;
}
