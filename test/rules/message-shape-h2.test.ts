/**
 * The shape of every finding of the rules reworked by helper h2 (issue 15): a message of one line within
 * MESSAGE_LIMIT, a non-empty detail (one line too), and a fix with a text. Run over the broken sample, each rule's
 * doc examples, one input per kind of violation (the overlays of the rule tests), and the same inputs with long
 * names, where the messages must still fit.
 */
import apiOauthEnabled from '../../rules/api-oauth-enabled';
import appAccessTokenVersion from '../../rules/app-access-token-version';
import authServerGrantTypes from '../../rules/auth-server-grant-types';
import authServerV2Endpoints from '../../rules/auth-server-v2-endpoints';
import backendScopeExposed from '../../rules/backend-scope-exposed';
import clientApiPermission from '../../rules/client-api-permission';
import clientRedirectUriMatchesPortal from '../../rules/client-redirect-uri-matches-portal';
import clientSecretExpiry from '../../rules/client-secret-expiry';
import implicitGrantDisabled from '../../rules/implicit-grant-disabled';
import { MESSAGE_LIMIT, type AnyRule, type Violation } from '../../rules/support/contract';
import { docExamples } from '../helpers/doc-examples';
import {
  applyOverlay,
  BACKEND_APP_ID,
  buildModel,
  clientRedirectUris,
  loadSampleDoc,
  mergePatch,
  runRule,
  TENANT_ID,
  violations,
  type Overlay,
} from '../helpers/sample';

const LOGIN = `https://login.microsoftonline.com`;
const SCOPE = `api://${BACKEND_APP_ID}/Colors.Read`;
const PORTAL = 'https://contoso-apim.developer.azure-api.net';
const code = (host: string) => `${host}/signin-oauth/code/callback/colors-oauth`;

const server = (properties: Record<string, unknown>): Overlay => ({ authorizationServer: { properties } });
const scope = (defaultScope: string) => server({ defaultScope });
const grants = (...grantTypes: string[]) => server({ grantTypes });
const endpoints = (authorizationEndpoint: string | null, tokenEndpoint: string | null) =>
  server({ authorizationEndpoint, tokenEndpoint });
const secrets = (...passwordCredentials: Record<string, unknown>[]): Overlay => ({
  clientApp: { passwordCredentials },
});
const secret = (startDateTime: string, endDateTime: string | null) => ({
  keyId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  displayName: 'apim-developer-portal',
  startDateTime,
  endDateTime,
});
const implicitSettings = (enableAccessTokenIssuance: boolean, enableIdTokenIssuance: boolean) => ({
  web: { implicitGrantSettings: { enableAccessTokenIssuance, enableIdTokenIssuance } },
});
const NO_AUTH: Overlay = { api: { properties: { authenticationSettings: null } } };
const NO_VALIDATION: Overlay = {
  service: {
    policy: {
      format: 'rawxml',
      value: '<policies><inbound /><backend><forward-request /></backend><outbound /><on-error /></policies>',
    },
  },
};

interface Case {
  overlay: Overlay;
  options?: Record<string, unknown>;
}

/** One input per kind of violation of each rule. */
const CASES: [AnyRule, Case[]][] = [
  [
    apiOauthEnabled,
    [
      { overlay: NO_AUTH },
      { overlay: NO_AUTH, options: { protect: ['colors-api'] } },
      { overlay: { ...NO_AUTH, ...NO_VALIDATION }, options: { protect: ['colors-api'] } },
      {
        overlay: {
          api: { properties: { authenticationSettings: { oAuth2: { authorizationServerId: 'missing' } } } },
        },
      },
      { overlay: server({ useInTestConsole: false }) },
    ],
  ],
  [
    appAccessTokenVersion,
    [
      { overlay: { backendApp: { api: { requestedAccessTokenVersion: null } } } },
      { overlay: { clientApp: { api: { requestedAccessTokenVersion: 1 } } } },
      {
        overlay: {
          clientApp: {
            signInAudience: 'PersonalMicrosoftAccount',
            api: { requestedAccessTokenVersion: null },
          },
        },
      },
    ],
  ],
  [
    authServerGrantTypes,
    [
      { overlay: grants('implicit', 'resourceOwnerPassword', 'clientCredentials') },
      { overlay: server({ authorizationMethods: ['POST'] }) },
    ],
  ],
  [
    authServerV2Endpoints,
    [
      { overlay: endpoints(`${LOGIN}/${TENANT_ID}/oauth2/authorize`, `${LOGIN}/${TENANT_ID}/oauth2/token`) },
      { overlay: endpoints(null, 'not a url') },
      { overlay: endpoints(`http://login.microsoftonline.com/${TENANT_ID}/oauth2/v2.0/authorize`, null) },
      {
        overlay: endpoints(
          'https://auth.contoso.com/authorize',
          `${LOGIN}/${TENANT_ID}/oauth2/v2.0/authorize`,
        ),
      },
      {
        overlay: endpoints(
          `${LOGIN}/${TENANT_ID}/oauth2/v2.0/authorize`,
          `https://login.microsoftonline.us/contoso.onmicrosoft.com/oauth2/v2.0/token`,
        ),
      },
      {
        overlay: endpoints(
          `${LOGIN}/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/authorize`,
          `${LOGIN}/common/oauth2/v2.0/token`,
        ),
      },
      { overlay: server({ tokenBodyParameters: [{ name: 'resource', value: BACKEND_APP_ID }] }) },
      {
        overlay: {
          ...endpoints(`${LOGIN}/common/oauth2/v2.0/authorize`, `${LOGIN}/common/oauth2/v2.0/token`),
          snapshot: { applications: null },
        },
      },
    ],
  ],
  [
    backendScopeExposed,
    [
      { overlay: scope('Colors.Read') },
      { overlay: scope('') },
      { overlay: scope(`${SCOPE}, openid`) },
      { overlay: scope('openid profile') },
      { overlay: scope(`${SCOPE} https://graph.microsoft.com/User.Read`) },
      { overlay: scope('https://graph.microsoft.com/User.Read') },
      { overlay: scope(`api://${BACKEND_APP_ID}/Colors.Write`) },
      { overlay: { backendApp: { identifierUris: ['api://contoso.com/colors'] } } },
      { overlay: { backendApp: { identifierUris: [] } } },
      {
        overlay: {
          backendApp: {
            api: {
              oauth2PermissionScopes: [{ id: 'x', value: 'Colors.Read', type: 'User', isEnabled: false }],
            },
          },
        },
      },
      { overlay: server({ clientId: BACKEND_APP_ID }) },
    ],
  ],
  [
    clientApiPermission,
    [
      { overlay: { clientApp: { requiredResourceAccess: [] } } },
      {
        overlay: { ...scope(`api://${BACKEND_APP_ID}/.default`), clientApp: { requiredResourceAccess: [] } },
      },
      {
        overlay: {
          clientApp: {
            requiredResourceAccess: [
              {
                resourceAppId: BACKEND_APP_ID,
                resourceAccess: [{ id: '0f0f0f0f-1111-4222-8333-444444444444', type: 'Scope' }],
              },
            ],
          },
        },
      },
    ],
  ],
  [
    clientRedirectUriMatchesPortal,
    [
      { overlay: clientRedirectUris([]) },
      { overlay: clientRedirectUris([code(PORTAL)]) },
      { overlay: clientRedirectUris([code(PORTAL), `${code('https://developer.contoso.com')}/`]) },
      { overlay: clientRedirectUris([code(PORTAL)], [code('https://developer.contoso.com')]) },
      {
        overlay: clientRedirectUris([
          code(PORTAL),
          code('https://developer.contoso.com'),
          'https://contoso-apim.portal.azure-api.net/docs/services/colors-oauth/console/oauth2/authorizationcode/callback',
        ]),
      },
      { overlay: { ...grants('authorizationCodeWithPkce'), ...clientRedirectUris([code(PORTAL)]) } },
    ],
  ],
  [
    clientSecretExpiry,
    [
      { overlay: secrets() },
      { overlay: secrets(secret('2026-01-01T00:00:00Z', '2026-10-25T00:00:00Z')) },
      { overlay: secrets(secret('2026-12-01T00:00:00Z', '2027-03-01T00:00:00Z')) },
      { overlay: secrets(secret('2026-11-01T00:00:00Z', '2026-12-10T00:00:00Z')) },
      { overlay: secrets(secret('2026-11-01T00:00:00Z', null)) },
    ],
  ],
  [
    implicitGrantDisabled,
    [
      { overlay: { clientApp: implicitSettings(true, true) } },
      { overlay: grants('implicit') },
      { overlay: { ...scope(`openid ${SCOPE}`), ...grants('implicit') } },
    ],
  ],
];

const LONG = (what: string) => `${what}-${'x'.repeat(90)}`;

type Doc = ReturnType<typeof loadSampleDoc>;
type Resource = Record<string, unknown> & { name?: string; properties?: Record<string, unknown> };

/** Every name a message may quote, made long: the apps, the authorization servers and the APIs (references kept). */
function withLongNames(doc: Doc): Doc {
  const long = structuredClone(doc);
  for (const app of long.applications ?? []) app['displayName'] = LONG(String(app['displayName']));
  for (const service of (long.apim ?? []) as Record<string, Resource[] | undefined>[]) {
    const renamed = new Map<string, string>();
    for (const server of service['authorizationServers'] ?? []) {
      renamed.set(server.name ?? '', LONG(server.name ?? ''));
      server.name = LONG(server.name ?? '');
    }
    for (const api of service['apis'] ?? []) {
      api.name = LONG(api.name ?? '');
      // The API's references follow the renamed servers, so that the same findings fire.
      const settings = JSON.stringify(api.properties?.['authenticationSettings'] ?? null);
      const patched = settings.replace(/"authorizationServerId":"([^"]*)"/g, (all, id: string) =>
        renamed.has(id) ? `"authorizationServerId":"${renamed.get(id)}"` : all,
      );
      if (api.properties) api.properties['authenticationSettings'] = mergePatch(null, JSON.parse(patched));
    }
  }
  return long;
}

function shapeProblems(v: Violation): string[] {
  const problems: string[] = [];
  if (v.message.length > MESSAGE_LIMIT) problems.push(`message longer than ${MESSAGE_LIMIT}: ${v.message}`);
  if (/[\r\n]/.test(v.message)) problems.push(`message not one line: ${JSON.stringify(v.message)}`);
  if (!v.detail?.trim()) problems.push(`no detail: ${v.message}`);
  else if (/[\r\n]/.test(v.detail)) problems.push(`detail not one line: ${JSON.stringify(v.detail)}`);
  if (!v.fix?.text.trim()) problems.push(`no fix text: ${v.message}`);
  return problems;
}

function findings(rule: AnyRule, doc: Doc, options: Record<string, unknown> = {}) {
  return violations(runRule(rule, buildModel(doc), options));
}

const ROWS = CASES.map(([rule, cases]) => ({ id: rule.id, rule, cases }));

describe.each(ROWS)('message shape of $id', ({ rule, cases }) => {
  it('holds on the broken sample', () => {
    const found = findings(rule, loadSampleDoc('contoso'));
    expect(found.flatMap(shapeProblems)).toEqual([]);
  });

  it('holds on the non-compliant examples of its doc, each of which fires', () => {
    const examples = docExamples(rule.id).nonCompliant;
    expect(examples.length).toBeGreaterThan(0);
    for (const overlay of examples) {
      const found = findings(rule, applyOverlay(loadSampleDoc(), overlay));
      expect(found.length).toBeGreaterThan(0);
      expect(found.flatMap(shapeProblems)).toEqual([]);
    }
  });

  it.each(cases.map((c, i) => [i, c] as const))('holds on case #%i, with short and long names', (_i, c) => {
    const doc = applyOverlay(loadSampleDoc(), c.overlay);
    const found = findings(rule, doc, c.options);
    expect(found.length).toBeGreaterThan(0);
    expect(found.flatMap(shapeProblems)).toEqual([]);
    const long = findings(rule, withLongNames(doc), c.options);
    expect(long.flatMap(shapeProblems)).toEqual([]);
  });
});
