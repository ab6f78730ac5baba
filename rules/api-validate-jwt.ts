/**
 * Every operation of every current API with OAuth 2.0 / OpenID Connect enabled runs an unconditional
 * `validate-jwt` or `validate-azure-ad-token` in its effective inbound policy, on every call path (with or
 * without product policies). The user-authorization setting of an API only tells the developer portal how to
 * get a token; the policy is what rejects requests without one.
 */
import {
  checked,
  defineRule,
  MESSAGE_LIMIT,
  notEvaluated,
  violation,
  wantsEvidence,
  type RuleOutput,
} from './support/contract';
import { fitted } from './support/outputs';
import type { Api, Evidence } from '../src/model/types';
import { unknownIn } from '../src/model/unknown';
import { describeUnreadable, unreadableText } from './support/policy-texts';
import { type CallPath, type OperationPolicy, type Unreadable } from '../src/policy/effective';
import { textEntity } from './support/policy-texts';
import { currentOperations, statementEntity, unreadableId } from './support/jwt';
import { citing, policiesOf, POLICY_CITES, uniqueEvidence } from './support/policy-evidence';
import { tokenVerdict, verdictEvidence, type Verdict } from './support/validation-verdict';
import {
  conditionalGroup,
  cutOff,
  cutOffGroup,
  lostGroup,
  noneGroup,
  opsCount,
  opsText,
  pathsText,
  productOnlyGroup,
  type Group,
  type GroupHead,
} from './support/validation-groups';

export interface ApiValidateJwtOptions {
  /** Check every current API, not only those with OAuth 2.0 / OpenID Connect enabled. */
  allApis: boolean;
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
      const allPaths = this.allPathsFail.get(group) ?? true;
      const ops = [...group.operations];
      const { message: full, detail } = group.describe(opsText(ops), pathsText(group.paths, allPaths), false);
      // Every name when they fit in one line; else the count, and the names in the detail.
      const message =
        full.length <= MESSAGE_LIMIT
          ? full
          : group.describe(opsCount(ops), allPaths ? '' : ' on some call paths', true).message;
      yield violation(group.entity, fitted(message), {
        ...group.extra,
        evidence: uniqueEvidence(group.evidence),
        detail,
        fix: group.fix,
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
    cites: citing(POLICY_CITES, { apimService: ['products'], api: ['properties/authenticationSettings'] }),
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
    const evidence = wantsEvidence(ctx);
    for (const op of currentOperations(model)) {
      const api = op.api;
      // A validation a broader scope applies and a dropped <base /> removes is lost on any API; the other
      // verdicts concern the APIs that must validate (user authorization declared, or allApis).
      const inScope = ctx.options.allApis || api.oauth2.length > 0 || api.openid.length > 0;
      const verdicts = op.paths.map((path) => ({ path, verdict: tokenVerdict(path) }));
      if (evidence) {
        for (const { path, verdict } of verdicts) {
          if (verdict.kind === 'ok') yield checked(op.entity, verdictEvidence(op, path, verdict));
        }
      }
      // Whether the API must validate rests on its user-authorization setting (unless every API must).
      const settings: Evidence[] = ctx.options.allApis
        ? []
        : [{ entity: api, path: 'properties/authenticationSettings' }];
      if (evidence && !inScope && !skipped.has(api)) {
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
