/**
 * Values a source could not determine (`Origin.unknown`: an ARM expression without a value, a Terraform value
 * known only after apply, a manifest placeholder, a collection the source does not carry) are absent from the
 * records, so a rule reading them would see "not set" and could report a false finding, or pass silently.
 *
 * Each conclusion of a rule carries its evidence (`Evidence`: the entity paths and collections it rests on; a
 * violation's own entity and path always count). The engine asks `unknownIn` whether that evidence touches an
 * unknown value; if so, the conclusion is reported as not evaluated, naming the value, instead of as a finding
 * or a silent pass. Rules ask `unknownAt` where they judge differently when a value is unknown (e.g. without
 * the service name, the developer-portal host is unknown, but the callback's path can still be judged).
 *
 * Conclusions that declare no evidence (rules not yet migrated, plugins) fall back to unknown-fallback.ts.
 */
import { SERVICE_COLLECTIONS } from '../inventory/fields';
import type { Origin } from '../inventory/types';
import type { Entity, Evidence, EvidenceScope, Model, ResourceKind } from './types';
import { pushAll } from '../util/lists';

export interface UnknownDependency {
  entity: Entity;
  /** Canonical path of the unknown value inside `entity` (`''` = the entity itself), or a collection's name. */
  path: string;
  reason: string;
}

/** Whether one canonical path is the other or an ancestor of it (`''` is the root of everything). */
export function pathsOverlap(a: string, b: string): boolean {
  if (a === '' || b === '' || a === b) return true;
  return a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/**
 * The unknown values of a record: those it lacks (`Origin.unknown`) and, unless `knownPart`, the strings it keeps
 * as written although they hold placeholders (`Origin.placeholders`).
 */
export function unknownsOf(origin: Origin, knownPart = false): [string, string][] {
  const unknown = origin.unknown ? Object.entries(origin.unknown) : [];
  if (knownPart || !origin.placeholders) return unknown;
  return [...unknown, ...Object.entries(origin.placeholders)];
}

/**
 * The unknown value a conclusion reading `path` of `entity` would rest on: one at that path, inside it, or
 * around it (`''`: the entity itself may not be deployed). Undefined when what is there is known.
 *
 * This is the one place that reads `Origin.unknown` and `Origin.placeholders` (strings kept as written that hold
 * placeholders: unknown, except for `knownPart` evidence): a collection a source does not carry is an unknown value
 * on its parent under the collection's name (`authorizationServers` of the service), so collection evidence and
 * value evidence are compared the same way.
 */
export function unknownAt(entity: Entity, path: string, knownPart = false): UnknownDependency | undefined {
  const { unknown, placeholders } = entity.origin;
  if (unknown === undefined && (knownPart || placeholders === undefined)) return undefined; // the common case
  for (const [unknownPath, reason] of unknownsOf(entity.origin, knownPart)) {
    if (pathsOverlap(unknownPath, path)) return { entity, path: unknownPath, reason };
  }
  return undefined;
}

/** The first unknown value any piece of `evidence` touches, or undefined when all of it is known. */
export function unknownIn(evidence: readonly Evidence[]): UnknownDependency | undefined {
  for (const e of evidence) {
    const found =
      'collection' in e ? unknownAt(e.parent, e.collection) : unknownAt(e.entity, e.path, e.knownPart);
    if (found) return found;
  }
  return undefined;
}

/**
 * Every entity of the model: the applications, then each service followed by its authorization servers, OpenID
 * providers, APIs, the APIs' operations, products, fragments, named values and workspaces, appended into one list
 * (a 5,000-API model has some 45,000 entities: nested spreads and `flatMap` took 23 ms a call).
 */
export function allEntities(model: Model): Entity[] {
  const all: Entity[] = [];
  pushAll(all, model.applications);
  for (const s of model.services) {
    all.push(s);
    pushAll(all, s.authorizationServers);
    pushAll(all, s.openidProviders);
    pushAll(all, s.apis);
    for (const api of s.apis) pushAll(all, api.operations);
    pushAll(all, s.products);
    pushAll(all, s.policyFragments);
    pushAll(all, s.namedValues);
    pushAll(all, s.workspaces);
  }
  return all;
}

/** Whether any record of the model carries unknown values at all (the common case is none: skip the work). */
export function hasUnknownValues(model: Model): boolean {
  return allEntities(model).some((e) => unknownsOf(e.origin).length > 0);
}

/**
 * The paths of the model's unknown values (and of the strings kept with placeholders, `Origin.placeholders`), each
 * once per entity kind: what `mayCiteUnknown` compares a rule's `meta.cites` with. Empty when all is known.
 */
export function unknownPathsByKind(model: Model): ReadonlyMap<ResourceKind, readonly string[]> {
  const byKind = new Map<ResourceKind, Set<string>>();
  for (const entity of allEntities(model)) {
    const { unknown, placeholders } = entity.origin;
    if (unknown === undefined && placeholders === undefined) continue;
    for (const [path] of unknownsOf(entity.origin)) {
      let paths = byKind.get(entity.kind);
      if (!paths) byKind.set(entity.kind, (paths = new Set()));
      paths.add(path);
    }
  }
  return new Map([...byKind].map(([kind, paths]) => [kind, [...paths]]));
}

/**
 * Whether evidence within `cites` (by kind, value paths and collection names, `''` for any) could touch one of the
 * `unknown` paths (`unknownPathsByKind`): a piece at or below a cited path overlaps every unknown path that
 * overlaps it (`unknownIn` compares the same way). Undefined `cites` (a rule that does not say) could.
 */
export function mayCiteUnknown(
  cites: EvidenceScope | undefined,
  unknown: ReadonlyMap<ResourceKind, readonly string[]>,
): boolean {
  if (cites === undefined) return unknown.size > 0;
  for (const [kind, paths] of unknown) {
    const cited = cites[kind];
    if (cited?.some((c) => paths.some((p) => pathsOverlap(c, p)))) return true;
  }
  return false;
}

/** Whether a piece of evidence is within `cites` (at or below a cited path of its entity's kind). */
export function citedBy(cites: EvidenceScope, evidence: Evidence): boolean {
  const [kind, path] =
    'collection' in evidence
      ? [evidence.parent.kind, evidence.collection]
      : [evidence.entity.kind, evidence.path];
  return (cites[kind] ?? []).some((c) => c === '' || path === c || path.startsWith(`${c}/`));
}

function describeUnknown(dependency: UnknownDependency): string {
  const { entity, path } = dependency;
  return path === ''
    ? `whether ${entity.kind} '${entity.name}' is deployed`
    : `${path} of ${entity.kind} '${entity.name}'`;
}

/** A whole child collection a source did not carry (`Origin.unknown[<collection>]`): no file states it. */
const COLLECTIONS: ReadonlySet<string> = new Set([
  ...SERVICE_COLLECTIONS,
  'policy',
  'workspaces',
  'operations',
]);

/** Who leaves the value undetermined: its file, or, for a collection no source carries, the data as a whole. */
function undeterminedBy(dependency: UnknownDependency): string {
  if (COLLECTIONS.has(dependency.path)) return 'the data';
  return dependency.entity.origin.file ?? 'the source';
}

/**
 * The not-evaluated reason for an entity a rule could not judge fully. It names the unknown value, not the
 * entity judged, so that the engine can list every entity left unjudged for one reason under it.
 */
export function describeUnknownValue(dependency: UnknownDependency): string {
  return `Not fully evaluated: ${describeUnknown(dependency)} is not determined by ${undeterminedBy(dependency)} (${dependency.reason}).`;
}

/** The not-evaluated reason for a violation that rests on an unknown value. */
export function describeUnknownDependency(dependency: UnknownDependency): string {
  return `The finding would rest on ${describeUnknown(dependency)}, which ${undeterminedBy(dependency)} does not determine (${dependency.reason}).`;
}
