/**
 * `<required-claims>` (`match`, `separator`) and the `<client-application-ids>` of validate-azure-ad-token.
 */
import type { ResolvedValue } from '../../policy/named-values';
import type { ValidationConfig } from '../../../rules/support/jwt';
import { claimValues, tokenVersion } from '../decode';
import {
  compareList,
  list,
  opaqueReason,
  shown,
  type CheckContext,
  type CheckResult,
  type Outcome,
} from './common';

/** Each `<claim>` of `<required-claims>`. */
export function requiredClaims(config: ValidationConfig, ctx: CheckContext): CheckResult[] {
  return config.claims.map((claim) => {
    const tokenValues = claimValues(ctx.token.claims, claim.name, claim.separator);
    const policyValues = claim.values.map((v) => v.value);
    if (tokenValues === undefined) {
      return {
        check: 'required-claim' as const,
        outcome: 'fail' as const,
        error: 'TokenClaimNotFound ("JWT token is missing the following claims")',
        message: `the token has no ${claim.name} claim`,
        fix: missingClaimFix(ctx, claim.name),
      };
    }
    if (policyValues.length === 0) {
      return {
        check: 'required-claim' as const,
        outcome: 'pass' as const,
        message: `${claim.name} is present`,
      };
    }
    const has = (v: ResolvedValue) => !v.opaque && tokenValues.includes(v.value);
    const known = policyValues.filter((v) => !v.opaque);
    const opaque = policyValues.filter((v) => v.opaque);
    const matched = known.filter(has);
    let outcome: Outcome;
    if (claim.match === 'any') outcome = matched.length > 0 ? 'pass' : opaque.length > 0 ? 'unknown' : 'fail';
    else outcome = matched.length < known.length ? 'fail' : opaque.length > 0 ? 'unknown' : 'pass';
    const wanted = `${claim.match === 'any' ? 'one of' : 'all of'} ${list(policyValues.map((v) => v.value))}${
      claim.separator ? ` (separator '${claim.separator}')` : ''
    }`;
    if (outcome === 'pass') {
      return {
        check: 'required-claim' as const,
        outcome,
        message: `${shown(ctx, claim.name)} has ${wanted}`,
      };
    }
    if (outcome === 'unknown') {
      return {
        check: 'required-claim' as const,
        outcome,
        message: `${shown(ctx, claim.name)} against ${wanted}: ${opaqueReason(opaque)}`,
      };
    }
    return {
      check: 'required-claim' as const,
      outcome,
      error: 'TokenClaimValueNotAllowed ("Claim value mismatch")',
      message: `${shown(ctx, claim.name)}, and the policy requires ${wanted}`,
      fix: claimValueFix(
        ctx,
        claim.name,
        known.map((v) => v.value),
        tokenValues,
      ),
    };
  });
}

function missingClaimFix(ctx: CheckContext, name: string): string {
  const has = (n: string) => claimValues(ctx.token.claims, n) !== undefined;
  if (name === 'scp' && has('roles')) {
    return 'The token is app-only (client credentials: it carries roles, not scp): require roles for app callers, or get a delegated token (a user signs in).';
  }
  if (name === 'azp' && has('appid'))
    return 'v1.0 tokens carry the client id as appid, not azp: require appid, or have the backend issue v2.0 tokens (api.requestedAccessTokenVersion 2).';
  if (name === 'appid' && has('azp'))
    return 'v2.0 tokens carry the client id as azp, not appid: require azp.';
  if (name === 'roles')
    return 'Assign an app role of the backend app to the caller (user or client app); tokens carry roles only when one is assigned.';
  return `Tokens of this backend do not carry ${name}: remove the claim from required-claims, or configure Entra to emit it (optional claims).`;
}

function claimValueFix(ctx: CheckContext, name: string, wanted: string[], got: string[]): string {
  if (name === 'scp') {
    const bare = wanted.map((w) => w.slice(w.lastIndexOf('/') + 1)).filter((w, i) => w !== wanted[i]);
    if (bare.some((b) => got.includes(b))) {
      return `scp carries bare scope values (${list(got)}), never api://<appId>/<scope>: use <value>${bare[0] ?? ''}</value>.`;
    }
    return `The client did not request ${list(wanted)}: request api://<backend appId>/${wanted[0] ?? '<scope>'} (the authorization server's defaultScope), and check the scope is exposed and consented.`;
  }
  if (name === 'aud') return audienceLikeFix(ctx, wanted);
  if (name === 'azp' || name === 'appid') {
    return `The calling client app is not one the policy allows: add its id to the <claim name="${name}"> values, or call from an allowed client.`;
  }
  return `Correct the <value> of <claim name="${name}">, or send a token whose ${name} has it.`;
}

function audienceLikeFix(ctx: CheckContext, wanted: string[]): string {
  const aud = claimValues(ctx.token.claims, 'aud')?.[0] ?? '';
  const version = tokenVersion(ctx.token.claims);
  return `aud of ${version === 2 ? 'v2.0 tokens is the backend appId (GUID)' : 'v1.0 tokens is the identifier the client requested'}: use <value>${aud}</value>${wanted.length > 0 ? ` instead of ${list(wanted)}` : ''}.`;
}

/** `<client-application-ids>` of validate-azure-ad-token: azp (v2.0) or appid (v1.0). */
export function clientApplication(config: ValidationConfig, ctx: CheckContext): CheckResult | undefined {
  if (config.kind !== 'validate-azure-ad-token') return undefined;
  const client = claimValues(ctx.token.claims, 'azp') ?? claimValues(ctx.token.claims, 'appid') ?? [];
  const claimName = claimValues(ctx.token.claims, 'azp') ? 'azp' : 'appid';
  if (config.clientApplicationIds.length === 0) {
    return {
      check: 'client-application',
      outcome: 'fail',
      error: '401 from validate-azure-ad-token (client-application-ids is required)',
      message: 'the policy lists no <client-application-ids>, so no client is allowed',
      fix: `Add <client-application-ids><application-id>${client[0] ?? '<client appId>'}</application-id></client-application-ids>.`,
    };
  }
  const result = compareList(config.clientApplicationIds, (v) =>
    client.some((c) => c.toLowerCase() === v.toLowerCase()),
  );
  const allowed = list(config.clientApplicationIds.map((c) => c.value.value));
  if (result.outcome === 'pass') {
    return {
      check: 'client-application',
      outcome: 'pass',
      message: `${claimName} ${list(client)} is allowed`,
    };
  }
  if (result.outcome === 'unknown') {
    return {
      check: 'client-application',
      outcome: 'unknown',
      message: `${claimName} ${list(client)} is not among ${allowed}; ${opaqueReason(result.opaque)}`,
    };
  }
  const app = client[0] ? ctx.model.appsByAppId.get(client[0].toLowerCase()) : undefined;
  return {
    check: 'client-application',
    outcome: 'fail',
    error: '401 from validate-azure-ad-token (client application not allowed)',
    message: `${client.length > 0 ? `${claimName} ${list(client)}` : 'the token names no client (azp / appid)'} is not one of the client-application-ids ${allowed}`,
    fix: `Add <application-id>${client[0] ?? '<client appId>'}</application-id> to <client-application-ids>${
      app ? ` (client app '${app.name}')` : ''
    }, or call from an allowed client.`,
  };
}
