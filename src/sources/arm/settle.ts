/**
 * Evaluated ARM values -> plain JSON for inventory records, with what the template does not determine left out and
 * recorded in `Origin.unknown` (with its reason) instead; apart from the record builder because it is pure.
 */
import type { Origin } from '../../inventory/types';
import { isArmObject, isUnknownValue, Lambda, ResourceHandle, type ArmValue } from './values';
import { isExpression } from './parse';
import { isRecord } from '../../util/json';
import { childPath } from '../../util/paths';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export type JsonObject = { [key: string]: Json };

function truncate(text: string): string {
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** Why a value is not known, after the expression it came from (shortened). */
export function reasonOf(value: ArmValue, expression: string | undefined): string {
  const why = isUnknownValue(value)
    ? value.reason
    : value instanceof Lambda
      ? 'a lambda is not a value'
      : value instanceof ResourceHandle
        ? 'a resource reference is not a value'
        : 'unknown';
  return expression ? `${truncate(expression)}: ${why}` : why;
}

/**
 * An evaluated value as plain JSON. Unknown values are left out and recorded under their canonical path; an
 * array with an unknown element is unknown as a whole (dropping the element would shift the indexes).
 */
export function settle(
  value: ArmValue,
  raw: unknown,
  path: string,
  unknown: Record<string, string>,
): Json | undefined {
  const expression = typeof raw === 'string' && isExpression(raw) ? raw : undefined;
  if (isUnknownValue(value) || value instanceof Lambda || value instanceof ResourceHandle) {
    unknown[path] = reasonOf(value, expression);
    return undefined;
  }
  if (Array.isArray(value)) {
    const inner: Record<string, string> = {};
    const items = value.map((v, i) =>
      settle(v, Array.isArray(raw) ? raw[i] : raw, childPath(path, i), inner),
    );
    const first = Object.values(inner)[0];
    if (first !== undefined) {
      unknown[path] = first;
      return undefined;
    }
    return items.map((item) => item ?? null);
  }
  if (isArmObject(value)) {
    const result: JsonObject = {};
    for (const [key, v] of Object.entries(value)) {
      const rawChild = expression ?? (isRecord(raw) ? raw[key] : undefined);
      const settled = settle(v, rawChild, childPath(path, key), unknown);
      if (settled !== undefined) result[key] = settled;
    }
    return result;
  }
  return value;
}

/** `settle` for a body that must be an object (`{}` otherwise), its unknown values recorded on `origin`. */
export function settleObject(value: ArmValue, raw: unknown, path: string, origin: Origin): JsonObject {
  const unknown: Record<string, string> = {};
  const settled = settle(value, raw, path, unknown);
  for (const [at, reason] of Object.entries(unknown)) markUnknown(origin, at, reason);
  return settled && typeof settled === 'object' && !Array.isArray(settled) ? settled : {};
}

/** Records `path` of a record as unknown (the first reason given for a path is kept). */
export function markUnknown(origin: Origin, path: string, reason: string): void {
  origin.unknown ??= {};
  origin.unknown[path] ??= reason;
}
