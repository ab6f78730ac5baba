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
} from './effective';
import type { PolicyOwner } from './documents';
import { isTokenValidation } from './jwt';
import { childElements } from './parser';

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

export function tokenVerdict(path: CallPath): Verdict {
  const cached = verdicts.get(path);
  if (cached) return cached;
  const verdict = computeVerdict(path);
  verdicts.set(path, verdict);
  return verdict;
}

function computeVerdict(path: CallPath): Verdict {
  const inbound = path.sections.inbound;
  if (alwaysRuns(inbound.statements, isTokenValidation)) return { kind: 'ok' };
  if (inbound.unreadable.length > 0) return { kind: 'unknown', unreadable: inbound.unreadable };
  const drops = lostChain(inbound.dropped);
  const last = drops?.[drops.length - 1];
  if (drops && last) {
    return { kind: 'lost', drops, validations: allStatements(last.statements).filter(isTokenValidation) };
  }
  const conditional = allStatements(inbound.statements).filter(isTokenValidation);
  return conditional.length > 0 ? { kind: 'conditional', statements: conditional } : { kind: 'none' };
}

/**
 * The drops `api-validate-jwt` reports for a call path as having removed its token validation (every API, whatever
 * its user-authorization setting); empty when the path keeps its validation or loses none.
 */
export function dropsLosingValidation(path: CallPath): readonly DroppedInheritance[] {
  const verdict = tokenVerdict(path);
  return verdict.kind === 'lost' ? verdict.drops : [];
}

/**
 * The scopes whose inbound policy a path's verdict rests on, narrowest first: from the operation up to the first
 * policy whose inbound has no `<base />` (broader scopes cannot change what runs), or up to the service. A scope
 * without a policy in the data is included: its policy may be absent, or not stated by the source.
 */
export function inboundReach(op: OperationPolicy, path: CallPath): PolicyOwner[] {
  const api = op.api;
  const owners = [op.operation, api, path.product, api.workspace, api.service].filter(
    (o): o is NonNullable<typeof o> => o !== undefined,
  );
  const reach: PolicyOwner[] = [];
  for (const owner of owners) {
    reach.push(owner);
    const document = path.chain.find((d) => d.owner === owner);
    if (!document) continue;
    if (document.state.kind !== 'parsed') break;
    const inbound = document.state.sections.inbound;
    if (inbound && !childElements(inbound).some((c) => c.name === 'base')) break;
  }
  return reach;
}
