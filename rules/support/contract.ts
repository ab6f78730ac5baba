/**
 * The rule contract: what a rule declares (`meta`, `options`) and what its `check` yields. Built-in rules and
 * plugins use the same one; the engine runs any list of rules that satisfies it.
 */
import type { Origin } from '../../src/inventory/types';
import type { Entity, Evidence, EvidenceScope, Model } from '../../src/model/types';
import type { Severity } from '../../src/severity';

/** Which side of the audit a rule needs. */
export type Requirement = 'entra' | 'apim';

export interface RuleMeta {
  /** One line, imperative: what must hold. */
  title: string;
  /** Default severity of the rule's findings; a violation may carry its own natural severity. */
  severity: Severity;
  /** Selection tags, e.g. `security`, `entra`, `apim`, `portal`. */
  tags: readonly string[];
  /** SARIF `security-severity` (0.0-10.0) for security rules. */
  securitySeverity?: number;
  requires: readonly Requirement[];
  /**
   * True when every conclusion of the rule states its evidence: each violation its `evidence` (beyond its own
   * entity and path), each entity judged clean a `checked` output. The engine then abstains exactly where that
   * evidence touches an unknown value. Without it (plugins, older rules), the engine falls back to a conservative
   * table of what rules usually read (src/model/unknown-fallback.ts), and reports every entity with an unknown
   * value of the rule's side that the rule reported nothing on as not fully evaluated.
   */
  declaresEvidence?: boolean;
  /**
   * With `declaresEvidence`: everything the rule's evidence may name (every conclusion's: violations', `checked`
   * and not-evaluated outputs'), by entity kind: the value paths (`properties/value`; a piece below one counts) and
   * collection names (`products`), `''` for any of that kind. When no entity of the model holds an unknown value
   * there, the engine runs the rule without evidence (`RuleContext.evidence` false): none of it could make a
   * conclusion unknown, and working it out is a good part of what the `jwt-*` and policy rules cost on a large
   * APIOps folder (whose service name is always unknown, which none of them cites). Without it, the rule gets
   * evidence whenever the model holds any unknown value. `RuleTester` runs every case once more with evidence and
   * fails the case when a piece falls outside.
   */
  cites?: EvidenceScope;
}

export type { EvidenceScope };

/** A JSON Schema for the rule's options object (ajv, draft-07 subset). */
export type JsonSchema = Record<string, unknown>;

/**
 * Messages longer than this are a rule defect: RuleTester fails every case whose finding breaks it, and
 * test/rules/message-shape-*.test.ts run each rule over broken inputs and long names.
 */
export const MESSAGE_LIMIT = 200;

/** A JSON value, for property fixes. */
export type FixValue =
  null | boolean | number | string | readonly FixValue[] | { readonly [key: string]: FixValue };

/**
 * A property of an entity set to a value the rule knows (or removed), at its canonical path (as `Violation.path`:
 * `api/requestedAccessTokenVersion`, `properties/tokenEndpoint`). Set a list as a whole (`web/redirectUris`), not
 * one element, so that every source kind (a live `az` command included) can express it.
 */
export interface PropertyFix {
  /** The entity to change; the violation's own entity when absent. */
  entity?: Entity;
  path: string;
  /** The new value; absent with `remove`. */
  value?: FixValue;
  /** Remove the property (back to the service default). */
  remove?: true;
}

/**
 * An edit of a policy text: replace characters [`start`, `end`) of the text whose origin is `origin`
 * (`PolicyContract.origin`; offsets as in `PolicyElement`) by `text`. Insert with `start === end`.
 */
export interface PolicyTextFix {
  origin: Origin;
  start: number;
  end: number;
  text: string;
}

/**
 * The one step that resolves a violation. `text` always says it in words; `property` or `policy` makes it an edit
 * the tool can apply to a file (`scan --fix`, SARIF `fixes`) or a command for live data. A fix that needs a value
 * the tool cannot know (a new client secret, a custom domain) has `text` only: described, not applied.
 */
export interface FixHint {
  /** Imperative, one or two sentences, true whatever the source: `Set api.requestedAccessTokenVersion to 2.` */
  text: string;
  property?: PropertyFix;
  policy?: PolicyTextFix;
}

/** What a rule reports: a broken expectation on one entity. */
export interface Violation {
  type: 'violation';
  entity: Entity;
  /**
   * Canonical path of the offending property inside the entity's Graph/ARM shape, `/`-separated
   * (e.g. `properties/tokenEndpoint`, `web/redirectUris/2`). The engine turns it into file/line/column;
   * a path that does not exist in the source points at the nearest existing parent (the object that should hold it).
   */
  path?: string;
  /**
   * One line of at most 200 characters (`MESSAGE_LIMIT`): the subject, the value it has and the value expected,
   * e.g. `validate-jwt of 'orders' accepts audience 'api://orders'; backend app 'orders-api' issues v2.0 tokens
   * (aud = its appId)`. Why it fails goes in `detail`, what to do in `fix`.
   */
  message: string;
  /** Why it fails at runtime, naming what users see (AADSTS / IDX error, 401 text). Sentences, no line breaks. */
  detail?: string;
  /** The one step that resolves it (src/engine/fix.ts renders it for the entity's source). */
  fix?: FixHint;
  /** The violation's natural severity when it differs from the rule default (e.g. a warning variant). */
  severity?: Severity;
  /** Distinguishes several violations of one rule on one entity, for stable fingerprints (e.g. the URI). */
  key?: string;
  /**
   * A place inside a text (a policy element): `origin` is where the text lives (`PolicyContract.origin`) and
   * `offset` the character offset in it. When given, it locates the finding instead of `entity` + `path`.
   */
  textOffset?: { origin: Origin; offset: number };
  /**
   * What the conclusion rests on besides `entity` + `path` (which always count): the values and collections the
   * rule read to reach it, e.g. the authorization server's `properties/grantTypes` for a finding on its client
   * app. The engine reports the violation as not evaluated when any of it is unknown. Absent (a rule without
   * `meta.declaresEvidence`): the engine's conservative fallback decides.
   */
  evidence?: readonly Evidence[];
  /**
   * The violation rests only on the text of the value at `path` outside its placeholders (a wildcard in the known
   * part of `https://${{HOST}}/*`): a placeholder-bearing string there (`Origin.placeholders`) does not make the
   * engine abstain (`ValueEvidence.knownPart`).
   */
  knownPart?: boolean;
}

/**
 * The rule judged `entity` on `evidence` and found nothing (more) wrong. Not a finding: the engine turns it into a
 * "not fully evaluated" record when the evidence touches an unknown value, and drops it otherwise, so that no
 * rule passes silently on a value it needed.
 */
export interface Checked {
  type: 'checked';
  entity: Entity;
  evidence: readonly Evidence[];
}

/** The rule could not judge (part of) the model; never a pass. */
export interface NotEvaluated {
  type: 'notEvaluated';
  reason: string;
  entity?: Entity;
  /**
   * What the abstention itself rests on, e.g. "clientId 'x' matches none of the applications" rests on the
   * server's clientId and every app's appId. When that evidence touches an unknown value (an app whose appId is a
   * placeholder), the unknown value is the real reason, and the engine reports it instead of `reason`.
   */
  evidence?: readonly Evidence[];
}

export type RuleOutput = Violation | Checked | NotEvaluated;

export interface RuleContext<O> {
  /** The audit's clock; rules never call Date.now(). */
  now: Date;
  /** Options, validated against the rule's schema and defaulted. */
  options: O;
  /**
   * False when the engine reads no evidence: no source left a value of the model unknown (or none that the rule's
   * `meta.cites` names), so no conclusion can rest on one, and `checked` outputs and `evidence` are dropped unread.
   * A rule may then skip working them out (`wantsEvidence`); its violations and abstentions must be the same
   * either way. Absent means true.
   */
  evidence?: boolean;
}

/**
 * Whether the engine reads this audit's `evidence` and `checked` outputs (`RuleContext.evidence`): when not, a
 * rule skips building them (on a 5,000-API tree, one evidence list per operation and call path).
 */
export function wantsEvidence(context: { evidence?: boolean }): boolean {
  return context.evidence !== false;
}

/** The evidence of a conclusion whose evidence is not read (`wantsEvidence` false): shared, never changed. */
export const UNREAD_EVIDENCE: readonly Evidence[] = Object.freeze([]);

export interface RuleDefinition<O = Record<string, never>> {
  id: string;
  meta: RuleMeta;
  options?: { schema: JsonSchema; defaults: O };
  /** Pure and synchronous: no I/O, no clock, no globals. */
  check(model: Model, context: RuleContext<O>): Iterable<RuleOutput>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = RuleDefinition<any>;

/** A rule whose id is known to the compiler as a literal (what `defineRule` returns). */
export type DefinedRule<Id extends string, O = Record<string, never>> = RuleDefinition<O> & {
  readonly id: Id;
};

/**
 * Declares a rule. The id keeps its literal type, so the registry derives the closed union of built-in rule ids
 * from the rule list itself (rules/index.ts). The options type is inferred from `options.defaults` (annotate the
 * defaults, or pass it explicitly: `defineRule<MyOptions>(...)`, which leaves the id a plain string).
 */
export function defineRule<O = Record<string, never>, const Id extends string = string>(
  rule: RuleDefinition<O> & { id: Id },
): DefinedRule<Id, O> {
  return rule;
}

export function violation(
  entity: Entity,
  message: string,
  extra: Pick<
    Violation,
    'path' | 'severity' | 'key' | 'textOffset' | 'evidence' | 'knownPart' | 'detail' | 'fix'
  > = {},
): Violation {
  return { type: 'violation', entity, message, ...extra };
}

/** `entity` was judged on `evidence` (see `Checked`). */
export function checked(entity: Entity, evidence: readonly Evidence[]): Checked {
  return { type: 'checked', entity, evidence };
}

export function notEvaluated(reason: string, entity?: Entity, evidence?: readonly Evidence[]): NotEvaluated {
  return {
    type: 'notEvaluated',
    reason,
    ...(entity ? { entity } : {}),
    ...(evidence ? { evidence } : {}),
  };
}

/** A security rule: tagged `security`, or with a `securitySeverity` (which SARIF tags `security` too). */
export function isSecurityRule(meta: RuleMeta): boolean {
  return meta.tags.includes('security') || meta.securitySeverity !== undefined;
}
