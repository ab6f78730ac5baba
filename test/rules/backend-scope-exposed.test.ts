import rule from '../../rules/backend-scope-exposed';
import {
  BACKEND_APP_ID,
  TENANT_ID,
  applyOverlay,
  buildModel,
  loadSampleDoc,
  modelWithSecondServer,
  onlyNotEvaluated,
  onlyViolation,
  runnerFor,
  runRule,
  violations,
  type Overlay,
  type SnapshotDoc,
} from '../helpers/sample';

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

const only = (overlay: Overlay) => onlyViolation(run(overlay));

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

describe('backend-scope-exposed', () => {
  it('accepts the fixed sample', () => {
    expect(run()).toEqual([]);
  });

  it('declares its metadata', () => {
    expect(rule.meta.requires).toEqual(['entra', 'apim']);
    expect(rule.meta.severity).toBe('error');
  });

  it.each([
    ['OIDC scopes next to the API scope', `openid profile ${SCOPE} offline_access`],
    ['/.default', `api://${BACKEND_APP_ID}/.default`],
    ['the appId GUID as resource', `${BACKEND_APP_ID}/Colors.Read`],
    ['different casing and a double space', `API://${BACKEND_APP_ID.toUpperCase()}/colors.read  openid`],
  ])('accepts %s', (_name, scope) => {
    expect(run(defaultScope(scope))).toEqual([]);
  });

  it('accepts a custom App ID URI', () => {
    const overlay: Overlay = {
      ...defaultScope('api://contoso.com/colors/Colors.Read'),
      backendApp: { identifierUris: ['api://contoso.com/colors'] },
    };
    expect(run(overlay)).toEqual([]);
  });

  it('reports a bare scope with the qualified form (AADSTS650053)', () => {
    const v = only(defaultScope('Colors.Read'));
    expect(v.entity).toMatchObject({ kind: 'authorizationServer', name: 'colors-oauth' });
    expect(v.path).toBe('properties/defaultScope');
    expect(v.key).toBe('bare:Colors.Read');
    expect(v.severity).toBeUndefined();
    expect(v.message).toBe(
      `Authorization server 'colors-oauth' default scope contains the bare scope 'Colors.Read', which Entra resolves against Microsoft Graph (AADSTS650053); use ${SCOPE}.`,
    );
  });

  it('reports a backend app without Application ID URI on the app, not again on the server', () => {
    const v = only({ backendApp: { identifierUris: [] } });
    expect(v.entity).toMatchObject({ kind: 'application', name: 'oauth-backend-app' });
    expect(v.path).toBe('identifierUris');
    expect(v.message).toContain(`has no Application ID URI; set api://${BACKEND_APP_ID}`);
    expect(v.message).toContain('AADSTS500011');
  });

  it('reports api://<appId> when the app has another App ID URI (AADSTS500011)', () => {
    const v = only({ backendApp: { identifierUris: ['api://contoso.com/colors'] } });
    expect(v.entity).toMatchObject({ kind: 'authorizationServer', name: 'colors-oauth' });
    expect(v.key).toBe(`unset-uri:api://${BACKEND_APP_ID}`);
    expect(v.message).toContain('use api://contoso.com/colors/Colors.Read (AADSTS500011)');
  });

  it('reports a backend app without an enabled scope, and the disabled scope requested', () => {
    const outputs = run({
      backendApp: { api: { oauth2PermissionScopes: [{ ...COLORS_READ, isEnabled: false }] } },
    });
    const found = violations(outputs);
    expect(found.map((v) => v.key).sort()).toEqual([`disabled:${SCOPE}`, 'enabled-scope']);
    const app = found.find((v) => v.key === 'enabled-scope')!;
    expect(app.entity).toMatchObject({ kind: 'application', name: 'oauth-backend-app' });
    expect(app.path).toBe('api/oauth2PermissionScopes');
    const server = found.find((v) => v.key === `disabled:${SCOPE}`)!;
    expect(server.path).toBe('properties/defaultScope');
    expect(server.message).toContain("which is disabled on backend app 'oauth-backend-app'");
  });

  it('reports a disabled scope when another scope is enabled (AADSTS70011)', () => {
    const scopes = [
      { ...COLORS_READ, isEnabled: false },
      { ...COLORS_READ, id: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', value: 'Colors.Write' },
    ];
    const v = only({ backendApp: { api: { oauth2PermissionScopes: scopes } } });
    expect(v.key).toBe(`disabled:${SCOPE}`);
  });

  it('reports a scope the backend app does not expose', () => {
    const v = only(defaultScope(`api://${BACKEND_APP_ID}/Colors.Write`));
    expect(v.key).toBe(`missing:api://${BACKEND_APP_ID}/Colors.Write`);
    expect(v.message).toContain(
      "exposes no scope 'Colors.Write' (enabled scopes: Colors.Read) (AADSTS70011)",
    );
  });

  it('reports an empty default scope on v2 endpoints (AADSTS900144)', () => {
    const v = only(defaultScope(''));
    expect(v.key).toBe('empty');
    expect(v.path).toBe('properties/defaultScope');
    expect(v.message).toContain(
      'is empty, but v2 endpoints require a scope; set it to api://<backend appId>/<scope>',
    );
  });

  it('reports a default scope with OpenID Connect scopes only', () => {
    expect(only(defaultScope('openid profile')).key).toBe('no-api-scope');
  });

  it('reports mixed resources (AADSTS28000/AADSTS700022)', () => {
    const outputs = run(defaultScope(`${SCOPE} https://graph.microsoft.com/User.Read`));
    const found = violations(outputs);
    expect(found.map((v) => v.key)).toEqual(['mixed-resources']);
    expect(found[0]!.message).toContain(`more than one resource (api://${BACKEND_APP_ID}, Microsoft Graph)`);
  });

  it('reports a bare Graph scope next to the backend scope as mixed resources too', () => {
    expect(keys(defaultScope(`${SCOPE} User.Read`))).toEqual(['bare:User.Read', 'mixed-resources']);
  });

  it('reports comma-separated scopes', () => {
    const v = only(defaultScope(`${SCOPE}, openid`));
    expect(v.key).toBe('comma-separated');
    expect(v.message).toContain('separates scopes with commas; separate them with spaces');
  });

  it('reports the client app used as backend app (AADSTS90009)', () => {
    const outputs = run({ authorizationServer: { properties: { clientId: BACKEND_APP_ID } } });
    const v = violations(outputs).find((x) => x.key === 'client-is-backend');
    expect(v?.path).toBe('properties/clientId');
    expect(v?.message).toContain("uses app 'oauth-backend-app' as both client and backend");
    expect(violations(outputs)).toHaveLength(1);
  });

  it('reports a default scope that targets only Microsoft Graph', () => {
    const v = only(defaultScope('https://graph.microsoft.com/User.Read'));
    expect(v.key).toBe('other-resource:https://graph.microsoft.com');
    expect(v.message).toContain('targets https://graph.microsoft.com, not a backend API');
  });

  it('reports a scope that targets another app than the linked backend app', () => {
    const model = buildModel(docWithOtherApp(), [
      { authorizationServer: 'colors-oauth', backendAppId: OTHER_APP },
    ]);
    const found = violations(runRule(rule, model));
    expect(found.map((v) => v.key)).toEqual([`other-resource:api://${BACKEND_APP_ID}`]);
    expect(found[0]!.message).toContain("not backend app 'other-api'; request api://other-api/Other.Read");
  });

  it('checks the backend app named by the v1 resource parameter', () => {
    const overlay: Overlay = {
      authorizationServer: {
        properties: {
          authorizationEndpoint: `https://login.microsoftonline.com/${TENANT_ID}/oauth2/authorize`,
          tokenEndpoint: `https://login.microsoftonline.com/${TENANT_ID}/oauth2/token`,
          defaultScope: '',
          tokenBodyParameters: [{ name: 'resource', value: BACKEND_APP_ID }],
        },
      },
      backendApp: { identifierUris: [] },
    };
    const v = only(overlay);
    expect(v.key).toBe('identifierUris');
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
    it('are checked like the default scope', () => {
      const v = only(apiScope('Colors.Read'));
      expect(v.entity).toMatchObject({ kind: 'api', name: 'colors-api' });
      expect(v.path).toBe('properties/authenticationSettings/oAuth2/scope');
      expect(v.key).toBe('bare:Colors.Read');
      expect(v.message).toContain(
        "API 'colors-api' scope for authorization server 'colors-oauth' contains the bare scope",
      );
    });

    it('accept a scope of the backend app', () => {
      expect(run(apiScope(`api://${BACKEND_APP_ID}/.default`))).toEqual([]);
    });

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

    it('are ignored when empty', () => {
      expect(run(apiScope(''))).toEqual([]);
    });
  });

  it('reports a backend app shared by two authorization servers once', () => {
    const model = modelWithSecondServer({ backendApp: { identifierUris: [] } });
    const found = violations(runRule(rule, model));
    expect(found.map((v) => [v.entity.kind, v.key])).toEqual([['application', 'identifierUris']]);
  });

  it('is unaffected by the client app', () => {
    expect(run({ clientApp: { appId: CLIENT, identifierUris: [] } })).toEqual([]);
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
