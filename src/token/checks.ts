/**
 * The checks of one `validate-jwt` / `validate-azure-ad-token` against a decoded token, in the order the gateway
 * makes them (issue 14): where the token is read and its scheme, lifetime (exp, nbf, clock skew), audience,
 * issuer (explicit, and the one a known Entra openid-config publishes), required claims (`match`, `separator`),
 * client application ids. Pure. Messages name only the claims of `NAMED_CLAIMS` with their values; another claim
 * is named, its value never shown.
 */
import type { CloudName } from '../entra/clouds';
import { appIdInResource, isGuid, resourceKey } from '../entra/endpoints';
import { GRAPH_APP_ID, targetsMicrosoftGraph } from '../entra/first-party';
import { entraIssuer, isMultiTenantSegment, parseIssuer, parseMetadataUrl } from '../entra/issuers';
import type { App, Model } from '../model/types';
import type { ResolvedValue } from '../policy/named-values';
import { attr } from '../policy/parser';
import { resolvedAttribute, type ValidationConfig, type ValueElement } from '../../rules/support/jwt';
import { claimValues, dateClaim, isNamedClaim, tokenVersion, type DecodedToken } from './decode';

export type Outcome = 'pass' | 'fail' | 'unknown';

export interface CheckResult {
  check:
    | 'token-location'
    | 'signature'
    | 'lifetime'
    | 'audience'
    | 'issuer'
    | 'required-claim'
    | 'client-application';
  outcome: Outcome;
  /** The runtime error a failure causes: the code (IDX...) and the APIM reason, when known. */
  error?: string;
  message: string;
  fix?: string;
}

export interface CheckContext {
  model: Model;
  token: DecodedToken;
  /** The header the request sends the token in, as given (`Authorization`). */
  header: string;
  now: Date;
}

const q = (s: string) => `'${s}'`;
const list = (values: readonly string[]) => values.map(q).join(', ');

/** The token's claim, for messages: the value when the claim is a named one, else only its name. */
function shown(ctx: CheckContext, name: string): string {
  const values = claimValues(ctx.token.claims, name);
  if (values === undefined) return `no ${name} claim`;
  return isNamedClaim(name) ? `${name} ${list(values)}` : `a ${name} claim (value not shown)`;
}

function versionText(ctx: CheckContext): string {
  const v = tokenVersion(ctx.token.claims);
  return v === undefined ? 'a token of unknown version' : `a v${v}.0 token`;
}

/** The app registration a resource identifier (an aud, an audience) belongs to, when the sources hold it. */
export function appOfResource(model: Model, resource: string): App | undefined {
  const guid = appIdInResource(resource);
  if (guid) {
    const app = model.appsByAppId.get(guid);
    if (app) return app;
  }
  const key = resourceKey(resource);
  return model.applications.find((a) => a.identifierUris.some((u) => resourceKey(u) === key));
}

/** A list of policy values compared with the token's: pass / fail / unknown (an opaque value might match). */
function compareList(
  values: readonly ValueElement[],
  accepted: (value: string) => boolean,
): { outcome: Outcome; opaque: ResolvedValue[] } {
  const opaque = values.filter((v) => v.value.opaque).map((v) => v.value);
  if (values.some((v) => !v.value.opaque && accepted(v.value.value))) return { outcome: 'pass', opaque };
  return { outcome: opaque.length > 0 ? 'unknown' : 'fail', opaque };
}

function opaqueReason(opaque: readonly ResolvedValue[]): string {
  const names = opaque.flatMap((o) => o.references.filter((r) => r.status !== 'resolved').map((r) => r.name));
  if (names.length > 0) {
    return `named value${names.length > 1 ? 's' : ''} ${list([...new Set(names)])} ${names.length > 1 ? 'are' : 'is'} not known offline (secret, Key Vault, an expression or not in the sources)`;
  }
  return 'a policy expression decides it at run time';
}

/** Where the validation reads the token, and whether the request's header reaches it. */
export function tokenLocation(config: ValidationConfig, ctx: CheckContext): CheckResult {
  const { element, source } = config.statement;
  const query = resolvedAttribute(source, element, 'query-parameter-name');
  const tokenValue = resolvedAttribute(source, element, 'token-value');
  const headerName =
    resolvedAttribute(source, element, 'header-name') ??
    (config.kind === 'validate-azure-ad-token' && !query && !tokenValue
      ? { value: 'Authorization', opaque: false, raw: 'Authorization', references: [], expression: false }
      : undefined);
  const sent = ctx.header;
  if (tokenValue) {
    const reads = /Headers\s*\.\s*GetValueOrDefault\s*\(\s*"([^"]+)"/.exec(tokenValue.value)?.[1];
    if (reads && reads.toLowerCase() === sent.toLowerCase()) {
      return { check: 'token-location', outcome: 'pass', message: `token-value reads the ${sent} header` };
    }
    return {
      check: 'token-location',
      outcome: 'unknown',
      message: 'token-value is a policy expression: which value it validates is decided at run time',
    };
  }
  if (query && !headerName) {
    return {
      check: 'token-location',
      outcome: 'fail',
      error: 'TokenNotPresent ("JWT not present.")',
      message: `it reads the token from the query parameter '${query.value}', and the request sends it in the ${sent} header`,
      fix: `Send the token as the query parameter '${query.value}', or set header-name="${sent}" on the ${config.kind} (the authorization server's bearerTokenSendingMethods says where the test console sends it).`,
    };
  }
  if (!headerName) {
    return {
      check: 'token-location',
      outcome: 'unknown',
      message: 'it names neither header-name, query-parameter-name nor token-value',
    };
  }
  if (headerName.opaque) {
    return {
      check: 'token-location',
      outcome: 'unknown',
      message: `header-name: ${opaqueReason([headerName])}`,
    };
  }
  if (headerName.value.toLowerCase() !== sent.toLowerCase()) {
    return {
      check: 'token-location',
      outcome: 'fail',
      error: 'TokenNotPresent ("JWT not present.")',
      message: `it reads the token from the ${headerName.value} header, and the request sends it in ${sent}`,
      fix: `Send the token in the ${headerName.value} header${headerName.value.toLowerCase() === 'authorization' ? ' as "Bearer <token>"' : ' (without a Bearer prefix)'}, or set header-name="${sent}".`,
    };
  }
  const scheme =
    config.kind === 'validate-jwt' ? resolvedAttribute(source, element, 'require-scheme') : undefined;
  const sentScheme = sent.toLowerCase() === 'authorization' ? 'Bearer' : undefined;
  if (scheme && !scheme.opaque && scheme.value !== '' && sentScheme !== undefined) {
    if (scheme.value.toLowerCase() !== sentScheme.toLowerCase()) {
      return {
        check: 'token-location',
        outcome: 'fail',
        error: 'JwtInvalid (scheme not allowed)',
        message: `require-scheme is '${scheme.value}', and the request sends "Bearer <token>"`,
        fix: `Set require-scheme="Bearer" (the scheme OAuth 2.0 clients send), or send "${scheme.value} <token>".`,
      };
    }
  }
  return { check: 'token-location', outcome: 'pass', message: `reads the ${sent} header` };
}

/** A Microsoft Graph token (a `nonce` in its header) fails signature validation anywhere but at Graph. */
export function signature(ctx: CheckContext): CheckResult | undefined {
  if (!ctx.token.graphNonce) return undefined;
  return {
    check: 'signature',
    outcome: 'fail',
    error: 'IDX10511 (TokenSignatureInvalid)',
    message:
      'the token header has a nonce: it is a Microsoft Graph token, whose signature only Graph can validate',
    fix: "Request a token for the API, not for Graph: the authorization server's defaultScope (or the client's scope) must be api://<backend appId>/<scope>.",
  };
}

function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** exp and nbf against `now`, with the validation's clock skew. */
export function lifetime(config: ValidationConfig, ctx: CheckContext): CheckResult[] {
  const { element, source } = config.statement;
  const skewValue =
    config.kind === 'validate-jwt' ? resolvedAttribute(source, element, 'clock-skew') : undefined;
  const skewKnown = !skewValue || (!skewValue.opaque && /^\d+$/.test(skewValue.value));
  const skew = skewValue && skewKnown ? Number(skewValue.value) : 0;
  const requireExp =
    config.kind === 'validate-jwt'
      ? (resolvedAttribute(source, element, 'require-expiration-time')?.value ?? 'true').toLowerCase() !==
        'false'
      : true;
  const now = ctx.now.getTime() / 1000;
  const exp = dateClaim(ctx.token.claims, 'exp');
  const nbf = dateClaim(ctx.token.claims, 'nbf');
  const at = `at ${ctx.now.toISOString()}${skew > 0 ? ` (clock-skew ${skew} s)` : ''}`;
  const results: CheckResult[] = [];
  const unknownSkew = (r: CheckResult): CheckResult =>
    skewKnown
      ? r
      : {
          ...r,
          outcome: 'unknown',
          message: `${r.message}; clock-skew: ${opaqueReason([skewValue ?? emptyValue])}`,
        };
  if (exp === undefined) {
    if (requireExp) {
      results.push({
        check: 'lifetime',
        outcome: 'fail',
        error: 'IDX10225 (the token has no expiration time)',
        message: 'the token has no exp claim, and require-expiration-time is true (the default)',
        fix: 'Send an access token issued by Entra (it always has exp); set require-expiration-time="false" only for tokens that never expire, which Entra does not issue.',
      });
    }
  } else if (now > exp + skew) {
    results.push(
      unknownSkew({
        check: 'lifetime',
        outcome: 'fail',
        error: 'IDX10223 (TokenExpired)',
        message: `the token expired: exp ${isoSeconds(exp)}, ${at}`,
        fix: 'Get a new token (sign in again in the test console, or let the client refresh it); if fresh tokens fail too, compare the gateway and client clocks (--now sets the instant checked).',
      }),
    );
  }
  if (nbf !== undefined && now + skew < nbf) {
    results.push(
      unknownSkew({
        check: 'lifetime',
        outcome: 'fail',
        error: 'IDX10222 (the token is not yet valid)',
        message: `the token is not valid yet: nbf ${isoSeconds(nbf)}, ${at}`,
        fix: 'Compare the clocks of the client, Entra and the gateway; a clock-skew of a few minutes on validate-jwt absorbs small differences.',
      }),
    );
  }
  if (results.length === 0) {
    results.push({
      check: 'lifetime',
      outcome: 'pass',
      message: exp !== undefined ? `valid until ${isoSeconds(exp)} ${at}` : 'no exp, and none is required',
    });
  }
  return results;
}

const emptyValue: ResolvedValue = { raw: '', value: '', references: [], expression: true, opaque: true };

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

interface IssuerSet {
  explicit: ValueElement[];
  /** Issuers the openid-config URLs publish, when they are known Entra ones. */
  published: { issuer: string; url: string }[];
  /** openid-config URLs whose issuer is not known offline. */
  unknown: { url: string; why: string }[];
}

function issuersOf(config: ValidationConfig, cloud: CloudName): IssuerSet {
  const published: IssuerSet['published'] = [];
  const unknown: IssuerSet['unknown'] = [];
  for (const oc of config.openidConfigs) {
    const url = oc.value.value;
    if (oc.value.opaque) {
      unknown.push({ url, why: opaqueReason([oc.value]) });
      continue;
    }
    const meta = parseMetadataUrl(url);
    if (!meta?.version || !meta.tenant || !meta.cloud) {
      unknown.push({
        url,
        why: 'not an Entra metadata URL this tool knows; its issuer is fetched at run time',
      });
      continue;
    }
    if (isMultiTenantSegment(meta.tenant)) {
      unknown.push({
        url,
        why: `multi-tenant metadata ('${meta.tenant}') publishes an issuer template, not one issuer`,
      });
      continue;
    }
    if (!isGuid(meta.tenant)) {
      unknown.push({
        url,
        why: `the tenant '${meta.tenant}' is a domain; its tenant id is only known online`,
      });
      continue;
    }
    published.push({
      issuer: entraIssuer(meta.version, meta.tenant.toLowerCase(), meta.cloud ?? cloud),
      url,
    });
  }
  return { explicit: config.issuers, published, unknown };
}

/** The token's iss against the validation's issuers. */
export function issuer(config: ValidationConfig, ctx: CheckContext): CheckResult | undefined {
  const iss = claimValues(ctx.token.claims, 'iss')?.[0];
  if (config.kind === 'validate-azure-ad-token') return adIssuer(config, ctx, iss);
  const set = issuersOf(config, ctx.model.cloud);
  if (set.explicit.length === 0 && set.published.length === 0 && set.unknown.length === 0) return undefined;
  const all = [
    ...new Set([...set.explicit.map((e) => e.value.value), ...set.published.map((p) => p.issuer)]),
  ];
  if (iss !== undefined && all.includes(iss)) {
    return { check: 'issuer', outcome: 'pass', message: `iss ${q(iss)} is accepted` };
  }
  const opaque = set.explicit.filter((e) => e.value.opaque).map((e) => e.value);
  if (opaque.length > 0 || set.unknown.length > 0) {
    const why = [
      ...(opaque.length > 0 ? [opaqueReason(opaque)] : []),
      ...set.unknown.map((u) => `openid-config ${u.url}: ${u.why}`),
    ];
    return {
      check: 'issuer',
      outcome: 'unknown',
      message: `iss ${iss ? q(iss) : '(none)'} is not among the issuers known offline${all.length > 0 ? ` (${list(all)})` : ''}; ${why.join('; ')}`,
    };
  }
  return {
    check: 'issuer',
    outcome: 'fail',
    error: 'IDX10205 (TokenIssuerNotAllowed)',
    message: `iss ${iss ? q(iss) : '(none)'} of ${versionText(ctx)} is not one of ${list(all)}${
      set.published.length > 0
        ? ` (from ${set.explicit.length > 0 ? '<issuers> and ' : ''}openid-config)`
        : ''
    }`,
    fix: issuerFix(ctx, iss, all),
  };
}

function issuerFix(ctx: CheckContext, iss: string | undefined, accepted: string[]): string {
  const got = iss ? parseIssuer(iss) : undefined;
  if (!got) {
    return 'The token is not an Entra access token of this tenant (or its issuer is spelt differently): send a token issued by the tenant the policy names.';
  }
  const wanted = accepted.map(parseIssuer).filter((i) => i !== undefined);
  const sameTenant = wanted.filter((w) => w.tenant.toLowerCase() === got.tenant.toLowerCase());
  if (wanted.length > 0 && sameTenant.length === 0) {
    return `The token is from tenant ${got.tenant}, and the validation accepts tenant ${[...new Set(wanted.map((w) => w.tenant))].join(', ')}: sign in to the API's tenant, or fix the tenant in openid-config / <issuers>.`;
  }
  if (sameTenant.length > 0 && sameTenant.every((w) => w.version !== got.version)) {
    const aud = claimValues(ctx.token.claims, 'aud')?.[0];
    const app = aud ? appOfResource(ctx.model, aud) : undefined;
    const appName = app ? `backend app '${app.name}'` : 'the backend app (the one the token is for)';
    const other = entraIssuer(got.version, got.tenant, got.cloud ?? ctx.model.cloud);
    if (got.version === 1) {
      return `The backend issues v1.0 tokens: set api.requestedAccessTokenVersion to 2 on ${appName} (manifest accessTokenAcceptedVersion: 2; Entra side), or accept v1.0 tokens: <issuer>${other}</issuer> with the v1.0 openid-config (.../.well-known/openid-configuration, without v2.0).`;
    }
    return `The backend issues v2.0 tokens (api.requestedAccessTokenVersion 2 on ${appName}): accept <issuer>${other}</issuer> and the v2.0 openid-config (.../v2.0/.well-known/openid-configuration).`;
  }
  return `Add <issuer>${iss ?? ''}</issuer> if that issuer is meant, or send a token of an accepted issuer.`;
}

/** validate-azure-ad-token accepts the v1.0 and v2.0 issuers of its tenant-id. */
function adIssuer(config: ValidationConfig, ctx: CheckContext, iss: string | undefined): CheckResult {
  const tenant = resolvedAttribute(config.statement.source, config.statement.element, 'tenant-id');
  if (!tenant || tenant.opaque) {
    return {
      check: 'issuer',
      outcome: 'unknown',
      message: `tenant-id: ${tenant ? opaqueReason([tenant]) : 'missing'}`,
    };
  }
  const tid = tenant.value.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (!isGuid(tid)) {
    return {
      check: 'issuer',
      outcome: 'unknown',
      message: `tenant-id '${tid}' is a domain; its tenant id is only known online`,
    };
  }
  const cloud = ctx.model.cloud;
  const accepted = [entraIssuer(1, tid.toLowerCase(), cloud), entraIssuer(2, tid.toLowerCase(), cloud)];
  if (iss !== undefined && accepted.includes(iss)) {
    return { check: 'issuer', outcome: 'pass', message: `iss ${q(iss)} is of tenant ${tid}` };
  }
  return {
    check: 'issuer',
    outcome: 'fail',
    error: 'IDX10205 (TokenIssuerNotAllowed)',
    message: `iss ${iss ? q(iss) : '(none)'} is not an issuer of tenant-id ${tid} (${list(accepted)})`,
    fix: `Sign in to tenant ${tid}, or set tenant-id to the tenant that issued the token${
      typeof ctx.token.claims['tid'] === 'string' ? ` (tid '${String(ctx.token.claims['tid'])}')` : ''
    }.`,
  };
}

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

/** `failed-validation-httpcode` (default 401). */
export function failureStatus(config: ValidationConfig): string {
  return attr(config.statement.element, 'failed-validation-httpcode')?.trim() || '401';
}
