/**
 * Composition of one section along a chain of scope policies, the way API Management does it: evaluation starts
 * at the narrowest scope; `<base />` inserts the next broader scope's effective section at its position, and a
 * section without `<base />` drops every broader scope for that section. Fragments are inlined where they are
 * included, and statements under `<choose>` keep the conditions they run under.
 */
import type { Origin } from '../inventory/types';
import {
  serviceOf,
  SECTIONS,
  workspaceOf,
  type FragmentDocument,
  type PolicyDocument,
  type SectionName,
  type Unreadability,
} from './documents';
import {
  includedFragmentId,
  MAX_FRAGMENT_EXPANSION,
  type FragmentCatalog,
  type MissingFragment,
  type PolicyText,
} from './fragments';
import { namedValueLookup, type NamedValueLookup } from './named-values';
import { attr, childElements } from './parser';
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

const CONTAINERS = new Set(['retry', 'limit-concurrency']);

/** Most policy elements one section may take from fragments (each fragment is bounded by fragments.ts). */
const MAX_SECTION_INLINED = 100_000;

interface Collector {
  unreadable: Unreadable[];
  dropped: DroppedInheritance[];
}

/** Composes sections along a chain; inlines fragments. One instance per index (fragment readings shared). */
export class Composer {
  /** Policy elements inlined from fragments into the section being composed. */
  private inlined = 0;

  constructor(private readonly catalog: FragmentCatalog) {}

  sections(chain: PolicyDocument[]): Record<SectionName, EffectiveSection> {
    const result = {} as Record<SectionName, EffectiveSection>;
    for (const name of SECTIONS) {
      this.inlined = 0;
      const collector: Collector = { unreadable: [], dropped: [] };
      const statements = this.effectiveAt(chain, chain.length - 1, name, collector);
      result[name] = { name, statements, ...collector };
    }
    return result;
  }

  private effectiveAt(
    chain: PolicyDocument[],
    i: number,
    name: SectionName,
    collector: Collector,
  ): EffectiveStatement[] {
    const document = chain[i];
    if (!document) return [];
    if (document.state.kind !== 'parsed') {
      // Whether this policy keeps <base /> is unknown too, so the broader chain is not looked at.
      collector.unreadable.push({ kind: 'document', document, state: document.state });
      return [];
    }
    const section = document.state.sections[name];
    // A policy without the section element changes nothing for that section (as if it held only <base />).
    if (!section) return this.effectiveAt(chain, i - 1, name, collector);
    const source = this.sourceOf(document, undefined);
    const statements: EffectiveStatement[] = [];
    let sawBase = false;
    for (const child of childElements(section)) {
      if (child.name === 'base') {
        if (!sawBase) statements.push(...this.effectiveAt(chain, i - 1, name, collector));
        sawBase = true;
        continue;
      }
      statements.push(...this.expand(child, source, [], collector, new Set()));
    }
    if (!sawBase && i > 0) {
      const inner: Collector = { unreadable: [], dropped: [] };
      const dropped = this.effectiveAt(chain, i - 1, name, inner);
      collector.dropped.push({
        document,
        section,
        own: statements,
        statements: dropped,
        unreadable: inner.unreadable,
        nested: inner.dropped,
      });
    }
    return statements;
  }

  private sourceOf(document: PolicyDocument, fragment: FragmentDocument | undefined): StatementSource {
    const service = serviceOf(document.owner);
    const workspace = fragment ? fragment.fragment.workspace : workspaceOf(document.owner);
    return {
      document,
      fragment,
      origin: fragment ? fragment.origin : document.origin,
      namedValues: namedValueLookup(service, workspace),
    };
  }

  private expand(
    element: PolicyElement,
    source: StatementSource,
    conditions: BranchCondition[],
    collector: Collector,
    including: ReadonlySet<FragmentDocument>,
  ): EffectiveStatement[] {
    if (element.name === 'include-fragment') {
      return this.inline(element, source, conditions, collector, including);
    }
    if (element.name === 'choose') {
      const branches = childElements(element)
        .filter((b) => b.name === 'when' || b.name === 'otherwise')
        .map((branch): EffectiveBranch => {
          const condition: BranchCondition = {
            element: branch,
            source,
            condition: branch.name === 'when' ? (attr(branch, 'condition') ?? '') : undefined,
          };
          const inner = [...conditions, condition];
          return {
            condition,
            statements: childElements(branch).flatMap((c) =>
              this.expand(c, source, inner, collector, including),
            ),
          };
        });
      return [{ element, source, conditions, branches }];
    }
    if (CONTAINERS.has(element.name)) {
      const children = childElements(element).flatMap((c) =>
        this.expand(c, source, conditions, collector, including),
      );
      return [{ element, source, conditions, children }];
    }
    return [{ element, source, conditions }];
  }

  private inline(
    element: PolicyElement,
    source: StatementSource,
    conditions: BranchCondition[],
    collector: Collector,
    including: ReadonlySet<FragmentDocument>,
  ): EffectiveStatement[] {
    const fragmentId = includedFragmentId(element);
    const owner = source.document.owner;
    const workspace = source.fragment ? source.fragment.fragment.workspace : workspaceOf(owner);
    const found = fragmentId ? this.catalog.find(serviceOf(owner).id, workspace, fragmentId) : undefined;
    if (!found) {
      const text: PolicyText = source.fragment ?? source.document;
      collector.unreadable.push({ kind: 'missing-fragment', missing: { fragmentId, text, element } });
      return [];
    }
    if (found.state.kind !== 'parsed') {
      collector.unreadable.push({ kind: 'fragment', fragment: found, state: found.state });
      return [];
    }
    if (including.has(found)) return []; // a fragment including itself: the service rejects it; stop here
    const size = this.catalog.expansion.size(found);
    this.inlined += size;
    if (size > MAX_FRAGMENT_EXPANSION || this.inlined > MAX_SECTION_INLINED) {
      const message =
        size > MAX_FRAGMENT_EXPANSION
          ? `with its included fragments it stands for more than ${MAX_FRAGMENT_EXPANSION} policy elements, so it is not expanded`
          : `the section inlines more than ${MAX_SECTION_INLINED} policy elements from fragments, so it is not expanded`;
      collector.unreadable.push({
        kind: 'fragment',
        fragment: found,
        state: { kind: 'parse-error', message, offset: 0 },
      });
      return [];
    }
    const inner = this.sourceOf(source.document, found);
    const nextIncluding = new Set(including).add(found);
    return childElements(found.state.root).flatMap((c) =>
      this.expand(c, inner, conditions, collector, nextIncluding),
    );
  }
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
