/** Small helpers for values parsed from JSON (and JSON-shaped values from other sources). */

/** A plain object: not `null`, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value);
}

/** Sets `target[key]` only when `value` is defined (keeps `exactOptionalPropertyTypes` records free of undefined). */
export function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
