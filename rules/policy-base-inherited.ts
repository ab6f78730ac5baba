/**
 * Workspace, product, API and operation policies keep `<base />` in inbound wherever dropping it would remove a
 * protection a broader scope applies: token validation, client-certificate validation, IP filtering, an
 * Authorization header check, or (as a warning) rate limits and quotas. A missing `<base />` that drops nothing
 * of the kind, or whose policy applies the same kind of protection itself, is not reported: an operation that
 * deliberately replaces the inherited policies is not a finding (the blanket `<base />` checks of other tools
 * report those too).
 */
import {
  checked,
  defineRule,
  notEvaluated,
  violation,
  wantsEvidence,
  type RuleOutput,
} from './support/contract';
import type { Entity, Evidence } from '../src/model/types';
import {
  allStatements,
  type CallPath,
  type DroppedInheritance,
  type EffectiveStatement,
  type OperationPolicy,
} from '../src/policy/effective';
import { describeUnreadable, unreadableText } from './support/policy-texts';
import { textEntity } from './support/policy-texts';
import { currentOperations, describeSource, listNames } from './support/jwt';
import { attr, childElements } from '../src/policy/parser';
import type { PolicyDocument } from '../src/policy/documents';
import { WrittenMap } from '../src/policy/written';
import { capitalized, fitted, textLocation } from './support/outputs';
import { editable, insertFirst } from './support/policy-edits';
import { policiesOf, POLICY_CITES, textEvidence, uniqueEvidence } from './support/policy-evidence';
import { dropsLosingValidation, pathOwners, reachFrom } from './support/validation-verdict';

export interface PolicyBaseInheritedOptions {
  /** Also report dropped rate limits and quotas (as warnings). */
  throttling: boolean;
}

const ACCESS_CONTROLS: Readonly<Record<string, string>> = {
  'validate-jwt': 'token validation',
  'validate-azure-ad-token': 'token validation',
  'validate-client-certificate': 'client certificate validation',
  'ip-filter': 'IP filtering',
  'check-header': 'Authorization header check',
};

const THROTTLING: Readonly<Record<string, string>> = {
  'rate-limit': 'rate limit',
  'rate-limit-by-key': 'rate limit',
  quota: 'quota',
  'quota-by-key': 'quota',
  'llm-token-limit': 'token limit',
  'azure-openai-token-limit': 'token limit',
};

/** The protection a statement provides, identified so a narrower policy's own statement can stand in for it. */
function protectionOf(
  statement: EffectiveStatement,
  throttling: boolean,
): { kind: string; what: string; access: boolean } | undefined {
  const name = statement.element.name;
  if (name === 'check-header') {
    const header = attr(statement.element, 'name')?.trim().toLowerCase();
    return header === 'authorization'
      ? { kind: name, what: ACCESS_CONTROLS[name]!, access: true }
      : undefined;
  }
  const access = ACCESS_CONTROLS[name];
  if (access)
    return { kind: name === 'validate-azure-ad-token' ? 'validate-jwt' : name, what: access, access: true };
  const limit = throttling ? THROTTLING[name] : undefined;
  return limit ? { kind: name.replace(/-by-key$/, ''), what: limit, access: false } : undefined;
}

interface Finding {
  document: PolicyDocument;
  drop: DroppedInheritance;
  removed: WrittenMap<EffectiveStatement>;
  /** In the order first seen (a set: a product policy's drop reaches every operation of its APIs). */
  operations: Set<OperationPolicy>;
  paths: Set<string>;
  /** The scope policies whose content the finding rests on, over all its operations and call paths. */
  evidence: Evidence[];
}

function describeRemoved(statements: EffectiveStatement[], throttling: boolean): string {
  const bySource = new Map<string, Set<string>>();
  for (const s of statements) {
    const source = describeSource(s.source);
    const what = `${s.element.name} (${protectionOf(s, throttling)?.what ?? ''})`;
    bySource.set(source, (bySource.get(source) ?? new Set()).add(what));
  }
  return [...bySource].map(([source, whats]) => `${[...whats].join(', ')} of ${source}`).join('; ');
}

function scopeOfOperations(finding: Finding): string {
  const ops = [...finding.operations].map((o) => o.label);
  return `${ops.length === 1 ? 'operation' : 'operations'} ${listNames(ops)}`;
}

/**
 * What the rule judged on a path besides its findings: that no narrower policy drops `<base />` rests on every scope
 * below the service; what a policy without `<base />` drops rests on the broader scopes up to the next such policy
 * (also when none of them is in the data, and so nothing is dropped that the data shows).
 */
function judged(op: OperationPolicy, path: CallPath): RuleOutput[] {
  const owners = pathOwners(op, path);
  const out: RuleOutput[] = [checked(op.entity, policiesOf(owners.filter((o) => o.kind !== 'apimService')))];
  owners.forEach((owner, i) => {
    const document = path.chain.find((d) => d.owner === owner);
    if (owner.kind === 'apimService' || document?.state.kind !== 'parsed') return;
    const inbound = document.state.sections.inbound;
    if (!inbound || childElements(inbound).some((c) => c.name === 'base')) return;
    out.push(
      checked(owner, [{ entity: owner, path: 'policy' }, ...policiesOf(reachFrom(owners, path, i + 1))]),
    );
  });
  return out;
}

/** What a drop removes from a path: protections of the broader scopes that the dropping policy does not apply itself. */
function removedBy(drop: DroppedInheritance, path: CallPath, throttling: boolean): EffectiveStatement[] {
  const ownKinds = new Set(allStatements(drop.own).flatMap((s) => protectionOf(s, throttling)?.kind ?? []));
  // api-validate-jwt reports a token validation this drop removes from this path (one defect, one finding).
  if (dropsLosingValidation(path).includes(drop)) ownKinds.add('validate-jwt');
  return allStatements(drop.statements).filter((s) => {
    const protection = protectionOf(s, throttling);
    return protection !== undefined && !ownKinds.has(protection.kind);
  });
}

/** What the rule collects over every operation and path before it reports: one finding per dropping policy. */
interface Collected {
  findings: Map<PolicyDocument, Finding>;
  unknown: RuleOutput[];
}

/** Records what `drop` (and the drops nested in its policy) removes from one operation's call path. */
function visitDrop(
  drop: DroppedInheritance,
  op: OperationPolicy,
  path: CallPath,
  throttling: boolean,
  into: Collected,
): void {
  // What the policy drops: the broader scopes up to the next one that drops its own parents.
  const owners = pathOwners(op, path);
  const dropped = reachFrom(owners, path, owners.indexOf(drop.document.owner) + 1);
  const evidence: Evidence[] = [{ entity: drop.document.owner, path: 'policy' }, ...policiesOf(dropped)];
  const removed = removedBy(drop, path, throttling);
  if (removed.length === 0 && drop.unreadable.length > 0) {
    for (const u of drop.unreadable) {
      into.unknown.push(
        notEvaluated(
          `${capitalized(drop.document.label)} has no <base /> in inbound; what it drops is not fully known: ${describeUnreadable(u)}.`,
          textEntity(unreadableText(u)),
        ),
      );
    }
  }
  if (removed.length > 0) {
    let finding = into.findings.get(drop.document);
    if (!finding) {
      const fresh = {
        removed: new WrittenMap<EffectiveStatement>(),
        operations: new Set<OperationPolicy>(),
        paths: new Set<string>(),
        evidence: [],
      };
      finding = { document: drop.document, drop, ...fresh };
      into.findings.set(drop.document, finding);
    }
    for (const s of removed) finding.removed.set(s.source, s.element, s);
    finding.operations.add(op);
    finding.paths.add(path.description);
    finding.evidence.push(...evidence, ...removed.flatMap((s) => textEvidence(s.source)));
  }
  for (const nested of drop.nested) visitDrop(nested, op, path, throttling, into);
}

/** `ip-filter (IP filtering), rate-limit (rate limit)`: what is dropped, without where it is written. */
function namesRemoved(statements: EffectiveStatement[], throttling: boolean): string[] {
  return [
    ...new Set(statements.map((s) => `${s.element.name} (${protectionOf(s, throttling)?.what ?? ''})`)),
  ];
}

function violationOf(finding: Finding, throttling: boolean): RuleOutput {
  const removed = [...finding.removed.values()];
  const access = removed.some((s) => protectionOf(s, throttling)?.access === true);
  const { document, drop } = finding;
  const products = document.scope === 'product' ? ` (${[...finding.paths].join('; ')})` : '';
  const entity: Entity = document.owner;
  const ops = scopeOfOperations(finding);
  const run = removed.length === 1 ? 'runs' : 'run';
  const names = namesRemoved(removed, throttling);
  const insert = insertFirst(editable(document), drop.section, '<base />');
  return violation(
    entity,
    fitted(
      `${capitalized(document.label)} has no <base /> in inbound, so ${names.join(', ')} no longer ` +
        `${names.length === 1 ? 'runs' : 'run'} for ${document.scope === 'operation' ? 'the operation' : ops}; expected <base /> first`,
    ),
    {
      ...textLocation(document, drop.section.offset),
      key: 'inbound',
      ...(access ? {} : { severity: 'warning' as const }),
      evidence: uniqueEvidence(finding.evidence),
      detail:
        `Without <base />, ${describeRemoved(removed, throttling)} no longer ${run} for ${ops}${products}: ` +
        (access
          ? 'requests the broader scope would reject (401 or 403) reach the backend.'
          : 'calls are no longer limited there, so one client can exhaust the backend.'),
      fix: {
        text:
          'Add <base /> first in the inbound section (so the broader checks run before its own policies), or ' +
          'apply the same protection in this policy.',
        ...(insert ? { policy: insert } : {}),
      },
    },
  );
}

const DEFAULTS: PolicyBaseInheritedOptions = { throttling: true };

export default defineRule({
  id: 'policy-base-inherited',
  meta: {
    title: 'Narrower policies keep inheriting broader-scope protections in inbound',
    severity: 'error',
    tags: ['apim', 'policy', 'security'],
    securitySeverity: 7.5,
    requires: ['apim'],
    declaresEvidence: true,
    cites: POLICY_CITES,
  },
  options: {
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        throttling: {
          type: 'boolean',
          description: 'Also report dropped rate limits and quotas (as warnings).',
        },
      },
    },
    defaults: DEFAULTS,
  },
  *check(model, ctx) {
    const { throttling } = ctx.options;
    const collected: Collected = { findings: new Map(), unknown: [] };
    const evidence = wantsEvidence(ctx);
    for (const op of currentOperations(model)) {
      for (const path of op.paths) {
        // That no narrower policy drops <base /> rests on the policies of every scope below the service. (Handed
        // over at once, not kept to the end: the engine orders records itself, and there is one per call path.)
        if (evidence) yield* judged(op, path);
        for (const drop of path.sections.inbound.dropped) visitDrop(drop, op, path, throttling, collected);
      }
    }
    yield* collected.unknown;
    for (const finding of collected.findings.values()) yield violationOf(finding, throttling);
  },
});
