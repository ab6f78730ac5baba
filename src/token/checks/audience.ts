/**
 * The token's aud against `<audiences>` (and `<backend-application-ids>` of validate-azure-ad-token), with the fix
 * in the form the token version needs, or on the Entra side.
 */
import { GRAPH_APP_ID, targetsMicrosoftGraph } from '../../entra/first-party';
import type { App } from '../../model/types';
import type { ValidationConfig } from '../../../rules/support/jwt';
import { claimValues, tokenVersion } from '../decode';
import {
  appOfResource,
  compareList,
  list,
  opaqueReason,
  versionText,
  type CheckContext,
  type CheckResult,
} from './common';

function sameAudience(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

/** The token's aud against `<audiences>` (and `<backend-application-ids>` of validate-azure-ad-token). */
export function audience(config: ValidationConfig, ctx: CheckContext): CheckResult | undefined {
  const accepted = [...config.audiences, ...config.backendApplicationIds];
  if (accepted.length === 0) return undefined;
  const auds = claimValues(ctx.token.claims, 'aud') ?? [];
  const result = compareList(accepted, (value) => auds.some((aud) => sameAudience(aud, value)));
  const acceptedText = list(accepted.map((a) => a.value.value));
  if (result.outcome === 'pass') {
    return { check: 'audience', outcome: 'pass', message: `aud ${list(auds)} is accepted` };
  }
  if (result.outcome === 'unknown') {
    return {
      check: 'audience',
      outcome: 'unknown',
      message: `aud ${list(auds)} is not among the known audiences ${acceptedText}; ${opaqueReason(result.opaque)}`,
    };
  }
  return {
    check: 'audience',
    outcome: 'fail',
    error: 'IDX10214 (TokenAudienceNotAllowed)',
    message: `aud ${auds.length > 0 ? list(auds) : '(none)'} of ${versionText(ctx)} is not one of ${acceptedText}`,
    fix: audienceFix(config, ctx, auds),
  };
}

function audienceFix(config: ValidationConfig, ctx: CheckContext, auds: string[]): string {
  const aud = auds[0];
  if (aud === undefined) return 'Send an access token: it carries aud, the API it was issued for.';
  if (targetsMicrosoftGraph(aud) || aud === GRAPH_APP_ID) {
    return "The token is for Microsoft Graph, not for the API: the client asked for a Graph scope. Request api://<backend appId>/<scope> (the authorization server's defaultScope).";
  }
  const tokenApp = appOfResource(ctx.model, aud);
  const policyApps = [...config.audiences, ...config.backendApplicationIds]
    .filter((a) => !a.value.opaque)
    .map((a) => appOfResource(ctx.model, a.value.value))
    .filter((a): a is App => a !== undefined);
  const version = tokenVersion(ctx.token.claims);
  if (tokenApp && policyApps.includes(tokenApp)) {
    const form =
      version === 2 ? 'its appId (v2.0 tokens always carry the GUID)' : 'the identifier the client requested';
    return `The token is for backend app '${tokenApp.name}', in the other form: add <audience>${aud}</audience>, ${form}${
      version === 1 && tokenApp.accessTokenVersion === 1
        ? `, or set api.requestedAccessTokenVersion to 2 on app '${tokenApp.name}' (Entra side) so that aud is always its appId`
        : ''
    }.`;
  }
  if (tokenApp) {
    return `The token was issued for app '${tokenApp.name}', which this validation does not accept: request a token for the API's backend app, or add <audience>${aud}</audience> if that app is the API.`;
  }
  return `The token was issued for another resource: request it with the API's scope (api://<backend appId>/<scope>), or add <audience>${aud}</audience> if that identifier is the API.`;
}
