/**
 * Wording and locating shared by the policy rules (`policy-*`, `jwt-*`, `api-validate-jwt`), so that they say
 * the same thing the same way and point at the same places.
 */
import { checked, MESSAGE_LIMIT, notEvaluated, violation, type RuleOutput, type Violation } from './contract';
import type { Entity } from '../../src/model/types';
import type { Model } from '../../src/model/types';
import type { PolicyOwner } from '../../src/policy/documents';
import { describeUnreadable, unreadableText } from './policy-texts';
import { isFragmentText, type PolicyText } from '../../src/policy/fragments';
import { textEntity } from './policy-texts';
import { describeApis, describeUse, shortUse, unreadableInbound, type ValidationUse } from './jwt';
import { clip, firstThatFits } from './message';

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

/** A message cut to MESSAGE_LIMIT characters (`clip` of ./message.ts, where the fitting helpers live). */
export function fitted(message: string): string {
  return clip(message, MESSAGE_LIMIT);
}

/** The policy rules' name for `firstThatFits` (./message.ts). */
export { firstThatFits as firstFitting } from './message';

/**
 * `<validate-jwt in ... (APIs ...)> <rest>`: a message about a validation, naming the APIs it protects when that
 * fits in MESSAGE_LIMIT, else without them (the detail names them).
 */
export function useMessage(use: ValidationUse, rest: string): string {
  return firstThatFits(`${describeUse(use)} ${rest}`, `${shortUse(use)} ${rest}`);
}

/**
 * A violation about a validation whose message may have left out the APIs it protects (to fit one line): its
 * detail then names them, so that no finding loses what it used to say.
 */
export function useViolation(
  use: ValidationUse,
  entity: Entity,
  message: string,
  extra: Parameters<typeof violation>[2] = {},
): Violation {
  const apis = describeApis(use.apis);
  const named = message.includes(apis) || (extra.detail ?? '').includes(apis);
  const detail = extra.detail === undefined || named ? extra.detail : `${extra.detail} It protects ${apis}.`;
  return violation(entity, message, { ...extra, ...(detail !== undefined ? { detail } : {}) });
}
