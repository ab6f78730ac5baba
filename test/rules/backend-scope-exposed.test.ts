import rule from '../../rules/backend-scope-exposed';
import { RuleTester } from '../../src';
import {
  AT,
  BACKEND_APP_ID,
  sampleInput,
  TEST_NOW,
  TENANT_ID,
  applyOverlay,
  buildModel,
  loadSampleDoc,
  modelWithSecondServer,
  onlyNotEvaluated,
  runnerFor,
  runRule,
  violations,
  type Overlay,
  type SnapshotDoc,
} from '../helpers/sample';
import { setFix, textFix } from '../helpers/fixes';

const CLIENT = '1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6';
const OTHER_APP = '8c7b6a59-4d3e-4f2a-9b1c-0d9e8f7a6b5c';
const SCOPE = `api://${BACKEND_APP_ID}/Colors.Read`;
const COLORS_READ = {
  id: '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7',
  value: 'Colors.Read',
  type: 'User',
  isEnabled: true,
  adminConsentDisplayName: 'Read colors',
  adminConsentDescription: 'Read colors.',
};

function defaultScope(scope: string): Overlay {
  return { authorizationServer: { properties: { defaultScope: scope } } };
}

function apiScope(scope: string): Overlay {
  const setting = { authorizationServerId: 'colors-oauth', scope };
  return {
    api: {
      properties: { authenticationSettings: { oAuth2: setting, oAuth2AuthenticationSettings: [setting] } },
    },
  };
}

const run = runnerFor(rule);

function keys(overlay: Overlay): string[] {
  return violations(run(overlay))
    .map((v) => v.key ?? '')
    .sort();
}

/** The fixed sample with a third app registration, `other-api`, exposing `Other.Read` under `api://other-api`. */
function docWithOtherApp(overlay: Overlay = {}): SnapshotDoc {
  const doc = applyOverlay(loadSampleDoc(), overlay);
  doc.applications?.push({
    id: '5b4a3928-1c0d-4e9f-8a7b-6c5d4e3f2a1b',
    appId: OTHER_APP,
    displayName: 'other-api',
    signInAudience: 'AzureADMyOrg',
    identifierUris: ['api://other-api'],
    api: {
      requestedAccessTokenVersion: 2,
      oauth2PermissionScopes: [
        { ...COLORS_READ, id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', value: 'Other.Read' },
      ],
    },
  });
  return doc;
}

const DEFAULT_SCOPE = `${AT.authorizationServer}/properties/defaultScope`;
const NO_URI: Overlay = { backendApp: { identifierUris: [] } };
const OTHER_URI: Overlay = { backendApp: { identifierUris: ['api://contoso.com/colors'] } };
const DISABLED: Overlay = {
  backendApp: { api: { oauth2PermissionScopes: [{ ...COLORS_READ, isEnabled: false }] } },
};
const DISABLED_NEXT_TO_ENABLED: Overlay = {
  backendApp: {
    api: {
      oauth2PermissionScopes: [
        { ...COLORS_READ, isEnabled: false },
        { ...COLORS_READ, id: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', value: 'Colors.Write' },
      ],
    },
  },
};
const CLIENT_IS_BACKEND: Overlay = { authorizationServer: { properties: { clientId: BACKEND_APP_ID } } };
const V1_RESOURCE_NO_URI: Overlay = {
  authorizationServer: {
    properties: {
      authorizationEndpoint: `https://login.microsoftonline.com/${TENANT_ID}/oauth2/authorize`,
      tokenEndpoint: `https://login.microsoftonline.com/${TENANT_ID}/oauth2/token`,
      defaultScope: '',
      tokenBodyParameters: [{ name: 'resource', value: BACKEND_APP_ID }],
    },
  },
  ...NO_URI,
};

new RuleTester({ now: TEST_NOW }).run(rule, {
  valid: [
    { name: 'the fixed sample', input: sampleInput() },
    ...[
      ['OIDC scopes next to the API scope', `openid profile ${SCOPE} offline_access`],
      ['/.default', `api://${BACKEND_APP_ID}/.default`],
      ['the appId GUID as resource', `${BACKEND_APP_ID}/Colors.Read`],
      ['different casing and a double space', `API://${BACKEND_APP_ID.toUpperCase()}/colors.read  openid`],
    ].map(([name, scope]) => ({ name: name!, input: sampleInput(defaultScope(scope!)) })),
    {
      name: 'a custom App ID URI',
      input: sampleInput({
        ...defaultScope('api://contoso.com/colors/Colors.Read'),
        backendApp: { identifierUris: ['api://contoso.com/colors'] },
      }),
    },
    {
      name: 'an API scope override of the backend app',
      input: sampleInput(apiScope(`api://${BACKEND_APP_ID}/.default`)),
    },
    { name: 'an empty API scope override, ignored', input: sampleInput(apiScope('')) },
    {
      name: 'unaffected by the client app',
      input: sampleInput({ clientApp: { appId: CLIENT, identifierUris: [] } }),
    },
  ],
  invalid: [
    {
      name: 'a bare scope, with the qualified form (AADSTS650053)',
      input: sampleInput(defaultScope('Colors.Read')),
      errors: [
        {
          path: DEFAULT_SCOPE,
          severity: 'error',
          resource: 'colors-oauth',
          message: `Authorization server 'colors-oauth' default scope contains the bare scope 'Colors.Read'; expected '${SCOPE}'.`,
          detail: /resolves a scope without an App ID URI against Microsoft Graph: AADSTS650053/,
          fix: setFix(`Replace 'Colors.Read' with '${SCOPE}'.`, DEFAULT_SCOPE, SCOPE),
        },
      ],
    },
    {
      name: 'a backend app without Application ID URI, on the app, not again on the server',
      input: sampleInput(NO_URI),
      errors: [
        {
          path: `${AT.backendApp}/identifierUris`,
          resource: 'oauth-backend-app',
          message: `Backend app 'oauth-backend-app' has no Application ID URI; expected api://${BACKEND_APP_ID}.`,
          detail: /AADSTS500011/,
          fix: setFix(
            `Set the Application ID URI api://${BACKEND_APP_ID} (identifierUris, Expose an API).`,
            `${AT.backendApp}/identifierUris`,
            [`api://${BACKEND_APP_ID}`],
          ),
        },
      ],
    },
    {
      name: 'api://<appId> when the app has another App ID URI (AADSTS500011)',
      input: sampleInput(OTHER_URI),
      errors: [
        {
          path: DEFAULT_SCOPE,
          resource: 'colors-oauth',
          message: /expected api:\/\/contoso\.com\/colors\/Colors\.Read\.$/,
          detail: /backend app 'oauth-backend-app' are api:\/\/contoso\.com\/colors; .*AADSTS500011/,
          fix: setFix(
            `Replace '${SCOPE}' with 'api://contoso.com/colors/Colors.Read'.`,
            DEFAULT_SCOPE,
            'api://contoso.com/colors/Colors.Read',
          ),
        },
      ],
    },
    {
      name: 'a backend app without an enabled scope, and the disabled scope requested',
      input: sampleInput(DISABLED),
      errors: [
        {
          path: `${AT.backendApp}/api/oauth2PermissionScopes`,
          resource: 'oauth-backend-app',
          message:
            "Backend app 'oauth-backend-app' exposes no enabled delegated scope (1 defined); expected at least one.",
          detail: /AADSTS70011/,
          // A new scope needs a new id: described, not applied.
          fix: textFix('Add and enable a delegated scope, e.g. Colors.Read, under Expose an API.'),
        },
        {
          path: DEFAULT_SCOPE,
          message: /which is disabled on backend app 'oauth-backend-app'; expected an enabled scope\.$/,
          detail: /AADSTS70011/,
          fix: textFix(
            "Enable the scope 'Colors.Read' on backend app 'oauth-backend-app', or request an enabled one.",
          ),
        },
      ],
    },
    {
      name: 'a disabled scope when another scope is enabled (AADSTS70011)',
      input: sampleInput(DISABLED_NEXT_TO_ENABLED),
      errors: [{ path: DEFAULT_SCOPE, message: /which is disabled on backend app 'oauth-backend-app'/ }],
    },
    {
      name: 'a scope the backend app does not expose',
      input: sampleInput(defaultScope(`api://${BACKEND_APP_ID}/Colors.Write`)),
      errors: [
        {
          path: DEFAULT_SCOPE,
          message: `Authorization server 'colors-oauth' default scope requests 'api://${BACKEND_APP_ID}/Colors.Write'; backend app 'oauth-backend-app' exposes no such scope (enabled: 'Colors.Read').`,
          detail: /AADSTS70011/,
          fix: textFix(
            "Request an enabled scope of backend app 'oauth-backend-app' ('Colors.Read'), or expose 'Colors.Write' under Expose an API.",
          ),
        },
      ],
    },
    {
      name: 'an empty default scope on v2 endpoints (AADSTS900144)',
      input: sampleInput(defaultScope('')),
      errors: [
        {
          path: DEFAULT_SCOPE,
          message:
            "Authorization server 'colors-oauth' default scope is empty; expected api://<backend appId>/<scope>.",
          detail: /AADSTS900144/,
          // The backend app is not known from an empty scope: described, not applied.
          fix: textFix('Set the scope to api://<backend appId>/<scope>.'),
        },
      ],
    },
    {
      name: 'a default scope with OpenID Connect scopes only',
      input: sampleInput(defaultScope('openid profile')),
      errors: [
        {
          path: DEFAULT_SCOPE,
          message: /'openid profile' requests only OpenID Connect scopes; expected the backend API's scope/,
          detail: /issued for Microsoft Graph/,
        },
      ],
    },
    {
      name: 'mixed resources (AADSTS28000/AADSTS700022)',
      input: sampleInput(defaultScope(`${SCOPE} https://graph.microsoft.com/User.Read`)),
      errors: [
        {
          path: DEFAULT_SCOPE,
          message: `Authorization server 'colors-oauth' default scope requests scopes of 2 resources (api://${BACKEND_APP_ID}, Microsoft Graph); expected one.`,
          detail: /AADSTS28000 or AADSTS700022/,
          fix: textFix("Request the backend API's scopes only (OpenID Connect scopes may stay)."),
        },
      ],
    },
    {
      name: 'a bare Graph scope next to the backend scope, as mixed resources too',
      input: sampleInput(defaultScope(`${SCOPE} User.Read`)),
      errors: [
        {
          path: DEFAULT_SCOPE,
          message: `Authorization server 'colors-oauth' default scope contains the bare scope 'User.Read'; expected 'api://${BACKEND_APP_ID}/<scope>'.`,
          // No app in the data exposes User.Read: described, not applied.
          fix: textFix(/^Qualify 'User\.Read' with the backend app's App ID URI/),
        },
        { path: DEFAULT_SCOPE, message: /requests scopes of 2 resources/ },
      ],
    },
    {
      name: 'comma-separated scopes',
      input: sampleInput(defaultScope(`${SCOPE}, openid`)),
      errors: [
        {
          path: DEFAULT_SCOPE,
          // The expected value does not fit in the message: the fix has it.
          message: `Authorization server 'colors-oauth' default scope '${SCOPE}, openid' separates scopes with commas; expected spaces.`,
          detail: /AADSTS70011/,
          fix: setFix('Separate the scopes with spaces.', DEFAULT_SCOPE, `${SCOPE} openid`),
        },
      ],
    },
    {
      name: 'the client app used as backend app (AADSTS90009)',
      input: sampleInput(CLIENT_IS_BACKEND),
      errors: [
        {
          path: `${AT.authorizationServer}/properties/clientId`,
          message:
            /uses app 'oauth-backend-app' as both client and backend; expected a separate client app\.$/,
          detail: /AADSTS90009/,
          fix: textFix('Register a separate client app and use its appId as the client ID.'),
        },
      ],
    },
    {
      name: 'a default scope that targets only Microsoft Graph',
      input: sampleInput(defaultScope('https://graph.microsoft.com/User.Read')),
      errors: [
        {
          path: DEFAULT_SCOPE,
          message:
            /targets https:\/\/graph\.microsoft\.com, not a backend API; expected the backend API's scope\.$/,
          detail: /IDX10511/,
          fix: textFix("Request the backend API's scope instead of 'https://graph.microsoft.com/User.Read'."),
        },
      ],
    },
    {
      name: 'the backend app named by the v1 resource parameter',
      input: sampleInput(V1_RESOURCE_NO_URI),
      errors: [{ path: `${AT.backendApp}/identifierUris`, resource: 'oauth-backend-app' }],
    },
    {
      name: 'an API scope override, checked like the default scope',
      input: sampleInput(apiScope('Colors.Read')),
      errors: [
        {
          path: `${AT.api}/properties/authenticationSettings/oAuth2/scope`,
          resource: 'colors-api',
          message: /API 'colors-api' scope for authorization server 'colors-oauth' contains the bare scope/,
          // The API's own scope override is set, not the server's default scope. The input repeats the setting in
          // the array form, which the next pass fixes: this edit alone does not resolve the finding.
          fix: setFix(
            `Replace 'Colors.Read' with '${SCOPE}'.`,
            `${AT.api}/properties/authenticationSettings/oAuth2/scope`,
            SCOPE,
            false,
          ),
        },
      ],
    },
  ],
});

describe('backend-scope-exposed', () => {
  it('declares its metadata', () => {
    expect(rule.meta.requires).toEqual(['entra', 'apim']);
    expect(rule.meta.severity).toBe('error');
  });

  // The key tells findings at one path apart (fingerprints); the RuleTester does not see it.
  it.each([
    ['a bare scope', defaultScope('Colors.Read'), ['bare:Colors.Read']],
    ['no App ID URI', NO_URI, ['identifierUris']],
    ['another App ID URI', OTHER_URI, [`unset-uri:api://${BACKEND_APP_ID}`]],
    ['a disabled scope', DISABLED, [`disabled:${SCOPE}`, 'enabled-scope']],
    ['a disabled scope next to an enabled one', DISABLED_NEXT_TO_ENABLED, [`disabled:${SCOPE}`]],
    [
      'a missing scope',
      defaultScope(`api://${BACKEND_APP_ID}/Colors.Write`),
      [`missing:api://${BACKEND_APP_ID}/Colors.Write`],
    ],
    ['an empty scope', defaultScope(''), ['empty']],
    ['OpenID Connect scopes only', defaultScope('openid profile'), ['no-api-scope']],
    ['mixed resources', defaultScope(`${SCOPE} https://graph.microsoft.com/User.Read`), ['mixed-resources']],
    ['a bare Graph scope', defaultScope(`${SCOPE} User.Read`), ['bare:User.Read', 'mixed-resources']],
    ['comma-separated scopes', defaultScope(`${SCOPE}, openid`), ['comma-separated']],
    ['the client app as backend', CLIENT_IS_BACKEND, ['client-is-backend']],
    [
      'a Graph-only scope',
      defaultScope('https://graph.microsoft.com/User.Read'),
      ['other-resource:https://graph.microsoft.com'],
    ],
    ['the v1 resource parameter', V1_RESOURCE_NO_URI, ['identifierUris']],
    ['an API scope override', apiScope('Colors.Read'), ['bare:Colors.Read']],
  ] as [string, Overlay, string[]][])('keys the findings of %s', (_name, overlay, want) => {
    expect(keys(overlay)).toEqual([...want].sort());
  });

  it('reports a scope that targets another app than the linked backend app', () => {
    const model = buildModel(docWithOtherApp(), [
      { authorizationServer: 'colors-oauth', backendAppId: OTHER_APP },
    ]);
    const found = violations(runRule(rule, model));
    expect(found.map((v) => v.key)).toEqual([`other-resource:api://${BACKEND_APP_ID}`]);
    expect(found[0]!.message).toContain("not backend app 'other-api'; expected api://other-api/Other.Read.");
  });

  describe('not evaluated', () => {
    it('when the scope names a resource that is not in the Entra data', () => {
      const ne = onlyNotEvaluated(
        run(defaultScope('api://99999999-9999-4999-8999-999999999999/Colors.Read')),
      );
      expect(ne?.entity).toMatchObject({ kind: 'authorizationServer', name: 'colors-oauth' });
      expect(ne?.reason).toContain(
        'names resource api://99999999-9999-4999-8999-999999999999, which matches no application',
      );
    });

    it('when v1 endpoints name no backend app', () => {
      const ne = onlyNotEvaluated(
        run({
          authorizationServer: {
            properties: {
              authorizationEndpoint: `https://login.microsoftonline.com/${TENANT_ID}/oauth2/authorize`,
              tokenEndpoint: `https://login.microsoftonline.com/${TENANT_ID}/oauth2/token`,
              defaultScope: '',
            },
          },
        }),
      );
      expect(ne?.reason).toContain('names no backend app');
    });

    it('for non-Entra authorization servers', () => {
      const ne = onlyNotEvaluated(
        run({
          authorizationServer: {
            properties: {
              authorizationEndpoint: 'https://dev-123.okta.com/oauth2/default/v1/authorize',
              tokenEndpoint: 'https://dev-123.okta.com/oauth2/default/v1/token',
              defaultScope: 'colors:read',
            },
          },
        }),
      );
      expect(ne?.reason).toContain('does not sign in with Microsoft Entra ID');
    });
  });

  describe('API scope overrides', () => {
    it('are checked against the app they name', () => {
      expect(runRule(rule, buildModel(docWithOtherApp(apiScope('api://other-api/Other.Read'))))).toEqual([]);
      const found = violations(
        runRule(rule, buildModel(docWithOtherApp(apiScope('api://other-api/Other.Write')))),
      );
      expect(found.map((v) => [v.entity.name, v.key])).toEqual([
        ['colors-api', 'missing:api://other-api/Other.Write'],
      ]);
    });

    it('are not evaluated when they name an unknown resource', () => {
      const ne = onlyNotEvaluated(run(apiScope('api://unknown-api/Read')));
      expect(ne?.entity).toMatchObject({ kind: 'api', name: 'colors-api' });
    });
  });

  it('reports a backend app shared by two authorization servers once', () => {
    const model = modelWithSecondServer({ backendApp: { identifierUris: [] } });
    const found = violations(runRule(rule, model));
    expect(found.map((v) => [v.entity.kind, v.key])).toEqual([['application', 'identifierUris']]);
  });
});

describe('backend-scope-exposed edge cases', () => {
  it('reads a comma-separated list as meant after reporting it once', () => {
    const found = violations(run(defaultScope(`openid,${SCOPE}`)));
    expect(found.map((v) => v.key)).toEqual(['comma-separated']);
  });

  it('ignores the scope on v1 endpoints, which name the API in the resource parameter', () => {
    const overlay: Overlay = {
      authorizationServer: {
        properties: {
          authorizationEndpoint: `https://login.microsoftonline.com/${TENANT_ID}/oauth2/authorize`,
          tokenEndpoint: `https://login.microsoftonline.com/${TENANT_ID}/oauth2/token`,
          defaultScope: 'Colors.Read',
          tokenBodyParameters: [{ name: 'resource', value: BACKEND_APP_ID }],
        },
      },
    };
    expect(run(overlay)).toEqual([]);
  });
});
