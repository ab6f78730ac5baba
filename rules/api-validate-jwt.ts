/**
 * Every operation of every current API with OAuth 2.0 / OpenID Connect enabled runs an unconditional
 * `validate-jwt` or `validate-azure-ad-token` in its effective inbound policy, on every call path (with or
 * without product policies). The user-authorization setting of an API only tells the developer portal how to
 * get a token; the policy is what rejects requests without one.
 */
import { checked, defineRule, notEvaluated, violation, type RuleOutput } from './support/contract';
import type { Api, Entity, Evidence } from '../src/model/types';
import { unknownIn } from '../src/model/unknown';
import { describeUnreadable, unreadableText } from './support/policy-texts';
import {
  type CallPath,
  type EffectiveStatement,
  type OperationPolicy,
  type Unreadable,
} from '../src/policy/effective';
import { textEntity } from './support/policy-texts';
import {
  currentOperations,
  describeSource,
  listNames,
  locateElement,
  statementEntity,
  unreadableId,
} from './support/jwt';
import { policiesOf, uniqueEvidence } from './support/policy-evidence';
import { inboundReach, tokenVerdict, verdictEvidence, type Verdict } from './support/validation-verdict';
import type { PolicyDocument } from '../src/policy/documents';
import { childElements } from '../src/policy/parser';

export interface ApiValidateJwtOptions {
  /** Check every current API, not only those with OAuth 2.0 / OpenID Connect enabled. */
  allApis: boolean;
}

/** One finding in the making: several operations (and call paths) that fail for the same reason. */
interface Group {
  entity: Entity;
  extra: ReturnType<typeof locateElement> | { path?: string; key: string };
  /** In the order first seen (a set: a group may hold every operation of the service). */
  operations: Set<OperationPolicy>;
  paths: Set<string>;
  /** What the finding rests on, over all its operations and call paths. */
  evidence: Evidence[];
  /** Builds the message once all operations are known. */
  message: (ops: string, paths: string) => string;
}

/** What a group says and where, before its operations are known. */
type GroupHead = Omit<Group, 'operations' | 'paths' | 'evidence'>;

function opsText(ops: OperationPolicy[]): string {
  const labels = ops.map((o) => o.label);
  return `${ops.length === 1 ? 'operation' : 'operations'} ${listNames(labels)}`;
}

function pathsText(paths: Set<string>, allPaths: boolean): string {
  return allPaths ? '' : ` for ${[...paths].join('; ')}`;
}

function sourcesOf(statements: readonly EffectiveStatement[]): string {
  const labels = [...new Set(statements.map((s) => describeSource(s.source)))];
  const names = [...new Set(statements.map((s) => s.element.name))];
  return `${labels.join(' and ')} ${labels.length === 1 ? 'validates' : 'validate'} tokens (${names.join(', ')})`;
}

function lostGroup(verdict: Extract<Verdict, { kind: 'lost' }>): GroupHead {
  const [outer] = verdict.drops;
  const drop = outer!;
  const others = verdict.drops.slice(1).map((d) => d.document.label);
  const also = others.length > 0 ? ` (and ${others.join(', ')} has none either)` : '';
  const fix =
    others.length > 0
      ? 'add <base /> to the inbound section of each of these policies'
      : 'add <base /> to its inbound section';
  return {
    entity: drop.document.owner,
    extra: drop.document.origin
      ? {
          path: 'policy/value',
          key: 'inbound-base',
          textOffset: { origin: drop.document.origin, offset: drop.section.offset },
        }
      : { path: 'policy/value', key: 'inbound-base' },
    message: (ops, paths) =>
      `${capitalized(sourcesOf(verdict.validations))}, but ${drop.document.label} has no <base /> in inbound${also}, ` +
      `so ${ops} ${ops.startsWith('operations') ? 'run' : 'runs'} without token validation${paths}; ${fix} ` +
      '(first, so the token is checked before anything else runs).',
  };
}

/**
 * The narrower policy (operation, API, product or workspace) whose inbound has no `<base />`, when nothing the
 * operation runs comes from above it: the verdict "no validation" then holds whatever the broader scopes hold.
 */
function cutOff(op: OperationPolicy, path: CallPath): PolicyDocument | undefined {
  const reach = inboundReach(op, path);
  const last = reach[reach.length - 1];
  if (!last || last.kind === 'apimService') return undefined;
  const document = path.chain.find((d) => d.owner === last);
  if (document?.state.kind !== 'parsed') return undefined;
  const inbound = document.state.sections.inbound;
  return inbound && !childElements(inbound).some((c) => c.name === 'base') ? document : undefined;
}

/** A policy without `<base />` that validates nothing: located at its inbound, like a lost validation. */
function cutOffGroup(document: PolicyDocument): GroupHead {
  const section = document.state.kind === 'parsed' ? document.state.sections.inbound : undefined;
  return {
    entity: document.owner,
    extra:
      document.origin && section
        ? {
            path: 'policy/value',
            key: 'inbound-base',
            textOffset: { origin: document.origin, offset: section.offset },
          }
        : { path: 'policy/value', key: 'inbound-base' },
    message: (ops, paths) =>
      `${capitalized(document.label)} has no <base /> in inbound and validates no token itself, so ${ops} ` +
      `${ops.startsWith('operations') ? 'run' : 'runs'} without token validation${paths}, whatever the broader ` +
      'scopes (global, workspace, product) hold; add validate-jwt to its inbound section, or <base /> (first) to ' +
      'inherit the validation of a broader scope.',
  };
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function apiPolicyInbound(api: Api, op: OperationPolicy): Group['extra'] {
  const document = op.paths[0]?.chain.find((d) => d.owner === api);
  const inbound = document?.state.kind === 'parsed' ? document.state.sections.inbound : undefined;
  if (document?.origin && inbound) {
    return {
      path: 'policy/value',
      key: 'none',
      textOffset: { origin: document.origin, offset: inbound.offset },
    };
  }
  return { path: 'policy', key: 'none' };
}

function describeApi(api: Api): string {
  return `API '${api.name}' (revision ${api.revision})`;
}

/** A validation that runs only under some `<choose>` conditions: located at the validation. */
function conditionalGroup(verdict: Extract<Verdict, { kind: 'conditional' }>): GroupHead {
  const first = verdict.statements[0]!;
  return {
    entity: statementEntity(first.source),
    extra: locateElement(first.source, first.element),
    message: (ops, paths) => {
      const when = first.conditions.map((c) =>
        c.condition === undefined ? '<otherwise>' : `condition ${c.condition.trim()}`,
      );
      return (
        `${first.element.name} in ${describeSource(first.source)} runs only under ${when.join(' and ')}, ` +
        `so ${ops} ${ops.startsWith('operations') ? 'are' : 'is'} not validated on other requests${paths}; ` +
        'validate outside <choose>, or in every branch including <otherwise>.'
      );
    },
  };
}

/** Tokens validated only by product policies, which a call path outside those products skips. */
function productOnlyGroup(api: Api, path: CallPath, products: string): GroupHead {
  return {
    entity: api,
    extra: { path: 'policy', key: 'product-only' },
    message: (ops) =>
      `For ${describeApi(api)}, tokens are validated only in the product policy of ${products}; ` +
      `product policies do not run for ${path.description}, so ${ops} can be called without a ` +
      'token check; move the validation to the API policy (or the global policy).',
  };
}

/** No validation anywhere on the path: located at the API policy's inbound. */
function noneGroup(api: Api, op: OperationPolicy): GroupHead {
  return {
    entity: api,
    extra: apiPolicyInbound(api, op),
    message: (ops, paths) =>
      `${describeApi(api)} has ${api.oauth2.length + api.openid.length > 0 ? 'OAuth 2.0 / OpenID Connect user authorization but ' : ''}` +
      `no validate-jwt or validate-azure-ad-token in the effective inbound policy of ${ops}${paths} ` +
      '(global, workspace, product, API and operation scopes checked), so requests without a valid token ' +
      `reach the backend; add validate-jwt to the inbound section of the API policy of '${api.name}', or ` +
      'of the global policy to cover every API.',
  };
}

/** One failing call path of an operation: which group it joins, and what its verdict rests on. */
interface Failure {
  key: string;
  /** Whether the operation fails on all of its call paths. */
  everyPath: boolean;
  make: () => GroupHead;
  evidence: Evidence[];
}

/** What the failing call paths of one operation share. */
interface OperationFailures {
  op: OperationPolicy;
  everyPath: boolean;
  /** The API's user-authorization setting, when whether it must validate rests on it. */
  settings: Evidence[];
  /** The call paths through a product whose policy validates. */
  protectedProducts: { path: CallPath }[];
}

function failureOf(
  { op, everyPath, settings, protectedProducts }: OperationFailures,
  path: CallPath,
  verdict: Extract<Verdict, { kind: 'lost' | 'conditional' | 'none' }>,
): Failure {
  const api = op.api;
  const evidence = verdictEvidence(op, path, verdict);
  switch (verdict.kind) {
    case 'lost':
      return {
        key: `lost|${verdict.drops[0]!.document.owner.id}`,
        everyPath,
        make: () => lostGroup(verdict),
        evidence,
      };
    case 'conditional': {
      const first = verdict.statements[0]!;
      return {
        key: `cond|${statementEntity(first.source).id}|${first.element.offset}`,
        everyPath,
        make: () => conditionalGroup(verdict),
        evidence: [...evidence, ...settings],
      };
    }
    case 'none': {
      if (!path.product && protectedProducts.length > 0) {
        const products = protectedProducts.map((v) => `'${v.path.product!.name}'`).join(', ');
        return {
          key: `product|${api.id}`,
          everyPath: true,
          make: () => productOnlyGroup(api, path, products),
          evidence: [...evidence, ...policiesOf(protectedProducts.map((v) => v.path.product!)), ...settings],
        };
      }
      const cut = cutOff(op, path);
      if (cut) {
        return {
          key: `none-below|${cut.owner.id}`,
          everyPath,
          make: () => cutOffGroup(cut),
          evidence: [...evidence, ...settings],
        };
      }
      return {
        key: `none|${api.id}`,
        everyPath,
        make: () => noneGroup(api, op),
        evidence: [...evidence, ...settings],
      };
    }
  }
}

/** Failing operations grouped by why they fail, in the order first seen; each group becomes one finding. */
class Groups {
  private readonly groups = new Map<string, Group>();
  /** Whether every operation of a group fails on all of its call paths (then the paths go unmentioned). */
  private readonly allPathsFail = new Map<Group, boolean>();

  add(op: OperationPolicy, path: CallPath, { key, everyPath, make, evidence }: Failure): void {
    // Operations whose verdict rests on something the sources did not state are kept apart: the engine
    // turns that group into a not-evaluated record, and the others stay a finding.
    const unstated = unknownIn(evidence) !== undefined;
    const groupKey = unstated ? `${key}|unstated` : key;
    let group = this.groups.get(groupKey);
    if (!group) {
      const made = make();
      const extra = unstated ? { ...made.extra, key: `${made.extra.key ?? ''}:unstated` } : made.extra;
      group = { ...made, extra, operations: new Set(), paths: new Set(), evidence: [] };
      this.groups.set(groupKey, group);
    }
    group.operations.add(op);
    group.paths.add(path.description);
    group.evidence.push(...evidence);
    this.allPathsFail.set(group, (this.allPathsFail.get(group) ?? true) && everyPath);
  }

  *violations(): Generator<RuleOutput> {
    for (const group of this.groups.values()) {
      const paths = pathsText(group.paths, this.allPathsFail.get(group) ?? true);
      yield violation(group.entity, group.message(opsText([...group.operations]), paths), {
        ...group.extra,
        evidence: uniqueEvidence(group.evidence),
      });
    }
  }
}

/** Texts that could not be read, each with the operations whose verdict they leave open, in the order first seen. */
class UnknownTexts {
  private readonly entries = new Map<string, { unreadable: Unreadable; operations: Set<OperationPolicy> }>();

  add(op: OperationPolicy, unreadable: readonly Unreadable[]): void {
    for (const u of unreadable) {
      const entry = this.entries.get(unreadableId(u)) ?? { unreadable: u, operations: new Set() };
      entry.operations.add(op);
      this.entries.set(unreadableId(u), entry);
    }
  }

  *notEvaluated(): Generator<RuleOutput> {
    for (const { unreadable, operations: seen } of this.entries.values()) {
      const operations = [...seen];
      yield notEvaluated(
        `Whether ${opsText(operations)} ${operations.length === 1 ? 'validates' : 'validate'} tokens is not known: ` +
          `${describeUnreadable(unreadable)}.`,
        textEntity(unreadableText(unreadable)),
      );
    }
  }
}

const DEFAULTS: ApiValidateJwtOptions = { allApis: false };

export default defineRule({
  id: 'api-validate-jwt',
  meta: {
    title:
      'Every operation of an API with OAuth enabled validates the access token in its effective inbound policy',
    severity: 'error',
    tags: ['apim', 'policy', 'security', 'tokens'],
    securitySeverity: 8.0,
    requires: ['apim'],
    declaresEvidence: true,
  },
  options: {
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        allApis: {
          type: 'boolean',
          description: 'Check every current API, not only those with OAuth 2.0 or OpenID Connect enabled.',
        },
      },
    },
    defaults: DEFAULTS,
  },
  *check(model, ctx) {
    const groups = new Groups();
    const unknown = new UnknownTexts();
    const skipped = new Set<Api>();
    for (const op of currentOperations(model)) {
      const api = op.api;
      // A validation a broader scope applies and a dropped <base /> removes is lost on any API; the other
      // verdicts concern the APIs that must validate (user authorization declared, or allApis).
      const inScope = ctx.options.allApis || api.oauth2.length > 0 || api.openid.length > 0;
      const verdicts = op.paths.map((path) => ({ path, verdict: tokenVerdict(path) }));
      for (const { path, verdict } of verdicts) {
        if (verdict.kind === 'ok') yield checked(op.entity, verdictEvidence(op, path, verdict));
      }
      // Whether the API must validate rests on its user-authorization setting (unless every API must).
      const settings: Evidence[] = ctx.options.allApis
        ? []
        : [{ entity: api, path: 'properties/authenticationSettings' }];
      if (!inScope && !skipped.has(api)) {
        skipped.add(api);
        yield checked(api, settings);
      }
      const failing = verdicts.filter(
        (v) => v.verdict.kind !== 'ok' && (inScope || v.verdict.kind === 'lost'),
      );
      if (failing.length === 0) continue;
      const shared: OperationFailures = {
        op,
        everyPath: failing.length === verdicts.length,
        settings,
        protectedProducts: verdicts.filter((v) => v.verdict.kind === 'ok' && v.path.product),
      };
      for (const { path, verdict } of failing) {
        if (verdict.kind === 'unknown') unknown.add(op, verdict.unreadable);
        else if (verdict.kind !== 'ok') groups.add(op, path, failureOf(shared, path, verdict));
      }
    }
    yield* unknown.notEvaluated();
    yield* groups.violations();
  },
});
