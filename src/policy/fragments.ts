/**
 * Policy fragments and `<include-fragment fragment-id="..."/>`. A fragment is inserted as-is where it is
 * included; a policy in a workspace uses the workspace's fragments, a service-level policy the service's.
 */
import type { Entity, Model, PolicyFragment, Workspace } from '../model/types';
import { readFragment, type FragmentDocument, type PolicyDocument } from './documents';
import { attr } from './parser';
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
}

/** Services are identified by their id in the catalog (fragments carry no service back-reference). */
export type PolicyFragmentServiceKey = string;

export function fragmentCatalog(model: Model): FragmentCatalog {
  const documents: FragmentDocument[] = [];
  const byFragment = new Map<PolicyFragment, FragmentDocument>();
  const byKey = new Map<string, FragmentDocument>();
  const key = (service: string, workspace: Workspace | undefined, id: string) =>
    `${service.toLowerCase()}|${workspace?.id.toLowerCase() ?? ''}|${id.toLowerCase()}`;
  for (const service of model.services) {
    for (const fragment of service.policyFragments) {
      const document = readFragment(fragment);
      documents.push(document);
      byFragment.set(fragment, document);
      const k = key(service.id, fragment.workspace, fragment.name);
      if (!byKey.has(k)) byKey.set(k, document);
    }
  }
  return {
    documents,
    // A workspace policy may use its own fragments; service-level ones are the fallback.
    find: (service, workspace, id) =>
      (workspace ? byKey.get(key(service, workspace, id)) : undefined) ??
      byKey.get(key(service, undefined, id)),
    of: (fragment) => byFragment.get(fragment),
  };
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

/** The entity a finding about an element of the text belongs to: the fragment, or the policy's owner. */
export function textEntity(text: PolicyText): Entity {
  return isFragmentText(text) ? text.fragment : text.owner;
}

/** An include of a fragment that is not in the data, for `policy-parse-error` and not-evaluated reasons. */
export interface MissingFragment {
  fragmentId: string;
  /** The policy or fragment the `<include-fragment>` is written in. */
  text: PolicyText;
  element: PolicyElement;
}

export function describeMissingFragment(missing: MissingFragment): string {
  return missing.fragmentId === ''
    ? `<include-fragment> in ${missing.text.label} has no fragment-id`
    : `${missing.text.label} includes policy fragment '${missing.fragmentId}', which is not in the data`;
}
