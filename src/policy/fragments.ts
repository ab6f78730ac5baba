/**
 * Policy fragments and `<include-fragment fragment-id="..."/>`. A fragment is inserted as-is where it is
 * included; a policy in a workspace uses the workspace's fragments, a service-level policy the service's.
 */
import type { Model, PolicyFragment, Workspace } from '../model/types';
import { readFragment, type FragmentDocument, type PolicyDocument, type Readings } from './documents';
import { attr, childElements } from './parser';
import type { PolicyElement } from './types';

export interface FragmentCatalog {
  /** Every fragment of the model, read once. */
  documents: FragmentDocument[];
  /** The fragment an include refers to, looked up from a policy of `workspace` (undefined: service level). */
  find(
    service: PolicyFragmentServiceKey,
    workspace: Workspace | undefined,
    id: string,
  ): FragmentDocument | undefined;
  /** The reading of one fragment. */
  of(fragment: PolicyFragment): FragmentDocument | undefined;
  /** How large each fragment is with its includes inlined, and the includes that cycle or inline too much. */
  expansion: FragmentExpansion;
}

/** Services are identified by their id in the catalog (fragments carry no service back-reference). */
export type PolicyFragmentServiceKey = string;

export function fragmentCatalog(model: Model, readings: Readings): FragmentCatalog {
  const documents: FragmentDocument[] = [];
  const byFragment = new Map<PolicyFragment, FragmentDocument>();
  const byKey = new Map<string, FragmentDocument>();
  const key = (service: string, workspace: Workspace | undefined, id: string) =>
    `${service.toLowerCase()}|${workspace?.id.toLowerCase() ?? ''}|${id.toLowerCase()}`;
  for (const service of model.services) {
    for (const fragment of service.policyFragments) {
      const document = readFragment(fragment, readings);
      documents.push(document);
      byFragment.set(fragment, document);
      const k = key(service.id, fragment.workspace, fragment.name);
      if (!byKey.has(k)) byKey.set(k, document);
    }
  }
  // A workspace policy may use its own fragments; service-level ones are the fallback.
  const find: FragmentCatalog['find'] = (service, workspace, id) =>
    (workspace ? byKey.get(key(service, workspace, id)) : undefined) ??
    byKey.get(key(service, undefined, id));
  return {
    documents,
    find,
    of: (fragment) => byFragment.get(fragment),
    expansion: fragmentExpansion(documents, find),
  };
}

/**
 * Most policy elements one fragment may stand for once its includes are inlined. Fragments that each include
 * the next twice double at every step (thirty of them: a billion elements); real ones hold a few dozen.
 */
export const MAX_FRAGMENT_EXPANSION = 10_000;

/** An include that API Management rejects (a cycle) or that inlines more than MAX_FRAGMENT_EXPANSION elements. */
export interface FragmentProblem {
  kind: 'cycle' | 'too-large';
  /** The fragment the `<include-fragment>` is written in. */
  text: FragmentDocument;
  element: PolicyElement;
  message: string;
}

export interface FragmentExpansion {
  /** Elements of the fragment with its includes inlined (at most MAX_FRAGMENT_EXPANSION + 1). */
  size(document: FragmentDocument): number;
  problems: FragmentProblem[];
}

/** Sizes every fragment's expansion once (memoized, so doubling chains cost linear time) and finds cycles. */
function fragmentExpansion(documents: FragmentDocument[], find: FragmentCatalog['find']): FragmentExpansion {
  const sizes = new Map<FragmentDocument, number>();
  const stack: FragmentDocument[] = [];
  const problems: FragmentProblem[] = [];
  const visit = (document: FragmentDocument): number => {
    const known = sizes.get(document);
    if (known !== undefined) return known;
    if (document.state.kind !== 'parsed') return 0;
    stack.push(document);
    let total = 0;
    let reported = false;
    for (const element of descendants(document.state.root)) {
      total += 1;
      if (element.name !== 'include-fragment') continue;
      const target = find(
        fragmentServiceId(document),
        document.fragment.workspace,
        includedFragmentId(element),
      );
      if (!target) continue;
      const at = stack.indexOf(target);
      if (at >= 0) {
        const names = [...stack.slice(at), target].map((d) => `'${d.fragment.name}'`).join(' includes ');
        problems.push({
          kind: 'cycle',
          text: document,
          element,
          message: `policy fragments include each other in a cycle (${names}); API Management rejects it`,
        });
        continue;
      }
      const inner = visit(target);
      total += inner;
      if (total > MAX_FRAGMENT_EXPANSION && inner <= MAX_FRAGMENT_EXPANSION && !reported) {
        reported = true;
        problems.push({
          kind: 'too-large',
          text: document,
          element,
          message:
            `${document.label} stands for more than ${MAX_FRAGMENT_EXPANSION} policy elements once its ` +
            `included fragments are inlined; it is not expanded`,
        });
      }
      total = Math.min(total, MAX_FRAGMENT_EXPANSION + 1);
    }
    stack.pop();
    sizes.set(document, total);
    return total;
  };
  for (const document of documents) visit(document);
  return { size: (document) => sizes.get(document) ?? 0, problems };
}

/** Every element below `root` and itself, without recursion. */
function descendants(root: PolicyElement): PolicyElement[] {
  const out: PolicyElement[] = [];
  const pending = [root];
  for (let element = pending.pop(); element !== undefined; element = pending.pop()) {
    out.push(element);
    const children = childElements(element);
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child) pending.push(child);
    }
  }
  return out;
}

/** Fragments carry no service reference; their id starts with the service's (or the workspace's) id. */
export function fragmentServiceId(text: FragmentDocument): string {
  const workspace = text.fragment.workspace;
  if (workspace) return workspace.service.id;
  const id = text.fragment.id;
  const at = id.toLowerCase().lastIndexOf('/policyfragments/');
  return at >= 0 ? id.slice(0, at) : id;
}

/** The fragment id an include names (`''` when the attribute is missing). */
export function includedFragmentId(element: PolicyElement): string {
  return (attr(element, 'fragment-id') ?? '').trim();
}

/** A policy document or a fragment: a text that holds policy elements. */
export type PolicyText = PolicyDocument | FragmentDocument;

export function isFragmentText(text: PolicyText): text is FragmentDocument {
  return 'fragment' in text;
}

/** An include of a fragment that is not in the data. */
export interface MissingFragment {
  fragmentId: string;
  /** The policy or fragment the `<include-fragment>` is written in. */
  text: PolicyText;
  element: PolicyElement;
}
