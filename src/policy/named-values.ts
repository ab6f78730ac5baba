/**
 * `{{named value}}` references in policy text. A policy refers to a named value by its display name; the
 * gateway substitutes the value before it evaluates the policy. Offline we can substitute only plain values we
 * were given: secret and Key Vault values are never collected, and a value that is itself a policy expression is
 * only known at run time. Those stay as opaque `{{name}}` references, and the rules treat the text as unknown.
 */
import type { NamedValue, Service, Workspace } from '../model/types';
import { fitted } from '../util/lists';

export type ReferenceStatus = 'resolved' | 'secret' | 'expression' | 'unknown';

export interface NamedValueReference {
  /** The name between the braces, trimmed. */
  name: string;
  status: ReferenceStatus;
  namedValue: NamedValue | undefined;
}

export interface ResolvedValue {
  /** The text as written in the policy. */
  raw: string;
  /** The text with every resolvable reference substituted; unresolvable ones stay as `{{name}}`. */
  value: string;
  references: NamedValueReference[];
  /** The text (after substitution) is a policy expression `@(...)` / `@{...}`, evaluated per request. */
  expression: boolean;
  /** The final value cannot be known offline: a policy expression or an unresolved reference. */
  opaque: boolean;
}

/** The named values a policy can reference, by lower-cased display name (and resource name as a fallback). */
export type NamedValueLookup = ReadonlyMap<string, NamedValue>;

const lookups = new WeakMap<Service, Map<Workspace | undefined, NamedValueLookup>>();

/**
 * Named values visible to policies of `workspace` (or of the service when undefined). Workspace values take
 * precedence over service values of the same name.
 */
export function namedValueLookup(service: Service, workspace: Workspace | undefined): NamedValueLookup {
  let perWorkspace = lookups.get(service);
  if (!perWorkspace) {
    perWorkspace = new Map();
    lookups.set(service, perWorkspace);
  }
  const cached = perWorkspace.get(workspace);
  if (cached) return cached;
  const map = new Map<string, NamedValue>();
  const add = (values: NamedValue[]) => {
    for (const nv of values) {
      for (const key of [nv.name, nv.props.displayName]) {
        if (key && !map.has(key.toLowerCase())) map.set(key.toLowerCase(), nv);
      }
    }
  };
  const displayFirst = (values: NamedValue[]) => [
    ...values.filter((v) => v.props.displayName),
    ...values.filter((v) => !v.props.displayName),
  ];
  if (workspace) add(displayFirst(service.namedValues.filter((v) => v.workspace === workspace)));
  add(displayFirst(service.namedValues.filter((v) => v.workspace === undefined)));
  perWorkspace.set(workspace, map);
  return map;
}

const REFERENCE = /\{\{\s*([^{}]+?)\s*\}\}/g;

/** Whether a text is (or starts as) a policy expression. */
export function isExpression(text: string): boolean {
  return /^\s*@[({]/.test(text);
}

function statusOf(nv: NamedValue | undefined): ReferenceStatus {
  if (!nv) return 'unknown';
  if (nv.props.secret === true || nv.props.keyVault?.secretIdentifier) return 'secret';
  if (nv.props.value === undefined) return 'unknown';
  return isExpression(nv.props.value) ? 'expression' : 'resolved';
}

/** Substitutes the known plain named values in `raw`; see `ResolvedValue`. */
export function resolveNamedValues(raw: string, lookup: NamedValueLookup): ResolvedValue {
  const references: NamedValueReference[] = [];
  const value = raw.replace(REFERENCE, (whole, name: string) => {
    const namedValue = lookup.get(name.toLowerCase());
    const status = statusOf(namedValue);
    references.push({ name, status, namedValue });
    return status === 'resolved' && namedValue?.props.value !== undefined ? namedValue.props.value : whole;
  });
  const expression = isExpression(value);
  return {
    raw,
    value,
    // Kept with the value: at its length, the empty list shared (util/lists.ts).
    references: fitted(references),
    expression,
    opaque: expression || references.some((r) => r.status !== 'resolved'),
  };
}
