import rule from '../../rules/auth-server-v2-endpoints';
import { RuleTester } from '../../src';
import {
  AT,
  BACKEND_APP_ID,
  sampleInput,
  TEST_NOW,
  TENANT_ID,
  onlyNotEvaluated,
  runnerFor,
  violations,
  type Overlay,
} from '../helpers/sample';
import { setFix, textFix } from '../helpers/fixes';

const OTHER_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const LOGIN = 'https://login.microsoftonline.com';

function endpoints(authorizationEndpoint: string | null, tokenEndpoint: string | null): Overlay {
  return { authorizationServer: { properties: { authorizationEndpoint, tokenEndpoint } } };
}

const run = runnerFor(rule);

const AUTHORIZE = `${AT.authorizationServer}/properties/authorizationEndpoint`;
const TOKEN = `${AT.authorizationServer}/properties/tokenEndpoint`;
const V2_AUTHORIZE = `${LOGIN}/${TENANT_ID}/oauth2/v2.0/authorize`;
const V2_TOKEN = `${LOGIN}/${TENANT_ID}/oauth2/v2.0/token`;
const V1 = endpoints(`${LOGIN}/${TENANT_ID}/oauth2/authorize`, `${LOGIN}/${TENANT_ID}/oauth2/token`);
const RESOURCE: Overlay = {
  authorizationServer: { properties: { tokenBodyParameters: [{ name: 'resource', value: BACKEND_APP_ID }] } },
};
const COMMON = endpoints(`${LOGIN}/common/oauth2/v2.0/authorize`, `${LOGIN}/common/oauth2/v2.0/token`);
const ORGANIZATIONS_UNKNOWN_APPS = mergeOverlay(
  endpoints(`${LOGIN}/organizations/oauth2/v2.0/authorize`, `${LOGIN}/organizations/oauth2/v2.0/token`),
  {
    authorizationServer: {
      properties: { clientId: '00000000-0000-0000-0000-000000000001', defaultScope: 'api://unknown/Read' },
    },
  },
);

new RuleTester({ now: TEST_NOW }).run(rule, {
  valid: [
    { name: 'the fixed sample', input: sampleInput() },
    ...[
      ['US Gov host', 'https://login.microsoftonline.us'],
      ['China host', 'https://login.partner.microsoftonline.cn'],
      ['external tenant host', 'https://contoso.ciamlogin.com'],
    ].map(([name, host]) => ({
      name: `the ${name}`,
      input: sampleInput(
        endpoints(`${host}/${TENANT_ID}/oauth2/v2.0/authorize`, `${host}/${TENANT_ID}/oauth2/v2.0/token`),
      ),
    })),
    {
      name: 'a domain tenant and a trailing slash',
      input: sampleInput(
        endpoints(
          `${LOGIN}/contoso.onmicrosoft.com/oauth2/v2.0/authorize/`,
          `${LOGIN}/contoso.onmicrosoft.com/oauth2/v2.0/token`,
        ),
      ),
    },
    {
      name: 'common when the apps are multi-tenant',
      input: sampleInput({
        ...COMMON,
        backendApp: { signInAudience: 'AzureADMultipleOrgs' },
        clientApp: { signInAudience: 'AzureADMultipleOrgs' },
      }),
    },
    {
      name: 'tenants not compared when the audited tenant is unknown',
      input: sampleInput({
        snapshot: { tenantId: null },
        ...endpoints(
          `${LOGIN}/${OTHER_TENANT}/oauth2/v2.0/authorize`,
          `${LOGIN}/${OTHER_TENANT}/oauth2/v2.0/token`,
        ),
      }),
    },
  ],
  invalid: [
    {
      name: 'v1 endpoints, both, and the missing resource parameter (AADSTS500013)',
      input: sampleInput(V1),
      errors: [
        {
          path: AUTHORIZE,
          severity: 'error',
          message: /uses the v1 authorization endpoint/,
          fix: setFix(
            `Set the authorization endpoint to ${V2_AUTHORIZE}, and name the API in the default scope (api://<backend-appId>/<scope>) instead of a resource parameter.`,
            AUTHORIZE,
            V2_AUTHORIZE,
          ),
        },
        {
          path: TOKEN,
          severity: 'error',
          resource: 'colors-oauth',
          // The full expected URL does not fit in the message: the fix names it.
          message: `Authorization server 'colors-oauth' uses the v1 token endpoint ${LOGIN}/${TENANT_ID}/oauth2/token; expected .../oauth2/v2.0/token.`,
          detail:
            /IDX10205 or IDX10214\)\. Without a resource token body parameter the v1 endpoints fail at once with AADSTS500013/,
          fix: setFix(
            `Set the token endpoint to ${V2_TOKEN}, and name the API in the default scope (api://<backend-appId>/<scope>) instead of a resource parameter.`,
            TOKEN,
            V2_TOKEN,
          ),
        },
      ],
    },
    {
      name: 'v1 endpoints with the resource parameter: no AADSTS500013',
      input: sampleInput(mergeOverlay(V1, RESOURCE)),
      errors: [
        { path: AUTHORIZE, message: /expected \.\.\.\/oauth2\/v2\.0\/authorize\.$/ },
        { path: TOKEN, detail: /^(?!.*AADSTS500013)/ },
      ],
    },
    {
      name: 'a missing token endpoint, with the expected URL',
      input: sampleInput(endpoints(V2_AUTHORIZE, null)),
      errors: [
        {
          path: AT.authorizationServer + '/properties',
          message: `Authorization server 'colors-oauth' has no token endpoint; expected ${V2_TOKEN}.`,
          detail: /APIM redeems the authorization code at the token endpoint/,
          fix: setFix(`Set the token endpoint to ${V2_TOKEN}.`, TOKEN, V2_TOKEN),
        },
      ],
    },
    {
      name: 'an endpoint that is not a URL',
      input: sampleInput(endpoints(V2_AUTHORIZE, 'oauth2/v2.0/token')),
      errors: [
        {
          path: TOKEN,
          message: /'oauth2\/v2\.0\/token', which is not a URL/,
          fix: setFix(`Set the token endpoint to ${V2_TOKEN}.`, TOKEN, V2_TOKEN),
        },
      ],
    },
    {
      name: 'http',
      input: sampleInput(
        endpoints(`http://login.microsoftonline.com/${TENANT_ID}/oauth2/v2.0/authorize`, V2_TOKEN),
      ),
      errors: [
        {
          path: AUTHORIZE,
          message: `Authorization server 'colors-oauth' uses the authorization endpoint http://login.microsoftonline.com/${TENANT_ID}/oauth2/v2.0/authorize without https; expected https.`,
          detail: /over https only/,
          fix: setFix(`Set the authorization endpoint to ${V2_AUTHORIZE}.`, AUTHORIZE, V2_AUTHORIZE),
        },
      ],
    },
    {
      name: 'a non-Entra host next to an Entra endpoint',
      input: sampleInput(endpoints(V2_AUTHORIZE, 'https://auth.contoso.com/oauth2/v2.0/token')),
      errors: [
        {
          path: TOKEN,
          message:
            "Authorization server 'colors-oauth' has the token endpoint https://auth.contoso.com/oauth2/v2.0/token, not on a Microsoft Entra login host; expected .../oauth2/v2.0/token.",
          detail: /a code is redeemed only where it was issued/,
          fix: setFix(`Set the token endpoint to ${V2_TOKEN}.`, TOKEN, V2_TOKEN),
        },
      ],
    },
    ...[
      ['swapped endpoints', V2_AUTHORIZE],
      ['no tenant segment', `${LOGIN}/oauth2/v2.0/token`],
      ['an OIDC metadata URL', `${LOGIN}/${TENANT_ID}/v2.0/.well-known/openid-configuration`],
    ].map(([name, token]) => ({
      name: `a token endpoint that is not a v2 token endpoint: ${name}`,
      input: sampleInput(endpoints(V2_AUTHORIZE, token!)),
      errors: [
        {
          path: TOKEN,
          message: /, not an Entra v2 token endpoint; expected /,
          fix: setFix(`Set the token endpoint to ${V2_TOKEN}.`, TOKEN, V2_TOKEN),
        },
      ],
    })),
    {
      name: 'different hosts for the two endpoints',
      input: sampleInput(
        endpoints(V2_AUTHORIZE, `https://login.microsoftonline.us/${TENANT_ID}/oauth2/v2.0/token`),
      ),
      errors: [
        {
          path: TOKEN,
          message:
            "Authorization server 'colors-oauth' has its token endpoint on login.microsoftonline.us but its authorization endpoint on login.microsoftonline.com; expected one host.",
          detail: /redeemed only where it was issued.*invalid_grant/,
          // Which host is meant is not known: described, not applied.
          fix: textFix('Use the same Entra login host (the cloud of the tenant) in both endpoints.'),
        },
      ],
    },
    {
      name: 'different tenants for the two endpoints',
      input: sampleInput(endpoints(V2_AUTHORIZE, `${LOGIN}/contoso.onmicrosoft.com/oauth2/v2.0/token`)),
      errors: [
        {
          path: TOKEN,
          message: new RegExp(
            `names tenant 'contoso\\.onmicrosoft\\.com' in its token endpoint but '${TENANT_ID}' in its authorization endpoint; expected one tenant\\.$`,
          ),
          detail: /AADSTS700016/,
          fix: textFix('Use the tenant that holds the app registrations in both endpoints.'),
        },
      ],
    },
    {
      name: 'a tenant GUID other than the audited tenant (AADSTS700016)',
      input: sampleInput(endpoints(`${LOGIN}/${OTHER_TENANT}/oauth2/v2.0/authorize`, V2_TOKEN)),
      errors: [
        {
          path: AUTHORIZE,
          message: `Authorization server 'colors-oauth' names tenant ${OTHER_TENANT} in its authorization endpoint; expected the audited tenant ${TENANT_ID}.`,
          detail: /AADSTS700016.*AADSTS90002/,
          fix: setFix(
            `Use the tenant ID ${TENANT_ID} in the authorization endpoint.`,
            AUTHORIZE,
            V2_AUTHORIZE,
          ),
        },
      ],
    },
    {
      name: 'a v1 resource parameter on v2 endpoints (AADSTS901002)',
      input: sampleInput({
        authorizationServer: {
          properties: {
            tokenBodyParameters: [
              { name: 'prompt', value: 'login' },
              { name: 'resource', value: BACKEND_APP_ID },
            ],
          },
        },
      }),
      errors: [
        {
          path: `${AT.authorizationServer}/properties/tokenBodyParameters/1`,
          message: `Authorization server 'colors-oauth' sends the v1 token body parameter resource=${BACKEND_APP_ID} to v2 endpoints; expected none.`,
          detail:
            "Its authorization endpoint and token endpoint are v2, which rejects the parameter with AADSTS901002 (The 'resource' request parameter isn't supported).",
          fix: setFix(
            'Remove the resource token body parameter and name the API in the default scope.',
            `${AT.authorizationServer}/properties/tokenBodyParameters`,
            [{ name: 'prompt', value: 'login' }],
          ),
        },
      ],
    },
    {
      name: 'a half-migrated server: v1 token endpoint and a resource parameter next to a v2 authorization endpoint',
      input: sampleInput(
        mergeOverlay(endpoints(V2_AUTHORIZE, `${LOGIN}/${TENANT_ID}/oauth2/token`), RESOURCE),
      ),
      errors: [
        { path: TOKEN, message: /uses the v1 token endpoint/ },
        {
          path: `${AT.authorizationServer}/properties/tokenBodyParameters/0`,
          detail: /^Its authorization endpoint is v2, /,
        },
      ],
    },
    {
      name: 'multi-tenant segments when an app is single-tenant (AADSTS50194)',
      input: sampleInput(COMMON),
      errors: [
        {
          path: AUTHORIZE,
          severity: 'error',
          message: `Authorization server 'colors-oauth' uses 'common' in its authorization endpoint, but app 'oauth-client-app' is single-tenant (AzureADMyOrg); expected tenant ID ${TENANT_ID}.`,
          detail: /AADSTS50194/,
          // Both endpoints are multi-tenant: one edit per pass, so this one alone does not resolve the finding.
          fix: setFix(
            `Use the tenant ID ${TENANT_ID} in the authorization and token endpoints.`,
            AUTHORIZE,
            V2_AUTHORIZE,
            false,
          ),
        },
      ],
    },
    {
      name: 'multi-tenant segments when only the backend app is single-tenant',
      input: sampleInput(mergeOverlay(COMMON, { clientApp: { signInAudience: 'AzureADMultipleOrgs' } })),
      errors: [{ path: AUTHORIZE, severity: 'error', message: /app 'oauth-backend-app' is single-tenant/ }],
    },
    {
      name: 'a multi-tenant segment in one endpoint, fixed by one edit',
      input: sampleInput(endpoints(`${LOGIN}/organizations/oauth2/v2.0/authorize`, V2_TOKEN)),
      errors: [
        {
          path: AUTHORIZE,
          message:
            /uses 'organizations' in its authorization endpoint, but app 'oauth-client-app' is single-tenant/,
          fix: setFix(
            `Use the tenant ID ${TENANT_ID} in the authorization endpoint.`,
            AUTHORIZE,
            V2_AUTHORIZE,
          ),
        },
        {
          path: TOKEN,
          message: /names tenant .* in its token endpoint but .organizations. in its authorization endpoint/,
        },
      ],
    },
    {
      name: 'multi-tenant segments, as a warning, when no Entra data is given',
      input: sampleInput(mergeOverlay(COMMON, { snapshot: { applications: null } })),
      errors: [
        {
          path: AUTHORIZE,
          severity: 'warning',
          message: `Authorization server 'colors-oauth' uses 'common' in its authorization endpoint; expected tenant ID ${TENANT_ID} unless its apps are multi-tenant.`,
          detail:
            /could not be checked \(no Entra data was given\)\. If they are single-tenant, .*AADSTS50194/,
          fix: textFix(
            `Use the tenant ID ${TENANT_ID} in the authorization and token endpoints unless the client and backend apps are multi-tenant.`,
          ),
        },
      ],
    },
    {
      name: 'multi-tenant segments, as a warning, when the apps are not among the applications given',
      input: sampleInput(ORGANIZATIONS_UNKNOWN_APPS),
      errors: [
        {
          path: AUTHORIZE,
          severity: 'warning',
          message: /uses 'organizations' in its authorization endpoint/,
          detail: /not among the applications given/,
        },
      ],
    },
  ],
});

describe('auth-server-v2-endpoints', () => {
  it('declares its metadata', () => {
    expect(rule.meta.requires).toEqual(['apim']);
    expect(rule.meta.severity).toBe('error');
  });

  // The key tells findings at one path apart (fingerprints), and the rule's path is relative to its entity; the
  // RuleTester sees neither.
  it.each([
    ['v1 endpoints', V1, ['authorizationEndpoint/v1', 'tokenEndpoint/v1']],
    ['a missing token endpoint', endpoints(V2_AUTHORIZE, null), ['tokenEndpoint/missing']],
    [
      'a token endpoint that is not a URL',
      endpoints(V2_AUTHORIZE, 'oauth2/v2.0/token'),
      ['tokenEndpoint/invalid'],
    ],
    [
      'http',
      endpoints(`http://login.microsoftonline.com/${TENANT_ID}/oauth2/v2.0/authorize`, V2_TOKEN),
      ['authorizationEndpoint/https'],
    ],
    [
      'a non-Entra host',
      endpoints(V2_AUTHORIZE, 'https://auth.contoso.com/oauth2/v2.0/token'),
      ['tokenEndpoint/host'],
    ],
    ['a swapped token endpoint', endpoints(V2_AUTHORIZE, V2_AUTHORIZE), ['tokenEndpoint/shape']],
    [
      'different hosts',
      endpoints(V2_AUTHORIZE, `https://login.microsoftonline.us/${TENANT_ID}/oauth2/v2.0/token`),
      ['tokenEndpoint/host-mismatch'],
    ],
    [
      'different tenants',
      endpoints(V2_AUTHORIZE, `${LOGIN}/contoso.onmicrosoft.com/oauth2/v2.0/token`),
      ['tokenEndpoint/tenant-mismatch'],
    ],
    [
      'another tenant GUID',
      endpoints(`${LOGIN}/${OTHER_TENANT}/oauth2/v2.0/authorize`, V2_TOKEN),
      ['authorizationEndpoint/tenant'],
    ],
    ['a resource parameter on v2 endpoints', RESOURCE, ['tokenBodyParameters/resource']],
    [
      'a half-migrated server',
      mergeOverlay(endpoints(V2_AUTHORIZE, `${LOGIN}/${TENANT_ID}/oauth2/token`), RESOURCE),
      ['tokenEndpoint/v1', 'tokenBodyParameters/resource'],
    ],
    ['multi-tenant segments', COMMON, ['multi-tenant']],
    ['multi-tenant segments with unknown apps', ORGANIZATIONS_UNKNOWN_APPS, ['multi-tenant']],
  ] as [string, Overlay, string[]][])('keys and places the findings of %s', (_name, overlay, keys) => {
    const found = violations(run(overlay));
    expect(found.map((v) => v.key)).toEqual(keys);
    // The rule's path: the property a key starts with; multi-tenant segments at the authorization endpoint.
    const property = (key: string) =>
      key === 'multi-tenant'
        ? 'properties/authorizationEndpoint'
        : key === 'tokenBodyParameters/resource'
          ? 'properties/tokenBodyParameters/0'
          : `properties/${key.split('/')[0]!}`;
    expect(found.map((v) => v.path)).toEqual(keys.map(property));
  });

  describe('non-Entra authorization servers', () => {
    it('are not evaluated', () => {
      const ne = onlyNotEvaluated(
        run(
          endpoints(
            'https://dev-123.okta.com/oauth2/default/v1/authorize',
            'https://dev-123.okta.com/oauth2/default/v1/token',
          ),
        ),
      );
      expect(ne?.entity).toMatchObject({ kind: 'authorizationServer', name: 'colors-oauth' });
      expect(ne?.reason).toContain('does not sign in with Microsoft Entra ID (dev-123.okta.com)');
    });
  });
});

/** Combines overlays part by part (shallow per part is enough for these tests' disjoint keys). */
function mergeOverlay(a: Overlay, b: Overlay): Overlay {
  const result: Record<string, unknown> = { ...a };
  for (const [part, patch] of Object.entries(b)) {
    const base = result[part] as { properties?: object } | undefined;
    const add = patch as { properties?: object };
    result[part] =
      base?.properties && add.properties
        ? { ...base, properties: { ...base.properties, ...add.properties } }
        : { ...base, ...add };
  }
  return result as Overlay;
}
