/**
 * The effective-policy chains a report shows next to policy findings (`scan --format html`): for each operation a
 * finding of a `policy` rule points at (directly, or through its API, product, workspace, service or an included
 * fragment), the inbound policy of every scope on each call path, with the line that lost the token validation
 * highlighted. Operations with the same policies are one chain. Only what findings point at, and capped: the view
 * stays small for any audit. Every string is redacted with the audit's redactor, and the literal secrets the
 * policies hold are never rebuilt.
 *
 * Whether a path validates tokens is `api-validate-jwt`'s verdict (rules/support/validation-verdict.ts), read here
 * so that the highlight and the finding agree.
 */
import type { PositionIndex } from '../json/types';
import type { Model } from '../model/types';
import type { PolicyDocument, PolicyOwner } from '../policy/documents';
import {
  allStatements,
  effectivePolicies,
  type CallPath,
  type DroppedInheritance,
  type EffectiveStatement,
  type OperationPolicy,
} from '../policy/effective';
import { describeSource, isTokenValidation } from '../../rules/support/jwt';
import { describeUnreadable } from '../../rules/support/policy-texts';
import { pathOwners, tokenVerdict, type Verdict } from '../../rules/support/validation-verdict';
import {
  cut,
  lineKey,
  locateIn,
  MAX_OUTLINE_LINES,
  MAX_TEXT,
  outlineOf,
  type Marks,
  type OutlineContext,
} from './policy-outline';
import type {
  ChainMark,
  ChainPath,
  ChainScope,
  ChainScopeName,
  ChainStatement,
  ChainValidation,
  PolicyChain,
  PolicyChainsView,
} from './policy-chain-types';
import type { Finding, RuleDescriptor } from './types';
import { pushAll } from '../util/lists';

/** Chains shown; operation names per chain; call paths per chain; lines per outline; statements per path. */
export const CHAIN_LIMITS = {
  chains: 50,
  names: 20,
  paths: 6,
  lines: MAX_OUTLINE_LINES,
  statements: 60,
  /** Outline lines of the whole view (a few hundred kilobytes of HTML at most). */
  totalLines: 4000,
} as const;

export interface ChainInput {
  model: Model;
  findings: readonly Finding[];
  rules: readonly RuleDescriptor[];
  files: Readonly<Record<string, PositionIndex>>;
  redact: (text: string) => string;
}

interface Group {
  api: string;
  /** In the order first seen (sets: a service-wide finding reaches every operation). */
  operations: Set<OperationPolicy>;
  findings: Set<Finding>;
}

export function policyChains(input: ChainInput): PolicyChainsView {
  const policyRules = new Set(input.rules.filter((r) => r.meta.tags.includes('policy')).map((r) => r.id));
  const findings = input.findings.filter((f) => policyRules.has(f.ruleId));
  if (findings.length === 0) return { chains: [], omittedChains: 0, omittedOperations: 0 };
  const index = effectivePolicies(input.model);
  const targets = new Targets(index.operations);
  const groups = new Map<string, Group>();
  for (const finding of findings) {
    for (const op of targets.of(finding)) {
      const key = targets.chainKey(op);
      let group = groups.get(key);
      if (!group) {
        group = { api: op.api.name, operations: new Set(), findings: new Set() };
        groups.set(key, group);
      }
      group.operations.add(op);
      group.findings.add(finding);
    }
  }
  const all = [...groups.values()];
  const shown = all.slice(0, CHAIN_LIMITS.chains);
  const budget = { lines: CHAIN_LIMITS.totalLines };
  const chains = shown.map((group) => chainOf(group, input, budget));
  return redactStrings(
    {
      chains,
      omittedChains: all.length - shown.length,
      omittedOperations: all.slice(shown.length).reduce((n, g) => n + g.operations.size, 0),
    },
    input.redact,
  );
}

/** Which operations a finding is about, by the entity it points at. */
class Targets {
  private readonly byEntity = new Map<string, OperationPolicy[]>();
  private readonly byFragment = new Map<string, OperationPolicy[]>();
  private readonly documentIds = new Map<PolicyDocument, number>();
  private readonly keys = new Map<OperationPolicy, string>();

  constructor(private readonly operations: readonly OperationPolicy[]) {
    for (const op of operations) {
      this.add(op.entity, op);
      if (op.entity !== op.api) this.add(op.api, op);
      // A finding on a broader scope concerns the revisions the gateway serves by default, as the rules judge them.
      if (!op.api.isCurrent) continue;
      for (const owner of [op.api.service, op.api.workspace, ...new Set(op.api.products)]) {
        if (owner) this.add(owner, op);
      }
    }
  }

  private add(owner: { kind: string; id: string }, op: OperationPolicy): void {
    const key = `${owner.kind}|${owner.id}`;
    const list = this.byEntity.get(key);
    if (list) list.push(op);
    else this.byEntity.set(key, [op]);
  }

  of(finding: Finding): readonly OperationPolicy[] {
    const { kind, id } = finding.resource;
    if (kind === 'policyFragment') return this.including(id);
    return this.byEntity.get(`${kind}|${id}`) ?? [];
  }

  /** The current operations whose inbound runs, or drops, a statement of the fragment. */
  private including(fragmentId: string): OperationPolicy[] {
    const known = this.byFragment.get(fragmentId);
    if (known) return known;
    const found = this.operations.filter(
      (op) =>
        op.api.isCurrent &&
        op.paths.some((path) =>
          pathStatements(path).some((s) => s.source.fragment?.fragment.id === fragmentId),
        ),
    );
    this.byFragment.set(fragmentId, found);
    return found;
  }

  /** Operations of one API whose call paths run the same policies share a chain. */
  chainKey(op: OperationPolicy): string {
    let key = this.keys.get(op);
    if (key === undefined) {
      key = this.keyOf(op);
      this.keys.set(op, key);
    }
    return key;
  }

  private keyOf(op: OperationPolicy): string {
    const id = (d: PolicyDocument) => {
      let n = this.documentIds.get(d);
      if (n === undefined) {
        n = this.documentIds.size;
        this.documentIds.set(d, n);
      }
      return n;
    };
    return `${op.api.kind}|${op.api.id}\u0000${op.paths.map((p) => p.chain.map(id).join(',')).join(';')}`;
  }
}

/** Every statement a path's inbound runs or drops (a drop's own nested drops included). */
function pathStatements(path: CallPath): EffectiveStatement[] {
  const inbound = path.sections.inbound;
  const out = allStatements(inbound.statements);
  for (const drop of allDrops(inbound.dropped)) pushAll(out, allStatements(drop.statements));
  return out;
}

function allDrops(drops: readonly DroppedInheritance[]): DroppedInheritance[] {
  return drops.flatMap((d) => [d, ...allDrops(d.nested)]);
}

function chainOf(group: Group, input: ChainInput, budget: PathContext['budget']): PolicyChain {
  const operations = [...group.operations];
  const findings = [...group.findings];
  const [op] = operations as [OperationPolicy];
  const lines = new Set(
    findings.flatMap((f) => (f.location.line !== undefined ? [lineKey(f.location)] : [])),
  );
  const paths = op.paths.slice(0, CHAIN_LIMITS.paths);
  return {
    api: group.api,
    operations: operations.slice(0, CHAIN_LIMITS.names).map((o) => o.label),
    operationCount: operations.length,
    findings: findings.map((f) => f.fingerprint),
    paths: paths.map((path) => pathOf(op, path, { ...input, lines, budget })),
    omittedPaths: op.paths.length - paths.length,
  };
}

type PathContext = ChainInput & OutlineContext;

function pathOf(op: OperationPolicy, path: CallPath, context: PathContext): ChainPath {
  const verdict = tokenVerdict(path);
  const marks = marksOf(path);
  const owners = pathOwners(op, path).reverse();
  const statements = allStatements(path.sections.inbound.statements);
  const shown = statements.slice(0, CHAIN_LIMITS.statements);
  return {
    description: path.description,
    validation: VALIDATION[verdict.kind],
    summary: summaryOf(verdict),
    scopes: owners.map((owner) => scopeOf(owner, path, marks, context)),
    effective: shown.map((s) => statementOf(s)),
    omittedStatements: statements.length - shown.length,
  };
}

const VALIDATION: Readonly<Record<Verdict['kind'], ChainValidation>> = {
  ok: 'validated',
  conditional: 'conditional',
  lost: 'lost',
  none: 'none',
  unknown: 'unknown',
};

function summaryOf(verdict: Verdict): string {
  switch (verdict.kind) {
    case 'ok':
      return 'every request of this path runs token validation in inbound.';
    case 'lost': {
      const labels = verdict.drops.map((d) => d.document.label).join(', then ');
      const lost = [
        ...new Set(verdict.validations.map((s) => `${s.element.name} of ${describeSource(s.source)}`)),
      ];
      return `${labels} has no <base /> in inbound, so ${lost.join(' and ')} does not run.`;
    }
    case 'conditional':
      return 'tokens are validated only in some <choose> branches: requests on the other branches are not validated.';
    case 'none':
      return 'nothing in inbound validates the token on this path.';
    case 'unknown':
      return `whether tokens are validated is not known: ${verdict.unreadable.map(describeUnreadable).join('; ')}.`;
  }
}

function marksOf(path: CallPath): Marks {
  const marks: Marks = { statements: new Map(), drops: new Map() };
  const set = (s: EffectiveStatement, mark: ChainMark, note: string) => {
    const { document, fragment } = s.source;
    let byKey = marks.statements.get(document);
    if (!byKey) marks.statements.set(document, (byKey = new Map()));
    const key = fragment ? `fragment:${fragment.fragment.name}` : s.element;
    // A fragment that runs one validation and drops none keeps `runs`; the first mark of an element wins.
    if (!byKey.has(key)) byKey.set(key, { mark, note: fragment ? `${note} (in ${fragment.label})` : note });
  };
  for (const s of allStatements(path.sections.inbound.statements).filter(isTokenValidation)) {
    if (s.conditions.length === 0) set(s, 'runs', 'runs on every request of this path');
    else set(s, 'conditional', `runs only when ${conditionsText(s)}`);
  }
  for (const drop of allDrops(path.sections.inbound.dropped)) {
    const dropped = allStatements(drop.statements);
    if (dropped.length === 0) continue;
    const names = [...new Set(dropped.map((s) => s.element.name))];
    const validations = dropped.filter(isTokenValidation);
    marks.drops.set(drop.document, {
      mark: validations.length > 0 ? 'lost' : 'drops',
      note: `no <base /> in inbound: the broader scopes' ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''} do not run on this path`,
    });
    for (const s of validations) {
      set(s, 'dropped', `does not run on this path: ${drop.document.label} has no <base /> in inbound`);
    }
  }
  return marks;
}

function conditionsText(s: EffectiveStatement): string {
  return s.conditions.map((c) => c.condition ?? 'no earlier <when> matches (otherwise)').join(' and ');
}

function statementOf(s: EffectiveStatement): ChainStatement {
  return {
    element: s.element.name,
    source: describeSource(s.source),
    conditions: s.conditions.map((c) => cut(c.condition ?? 'otherwise', MAX_TEXT)),
    ...(isTokenValidation(s) ? { mark: s.conditions.length === 0 ? 'runs' : 'conditional' } : {}),
  };
}

const SCOPE_NAMES: Readonly<Record<PolicyOwner['kind'], ChainScopeName>> = {
  apimService: 'global',
  workspace: 'workspace',
  product: 'product',
  api: 'api',
  operation: 'operation',
};

function scopeOf(owner: PolicyOwner, path: CallPath, marks: Marks, context: PathContext): ChainScope {
  const scope = SCOPE_NAMES[owner.kind];
  const name = owner.kind === 'operation' ? `${owner.api.name}/${owner.name}` : owner.name;
  const document = path.chain.find((d) => d.owner === owner);
  if (!document) return { scope, name, state: 'none', inbound: [], omittedLines: 0 };
  const located = (offset: number) => locateIn(document, offset, context.files);
  const state = document.state;
  if (state.kind !== 'parsed') {
    const reason =
      state.kind === 'link'
        ? `the policy is a link (${state.url}), which the audit does not fetch`
        : state.message;
    const location = located(state.kind === 'parse-error' ? state.offset : 0);
    return {
      scope,
      name,
      state: 'unreadable',
      reason,
      ...(location ? { location } : {}),
      inbound: [],
      omittedLines: 0,
    };
  }
  const inbound = state.sections.inbound;
  const location = located(inbound?.offset ?? 0);
  const outline = inbound ? outlineOf(inbound, document, marks, context) : { lines: [], omitted: 0 };
  return {
    scope,
    name,
    state: 'policy',
    ...(location ? { location } : {}),
    inbound: outline.lines,
    omittedLines: outline.omitted,
  };
}

/** A copy with `redact` applied to every string (the view holds only plain objects, arrays and scalars). */
function redactStrings<T>(value: T, redact: (text: string) => string): T {
  const map = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v);
    if (Array.isArray(v)) return v.map(map);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, map(item)]));
    }
    return v;
  };
  return map(value) as T;
}
