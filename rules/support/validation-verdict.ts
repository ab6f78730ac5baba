/**
 * Whether a call path of an operation validates the access token, and if not, why: the verdict `api-validate-jwt`
 * reports. `policy-base-inherited` reads it too, so that a token validation lost to a dropped `<base />` is
 * reported once, by the rule about token validation (one defect, one finding).
 */
import {
  allStatements,
  alwaysRuns,
  type CallPath,
  type DroppedInheritance,
  type EffectiveStatement,
  type OperationPolicy,
  type Unreadable,
} from '../../src/policy/effective';
import type { Evidence } from '../../src/model/types';
import type { PolicyOwner } from '../../src/policy/documents';
import { isTokenValidation } from './jwt';
import { childElements } from '../../src/policy/parser';
import { policiesOf, textEvidence, uniqueEvidence } from './policy-evidence';

export type Verdict =
  | { kind: 'ok' }
  | { kind: 'unknown'; unreadable: Unreadable[] }
  /** A broader scope validates, but `drops` (outermost first) remove it; the last one removed it. */
  | { kind: 'lost'; drops: DroppedInheritance[]; validations: EffectiveStatement[] }
  | { kind: 'conditional'; statements: EffectiveStatement[] }
  | { kind: 'none' };

/** The drops on the way to a dropped validation: outermost first, ending at the one that removed it. */
function lostChain(drops: readonly DroppedInheritance[]): DroppedInheritance[] | undefined {
  for (const drop of drops) {
    if (allStatements(drop.statements).some(isTokenValidation)) return [drop];
    const inner = lostChain(drop.nested);
    if (inner) return [drop, ...inner];
  }
  return undefined;
}

const verdicts = new WeakMap<CallPath, Verdict>();
/** The verdicts that carry nothing but their kind, shared by every call path that has one (nothing changes a verdict). */
const OK: Verdict = Object.freeze({ kind: 'ok' });
const NONE: Verdict = Object.freeze({ kind: 'none' });

export function tokenVerdict(path: CallPath): Verdict {
  const cached = verdicts.get(path);
  if (cached) return cached;
  const verdict = computeVerdict(path);
  verdicts.set(path, verdict);
  return verdict;
}

function computeVerdict(path: CallPath): Verdict {
  const inbound = path.sections.inbound;
  if (alwaysRuns(inbound.statements, isTokenValidation)) return OK;
  if (inbound.unreadable.length > 0) return { kind: 'unknown', unreadable: inbound.unreadable };
  const drops = lostChain(inbound.dropped);
  const last = drops?.[drops.length - 1];
  if (drops && last) {
    return { kind: 'lost', drops, validations: allStatements(last.statements).filter(isTokenValidation) };
  }
  const conditional = allStatements(inbound.statements).filter(isTokenValidation);
  return conditional.length > 0 ? { kind: 'conditional', statements: conditional } : NONE;
}

/**
 * The drops `api-validate-jwt` reports for a call path as having removed its token validation (every API, whatever
 * its user-authorization setting); empty when the path keeps its validation or loses none.
 */
export function dropsLosingValidation(path: CallPath): readonly DroppedInheritance[] {
  const verdict = tokenVerdict(path);
  return verdict.kind === 'lost' ? verdict.drops : [];
}

/** The scopes of a call path, narrowest first: operation, API, product, workspace, service (those that exist). */
export function pathOwners(op: OperationPolicy, path: CallPath): PolicyOwner[] {
  const api = op.api;
  return [op.operation, api, path.product, api.workspace, api.service].filter(
    (o): o is NonNullable<typeof o> => o !== undefined,
  );
}

/**
 * The scopes whose inbound policy a path's verdict rests on, narrowest first: from the operation up to the first
 * policy whose inbound has no `<base />` (broader scopes cannot change what runs), or up to the service. A scope
 * without a policy in the data is included: its policy may be absent, or not stated by the source.
 */
export function inboundReach(op: OperationPolicy, path: CallPath): PolicyOwner[] {
  return reachFrom(pathOwners(op, path), path, 0);
}

/** `inboundReach` starting at `owners[from]` (e.g. the scope just broader than a policy that drops `<base />`). */
export function reachFrom(owners: readonly PolicyOwner[], path: CallPath, from: number): PolicyOwner[] {
  const reach: PolicyOwner[] = [];
  for (const owner of owners.slice(from)) {
    reach.push(owner);
    const document = path.chain.find((d) => d.owner === owner);
    if (!document) continue;
    if (document.state.kind !== 'parsed') break;
    const inbound = document.state.sections.inbound;
    if (inbound && !childElements(inbound).some((c) => c.name === 'base')) break;
  }
  return reach;
}

/** The scopes from the narrowest up to the broadest one that holds one of `statements`, and their texts. */
function upTo(owners: readonly PolicyOwner[], statements: readonly EffectiveStatement[]): Evidence[] {
  const last = statements
    .map((s) => owners.indexOf(s.source.document.owner))
    .reduce((a, b) => Math.max(a, b), -Infinity);
  return [...policiesOf(owners.slice(0, last + 1)), ...statements.flatMap((s) => textEvidence(s.source))];
}

/**
 * What a path's verdict rests on. A validation that runs rests on the scopes from the operation up to the one that
 * holds it (a narrower policy could drop it; a broader one cannot), and, when it is broader than the product scope,
 * on the products of the API (a product policy without `<base />` would drop it on that product's calls). No
 * validation rests on every scope up to the first that drops `<base />`: beyond that, nothing can add one.
 */
export function verdictEvidence(op: OperationPolicy, path: CallPath, verdict: Verdict): Evidence[] {
  const owners = pathOwners(op, path);
  switch (verdict.kind) {
    case 'ok': {
      const validations = allStatements(path.sections.inbound.statements).filter(isTokenValidation);
      const evidence = upTo(owners, validations);
      const broadest = validations.map((s) => s.source.document.owner.kind);
      if (!path.product && broadest.some((k) => k === 'apimService' || k === 'workspace')) {
        const service = op.api.service;
        evidence.push({ collection: 'products', parent: service }, ...policiesOf(op.api.products));
      }
      return uniqueEvidence(evidence);
    }
    case 'lost':
      return uniqueEvidence(upTo(owners, verdict.validations));
    case 'conditional':
      return uniqueEvidence([
        ...policiesOf(reachFrom(owners, path, 0)),
        ...verdict.statements.flatMap((s) => textEvidence(s.source)),
      ]);
    case 'none':
      return policiesOf(reachFrom(owners, path, 0));
    case 'unknown':
      return [];
  }
}
