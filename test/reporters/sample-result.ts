/**
 * Hand-built audit results for the reporter tests: findings across two files (one path with a space), a
 * suppressed finding, a finding with a file but no line, not-evaluated records as the engine groups them (a whole
 * rule, two servers for one reason, ten apps for one reason, one app), a crash, a source gap, an expired
 * suppression, and rules with and without docs and security severity (one of them `off`). The findings are written
 * out of order; `fullResult` puts every list in the engine's report order (src/engine/order.ts), as an audit does.
 */
import { inReportOrder } from '../../src/engine/order';
import type { AuditResult, Finding, RuleDescriptor } from '../../src/engine/types';
import type { ReporterOptions, RuleDoc } from '../../reporters';

export const SNAPSHOT = 'examples/contoso/snapshot.json';
export const MANIFEST = 'tenant exports/app manifest.json';
export const LEGACY = 'tenant exports/legacy.json';
export const BASE_DIR = '/home/runner/work/contoso-apim';

const SERVICE_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-apim/providers/Microsoft.ApiManagement/service/contoso-apim';
export const AUTH_SERVER_ID = `${SERVICE_ID}/authorizationServers/entra-auth`;

const REPO = 'https://github.com/apim-oauth-audit/apim-oauth-audit/blob/main/rules';

const V2_DOCS = `# Authorization servers use the Entra v2 endpoints

## Why

APIM authorization servers that point at the **v1** endpoints (\`/oauth2/authorize\`, \`/oauth2/token\`) get v1
tokens. See [the v2 endpoints](https://learn.microsoft.com/entra/identity-platform/v2-overview).

## Remediation

\`\`\`bash
az apim update --name contoso-apim
\`\`\`
`;

const REDIRECT_DOCS = `# Redirect URIs are safe

## Why

A redirect URI with a wildcard or plain *http* lets an attacker receive the authorization code.
`;

const SECRET_DOCS = `# Client app registrations have a valid, short-lived client secret

## Why

Password credentials expire, and nothing in APIM warns you.
`;

/** Rule docs as the registry loads them; they reach the reporters as context (`ReporterOptions.ruleDocs`). */
export const DOCS: Readonly<Record<string, RuleDoc>> = {
  'redirect-uri-safe': { docs: REDIRECT_DOCS, helpUri: `${REPO}/redirect-uri-safe.md` },
  'auth-server-v2-endpoints': { docs: V2_DOCS, helpUri: `${REPO}/auth-server-v2-endpoints.md` },
  // A repository-relative path: not an absolute URI, so SARIF must leave helpUri out.
  'client-secret-expiry': { docs: SECRET_DOCS, helpUri: 'rules/client-secret-expiry.md' },
};

export const OPTIONS: ReporterOptions = {
  color: false,
  baseDir: BASE_DIR,
  toolVersion: '1.2.3',
  ruleDocs: DOCS,
};

export const RULES: RuleDescriptor[] = [
  {
    id: 'redirect-uri-safe',
    meta: {
      title: 'Redirect URIs are safe',
      severity: 'error',
      tags: ['security', 'entra'],
      securitySeverity: 7.5,
      requires: ['entra'],
    },
    level: 'error',
  },
  {
    id: 'auth-server-v2-endpoints',
    meta: {
      title: 'Authorization servers use the Entra v2 endpoints',
      severity: 'error',
      tags: ['apim', 'entra', 'authorization-server'],
      requires: ['apim'],
    },
    level: 'error',
  },
  {
    id: 'client-secret-expiry',
    meta: {
      title: 'Client app registrations have a valid, short-lived client secret',
      severity: 'error',
      tags: ['entra', 'credentials', 'security'],
      securitySeverity: 4,
      requires: ['entra', 'apim'],
    },
    level: 'warning',
  },
  {
    id: 'app-access-token-version',
    meta: {
      title: 'Backend apps issue v2 access tokens',
      severity: 'warning',
      tags: ['entra', 'tokens'],
      requires: ['entra'],
    },
    level: 'note',
  },
  {
    id: 'implicit-grant-disabled',
    meta: {
      title: 'Implicit grant is disabled',
      severity: 'warning',
      tags: ['security', 'entra'],
      securitySeverity: 5,
      requires: ['entra'],
    },
    level: 'off',
  },
  {
    id: 'backend-scope-exposed',
    meta: {
      title: 'The backend app exposes the default scope',
      severity: 'error',
      tags: ['entra', 'apim', 'scope'],
      requires: ['entra', 'apim'],
    },
    level: 'error',
  },
  {
    id: 'client-api-permission',
    meta: {
      title: 'The client app is granted the backend scope',
      severity: 'error',
      tags: ['entra'],
      requires: ['entra', 'apim'],
    },
    level: 'error',
  },
  {
    id: 'api-oauth-enabled',
    meta: {
      title: 'APIs declare their authorization server',
      severity: 'warning',
      tags: ['apim', 'portal', 'security'],
      securitySeverity: 5,
      requires: ['apim'],
    },
    level: 'warning',
  },
];

const authServer = { kind: 'authorizationServer', id: AUTH_SERVER_ID, name: 'entra-auth' } as const;
const portalApp = {
  kind: 'application',
  id: '22222222-2222-2222-2222-222222222222',
  name: 'Contoso Portal',
} as const;
const backendApp = {
  kind: 'application',
  id: '11111111-1111-1111-1111-111111111111',
  name: 'Contoso Backend API',
} as const;
const legacyApp = {
  kind: 'application',
  id: '33333333-3333-3333-3333-333333333333',
  name: 'Legacy Client',
} as const;

function finding(
  ruleId: string,
  severity: Finding['severity'],
  resource: Finding['resource'],
  fullyQualifiedName: string,
  location: Finding['location'],
  message: string,
  fingerprint: string,
  explanation: Pick<Finding, 'detail' | 'fix'> = {},
): Finding {
  return {
    ruleId,
    severity,
    message,
    ...explanation,
    resource,
    location,
    logicalLocation: { fullyQualifiedName, kind: resource.kind, name: resource.name },
    fingerprint,
  };
}

export const FINDINGS: Finding[] = [
  finding(
    'redirect-uri-safe',
    'error',
    portalApp,
    '/applications/aaaaaaaa-0000-0000-0000-000000000002',
    { file: MANIFEST, line: 14, column: 7 },
    "App 'Contoso Portal' has redirect URI http://portal.contoso.com/signin; use https.",
    'f0000000000000000000000000000003',
    {
      detail:
        'Entra accepts http only for localhost: the authorization code would cross the network in clear text, and sign-in from the https portal fails with AADSTS50011 (the redirect URI does not match).',
      fix: {
        text: `Use https. In ${MANIFEST}, set "replyUrlsWithType[0].url" to "https://portal.contoso.com/signin".`,
        edit: {
          kind: 'json',
          file: MANIFEST,
          path: ['replyUrlsWithType', 0, 'url'],
          value: 'https://portal.contoso.com/signin',
        },
      },
    },
  ),
  finding(
    'auth-server-v2-endpoints',
    'error',
    authServer,
    AUTH_SERVER_ID,
    { file: SNAPSHOT, line: 120, column: 9 },
    "Authorization server 'entra-auth' uses the v1 token endpoint https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/token; use .../oauth2/v2.0/token.",
    'f0000000000000000000000000000001',
    {
      detail:
        "The v1 endpoint ignores the scope and issues a token for a resource: validate-jwt rejects it with 401 'Invalid JWT.' (IDX10214: Audience validation failed).",
      fix: {
        text: `Use the v2 token endpoint. In ${SNAPSHOT}, set "resources[3].properties.tokenEndpoint" to "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token".`,
        edit: {
          kind: 'json',
          file: SNAPSHOT,
          path: ['resources', 3, 'properties', 'tokenEndpoint'],
          value: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
        },
      },
    },
  ),
  finding(
    'app-access-token-version',
    'note',
    backendApp,
    '/applications/aaaaaaaa-0000-0000-0000-000000000001',
    { file: SNAPSHOT, line: 12, column: 5 },
    "App 'Contoso Backend API' issues v1 access tokens (requestedAccessTokenVersion null); set it to 2.",
    'f0000000000000000000000000000004',
    {
      detail:
        'v1 access tokens carry the issuer https://sts.windows.net/<tenant>/, which a validate-jwt reading the v2 OpenID configuration rejects: IDX10205: Issuer validation failed.',
      fix: {
        text: `Request v2 tokens. In ${SNAPSHOT}, set "applications[0].api.requestedAccessTokenVersion" to 2.`,
      },
    },
  ),
  {
    ...finding(
      'client-secret-expiry',
      'warning',
      portalApp,
      '/applications/aaaaaaaa-0000-0000-0000-000000000002',
      { file: MANIFEST, line: 30, column: 7 },
      "App 'Contoso Portal' secret 'apim' expires in 12 days (2026-12-07).",
      'f0000000000000000000000000000005',
      {
        detail:
          'After that date the token request fails with AADSTS7000222 (the client secret keys are expired).',
        fix: {
          text: "Add a new client secret to the app and put it in the authorization server's clientSecret; the tool cannot create it.",
        },
      },
    ),
    suppressed: { justification: 'Rotated by the release pipeline', expires: '2027-06-30' },
  },
  finding(
    'auth-server-v2-endpoints',
    'error',
    authServer,
    AUTH_SERVER_ID,
    { file: SNAPSHOT, line: 118, column: 9 },
    "Authorization server 'entra-auth' uses the v1 authorization endpoint https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/authorize; use .../oauth2/v2.0/authorize.",
    'f0000000000000000000000000000002',
  ),
  finding(
    'redirect-uri-safe',
    'error',
    legacyApp,
    '/applications/aaaaaaaa-0000-0000-0000-000000000003',
    { file: LEGACY },
    "App 'Legacy Client' has redirect URI https://*.contoso.com/callback with a wildcard; list each host.",
    'f0000000000000000000000000000006',
    {
      detail: 'Any subdomain, including a taken-over one, would receive the authorization code.',
      fix: { text: 'Replace the wildcard by each host the portal is served from.' },
    },
  ),
];

export function fullResult(): AuditResult {
  return inReportOrder({
    findings: structuredClone(FINDINGS),
    notEvaluated: [
      {
        ruleId: 'client-api-permission',
        reason: "the client app '44444444-4444-4444-4444-444444444444' is not among the applications given",
        kind: 'authorizationServer',
        resources: [
          authServer,
          {
            kind: 'authorizationServer',
            id: `${SERVICE_ID}/authorizationServers/partner-auth`,
            name: 'partner-auth',
          },
        ],
      },
      {
        ruleId: 'backend-scope-exposed',
        reason: 'needs Entra app registrations; no source provided it',
        resources: [],
      },
      {
        ruleId: 'redirect-uri-safe',
        reason:
          'Not fully evaluated: the redirect URIs hold placeholders that the release pipeline substitutes (token replacement).',
        kind: 'application',
        resources: Array.from({ length: 10 }, (_, i) => ({
          kind: 'application' as const,
          id: `/applications/a${i}`,
          name: `team-app-${i}`,
        })),
      },
      {
        ruleId: 'redirect-uri-safe',
        reason: 'Not fully evaluated: web/redirectUris of application ... is not determined.',
        kind: 'application',
        resources: [portalApp],
      },
    ],
    crashes: [
      {
        ruleId: 'api-oauth-enabled',
        message: "Cannot read properties of undefined (reading 'length')",
        stack: 'Error: at /tmp/x.js:1:1',
      },
    ],
    gaps: [
      {
        source: 'apiops:apim-artifacts',
        what: 'policy of api colors-api',
        reason: 'apis/colors-api/policy.xml is not valid XML',
      },
    ],
    expiredSuppressions: [
      {
        rule: 'client-secret-expiry',
        resource: 'application:Legacy Client',
        justification: 'Migration pending',
        expires: '2026-01-31',
      },
    ],
    rules: structuredClone(RULES),
    complete: false,
    summary: {
      error: 4,
      warning: 0,
      note: 1,
      suppressed: 1,
      notEvaluated: 4,
      rulesNotEvaluated: {
        notRun: ['backend-scope-exposed'],
        partly: ['client-api-permission', 'redirect-uri-safe'],
        security: ['redirect-uri-safe'],
      },
      crashed: 1,
      gaps: 1,
    },
    sources: [SNAPSHOT, MANIFEST, LEGACY],
    configuration: {
      file: '.auditrc.json',
      failOn: 'none',
      suppressions: {
        count: 3,
        wildcard: [
          {
            rule: '*',
            resource: 'application:Legacy*',
            justification: 'Legacy apps retire in Q1',
            expires: '2026-03-31',
          },
        ],
      },
      rulesOff: ['implicit-grant-disabled'],
      lowered: [{ ruleId: 'api-https-only', from: 'error', to: 'warning' }],
    },
  });
}

/** A clean, complete audit of one file with every rule evaluated. */
export function cleanResult(): AuditResult {
  return {
    findings: [],
    notEvaluated: [],
    crashes: [],
    gaps: [],
    expiredSuppressions: [],
    rules: structuredClone(RULES).filter((r) => r.level !== 'off'),
    complete: true,
    summary: {
      error: 0,
      warning: 0,
      note: 0,
      suppressed: 0,
      notEvaluated: 0,
      rulesNotEvaluated: { notRun: [], partly: [], security: [] },
      crashed: 0,
      gaps: 0,
    },
    sources: ['examples/contoso-fixed/snapshot.json'],
  };
}

/** The same result with every list reversed: reports keep the order they are given (the engine decides it). */
export function reversed(result: AuditResult): AuditResult {
  return {
    ...result,
    findings: [...result.findings].reverse(),
    notEvaluated: [...result.notEvaluated].reverse(),
    crashes: [...result.crashes].reverse(),
    gaps: [...result.gaps].reverse(),
    expiredSuppressions: [...result.expiredSuppressions].reverse(),
    rules: [...result.rules].reverse(),
    sources: [...result.sources].reverse(),
  };
}

const BACKEND_OBJECT_ID = 'aaaaaaaa-0000-0000-0000-000000000001';
const V2_TOKEN_ENDPOINT = 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token';
export const POLICY = 'apimartifacts/apis/reports-api/policy.xml';

/**
 * Findings of a live audit (no file: grouped under their Azure resource id / Graph object, each fix with the
 * command that makes the change) and one in a policy file whose message does not name its resource (the API).
 */
export const LIVE_FINDINGS: Finding[] = [
  finding(
    'app-access-token-version',
    'note',
    backendApp,
    `/applications/${BACKEND_OBJECT_ID}`,
    {},
    "App 'Contoso Backend API' issues v1 access tokens (requestedAccessTokenVersion null); set it to 2.",
    'f1000000000000000000000000000001',
    {
      detail:
        'v1 access tokens carry the issuer https://sts.windows.net/<tenant>/, which a validate-jwt reading the v2 OpenID configuration rejects: IDX10205: Issuer validation failed.',
      fix: {
        text: "Request v2 tokens. In the portal: Entra admin center > App registrations > 'Contoso Backend API' > Manifest.",
        command: `az ad app update --id ${BACKEND_OBJECT_ID} --set api.requestedAccessTokenVersion='2'`,
      },
    },
  ),
  finding(
    'auth-server-v2-endpoints',
    'error',
    authServer,
    AUTH_SERVER_ID,
    {},
    "Authorization server 'entra-auth' uses the v1 token endpoint https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/token; use .../oauth2/v2.0/token.",
    'f1000000000000000000000000000002',
    {
      detail:
        "The v1 endpoint ignores the scope and issues a token for a resource: validate-jwt rejects it with 401 'Invalid JWT.' (IDX10214: Audience validation failed).",
      fix: {
        text: "Use the v2 token endpoint. In the portal: Azure portal > API Management > Developer portal > OAuth 2.0 + OpenID Connect > 'entra-auth'.",
        command: `az rest --method patch --uri 'https://management.azure.com${AUTH_SERVER_ID}?api-version=2022-08-01' --headers If-Match=* --body '{"properties":{"tokenEndpoint":"${V2_TOKEN_ENDPOINT}"}}'`,
      },
    },
  ),
  finding(
    'jwt-audience-matches-token-version',
    'error',
    { kind: 'api', id: `${SERVICE_ID}/apis/reports-api`, name: 'reports-api' },
    `${SERVICE_ID}/apis/reports-api`,
    { file: POLICY, line: 7, column: 6 },
    "validate-jwt accepts the audience 'https://graph.microsoft.com': tokens minted for Microsoft Graph pass.",
    'f1000000000000000000000000000003',
    {
      detail:
        'Any app in the tenant can get a Microsoft Graph token for a signed-in user and call this API with it.',
      fix: {
        text: `Accept the backend app's id instead. In ${POLICY}:7:6, replace the audience by 'api://contoso-reports'.`,
        edit: { kind: 'text', file: POLICY, start: 212, end: 239, text: 'api://contoso-reports' },
      },
    },
  ),
];

/** A complete audit with LIVE_FINDINGS: two sources, live Graph/ARM data and an APIOps folder. */
export function liveResult(): AuditResult {
  const clean = cleanResult();
  return {
    ...clean,
    findings: structuredClone(LIVE_FINDINGS),
    summary: { ...clean.summary, error: 2, note: 1 },
    sources: ['apiops:apimartifacts', 'azure', 'graph'],
  };
}
