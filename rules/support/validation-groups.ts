/**
 * What api-validate-jwt says about a group of operations that fail for one reason: the message (every operation
 * named, or counted when that does not fit one line), the detail (which request gets through, and why) and the one
 * step that fixes it, with where the finding points. One function per reason (`Verdict` kinds).
 */
import type { FixHint } from './contract';
import type { Api, Entity, Evidence } from '../../src/model/types';
import type { PolicyDocument } from '../../src/policy/documents';
import type { CallPath, EffectiveStatement, OperationPolicy } from '../../src/policy/effective';
import { childElements } from '../../src/policy/parser';
import { describeSource, listNames, locateElement, statementEntity } from './jwt';
import { capitalized } from './outputs';
import { editable, insertFirst } from './policy-edits';
import { inboundReach, type Verdict } from './validation-verdict';

/** One finding in the making: several operations (and call paths) that fail for the same reason. */
export interface Group {
  entity: Entity;
  extra: ReturnType<typeof locateElement> | { path?: string; key: string };
  /** In the order first seen (a set: a group may hold every operation of the service). */
  operations: Set<OperationPolicy>;
  paths: Set<string>;
  /** What the finding rests on, over all its operations and call paths. */
  evidence: Evidence[];
  /**
   * Builds the message and the detail once all operations are known. `short`: the message names the operations
   * by their number, the call paths and long conditions not at all (the detail names them all).
   */
  describe: (ops: string, paths: string, short: boolean) => { message: string; detail: string };
  fix: FixHint;
}

/** What a group says and where, before its operations are known. */
export type GroupHead = Omit<Group, 'operations' | 'paths' | 'evidence'>;

/** What every finding of the rule ends in: the request the gateway lets through. */
const UNVALIDATED =
  'requests without a valid token reach the backend instead of being rejected with 401 Unauthorized.';

export function opsText(ops: OperationPolicy[]): string {
  const labels = ops.map((o) => o.label);
  return `${ops.length === 1 ? 'operation' : 'operations'} ${listNames(labels)}`;
}

export function pathsText(paths: Set<string>, allPaths: boolean): string {
  return allPaths ? '' : ` for ${[...paths].join('; ')}`;
}

/** `2 operations`: how a message too long with every name counts them. */
export function opsCount(ops: OperationPolicy[]): string {
  const [only] = ops;
  return ops.length === 1 && only ? `operation '${only.label}'` : `${ops.length} operations`;
}

function sourcesOf(statements: readonly EffectiveStatement[]): string {
  const labels = [...new Set(statements.map((s) => describeSource(s.source)))];
  const names = [...new Set(statements.map((s) => s.element.name))];
  return `${labels.join(' and ')} ${labels.length === 1 ? 'validates' : 'validate'} tokens (${names.join(', ')})`;
}

/** `runs` for `operation 'x'` and `the operation`, `run` for `operations 'x', 'y'` and `2 operations`. */
function run(ops: string): string {
  return ops.startsWith('operation ') || ops === 'the operation' ? 'runs' : 'run';
}

/** An operation policy concerns its own operation only: the message says so instead of repeating its name. */
function opsOf(document: PolicyDocument, ops: string): string {
  return document.scope === 'operation' && ops.startsWith('operation ') ? 'the operation' : ops;
}

export function lostGroup(verdict: Extract<Verdict, { kind: 'lost' }>): GroupHead {
  const [outer] = verdict.drops;
  const drop = outer!;
  const others = verdict.drops.slice(1).map((d) => d.document.label);
  const also = others.length > 0 ? ` (and ${others.join(', ')} has none either)` : '';
  // With one policy to change, the step is an edit; with several, each needs its own.
  const insert =
    others.length === 0 ? insertFirst(editable(drop.document), drop.section, '<base />') : undefined;
  return {
    entity: drop.document.owner,
    extra: drop.document.origin
      ? {
          path: 'policy/value',
          key: 'inbound-base',
          textOffset: { origin: drop.document.origin, offset: drop.section.offset },
        }
      : { path: 'policy/value', key: 'inbound-base' },
    describe: (ops, paths, short) => ({
      message:
        `${capitalized(drop.document.label)} has no <base /> in inbound${short ? '' : also}, so ` +
        `${opsOf(drop.document, ops)} ${run(opsOf(drop.document, ops))} without token validation${paths}; ` +
        'expected <base /> first',
      detail:
        `${capitalized(sourcesOf(verdict.validations))}, but without <base /> in ${drop.document.label}${also} ` +
        `the validation does not run for ${ops}${paths}: ${UNVALIDATED}`,
    }),
    fix: {
      text:
        others.length > 0
          ? 'Add <base /> first in the inbound section of each of these policies, so the token is checked before anything else runs.'
          : 'Add <base /> first in the inbound section, so the token is checked before anything else runs.',
      ...(insert ? { policy: insert } : {}),
    },
  };
}

/**
 * The narrower policy (operation, API, product or workspace) whose inbound has no `<base />`, when nothing the
 * operation runs comes from above it: the verdict "no validation" then holds whatever the broader scopes hold.
 */
export function cutOff(op: OperationPolicy, path: CallPath): PolicyDocument | undefined {
  const reach = inboundReach(op, path);
  const last = reach[reach.length - 1];
  if (!last || last.kind === 'apimService') return undefined;
  const document = path.chain.find((d) => d.owner === last);
  if (document?.state.kind !== 'parsed') return undefined;
  const inbound = document.state.sections.inbound;
  return inbound && !childElements(inbound).some((c) => c.name === 'base') ? document : undefined;
}

/** A policy without `<base />` that validates nothing: located at its inbound, like a lost validation. */
export function cutOffGroup(document: PolicyDocument): GroupHead {
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
    describe: (ops, paths) => ({
      message:
        `${capitalized(document.label)} has no <base /> in inbound and validates no token itself, so ` +
        `${opsOf(document, ops)} ${run(opsOf(document, ops))} without token validation${paths}; expected ` +
        'validate-jwt or <base />',
      detail:
        'Without <base />, nothing of the broader scopes (global, workspace, product) runs, whatever they hold, and ' +
        `the policy itself validates no token, so for ${ops}${paths} ${UNVALIDATED}`,
    }),
    fix: {
      text: 'Add validate-jwt to its inbound section, or <base /> (first) to inherit the validation of a broader scope.',
    },
  };
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
export function conditionalGroup(verdict: Extract<Verdict, { kind: 'conditional' }>): GroupHead {
  const first = verdict.statements[0]!;
  const when = first.conditions.map((c) =>
    c.condition === undefined ? '<otherwise>' : `condition ${c.condition.trim().replace(/\s+/g, ' ')}`,
  );
  return {
    entity: statementEntity(first.source),
    extra: locateElement(first.source, first.element),
    describe: (ops, paths, short) => ({
      message:
        `${first.element.name} in ${describeSource(first.source)} runs only under ` +
        `${short ? 'a <choose> condition' : when.join(' and ')}, so ${ops} ` +
        `${ops.startsWith('operation ') ? 'is' : 'are'} not validated on other requests${paths}`,
      detail:
        `The validation sits in a <choose> branch (${when.join(' and ')}); on requests that take another branch, ` +
        `${ops}${paths} check no token, so ${UNVALIDATED}`,
    }),
    fix: { text: 'Validate outside <choose>, or in every branch including <otherwise>.' },
  };
}

/** Tokens validated only by product policies, which a call path outside those products skips. */
export function productOnlyGroup(api: Api, path: CallPath, products: string): GroupHead {
  return {
    entity: api,
    extra: { path: 'policy', key: 'product-only' },
    describe: (ops) => ({
      message:
        `For ${describeApi(api)}, tokens are validated only in the product policy of ${products}; expected the ` +
        'API or global policy to validate',
      detail:
        `Product policies do not run for ${path.description}, so ${ops} can be called without a token check: ` +
        UNVALIDATED,
    }),
    fix: { text: 'Move the validation to the API policy (or the global policy).' },
  };
}

/** No validation anywhere on the path: located at the API policy's inbound. */
export function noneGroup(api: Api, op: OperationPolicy): GroupHead {
  const declared = api.oauth2.length + api.openid.length > 0;
  return {
    entity: api,
    extra: apiPolicyInbound(api, op),
    describe: (ops, paths) => ({
      message:
        `${describeApi(api)} has no validate-jwt or validate-azure-ad-token in the effective inbound policy of ` +
        `${ops}${paths}; expected one`,
      detail:
        `${declared ? 'The API has OAuth 2.0 / OpenID Connect user authorization, which only tells the developer portal how to get a token, but ' : ''}` +
        `no policy of the global, workspace, product, API or operation scope validates it for ${ops}${paths}, so ` +
        UNVALIDATED,
    }),
    fix: {
      text: `Add validate-jwt to the inbound section of the API policy of '${api.name}', or of the global policy to cover every API.`,
    },
  };
}
