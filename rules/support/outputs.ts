/**
 * Wording and locating shared by the policy rules (`policy-*`, `jwt-*`, `api-validate-jwt`), so that they say
 * the same thing the same way and point at the same places.
 */
import { checked, MESSAGE_LIMIT, notEvaluated, type RuleOutput, type Violation } from './contract';
import type { Model } from '../../src/model/types';
import type { PolicyOwner } from '../../src/policy/documents';
import { describeUnreadable, unreadableText } from './policy-texts';
import { isFragmentText, type PolicyText } from '../../src/policy/fragments';
import { textEntity } from './policy-texts';
import { unreadableInbound } from './jwt';

/** `the API policy of 'x'` -> `The API policy of 'x'`, to start a message with a label. */
export function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Where a finding at `offset` of a policy or fragment text points: into the text, else its value property. */
export function textLocation(text: PolicyText, offset: number): Pick<Violation, 'path' | 'textOffset'> {
  const path = isFragmentText(text) ? 'properties/value' : 'policy/value';
  return text.origin ? { path, textOffset: { origin: text.origin, offset } } : { path };
}

/**
 * One not-evaluated output per unreadable part of the inbound policies of current operations, e.g.
 * `Token issuers in this policy are not checked: <why>.` for `notChecked` = `Token issuers in this policy are not checked`.
 */
export function* unreadableInboundNotChecked(model: Model, notChecked: string): Generator<RuleOutput> {
  for (const u of unreadableInbound(model)) {
    yield notEvaluated(`${notChecked}: ${describeUnreadable(u)}.`, textEntity(unreadableText(u)));
  }
}

/**
 * Evidence of a rule that reads every policy text: each scope's policy (service, workspaces, products, APIs,
 * operations) and each fragment's value, as `checked` outputs (so an unknown text makes the rule abstain).
 */
export function* policyTextsRead(model: Model): Generator<RuleOutput> {
  for (const service of model.services) {
    const owners: PolicyOwner[] = [
      service,
      ...service.workspaces,
      ...service.products,
      ...service.apis,
      ...service.apis.flatMap((api) => api.operations),
    ];
    for (const owner of owners) yield checked(owner, [{ entity: owner, path: 'policy' }]);
    for (const fragment of service.policyFragments) {
      yield checked(fragment, [{ entity: fragment, path: 'properties/value' }]);
    }
  }
}

/**
 * A message as one line of at most MESSAGE_LIMIT characters: whitespace runs (a multi-line `<choose>` condition)
 * become one space, and a message still too long is cut with `...`. A last resort: messages name few values and
 * leave full lists to `detail`, so the cut rarely happens and never hides the subject, which comes first.
 */
export function oneLine(message: string): string {
  const flat = message.replace(/\s+/g, ' ').trim();
  return flat.length <= MESSAGE_LIMIT ? flat : `${flat.slice(0, MESSAGE_LIMIT - 3).trimEnd()}...`;
}

/**
 * The first of `messages` (most complete first) that fits in one line of MESSAGE_LIMIT characters, else the last
 * one cut by `oneLine`: values as long as issuer URLs and GUIDs leave room for few of them, so a rule words its
 * message in decreasing detail and keeps every value in `detail`.
 */
export function firstFitting(...messages: string[]): string {
  const flat = messages.map((m) => m.replace(/\s+/g, ' ').trim());
  return flat.find((m) => m.length <= MESSAGE_LIMIT) ?? oneLine(flat[flat.length - 1] ?? '');
}
