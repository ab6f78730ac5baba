/**
 * Composition of one section along a chain of scope policies, the way API Management does it: evaluation starts
 * at the narrowest scope; `<base />` inserts the next broader scope's effective section at its position, and a
 * section without `<base />` drops every broader scope for that section. Fragments are inlined where they are
 * included, and statements under `<choose>` keep the conditions they run under.
 */
import {
  serviceOf,
  workspaceOf,
  type FragmentDocument,
  type PolicyDocument,
  type SectionName,
} from './documents';
import {
  includedFragmentId,
  MAX_FRAGMENT_EXPANSION,
  type FragmentCatalog,
  type PolicyText,
} from './fragments';
import { namedValueLookup } from './named-values';
import { attr, childElements } from './parser';
import type {
  BranchCondition,
  DroppedInheritance,
  EffectiveBranch,
  EffectiveSection,
  EffectiveStatement,
  StatementSource,
  Unreadable,
} from './statements';
import type { PolicyElement } from './types';
import { fitted, none, pushAll } from '../util/lists';

const CONTAINERS = new Set(['retry', 'limit-concurrency']);

/** What a statement outside any `<choose>` runs under (shared: nothing changes a composed statement). */
const NO_CONDITIONS: BranchCondition[] = none();
const NO_FRAGMENTS: ReadonlySet<FragmentDocument> = new Set();

/** Most policy elements one section may take from fragments (each fragment is bounded by fragments.ts). */
const MAX_SECTION_INLINED = 100_000;

interface Collector {
  unreadable: Unreadable[];
  dropped: DroppedInheritance[];
}

/** A prefix of a chain composed for one section from an inlined count of zero, kept for every chain sharing it. */
interface Composed extends Collector {
  statements: EffectiveStatement[];
  /** Policy elements inlined from fragments while composing it. */
  inlined: number;
  /** Whether the section limit cut an inlining short: then it depends on what came before, and is recomputed. */
  limited: boolean;
}

/** One child of an operation's section, expanded (`Composer.expandOwn`). */
interface OwnPart {
  statements: EffectiveStatement[];
  unreadable: Unreadable[];
  /** Policy elements inlined from fragments while expanding it. */
  inlined: number;
}

/** An operation's own statements in a section, for all its call paths. */
interface OwnExpansion {
  document: PolicyDocument;
  name: SectionName;
  /** The section's children but `<base />`, in order. */
  parts: OwnPart[];
  /** Where the first `<base />` is among `parts` (before `parts[baseAt]`); -1 without one. */
  baseAt: number;
  /** Whether the section limit cut an inlining short (then the expansion is not used). */
  limited: boolean;
}

/** The prefixes composed so far: a trie over the chain's documents, broadest first. */
interface PrefixNode {
  /** Created on the first longer prefix (most nodes are leaves: an operation's own policy). */
  next: Map<PolicyDocument, PrefixNode> | undefined;
  composed: Partial<Record<SectionName, Composed>>;
}

/**
 * Composes sections along a chain; inlines fragments. One instance per index (fragment readings shared). Each
 * prefix of a chain (global, global + product, global + product + API ...) is composed once per section and
 * shared by every chain that starts with it, so the operations of an API share their API's composition.
 */
export class Composer {
  /** Policy elements inlined from fragments into the section being composed. */
  private inlined = 0;
  /** Set when the section limit stopped an inlining since it was last cleared. */
  private limited = false;
  /** The operation section expanded last (`replayOwn`). */
  private lastOwn: OwnExpansion | undefined = undefined;
  private readonly prefixes: PrefixNode = { next: undefined, composed: {} };
  /** One source per policy, shared by its statements in every section. */
  private readonly sources = new Map<PolicyDocument, StatementSource>();
  /** One source per fragment and policy that inlines it (a tree has few fragments, and many policies). */
  private readonly fragmentSources = new Map<FragmentDocument, Map<PolicyDocument, StatementSource>>();

  constructor(private readonly catalog: FragmentCatalog) {}

  section(chain: PolicyDocument[], name: SectionName): EffectiveSection {
    this.inlined = 0;
    this.limited = false;
    const collector: Collector = { unreadable: [], dropped: [] };
    const last = chain.length - 1;
    // An operation's policy ends its chain and starts no other: its composition is kept by the call path that asked
    // (effective.ts), not in the prefixes (25,000 operations would each keep a prefix node and a second copy there).
    const statements =
      chain[last]?.owner.kind === 'operation'
        ? this.compose(chain, last, name, collector)
        : this.effectiveAt(chain, last, name, collector);
    // Written out, not spread: a spread after the literal's own properties puts them outside the object (one more
    // allocation per section, 50,000 sections in a 5,000-API tree).
    const { unreadable, dropped } = kept(collector);
    return { name, statements, unreadable, dropped };
  }

  private node(chain: PolicyDocument[], i: number): PrefixNode {
    let node = this.prefixes;
    for (let k = 0; k <= i; k++) {
      const document = chain[k] as PolicyDocument;
      node.next ??= new Map();
      let next = node.next.get(document);
      if (!next) {
        next = { next: undefined, composed: {} };
        node.next.set(document, next);
      }
      node = next;
    }
    return node;
  }

  /**
   * The effective statements of `chain[0..i]` for a section; what could not be read and what is dropped go to
   * `collector`. The prefix is composed once from an inlined count of zero; it is reused when the count it
   * continues from keeps it under the section limit (the same result as composing it there), else composed
   * again in place.
   */
  private effectiveAt(
    chain: PolicyDocument[],
    i: number,
    name: SectionName,
    collector: Collector,
  ): EffectiveStatement[] {
    if (i < 0 || !chain[i]) return [];
    const node = this.node(chain, i);
    let composed = node.composed[name];
    if (!composed) {
      const [before, limitedBefore] = [this.inlined, this.limited];
      this.inlined = 0;
      this.limited = false;
      const own: Collector = { unreadable: [], dropped: [] };
      const statements = this.compose(chain, i, name, own);
      const { unreadable, dropped } = kept(own);
      composed = { statements, unreadable, dropped, inlined: this.inlined, limited: this.limited };
      node.composed[name] = composed;
      this.inlined = before;
      this.limited = limitedBefore;
    }
    if (composed.limited || this.inlined + composed.inlined > MAX_SECTION_INLINED) {
      return this.compose(chain, i, name, collector);
    }
    this.inlined += composed.inlined;
    pushAll(collector.unreadable, composed.unreadable);
    pushAll(collector.dropped, composed.dropped);
    return composed.statements;
  }

  private compose(
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
    const own =
      document.owner.kind === 'operation' ? this.replayOwn(chain, i, name, section, collector) : undefined;
    const { pushed, sawBase } = own ?? this.composeOwn(chain, i, name, section, collector);
    // Kept for the audit (one per prefix): at its length (util/lists.ts).
    const statements = fitted(pushed);
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

  /** A section's own statements, with the broader chain's where its first `<base />` is (`compose`). */
  private composeOwn(
    chain: PolicyDocument[],
    i: number,
    name: SectionName,
    section: PolicyElement,
    collector: Collector,
  ): { pushed: EffectiveStatement[]; sawBase: boolean } {
    const source = this.sourceOf(chain[i] as PolicyDocument, undefined);
    const pushed: EffectiveStatement[] = [];
    let sawBase = false;
    for (const child of childElements(section)) {
      if (child.name === 'base') {
        if (!sawBase) pushAll(pushed, this.effectiveAt(chain, i - 1, name, collector));
        sawBase = true;
        continue;
      }
      pushAll(pushed, this.expand(child, source, NO_CONDITIONS, collector, NO_FRAGMENTS));
    }
    return { pushed, sawBase };
  }

  /**
   * `composeOwn` for an operation's policy, with its own statements expanded once for all of its call paths (an
   * operation has one per product with a policy, read one after the other): the paths share those statements instead
   * of each keeping a copy (50,000 statements fewer in a 5,000-API tree). The expansion is made from an inlined count
   * of zero, and used where the count after it stays under the section limit (then no inlining along the way met the
   * limit, and composing in place gives the same statements); undefined otherwise (the caller composes in place).
   */
  private replayOwn(
    chain: PolicyDocument[],
    i: number,
    name: SectionName,
    section: PolicyElement,
    collector: Collector,
  ): { pushed: EffectiveStatement[]; sawBase: boolean } | undefined {
    const document = chain[i] as PolicyDocument;
    let own = this.lastOwn;
    if (own?.document !== document || own.name !== name) {
      own = this.expandOwn(document, name, section);
      this.lastOwn = own;
    }
    if (own.limited) return undefined;
    const [inlined, limited] = [this.inlined, this.limited];
    const replayed: Collector = { unreadable: [], dropped: [] };
    const pushed: EffectiveStatement[] = [];
    own.parts.forEach((part, k) => {
      if (k === own.baseAt) pushAll(pushed, this.effectiveAt(chain, i - 1, name, replayed));
      this.inlined += part.inlined;
      pushAll(replayed.unreadable, part.unreadable);
      pushAll(pushed, part.statements);
    });
    if (own.baseAt === own.parts.length) pushAll(pushed, this.effectiveAt(chain, i - 1, name, replayed));
    if (this.limited || this.inlined > MAX_SECTION_INLINED) {
      [this.inlined, this.limited] = [inlined, limited];
      return undefined;
    }
    pushAll(collector.unreadable, replayed.unreadable);
    pushAll(collector.dropped, replayed.dropped);
    return { pushed, sawBase: own.baseAt >= 0 };
  }

  /** The expansion of each child of an operation's section but `<base />`, from an inlined count of zero. */
  private expandOwn(document: PolicyDocument, name: SectionName, section: PolicyElement): OwnExpansion {
    const [inlined, limited] = [this.inlined, this.limited];
    this.inlined = 0;
    this.limited = false;
    const source = this.sourceOf(document, undefined);
    const parts: OwnPart[] = [];
    let baseAt = -1;
    for (const child of childElements(section)) {
      if (child.name === 'base') {
        if (baseAt < 0) baseAt = parts.length;
        continue;
      }
      const before = this.inlined;
      const own: Collector = { unreadable: [], dropped: [] };
      const statements = this.expand(child, source, NO_CONDITIONS, own, NO_FRAGMENTS);
      parts.push({ statements, unreadable: own.unreadable, inlined: this.inlined - before });
    }
    const expansion = { document, name, parts, baseAt, limited: this.limited };
    [this.inlined, this.limited] = [inlined, limited];
    return expansion;
  }

  private sourceOf(document: PolicyDocument, fragment: FragmentDocument | undefined): StatementSource {
    let sources = this.sources;
    if (fragment) {
      let byDocument = this.fragmentSources.get(fragment);
      if (!byDocument) {
        byDocument = new Map();
        this.fragmentSources.set(fragment, byDocument);
      }
      sources = byDocument;
    }
    let source = sources.get(document);
    if (!source) {
      const service = serviceOf(document.owner);
      const workspace = fragment ? fragment.fragment.workspace : workspaceOf(document.owner);
      source = {
        document,
        fragment,
        origin: fragment ? fragment.origin : document.origin,
        namedValues: namedValueLookup(service, workspace),
      };
      sources.set(document, source);
    }
    return source;
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
    if (size <= MAX_FRAGMENT_EXPANSION && this.inlined > MAX_SECTION_INLINED) this.limited = true;
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

/**
 * A collector as kept for the audit: most sections of most call paths have nothing unreadable and drop nothing,
 * and share one frozen empty list for each (nothing changes a composed section).
 */
function kept(collector: Collector): Collector {
  return {
    unreadable: collector.unreadable.length > 0 ? collector.unreadable : none(),
    dropped: collector.dropped.length > 0 ? collector.dropped : none(),
  };
}
