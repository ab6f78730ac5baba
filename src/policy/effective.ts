/**
 * The effective policy of every operation: what the gateway runs, composed from the global, workspace, product,
 * API and operation policies per section (see `compose.ts` for how `<base />`, fragments and conditions work).
 *
 * Product policies apply only to calls made with a subscription key of that product: calls with an API-scoped,
 * all-APIs or the built-in all-access subscription (or without a key, when the API does not require one) skip
 * every product policy. Each operation therefore has several call paths: one without product policies, which
 * always exists, and one per product of the API that has a policy.
 *
 * Pure and memoised per model, so all rules share one computation.
 */
import type { Api, Model, Operation, Product } from '../model/types';
import { Composer } from './compose';
import type { EffectiveSection } from './statements';
import {
  operationLabel,
  readAllDocuments,
  Readings,
  serviceOf,
  workspaceOf,
  type FragmentDocument,
  type PolicyDocument,
  type PolicyOwner,
  type SectionName,
} from './documents';
import {
  fragmentCatalog,
  fragmentServiceId,
  includedFragmentId,
  type FragmentProblem,
  type FragmentCatalog,
  type MissingFragment,
  type PolicyText,
} from './fragments';
import { findElements } from './parser';
import type { PolicyElement } from './types';

export {
  allStatements,
  alwaysRuns,
  type BranchCondition,
  type DroppedInheritance,
  type EffectiveBranch,
  type EffectiveSection,
  type EffectiveStatement,
  type StatementSource,
  type Unreadable,
} from './statements';
import { fitted } from '../util/lists';

export interface CallPath {
  /** The product whose policy applies on this path; undefined for calls without product policies. */
  product: Product | undefined;
  /** `calls with a subscription to product 'gold'`, for messages. */
  description: string;
  /** The scope policies that apply, broadest first (scopes without a policy are left out). */
  chain: PolicyDocument[];
  sections: Record<SectionName, EffectiveSection>;
}

export interface OperationPolicy {
  api: Api;
  /** Undefined for the "all operations" view of an API without operations. */
  operation: Operation | undefined;
  /** The entity findings about this operation belong to: the operation, or the API for the view. */
  entity: Api | Operation;
  /** `colors-api/get-random-color`, or `colors-api (all operations)`. */
  label: string;
  /** The path without product policies first, then one per product with a policy. */
  paths: CallPath[];
}

export interface EffectivePolicyIndex {
  /** Every policy document of the model, broadest scope first. */
  documents: PolicyDocument[];
  /** Every policy fragment of the model. */
  fragments: FragmentDocument[];
  /** Every `<include-fragment>` (in any policy or fragment) whose fragment is not in the data. */
  missingFragments: MissingFragment[];
  /** Includes that form a cycle or inline too much (not expanded; see fragments.ts). */
  fragmentProblems: FragmentProblem[];
  /** Every operation of every API (all revisions), in model order. */
  operations: OperationPolicy[];
  documentOf(owner: PolicyOwner): PolicyDocument | undefined;
}

const memo = new WeakMap<Model, EffectivePolicyIndex>();

/** The policies and fragments of a model, each text read once: what the index is built on. */
export interface PolicyTexts {
  /** Every policy document of the model, broadest scope first. */
  documents: PolicyDocument[];
  catalog: FragmentCatalog;
}

const textsMemo = new WeakMap<Model, PolicyTexts>();

/**
 * The policy texts of a model, read (and parsed) once per model: the index is built on them, and a caller that needs
 * only the texts (the secrets to redact, when no rule asked for the index) does not build every operation's paths.
 */
export function policyTexts(model: Model): PolicyTexts {
  const cached = textsMemo.get(model);
  if (cached) return cached;
  // Equal texts are read once, policies and fragments alike.
  const readings = new Readings();
  const texts = { documents: readAllDocuments(model, readings), catalog: fragmentCatalog(model, readings) };
  textsMemo.set(model, texts);
  return texts;
}

export function effectivePolicies(model: Model): EffectivePolicyIndex {
  const cached = memo.get(model);
  if (cached) return cached;
  const index = buildIndex(model);
  memo.set(model, index);
  return index;
}

function buildIndex(model: Model): EffectivePolicyIndex {
  const { documents, catalog } = policyTexts(model);
  const byOwner = new Map<PolicyOwner, PolicyDocument>(documents.map((d) => [d.owner, d]));
  const composer = new Composer(catalog);
  const operations: OperationPolicy[] = [];
  for (const service of model.services) {
    for (const api of service.apis) {
      const targets: (Operation | undefined)[] = api.operations.length > 0 ? api.operations : [undefined];
      const shapes = pathShapes(api, byOwner, composer);
      for (const operation of targets) {
        const own = operation ? byOwner.get(operation) : undefined;
        const paths = shapes.map((shape): CallPath => new ComposedPath(shape, own));
        operations.push(new IndexedOperation(api, operation, paths));
      }
    }
  }
  return {
    documents,
    fragments: catalog.documents,
    missingFragments: findMissingFragments([...documents, ...catalog.documents], catalog),
    fragmentProblems: catalog.expansion.problems,
    operations,
    documentOf: (owner) => byOwner.get(owner),
  };
}

/**
 * An operation of the index (a 5,000-API tree has 25,000): its entity and label are worked out when read (a label is
 * needed only in the message of a finding), not kept, which took 1.6 MB of labels off such a scan.
 */
class IndexedOperation implements OperationPolicy {
  constructor(
    readonly api: Api,
    readonly operation: Operation | undefined,
    readonly paths: CallPath[],
  ) {}

  get entity(): Api | Operation {
    return this.operation ?? this.api;
  }

  get label(): string {
    return this.operation ? operationLabel(this.operation) : `${this.api.name} (all operations)`;
  }
}

/** What the call paths of an API's operations share on one shape (without product policies, or with a product's). */
interface PathShape {
  composer: Composer;
  product: Product | undefined;
  description: string;
  /** The scope policies up to the API's. */
  chain: PolicyDocument[];
}

type OtherSection = Exclude<SectionName, 'inbound'>;

/**
 * A call path whose sections are composed on it, each by its getter when first read: `sections` is the path itself,
 * one object less for each of a 5,000-API tree's 50,000 call paths than a record of sections beside it. What the
 * paths of one shape share is kept once (`PathShape`), and the chain is the shape's and the operation's own policy,
 * joined when read (each section is composed once; findings read a few chains): kept joined, the chains of such a
 * tree took 2.6 MB. The rules read `inbound`; the other sections (a plugin's rule may read them) are kept together,
 * once one is read.
 */
class ComposedPath implements CallPath, Record<SectionName, EffectiveSection> {
  private composedInbound: EffectiveSection | undefined = undefined;
  private composedOthers: Partial<Record<OtherSection, EffectiveSection>> | undefined = undefined;

  constructor(
    private readonly shape: PathShape,
    /** The operation's own policy, when it has one. */
    private readonly own: PolicyDocument | undefined,
  ) {}

  get product(): Product | undefined {
    return this.shape.product;
  }

  get description(): string {
    return this.shape.description;
  }

  get chain(): PolicyDocument[] {
    const shared = this.shape.chain;
    // concat, not [...shared, own]: a spread array literal is filled by push and keeps room for 17.
    return this.own ? shared.concat([this.own]) : shared;
  }

  get sections(): Record<SectionName, EffectiveSection> {
    return this;
  }

  get inbound(): EffectiveSection {
    return (this.composedInbound ??= this.shape.composer.section(this.chain, 'inbound'));
  }
  get backend(): EffectiveSection {
    return this.other('backend');
  }
  get outbound(): EffectiveSection {
    return this.other('outbound');
  }
  get 'on-error'(): EffectiveSection {
    return this.other('on-error');
  }

  private other(name: OtherSection): EffectiveSection {
    const others = (this.composedOthers ??= {});
    return (others[name] ??= this.shape.composer.section(this.chain, name));
  }
}

/** The call paths of an API's operations, up to the API's own policy (shared by its operations). */
function pathShapes(
  api: Api,
  byOwner: ReadonlyMap<PolicyOwner, PolicyDocument>,
  composer: Composer,
): PathShape[] {
  const chainWith = (product: Product | undefined) => {
    const chain: PolicyDocument[] = [];
    for (const owner of [api.service, api.workspace, product, api]) {
      const doc = owner ? byOwner.get(owner) : undefined;
      if (doc) chain.push(doc);
    }
    // Kept by every call path: at its length (util/lists.ts).
    return fitted(chain);
  };
  const products = [...new Set(api.products)];
  const withPolicy = products.filter((p) => byOwner.has(p));
  const without = products.filter((p) => !byOwner.has(p));
  const plain = ['calls with an API-scoped, all-APIs or the built-in all-access subscription'];
  if (api.props.subscriptionRequired === false) plain.push('calls without a subscription key');
  for (const p of without) plain.push(`calls with a subscription to product '${p.name}'`);
  return [
    { composer, product: undefined, description: plain.join(', '), chain: chainWith(undefined) },
    ...withPolicy.map((product) => ({
      composer,
      product,
      description: `calls with a subscription to product '${product.name}'`,
      chain: chainWith(product),
    })),
  ];
}

function findMissingFragments(texts: PolicyText[], catalog: FragmentCatalog): MissingFragment[] {
  const missing: MissingFragment[] = [];
  // Equal texts share one reading (documents.ts): each tree is searched once, however many policies have it.
  const includes = new Map<PolicyElement, PolicyElement[]>();
  for (const text of texts) {
    if (text.state.kind !== 'parsed') continue;
    const root = text.state.root;
    let found = includes.get(root);
    if (!found) {
      found = findElements(root, 'include-fragment');
      includes.set(root, found);
    }
    if (found.length === 0) continue;
    const isFragment = 'fragment' in text;
    const owner = isFragment ? undefined : text.owner;
    const service = isFragment ? undefined : serviceOf(text.owner);
    for (const element of found) {
      const fragmentId = includedFragmentId(element);
      const workspace = isFragment ? text.fragment.workspace : owner && workspaceOf(owner);
      const serviceId = service?.id ?? (isFragment ? fragmentServiceId(text) : '');
      if (!fragmentId || !catalog.find(serviceId, workspace, fragmentId)) {
        missing.push({ fragmentId, text, element });
      }
    }
  }
  return missing;
}
