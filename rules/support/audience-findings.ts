/**
 * What jwt-audience-matches-token-version finds in a validation's audiences without comparing them with a
 * backend's tokens: an audience of a Microsoft API (whose tokens any app can get), and no audience at all.
 */
import type { RuleOutput } from './contract';
import type { Evidence } from '../../src/model/types';
import { childElements } from '../../src/policy/parser';
import type { PolicyElement } from '../../src/policy/types';
import { acceptedAudiences, firstPartyApi, type Backend } from './audience-apps';
import {
  locateInUse,
  shortUse,
  describeUse,
  statementEntity,
  type ValidationConfig,
  type ValidationUse,
} from './jwt';
import { firstFitting, useViolation } from './outputs';
import { uniqueEvidence } from './policy-evidence';
import { insertFirst, removeElement, sourceText, xmlEscape } from './policy-edits';

/** The element (`<audiences>`, `<backend-application-ids>`, a claim) whose child `element` is. */
function parentOf(use: ValidationUse, element: PolicyElement): PolicyElement | undefined {
  const visit = (e: PolicyElement): PolicyElement | undefined => {
    for (const c of childElements(e)) {
      if (c === element) return e;
      const found = visit(c);
      if (found) return found;
    }
    return undefined;
  };
  return visit(use.statement.element);
}

/** Accepting the audience of a Microsoft API accepts tokens minted for it; needs no Entra data. */
export function* firstPartyAudiences(
  use: ValidationUse,
  config: ValidationConfig,
  base: readonly Evidence[],
): Generator<RuleOutput> {
  for (const v of acceptedAudiences(config)) {
    if (v.value.opaque) continue;
    const api = firstPartyApi(v.value.value);
    if (!api) continue;
    // Removing it is safe only when the list keeps an audience of its own; else only the user knows the right one.
    const siblings = acceptedAudiences(config).filter(
      (o) =>
        o !== v && !firstPartyApi(o.value.value) && parentOf(use, o.element) === parentOf(use, v.element),
    );
    const remove =
      siblings.length > 0 ? removeElement(sourceText(use.statement.source), v.element) : undefined;
    yield useViolation(
      use,
      statementEntity(use.statement.source),
      firstFitting(
        `${describeUse(use)} accepts the audience '${v.value.value}' of ${api.name}; expected only its backend app's identifiers`,
        `${shortUse(use)} accepts the audience '${v.value.value}' of ${api.name}; expected only its backend app's identifiers`,
      ),
      {
        ...locateInUse(use, v.element, `first-party:${v.value.value}`),
        evidence: base,
        detail:
          `It accepts access tokens minted for ${api.name}, not for this API: any app that can get a token for ` +
          `${api.name} for a signed-in user (or for itself) can call the API with it.`,
        fix: {
          text:
            `Remove the audience '${v.value.value}'; accept only the identifiers of the API's own backend app ` +
            'registration (its appId for v2.0 tokens).',
          ...(remove ? { policy: remove } : {}),
        },
      },
    );
  }
}

export function* noAudience(
  use: ValidationUse,
  backends: readonly Backend[],
  base: readonly Evidence[],
): Generator<RuleOutput> {
  const found = backends.find((b) => b.app.appId);
  const appId = found?.app.appId;
  const evidence = found ? [...base, ...found.evidence, { entity: found.app, path: 'appId' }] : base;
  // The audience to add is certain for a backend that issues v2.0 tokens: its appId.
  const add =
    appId && found?.app.accessTokenVersion === 2 && use.kind === 'validate-jwt'
      ? insertFirst(
          sourceText(use.statement.source),
          use.statement.element,
          `<audiences><audience>${xmlEscape(appId)}</audience></audiences>`,
        )
      : undefined;
  yield useViolation(
    use,
    statementEntity(use.statement.source),
    firstFitting(
      `${describeUse(use)} checks no audience; expected <audiences> with the backend's identifier`,
      `${shortUse(use)} checks no audience; expected <audiences> with the backend's identifier`,
    ),
    {
      ...locateInUse(use, use.statement.element, 'no-audience'),
      evidence: uniqueEvidence(evidence),
      detail:
        'It accepts a token issued by the same issuer for any other API (for example Microsoft Graph), so any ' +
        'app that can get such a token can call the API with it.',
      fix: {
        text:
          `${use.kind === 'validate-jwt' ? 'Add <audiences>' : 'Add <backend-application-ids> or <audiences>'} ` +
          `with the backend's identifier${appId ? ` ('${appId}' for v2.0 tokens)` : ' (its appId for v2.0 tokens)'}.`,
        ...(add ? { policy: add } : {}),
      },
    },
  );
}
