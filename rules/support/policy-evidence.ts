/**
 * What conclusions about policies rest on (`Violation.evidence`, `checked`): the policy texts a statement is
 * written in, the named values substituted into it, and the scope policies an operation's effective inbound
 * section is composed from. The engine compares this evidence with what the sources could not determine
 * (`Origin.unknown`), so that a rule abstains exactly where an unstated part could change its conclusion.
 */
import type { AuthServer, Entity, Evidence } from '../../src/model/types';
import type { PolicyOwner } from '../../src/policy/documents';
import type { StatementSource } from '../../src/policy/effective';
import type { ValidationConfig } from './jwt';
import type { ResolvedValue } from '../../src/policy/named-values';
import { UNREAD_EVIDENCE, type EvidenceScope } from './contract';

/** What `textEvidence` and `policiesOf` name (for `RuleMeta.cites`): scope policies and fragments' values. */
export const POLICY_CITES: EvidenceScope = {
  apimService: ['policy'],
  workspace: ['policy'],
  product: ['policy'],
  api: ['policy'],
  operation: ['policy'],
  policyFragment: ['properties/value'],
};

/**
 * What the evidence of a token validation's conclusions names besides its policies (for `RuleMeta.cites`): the
 * named values substituted into it, the APIs' user-authorization settings and the authorization servers and app
 * registrations it is judged against (any of their values).
 */
export const VALIDATION_CITES: EvidenceScope = {
  namedValue: ['properties/value'],
  api: ['properties/authenticationSettings'],
  authorizationServer: [''],
  application: [''],
};

/** Several `RuleMeta.cites` as one. */
export function citing(...scopes: EvidenceScope[]): EvidenceScope {
  const merged: Partial<Record<keyof EvidenceScope, string[]>> = {};
  for (const scope of scopes) {
    for (const [kind, paths] of Object.entries(scope) as [keyof EvidenceScope, readonly string[]][]) {
      merged[kind] = [...new Set([...(merged[kind] ?? []), ...paths])];
    }
  }
  return merged;
}

/** The text a statement is written in: its scope's policy, and the fragment's value when inlined from one. */
export function textEvidence(source: StatementSource): Evidence[] {
  const evidence: Evidence[] = [{ entity: source.document.owner, path: 'policy' }];
  if (source.fragment) evidence.push({ entity: source.fragment.fragment, path: 'properties/value' });
  return evidence;
}

/** The named values a resolved text substituted (their values are what was compared). */
export function namedValueEvidence(values: readonly ResolvedValue[]): Evidence[] {
  return values.flatMap((v) =>
    v.references.flatMap((r) => (r.namedValue ? [{ entity: r.namedValue, path: 'properties/value' }] : [])),
  );
}

/** The scope policies of `owners`. */
export function policiesOf(owners: readonly PolicyOwner[]): Evidence[] {
  return owners.map((entity) => ({ entity, path: 'policy' }));
}

/** Why an authorization server leads to its backend app: its default scope, `resource` parameter, or a config link. */
export function serverBackendEvidence(server: AuthServer): Evidence[] {
  if (server.backendLink === 'config') return [{ entity: server, path: 'name' }];
  return [
    { entity: server, path: 'properties/defaultScope' },
    { entity: server, path: 'properties/tokenBodyParameters' },
  ];
}

/** The endpoints of a server (their version, tenant and cloud). */
export function serverEndpointsEvidence(server: AuthServer): Evidence[] {
  return [
    { entity: server, path: 'properties/authorizationEndpoint' },
    { entity: server, path: 'properties/tokenEndpoint' },
  ];
}

/** One piece of evidence per entity and path, in first-seen order. */
export function uniqueEvidence(evidence: readonly Evidence[]): Evidence[] {
  return addNew(new Map(), evidence);
}

/** Entity (by kind and id) -> the paths (`v|path`) and collections (`c|name`) seen for it. */
type EvidenceIndex = Map<string, Set<string>>;

const indexes = new WeakMap<readonly Evidence[], EvidenceIndex>();

/**
 * `uniqueEvidence([...unique, ...more])` for a list `unique` that has no repeats (an answer of `uniqueEvidence`),
 * without reading `unique` again on every call: its index is made once per list. For a base shared by one
 * finding per authorization server of a backend, which may have thousands.
 */
export function extendUnique(unique: readonly Evidence[], more: readonly Evidence[]): Evidence[] {
  let index = indexes.get(unique);
  if (!index) {
    index = new Map();
    addNew(index, unique);
    indexes.set(unique, index);
  }
  // One copy of `unique`, made at its final length: the list may hold thousands of pieces, once per finding.
  return unique.concat(
    addNew(
      new Map(),
      more.filter((e) => !has(index, e)),
    ),
  );
}

/** Each piece of `evidence` not yet in `seen`, in order (recorded there). */
function addNew(seen: EvidenceIndex, evidence: readonly Evidence[]): Evidence[] {
  const out: Evidence[] = [];
  for (const e of evidence) {
    const entity = entityOf(e);
    const what = whatOf(e);
    let paths = seen.get(entity);
    if (!paths) {
      paths = new Set();
      seen.set(entity, paths);
    } else if (paths.has(what)) continue;
    paths.add(what);
    out.push(e);
  }
  return out;
}

function entityOf(e: Evidence): string {
  return id('collection' in e ? e.parent : e.entity);
}

function whatOf(e: Evidence): string {
  return 'collection' in e ? `c|${e.collection}` : `v|${e.path}`;
}

function has(index: EvidenceIndex, e: Evidence): boolean {
  return index.get(entityOf(e))?.has(whatOf(e)) ?? false;
}

const ids = new WeakMap<Entity, string>();

/** `kind:id`, made once per entity (evidence lists name the same few entities many times). */
function id(entity: Entity): string {
  let known = ids.get(entity);
  if (known === undefined) {
    known = `${entity.kind}:${entity.id}`;
    ids.set(entity, known);
  }
  return known;
}

/** What a validation's configuration rests on: its text and the named values substituted into it. */
export function configEvidence(config: ValidationConfig): Evidence[] {
  const values = [
    ...config.openidConfigs,
    ...config.issuers,
    ...config.audiences,
    ...config.backendApplicationIds,
    ...config.clientApplicationIds,
    ...config.claims.flatMap((c) => c.values),
  ].map((v) => v.value);
  return [...textEvidence(config.statement.source), ...namedValueEvidence(values)];
}

/**
 * What the conclusions about one token validation start from: its configuration and the evidence of the issuer it
 * was judged to trust; `UNREAD_EVIDENCE` when the engine reads no evidence (`wantsEvidence` false: not worked out).
 */
export function validationEvidence(
  config: ValidationConfig,
  issuer: { evidence: readonly Evidence[] },
  wanted: boolean,
): readonly Evidence[] {
  return wanted ? uniqueEvidence([...configEvidence(config), ...issuer.evidence]) : UNREAD_EVIDENCE;
}
