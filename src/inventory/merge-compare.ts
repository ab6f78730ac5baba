/**
 * Comparing two records that describe the same entity: one `SourceConflict` per canonical property on which they
 * disagree, each side located in its own source; apart from merge.ts, which decides which records to compare.
 * Only properties both records state are compared, and secret-bearing fields never are.
 */
import type { InventoryApplication, Origin, SourceConflict } from './types';
import type { PositionIndex } from '../json/types';
import { joinPointer } from '../json/positions';
import { locateNearest } from '../json/schema';
import { isGuid } from '../entra/guid';
import { isRecord } from '../util/json';
import { childPath } from '../util/paths';

/** A record together with what is needed to describe it in a conflict. */
export interface Tagged<T> {
  record: T;
  source: string;
  files: Readonly<Record<string, PositionIndex>>;
}

type Files = Readonly<Record<string, PositionIndex>>;

/** Credential fields that may be compared and shown; `hint`, `secretText`, `value` and `key` never are. */
const CREDENTIAL_FIELDS = ['keyId', 'displayName', 'startDateTime', 'endDateTime', 'type', 'usage'];
/** Record fields that are bookkeeping, not configuration. */
const IGNORED_FIELDS = new Set(['origin', 'valueOrigin']);

interface Side {
  tagged: Tagged<unknown>;
  value: unknown;
  /** Where the value lives: the record origin plus a canonical `path`, or a text origin (`path` undefined). */
  origin: Origin;
  path: string | undefined;
}

/** A side whose value is text: located in the text itself when its origin is known, else at `path` of the record. */
export function textSide(
  tagged: Tagged<{ origin: Origin }>,
  value: string,
  textOrigin: Origin | undefined,
  path: string,
): Side {
  return {
    tagged,
    value,
    origin: textOrigin ?? tagged.record.origin,
    path: textOrigin ? undefined : path,
  };
}

/** Keys that identify the elements of a list (scopes by id, credentials by keyId, permissions by resourceAppId). */
const IDENTITY_KEYS = ['keyId', 'id', 'resourceAppId', 'appId', 'name', 'uri', 'hostName'];

/** Values that mean the same as their default (`null` token version is 1): not a disagreement. */
const DEFAULTS: Readonly<Record<string, unknown>> = {
  'api/requestedAccessTokenVersion': 1,
  'api/acceptMappedClaims': false,
  isFallbackPublicClient: false,
};

/** A leaf as compared: defaults for `null`, GUIDs in lower case (Entra compares them case-insensitively). */
function withDefault(path: string, value: unknown): unknown {
  if (typeof value === 'string' && isGuid(value)) return value.toLowerCase();
  return value === null && path in DEFAULTS ? DEFAULTS[path] : value;
}

/**
 * Lists as sources state them: the built-in gateway host name (`<name>.azure-api.net`, certificate `BuiltIn`) is
 * listed by Azure but never configured, so IaC sources leave it out.
 */
function comparable(path: string, list: unknown[]): unknown[] {
  if (path !== 'properties/hostnameConfigurations') return list;
  return list.filter(
    (h) =>
      !(
        isRecord(h) &&
        (h['certificateSource'] === 'BuiltIn' ||
          (h['type'] === 'Proxy' && String(h['hostName']).endsWith('.azure-api.net')))
      ),
  );
}

/** The key that identifies every element of both lists uniquely, if there is one. */
function identityKey(a: unknown[], b: unknown[]): string | undefined {
  const all = [...a, ...b];
  if (all.length === 0 || !all.every(isRecord)) return undefined;
  return IDENTITY_KEYS.find((key) =>
    [a, b].every((list) => {
      const ids = list.map((e) => (e as Record<string, unknown>)[key]);
      return ids.every((id) => typeof id === 'string') && new Set(ids).size === ids.length;
    }),
  );
}

/**
 * One conflict per canonical property on which the two records disagree. Objects are compared key by key; lists
 * of identified objects element by element (each side at its own index); other lists as a whole, ignoring order.
 * `skip` names top-level fields compared elsewhere.
 */
export function compareRecords<T extends { origin: Origin }>(
  kind: string,
  name: string,
  kept: Tagged<T>,
  other: Tagged<T>,
  skip: ReadonlySet<string>,
  skipPaths: ReadonlySet<string> = new Set(),
): SourceConflict[] {
  const out: SourceConflict[] = [];
  const walk = (a: unknown, b: unknown, pathA: string, pathB: string) => {
    if (a === undefined || b === undefined || skipPaths.has(pathA)) return;
    if (isRecord(a) && isRecord(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (IGNORED_FIELDS.has(key) || (pathA === '' && skip.has(key))) continue;
        walk(a[key], b[key], childPath(pathA, key), childPath(pathB, key));
      }
      return;
    }
    // A string holding a placeholder is not the value Entra will see: it neither agrees nor disagrees, nor does
    // the list holding it (a list is compared as a whole).
    if (holdsPlaceholder(kept.record.origin, pathA) || holdsPlaceholder(other.record.origin, pathB)) return;
    if (Array.isArray(a) && Array.isArray(b)) {
      [a, b] = [comparable(pathA, a), comparable(pathA, b)];
    }
    const key = Array.isArray(a) && Array.isArray(b) ? identityKey(a, b) : undefined;
    if (key && Array.isArray(a) && Array.isArray(b)) {
      const idOf = (e: unknown) => (e as Record<string, unknown>)[key];
      const same = a.length === b.length && a.every((e) => b.some((f) => idOf(f) === idOf(e)));
      if (same) {
        a.forEach((e, i) => {
          const j = b.findIndex((f) => idOf(f) === idOf(e));
          walk(e, b[j], childPath(pathA, i), childPath(pathB, j));
        });
        return;
      }
    }
    if (canonical(withDefault(pathA, a)) === canonical(withDefault(pathA, b))) return;
    out.push(
      conflictOf(kind, name, pathA, [
        { tagged: kept, value: a, origin: kept.record.origin, path: pathA },
        { tagged: other, value: b, origin: other.record.origin, path: pathB },
      ]),
    );
  };
  walk(kept.record, other.record, '', '');
  return out;
}

/** Whether the value at `path` is or contains a string kept as written with placeholders (`Origin.placeholders`). */
function holdsPlaceholder(origin: Origin, path: string): boolean {
  if (!origin.placeholders) return false;
  return Object.keys(origin.placeholders).some((p) => p === path || p.startsWith(`${path}/`));
}

/** Password and key credentials, compared by keyId without secret-bearing fields (`hint` included). */
export function compareCredentials(
  appId: string,
  kept: Tagged<InventoryApplication>,
  other: Tagged<InventoryApplication>,
): SourceConflict[] {
  const safe = (record: InventoryApplication) => {
    const copy: Record<string, unknown> = { origin: record.origin };
    if (record.passwordCredentials) copy['passwordCredentials'] = safeCredentials(record.passwordCredentials);
    if (record.keyCredentials) copy['keyCredentials'] = safeCredentials(record.keyCredentials);
    return copy as { origin: Origin };
  };
  return compareRecords(
    'application',
    appId,
    { ...kept, record: safe(kept.record) },
    { ...other, record: safe(other.record) },
    new Set(),
  );
}

function safeCredentials(list: readonly object[]): Record<string, unknown>[] {
  return list.map((c) => {
    const entry = c as Record<string, unknown>;
    const safe: Record<string, unknown> = {};
    for (const field of CREDENTIAL_FIELDS) if (entry[field] !== undefined) safe[field] = entry[field];
    return safe;
  });
}

export function conflictOf(kind: string, name: string, path: string, sides: Side[]): SourceConflict {
  return {
    kind,
    name,
    path,
    values: sides.map((side) => ({
      source: side.tagged.source,
      value: typeof side.value === 'string' ? JSON.stringify(side.value) : canonical(side.value),
      origin: resolveOrigin(side.origin, side.path, side.tagged.files),
    })),
  };
}

/**
 * The origin of a value with its 1-based position filled in (for messages that quote both places), following
 * `Origin.paths` the way the engine does.
 */
function resolveOrigin(origin: Origin, path: string | undefined, files: Files): Origin {
  const result: Origin = { ...origin };
  delete result.paths;
  if (!origin.file || origin.pointer === undefined) return result;
  const pointer =
    path === undefined
      ? origin.pointer
      : (origin.paths?.[path] ?? joinPointer(origin.pointer, ...path.split('/')));
  result.pointer = pointer;
  const index = files[origin.file];
  const position = index ? (locateNearest(index, pointer) ?? undefined) : undefined;
  if (position) {
    result.line = position.line;
    result.column = position.column;
  }
  return result;
}

/**
 * A canonical JSON rendering: object keys sorted, arrays sorted by their own canonical form (redirect URIs,
 * grant types and scopes are sets; Terraform and Graph list them in different orders), `undefined` dropped.
 */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).sort().join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined && !IGNORED_FIELDS.has(k))
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
