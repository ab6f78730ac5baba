/**
 * What composition produces: effective statements (where each is written, the branches it runs under), sections,
 * what could not be read and what a missing `<base />` drops, and the two ways rules walk statement lists.
 */
import type { Origin } from '../inventory/types';
import type { FragmentDocument, PolicyDocument, SectionName, Unreadability } from './documents';
import type { MissingFragment } from './fragments';
import type { NamedValueLookup } from './named-values';
import type { PolicyElement } from './types';

/** Where an effective statement is written. */
export interface StatementSource {
  /** The scope policy the statement belongs to (directly, or through an included fragment). */
  document: PolicyDocument;
  /** The fragment the statement is written in, when it was inlined from one. */
  fragment: FragmentDocument | undefined;
  /** The text the element's offsets refer to: the fragment's text, else the policy's. */
  origin: Origin | undefined;
  /** The named values the text can reference. */
  namedValues: NamedValueLookup;
}

export interface BranchCondition {
  /** The `<when>` or `<otherwise>` element. */
  element: PolicyElement;
  source: StatementSource;
  /** The `condition` of a `<when>`; undefined for `<otherwise>`. */
  condition: string | undefined;
}

export interface EffectiveStatement {
  element: PolicyElement;
  source: StatementSource;
  /** The branches the statement runs under, outermost first; empty when it runs on every request. */
  conditions: BranchCondition[];
  /** For `<choose>`: its branches, in order. */
  branches?: EffectiveBranch[];
  /** For containers that run their content (`<retry>`, `<limit-concurrency>`): the statements inside. */
  children?: EffectiveStatement[];
}

export interface EffectiveBranch {
  condition: BranchCondition;
  statements: EffectiveStatement[];
}

/** A part of the effective section that could not be read: the section is incomplete. */
export type Unreadable =
  | { kind: 'document'; document: PolicyDocument; state: Unreadability }
  | { kind: 'fragment'; fragment: FragmentDocument; state: Unreadability }
  | { kind: 'missing-fragment'; missing: MissingFragment };

/** A narrower policy whose section has no `<base />`: what `<base />` would have inserted is dropped. */
export interface DroppedInheritance {
  document: PolicyDocument;
  /** The section element without `<base />` (where a finding points). */
  section: PolicyElement;
  /** The statements the document itself runs in the section (fragments inlined). */
  own: EffectiveStatement[];
  /** The broader scopes' effective statements that no longer run. */
  statements: EffectiveStatement[];
  /** Unreadable parts of the dropped chain (what was dropped is then not fully known). */
  unreadable: Unreadable[];
  /** Broader policies that themselves drop their parents (inside the dropped chain). */
  nested: DroppedInheritance[];
}

export interface EffectiveSection {
  name: SectionName;
  /** Top-level statements in execution order; branches and container content hang below them. */
  statements: EffectiveStatement[];
  unreadable: Unreadable[];
  dropped: DroppedInheritance[];
}

/** Every statement of a list, nested ones included (branches, container content), in document order. */
export function allStatements(statements: readonly EffectiveStatement[]): EffectiveStatement[] {
  const out: EffectiveStatement[] = [];
  const visit = (list: readonly EffectiveStatement[]) => {
    for (const s of list) {
      out.push(s);
      if (s.branches) for (const b of s.branches) visit(b.statements);
      if (s.children) visit(s.children);
    }
  };
  visit(statements);
  return out;
}

/**
 * Whether every request runs a statement matching `test`: an unconditional one, or a `<choose>` with an
 * `<otherwise>` whose every branch runs one.
 */
export function alwaysRuns(
  statements: readonly EffectiveStatement[],
  test: (s: EffectiveStatement) => boolean,
): boolean {
  return statements.some(
    (s) =>
      test(s) ||
      (s.children !== undefined && alwaysRuns(s.children, test)) ||
      (s.branches !== undefined &&
        s.branches.some((b) => b.condition.condition === undefined) &&
        s.branches.every((b) => alwaysRuns(b.statements, test))),
  );
}
