/**
 * Errors of the gateway's token validation (`validate-jwt`, `validate-azure-ad-token`) and of the developer portal
 * itself. The caller of the API sees only the policy's failure status (401 by default) and its
 * failed-validation-error-message; the reason (an IDX code, a `context.LastError.Reason`) is in the request trace.
 */
import type { RuntimeError } from './types';

const GATEWAY =
  'From the gateway: 401 (the failed-validation-httpcode) with the failed-validation-error-message of validate-jwt, ' +
  'e.g. "Unauthorized. Access token is missing or invalid."; the reason is only in the request trace ' +
  '("JWT Validation Failed: ...") and in context.LastError (Source validate-jwt) in on-error.';

export const GATEWAY_ERRORS: readonly RuntimeError[] = [
  {
    codes: ['TokenNotPresent', 'TokenNotFound'],
    messages: ['JWT not present', 'JWT not found in the request'],
    token: true,
    title: 'The request reached validate-jwt without a token',
    where: `${GATEWAY} context.LastError.Reason is TokenNotPresent (TokenNotFound in older documentation).`,
    causes: [
      'The test console never attached a token: the API has no OAuth 2.0 authorization server (authenticationSettings.oAuth2.authorizationServerId), or the portal was not republished after the authorization server changed.',
      'validate-jwt reads another header or query parameter (header-name, query-parameter-name) than the one the authorization server sends the token in (bearerTokenSendingMethods).',
      'The validation runs on some call paths only: an operation or product policy without <base /> drops it for some operations.',
    ],
    rules: ['api-oauth-enabled', 'api-validate-jwt', 'policy-base-inherited'],
    manual:
      "After any change to the authorization server or to OAuth on an API, republish the developer portal (the audit cannot see whether the portal was published), and check that validate-jwt's header-name or query-parameter-name is where the authorization server sends the token (bearerTokenSendingMethods).",
  },
  {
    codes: ['IDX10205', 'TokenIssuerNotAllowed'],
    messages: ['Issuer validation failed'],
    token: true,
    title: 'The token issuer is not one validate-jwt accepts (v1 token against v2 metadata, or the reverse)',
    where: `${GATEWAY} The trace reads "JWT Validation Failed: IDX10205: Issuer validation failed. Issuer: '...'"; Reason TokenIssuerNotAllowed.`,
    causes: [
      'The token version is set by the backend app (api.requestedAccessTokenVersion, manifest accessTokenAcceptedVersion: null or 1 gives v1 tokens with iss https://sts.windows.net/{tenant}/, 2 gives iss https://login.microsoftonline.com/{tenant}/v2.0), not by the endpoints the authorization server uses; openid-config or <issuers> expect the other version.',
      '<issuers> lists the other form (the documentation sample pairs an sts.windows.net issuer with v2 metadata), a form with or without the trailing slash no token carries, or the sign-in authority instead of an issuer.',
      'openid-config names another tenant than the backend app.',
    ],
    rules: ['app-access-token-version', 'auth-server-v2-endpoints', 'jwt-issuer-matches-token-version'],
  },
  {
    codes: ['IDX10214', 'TokenAudienceNotAllowed'],
    messages: ['Audience validation failed'],
    token: true,
    title: 'The token audience is not one validate-jwt accepts',
    where: `${GATEWAY} The trace reads "IDX10214: Audience validation failed. Audiences: '...'"; Reason TokenAudienceNotAllowed.`,
    causes: [
      'A v2 token carries aud = the backend appId (a GUID), a v1 token the identifier that was requested (often api://<appId>); <audiences> lists the other form.',
      'The token is for Microsoft Graph (aud 00000003-0000-0000-c000-000000000000) because the authorization server defaultScope does not name the backend API.',
    ],
    rules: [
      'app-access-token-version',
      'auth-server-v2-endpoints',
      'backend-scope-exposed',
      'jwt-audience-matches-token-version',
    ],
  },
  {
    codes: ['TokenClaimValueNotAllowed'],
    messages: ['Claim value mismatch', 'is not allowed. Access denied'],
    token: true,
    title: 'A claim that required-claims checks has a value the policy does not allow',
    where: `${GATEWAY} The trace reads "Claim value mismatch: <claim>=..." (documentation: "Claim <name> value of <value> is not allowed. Access denied.").`,
    causes: [
      'required-claims checks aud in the form of the other token version (GUID for v2, api:// URI for v1).',
      'required-claims checks scp against a full scope URI (api://<appId>/Colors.Read) while the token carries the bare value (Colors.Read), or against a scope the authorization server does not request.',
      'A policy before validate-jwt in inbound (e.g. authentication-managed-identity) replaced the Authorization header.',
    ],
    rules: ['app-access-token-version', 'jwt-audience-matches-token-version', 'jwt-required-scope'],
    manual:
      'Check that no policy before validate-jwt in the effective inbound policy sets the Authorization header (set-header, authentication-managed-identity).',
  },
  {
    codes: ['TokenClaimNotFound'],
    messages: ['JWT token is missing the following claims'],
    token: true,
    title: 'The token lacks a claim that required-claims demands',
    where: `${GATEWAY} The message reads "JWT token is missing the following claims: <c1>, <c2>... Access denied."`,
    causes: [
      'scp is required but the token is app-only (client credentials: it carries roles), e.g. because the authorization server offers the client credentials grant.',
      'azp is required on v1 tokens (they carry appid) or appid on v2 tokens (they carry azp); roles is required but none is assigned.',
    ],
    rules: ['auth-server-grant-types', 'jwt-required-scope'],
    manual:
      "Check that every claim named in required-claims exists in tokens of the backend app's token version and grant.",
  },
  {
    codes: ['IDX10503', 'IDX10511', 'TokenSignatureInvalid'],
    messages: ['Signature validation failed. Keys tried'],
    token: true,
    title: 'The token signature does not verify with the keys validate-jwt has',
    where: `${GATEWAY} The trace reads "IDX10503" or "IDX10511: Signature validation failed. Keys tried: ..."; Reason TokenSignatureInvalid.`,
    causes: [
      'The token is a Microsoft Graph token (its header has a nonce; no one but Graph can validate it), because the authorization server defaultScope is missing or unqualified.',
      'openid-config points at another tenant, identity provider or B2C policy than the one that issued the token.',
      'Inline issuer-signing-keys (a pasted or symmetric key) replace the Entra keys from openid-config, or went stale after a key rollover.',
      'The backend app has custom signing keys (claims mapping): the metadata must be read with ?appid=<backend appId>.',
    ],
    rules: [
      'backend-scope-exposed',
      'jwt-audience-matches-token-version',
      'jwt-issuer-matches-token-version',
      'jwt-validation-strict',
      'policy-literal-secret',
    ],
    manual:
      "When the backend app uses custom signing keys (claims mapping), check that openid-config's URL ends in ?appid=<backend appId>.",
  },
  {
    codes: ['IDX10501', 'TokenSignatureKeyNotFound'],
    messages: ['Unable to match key'],
    title: "No key validate-jwt knows matches the token's key id (kid)",
    where: `${GATEWAY} The trace reads "IDX10501: Signature validation failed. Unable to match key: kid ..."; Reason TokenSignatureKeyNotFound.`,
    causes: [
      'openid-config belongs to another tenant than the backend app, so its keys are not the ones the token was signed with.',
      'Inline issuer-signing-keys replace openid-config, and Entra signed with a key they do not hold (Entra rotates its keys).',
      'The backend app has custom signing keys (claims mapping) and openid-config lacks ?appid=<backend appId>.',
    ],
    rules: ['jwt-issuer-matches-token-version', 'jwt-validation-strict'],
    manual:
      "When the backend app uses custom signing keys (claims mapping), check that openid-config's URL ends in ?appid=<backend appId>.",
  },
  {
    codes: ['IDX10223', 'TokenExpired'],
    messages: ['Lifetime validation failed', 'The token is expired'],
    token: true,
    title: 'The token has expired',
    where: `${GATEWAY} The trace reads "IDX10223: Lifetime validation failed. The token is expired. ValidTo: ... Current time: ..."; Reason TokenExpired.`,
    causes: [
      'The test console or client re-used a token after its lifetime, or the clocks disagree by more than the allowed skew.',
    ],
    rules: [],
    noRule:
      'An expired token is a run-time event, not a misconfiguration: rejecting it is validate-jwt working as it should (jwt-validation-strict makes sure the expiry check stays on).',
    manual:
      'Sign in again in the test console (or let the client refresh its token); if fresh tokens fail too, compare the gateway and client clocks and check that validate-jwt clock-skew is a few minutes at most.',
  },
  {
    codes: ['JwtInvalid', 'IDX10500'],
    messages: ['No security keys were provided'],
    title: 'The token could not be read or validated at all',
    where: `${GATEWAY} Reason JwtInvalid, with the message of the JWT library (e.g. IDX10500 "No security keys were provided").`,
    causes: [
      'The value is not a JWT: an opaque or encrypted token, or an ID token sent instead of an access token.',
      'validate-jwt has neither openid-config nor issuer-signing-keys.',
    ],
    rules: [],
    noRule:
      'Which token a client sends is a run-time matter, and the exact messages behind JwtInvalid are not documented well enough to tie them to a rule.',
    manual:
      'Decode the token the caller sends (it must be an access token with three dot-separated parts) and check that validate-jwt has an openid-config element.',
  },
  {
    codes: [],
    messages: ['Unable to authenticate due to internal error'],
    title: 'The developer portal got no token back from the sign-in popup',
    where: "An alert in the developer portal's test console after the sign-in popup closes.",
    causes: [
      'The callback failed: the redirect URI of the client app does not reach the portal, or redeeming the code at the API Management callback failed (an invalid or expired client secret, HTTP 500 at /signin-oauth/code/callback/{server name}).',
      'A browser extension posted its own messages to the portal window.',
    ],
    rules: ['client-redirect-uri-matches-portal', 'client-secret-expiry'],
    manual: 'Retry in a private window without extensions to rule out a browser extension.',
  },
  {
    codes: [],
    messages: ['Since the browser initiates the request, it requires Cross-Origin Resource Sharing'],
    title: 'The test console cannot call the API: CORS is not enabled for the portal',
    where:
      "The developer portal's test console, when the API call from the browser is refused by the CORS preflight.",
    causes: [
      'No cors policy covers the API for the portal origin (every portal host name), Authorization is not among its allowed headers, or cors is not the first policy in inbound (only cors runs on the preflight).',
    ],
    rules: [],
    noRule: 'No built-in rule checks the cors policy yet.',
    manual:
      'In the effective inbound policy of the API: a cors policy first (before validate-jwt) whose allowed-origins list every developer-portal host and whose allowed-headers include Authorization.',
  },
];
