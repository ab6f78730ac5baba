/**
 * Microsoft Entra ID (AADSTS) errors of the developer-portal test console's OAuth 2.0 flow: the sign-in popup
 * (/authorize) and the code redemption (/token). Written from the project's runtime-error research; `BE` is the
 * backend app registration (the API), `CL` the client app registration the authorization server signs in with.
 */
import type { RuntimeError } from './types';

const AUTHORIZE =
  'In the test-console sign-in popup of the developer portal, when the browser is sent to the /authorize endpoint; ' +
  'the portal wraps it as "An error has occurred while authorizing access via <server>: ... AADSTS...".';
const TOKEN =
  'After sign-in, when API Management redeems the authorization code at the token endpoint of the authorization ' +
  'server: the portal shows "An error has occurred while authorizing access via <server>" or "Unable to ' +
  'authenticate due to internal error."';
const AUTHORIZE_OR_TOKEN =
  'In the test-console sign-in popup (/authorize) or when the code is redeemed (/token); the developer portal ' +
  'wraps it as "An error has occurred while authorizing access via <server>: ...".';

export const ENTRA_ERRORS: readonly RuntimeError[] = [
  {
    codes: ['AADSTS50011'],
    messages: [
      'does not match the redirect URIs configured',
      'does not match the reply addresses configured',
    ],
    title: 'The redirect URI of the sign-in request is not registered on the client app',
    where: AUTHORIZE,
    causes: [
      'The portal callback {portal}/signin-oauth/code/callback/{server name} (or /code-pkce/ for PKCE) is missing from the client app registration: it was added to the backend app, only for the legacy portal, or only for the default host while the portal runs on a custom domain or is self-hosted.',
      'The registered URI differs in letter case (redirect URIs are case-sensitive; an authorization server name with capitals), by a trailing slash, or http instead of https.',
      'The authorization server clientId is not the appId of the client app that holds the callbacks.',
      'A wildcard or malformed redirect URI that never matches what the portal sends.',
    ],
    rules: ['client-redirect-uri-matches-portal', 'redirect-uri-safe', 'sources-consistent'],
  },
  {
    codes: ['AADSTS500113'],
    messages: ['No reply address is registered for the application'],
    title: 'The client app has no redirect URI at all',
    where: AUTHORIZE,
    causes: [
      'The client app registration has no Web redirect URI: the how-to says to leave it empty "for now" and the step was never finished, or the callback went to the backend app.',
    ],
    rules: ['client-redirect-uri-matches-portal'],
  },
  {
    codes: ['AADSTS900971'],
    messages: ['No reply address provided'],
    title: 'The sign-in request carries no redirect_uri and the app has no default',
    where:
      'At the /authorize endpoint. The developer portal always sends a redirect_uri, so this mostly comes from a custom client, not from the test console.',
    causes: [
      'A client that sends no redirect_uri, for an app registration without a redirect URI to fall back on.',
    ],
    rules: [],
    noRule:
      'The request, not the configuration, leaves the redirect URI out; the API Management test console always sends one.',
    manual:
      'Check that the client sending the request passes redirect_uri, and that the client app registration lists that URI under Web (or SPA) redirect URIs.',
  },
  {
    codes: ['AADSTS700016'],
    messages: ['was not found in the directory'],
    title: 'The authorization server clientId names no application in the tenant of its endpoints',
    where: AUTHORIZE,
    causes: [
      "The authorization server clientId is wrong: the backend app's appId, an object id, a secret id, or a typo.",
      'The tenant in the authorization and token endpoint URLs is not the tenant of the client app registration.',
    ],
    rules: ['auth-server-v2-endpoints'],
    manual:
      'Compare the authorization server clientId with the Application (client) ID of the client app, in the tenant named by the endpoints.',
  },
  {
    codes: ['AADSTS90002'],
    messages: ['InvalidTenantName'],
    title: 'The tenant in the authorization server endpoints does not exist',
    where: AUTHORIZE,
    causes: [
      'A typo or an invalid tenant id or domain in the authorizationEndpoint or tokenEndpoint of the authorization server.',
    ],
    rules: ['auth-server-v2-endpoints'],
  },
  {
    codes: ['AADSTS50194'],
    messages: [
      "isn't configured as a multitenant application",
      'is not configured as a multi-tenant application',
    ],
    title: 'The /common endpoint is used with a single-tenant client app',
    where: AUTHORIZE,
    causes: [
      'The authorization server endpoints use /common (or /organizations) while the client app registration signs in only its own tenant (signInAudience AzureADMyOrg).',
    ],
    rules: ['auth-server-v2-endpoints'],
  },
  {
    codes: ['AADSTS7000215'],
    messages: ['Invalid client secret provided'],
    title: 'The client secret the authorization server sends is not a valid secret of the client app',
    where: TOKEN,
    causes: [
      'The authorization server clientSecret holds the secret ID instead of its value, a deleted or rotated secret, or a secret of another app.',
      'The authorization server clientId is not the appId of the app the secret belongs to.',
    ],
    rules: ['client-secret-expiry'],
    manual:
      'The audit never reads secret values: compare the first characters of the authorization server clientSecret with the hint of a live secret of the client app (Certificates & secrets).',
  },
  {
    codes: ['AADSTS7000222'],
    messages: ['The provided client secret keys'],
    title: "The client app's secret used by the authorization server has expired",
    where: TOKEN,
    causes: [
      'The client secret behind the authorization server clientSecret passed its end date (passwordCredentials[].endDateTime).',
      'A new secret was planned (Terraform plan, manifest under review) but never applied to the tenant.',
    ],
    rules: ['client-secret-expiry', 'sources-consistent'],
  },
  {
    codes: ['AADSTS7000218'],
    messages: ["must contain the following parameter: 'client_assertion' or 'client_secret'"],
    title: 'The code is redeemed without a client secret for a confidential (Web) client',
    where: TOKEN,
    causes: [
      'The authorization server uses the authorization code grant (without PKCE) and its clientSecret is empty.',
    ],
    rules: ['client-secret-expiry'],
  },
  {
    codes: ['AADSTS700025'],
    messages: ["Client is public so neither 'client_assertion' nor 'client_secret' should be presented"],
    title: 'A secret is sent for a client app flagged as a public client',
    where: TOKEN,
    causes: [
      'The client app registration allows public client flows (isFallbackPublicClient, or a mobile and desktop platform) while the authorization server sends a client secret.',
    ],
    rules: [],
    noRule:
      'No built-in rule checks the public-client flag against the secret the authorization server sends.',
    manual:
      'In the client app registration, Authentication > Advanced settings: set "Allow public client flows" to No (isFallbackPublicClient false) when the authorization server has a client secret.',
  },
  {
    codes: ['AADSTS900144'],
    messages: ["must contain the following parameter: 'scope'"],
    title: 'The v2 sign-in request has no scope',
    where: AUTHORIZE,
    causes: ['The authorization server uses the v2 endpoints (/oauth2/v2.0/) and its defaultScope is empty.'],
    rules: ['backend-scope-exposed'],
  },
  {
    codes: ['AADSTS28003'],
    messages: ["scope can't be empty when requesting an access token"],
    title: 'The v2 code redemption has no scope',
    where: TOKEN,
    causes: [
      'The same root cause as AADSTS900144: v2 endpoints with an empty defaultScope on the authorization server.',
    ],
    rules: ['backend-scope-exposed'],
  },
  {
    codes: ['AADSTS650053'],
    messages: ["that doesn't exist on the resource"],
    title:
      'A scope is requested from Microsoft Graph because it is not qualified with the backend App ID URI',
    where: AUTHORIZE,
    causes: [
      'The authorization server defaultScope holds a bare scope name (Colors.Read, user_impersonation) without api://<backend appId>/ in front: Entra reads unqualified scopes as Microsoft Graph scopes.',
    ],
    rules: ['backend-scope-exposed'],
  },
  {
    codes: ['AADSTS70011'],
    messages: ["The provided value for the input parameter 'scope' isn't valid"],
    title: 'The requested scope is not valid',
    where: AUTHORIZE_OR_TOKEN,
    causes: [
      'The authorization server defaultScope is misspelled, names a scope the backend app does not expose or has disabled, separates scopes with commas instead of spaces, or misuses /.default.',
    ],
    rules: ['backend-scope-exposed'],
  },
  {
    codes: ['AADSTS28000', 'AADSTS700022'],
    messages: ['contains more than one resource'],
    title: 'The requested scopes belong to more than one API',
    where:
      'At /authorize (AADSTS700022) or at the code redemption (AADSTS28000); the developer portal wraps it as "An error has occurred while authorizing access via <server>: ...".',
    causes: [
      'The authorization server defaultScope mixes the backend scope with a Microsoft Graph scope (User.Read) or with the scope of a second API; only the OpenID scopes may go along.',
    ],
    rules: ['backend-scope-exposed'],
  },
  {
    codes: ['AADSTS500011'],
    messages: ['The resource principal named'],
    title: 'The API named in the scope or resource does not exist in the tenant',
    where: AUTHORIZE_OR_TOKEN,
    causes: [
      'The defaultScope (or the v1 resource parameter) uses api://<appId>, but the backend app never set that Application ID URI under Expose an API, uses another (custom) URI, or there is a typo.',
      'The backend app is registered in another tenant, so it has no service principal in the tenant of the endpoints.',
    ],
    rules: ['backend-scope-exposed'],
    manual:
      'Check that the backend app has a service principal (Enterprise applications) in the tenant the authorization server endpoints name.',
  },
  {
    codes: ['AADSTS500013'],
    messages: ['Resource identifier is not provided'],
    title: 'The v1 sign-in request names no resource',
    where: AUTHORIZE_OR_TOKEN,
    causes: [
      'The authorization server uses the v1 endpoints (/oauth2/authorize, /oauth2/token) without a resource token body parameter naming the backend app.',
    ],
    rules: ['auth-server-v2-endpoints'],
  },
  {
    codes: ['AADSTS50001'],
    messages: ['InvalidResource'],
    title: 'The v1 resource parameter names a resource that is disabled or does not exist',
    where: AUTHORIZE_OR_TOKEN,
    causes: [
      'The authorization server uses the v1 endpoints and its resource token body parameter holds neither the backend appId nor one of its identifier URIs.',
    ],
    rules: ['auth-server-v2-endpoints'],
  },
  {
    codes: ['AADSTS901002', 'AADSTS90100'],
    messages: [
      "The 'resource' request parameter isn't supported",
      "The 'resource' request parameter is not supported",
    ],
    title: 'A v1 resource parameter is sent to the v2 endpoints',
    where: AUTHORIZE_OR_TOKEN,
    causes: [
      'The authorization server uses the v2 endpoints but still has the resource token body parameter of the v1 instructions.',
    ],
    rules: ['auth-server-v2-endpoints'],
  },
  {
    codes: ['AADSTS65001'],
    messages: ["hasn't consented to use the application", 'has not consented to use the application'],
    title: 'Nobody consented to the client app using the backend scope',
    where: AUTHORIZE_OR_TOKEN,
    causes: [
      "The client app registration has no delegated permission on the backend app's scope (requiredResourceAccess), and user consent is blocked or was not given; admin consent was not granted.",
    ],
    rules: ['client-api-permission'],
    manual:
      'When user consent is disabled in the tenant, check that an administrator granted consent (API permissions > Grant admin consent).',
  },
  {
    codes: ['AADSTS90094'],
    messages: ['AdminConsentRequired', 'Need admin approval'],
    title: 'The scope needs an administrator\'s consent, which was not given ("Need admin approval")',
    where: AUTHORIZE,
    causes: [
      'The backend scope is set to "Admins only" (type Admin) and no administrator consented for the client app.',
    ],
    rules: ['client-api-permission'],
    manual:
      'Check that admin consent was granted for the client app (API permissions > Grant admin consent).',
  },
  {
    codes: ['AADSTS65005', 'AADSTS650057'],
    messages: ["isn't listed in the requested permissions", 'is not listed in the requested permissions'],
    title: "The requested API is not among the client app's requested permissions",
    where: AUTHORIZE,
    causes: [
      "The API in the request (the v2 scope prefix or the v1 resource) is not in the client app registration's requiredResourceAccess (API permissions), where static permissions are enforced.",
    ],
    rules: ['client-api-permission'],
  },
  {
    codes: ['AADSTS90009'],
    messages: ['is requesting a token for itself'],
    title: 'One app registration is both the client and the backend, addressed by its api:// URI',
    where: TOKEN,
    causes: [
      'The authorization server clientId is the backend appId (one app registration for both sides) while the scope or resource uses its api:// URI.',
    ],
    rules: ['backend-scope-exposed'],
  },
  {
    codes: ['AADSTS50146'],
    messages: ['required to be configured with an application-specific signing key'],
    title: 'The backend app has a claims-mapping policy but no application-specific signing key',
    where: TOKEN,
    causes: [
      "A claims-mapping policy is assigned to the backend app's service principal without acceptMappedClaims true (or a custom signing key) on the backend app registration.",
    ],
    rules: [],
    noRule:
      'Claims-mapping policies are assigned to service principals, which no source of this tool reads, so no rule can see them.',
    manual:
      "Check the backend service principal's claims-mapping policies (Graph: GET /servicePrincipals/{id}/claimsMappingPolicies); with one assigned, set api.acceptMappedClaims true on the backend app or add a custom signing key, and then point validate-jwt's openid-config at the metadata with ?appid=<backend appId>.",
  },
  {
    codes: ['AADSTS9002326'],
    messages: ['Cross-origin token redemption is permitted only for the'],
    title: 'The PKCE callback is registered under Web instead of Single-page application',
    where:
      "When the developer portal's JavaScript redeems the code at the token endpoint from the browser (grant Authorization code + PKCE); the browser console may also show the token request blocked by CORS.",
    causes: [
      'The authorization server uses Authorization code + PKCE, and {portal}/signin-oauth/code-pkce/callback/{server name} is registered on the client app under Web, not under Single-page application.',
    ],
    rules: ['client-redirect-uri-matches-portal'],
  },
  {
    codes: ['AADSTS9002327'],
    messages: ['may only be redeemed via cross-origin requests'],
    title: 'The callback of the plain authorization-code grant is registered only as Single-page application',
    where: TOKEN,
    causes: [
      'The authorization server uses the authorization code grant (API Management redeems the code with the secret, server side), but the callback is registered on the client app only under Single-page application.',
    ],
    rules: ['client-redirect-uri-matches-portal'],
  },
  {
    codes: ['AADSTS9002325'],
    messages: ['Proof Key for Code Exchange is required for cross-origin authorization code redemption'],
    title: 'A Single-page-application redirect is used by a request without PKCE',
    where: TOKEN,
    causes: [
      "The redirect URI is registered under Single-page application while the authorization server's grant does not use PKCE: the grant type and the redirect platform disagree.",
    ],
    rules: ['client-redirect-uri-matches-portal'],
  },
  {
    codes: ['AADSTS700051', 'AADSTS70005'],
    messages: ["response_type 'token' is not enabled for the application", 'unsupported_response_type'],
    title: 'The implicit grant asks for an access token the client app does not issue',
    where: AUTHORIZE,
    causes: [
      'The authorization server uses the implicit grant, and the client app has access-token issuance for the implicit flow off (Authentication > Access tokens).',
    ],
    rules: ['auth-server-grant-types', 'implicit-grant-disabled'],
  },
  {
    codes: ['AADSTS700054'],
    messages: ["response_type 'id_token' is not enabled for the application"],
    title: 'The implicit grant asks for an ID token the client app does not issue',
    where: AUTHORIZE,
    causes: [
      'The authorization server uses the implicit grant with the openid scope, and the client app has ID-token issuance for the implicit flow off (Authentication > ID tokens).',
    ],
    rules: ['implicit-grant-disabled'],
  },
  {
    codes: ['AADSTS50076'],
    messages: ['you must use multi-factor authentication'],
    title: 'Multi-factor authentication is required',
    where: AUTHORIZE_OR_TOKEN,
    causes: [
      'The authorization server uses the resource owner password grant, which cannot do MFA, against a tenant that requires it.',
      'Otherwise a tenant or user policy (Conditional Access), not a setting of this setup.',
    ],
    rules: ['auth-server-grant-types'],
    manual:
      'With the authorization code grant, this is tenant policy: check the Conditional Access policies that apply to the user and the client app.',
  },
  {
    codes: ['AADSTS50079'],
    messages: ['required to enroll in multi-factor authentication'],
    title: 'The user must register for multi-factor authentication',
    where: AUTHORIZE_OR_TOKEN,
    causes: [
      'The authorization server uses the resource owner password grant, which cannot do the MFA registration the tenant requires.',
      'Otherwise a tenant or user policy, not a setting of this setup.',
    ],
    rules: ['auth-server-grant-types'],
    manual: 'With the authorization code grant, this is tenant policy: the user registers for MFA.',
  },
  {
    codes: ['AADSTS53003'],
    messages: ['blocked by Conditional Access'],
    title: 'Conditional Access blocked the sign-in',
    where: AUTHORIZE_OR_TOKEN,
    causes: [
      'The authorization server uses the resource owner password grant against a tenant whose Conditional Access policies it cannot satisfy.',
      'Otherwise a Conditional Access policy on the user or the client app, not a setting of this setup.',
    ],
    rules: ['auth-server-grant-types'],
    manual:
      "With the authorization code grant, this is tenant policy: read the sign-in log entry's Conditional Access tab.",
  },
  {
    codes: ['AADSTS50020'],
    messages: ['does not exist in tenant'],
    title: 'The signed-in user is not in the tenant of the endpoints',
    where: AUTHORIZE,
    causes: ['A user of another tenant (or a personal account) signs in to a single-tenant client app.'],
    rules: [],
    noRule:
      'Who signs in is a tenant and user matter, not part of the API Management / Entra wiring this tool reads.',
    manual:
      'Invite the user as a guest, or sign in with an account of the tenant the authorization server endpoints name.',
  },
  {
    codes: ['AADSTS50034'],
    messages: ['UserAccountNotFound'],
    title: 'The user account does not exist in the tenant',
    where: AUTHORIZE,
    causes: ['The account typed at sign-in is not in the directory.'],
    rules: [],
    noRule: 'Which accounts exist is tenant data, not part of the configuration this tool reads.',
    manual:
      'Check the user name, and that the account exists in the tenant the authorization server endpoints name.',
  },
];
