/**
 * What the rules say about policy texts: the entity a finding in a text belongs to, and why a text (or an include)
 * cannot be read, worded once for every not-evaluated reason (the wording names the rule that reports the cause,
 * `policy-parse-error`, which the policy layer itself must not know).
 */
import type { Entity } from '../../src/model/types';
import type { Unreadability } from '../../src/policy/documents';
import type { Unreadable } from '../../src/policy/effective';
import { isFragmentText, type MissingFragment, type PolicyText } from '../../src/policy/fragments';
import type { ResolvedValue } from '../../src/policy/named-values';

/** The entity a finding about an element of the text belongs to: the fragment, or the policy's owner. */
export function textEntity(text: PolicyText): Entity {
  return isFragmentText(text) ? text.fragment : text.owner;
}

/** `is a link (rawxml-link: https://...)` / `could not be parsed (...)`, for not-evaluated reasons. */
export function describeUnreadability(label: string, state: Unreadability): string {
  return state.kind === 'link'
    ? `${label} is given only as a link (${state.url}), which cannot be read offline`
    : `${label} could not be parsed (${state.message}); see policy-parse-error`;
}

/** Why an include names no fragment, or one that is not in the data. */
export function describeMissingFragment(missing: MissingFragment): string {
  return missing.fragmentId === ''
    ? `<include-fragment> in ${missing.text.label} has no fragment-id`
    : `${missing.text.label} includes policy fragment '${missing.fragmentId}', which is not in the data`;
}

/** The text of an unreadable part, for not-evaluated reasons. */
export function unreadableText(u: Unreadable): PolicyText {
  switch (u.kind) {
    case 'document':
      return u.document;
    case 'fragment':
      return u.fragment;
    case 'missing-fragment':
      return u.missing.text;
  }
}

/** Why an unreadable part leaves the section incomplete, for not-evaluated reasons. */
export function describeUnreadable(u: Unreadable): string {
  switch (u.kind) {
    case 'document':
      return describeUnreadability(u.document.label, u.state);
    case 'fragment':
      return describeUnreadability(u.fragment.label, u.state);
    case 'missing-fragment':
      return `${describeMissingFragment(u.missing)}; see policy-parse-error`;
  }
}

/** `{{tenant-id}} (secret)` style description of the references that stayed opaque, for messages. */
export function describeOpaque(resolved: ResolvedValue): string {
  if (resolved.expression && resolved.references.every((r) => r.status === 'resolved'))
    return 'a policy expression evaluated per request';
  const parts = resolved.references
    .filter((r) => r.status !== 'resolved')
    .map((r) => `{{${r.name}}} (${r.status === 'unknown' ? 'not in the data' : r.status})`);
  return parts.length > 0 ? `named value ${parts.join(', ')}` : 'a policy expression evaluated per request';
}
