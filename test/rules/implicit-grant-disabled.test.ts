import rule from '../../rules/implicit-grant-disabled';
import { RuleTester } from '../../src';
import {
  applyOverlay,
  BACKEND_APP_ID,
  loadSampleDoc,
  onlyNotEvaluated,
  runnerFor,
  TEST_NOW,
  violations,
  type Overlay,
} from '../helpers/sample';
import { setFix } from '../helpers/fixes';

const ACCESS = 'web/implicitGrantSettings/enableAccessTokenIssuance';
const ID = 'web/implicitGrantSettings/enableIdTokenIssuance';
const SCOPE = `api://${BACKEND_APP_ID}/Colors.Read`;

const run = runnerFor(rule);

function implicitSettings(enableAccessTokenIssuance: boolean, enableIdTokenIssuance: boolean) {
  return { web: { implicitGrantSettings: { enableAccessTokenIssuance, enableIdTokenIssuance } } };
}

function server(grantTypes: string[], defaultScope = SCOPE) {
  return { properties: { grantTypes, defaultScope } };
}

/** The fixed sample with an overlay: a snapshot input for the RuleTester. */
const sample = (overlay: Overlay) => applyOverlay(loadSampleDoc(), overlay);
const CLIENT_APP = '/applications/1';
const GRANT_TYPES = '/apim/0/authorizationServers/0/properties/grantTypes';
const toCode = (issuance: string, value: string[]) =>
  setFix(
    "Switch authorization server 'colors-oauth' from the implicit grant to the authorization code grant (or, if " +
      `the implicit grant is required, enable ${issuance} on the app).`,
    GRANT_TYPES,
    value,
  );

new RuleTester({ now: TEST_NOW }).run(rule, {
  valid: [
    { name: 'the fixed sample', input: sample({}) },
    {
      name: 'access-token issuance on the client app of an implicit server',
      input: sample({ authorizationServer: server(['implicit']), clientApp: implicitSettings(true, false) }),
    },
    {
      name: 'no ID-token note when a server uses the implicit grant',
      input: sample({ authorizationServer: server(['implicit']), clientApp: implicitSettings(true, true) }),
    },
    {
      name: 'ID-token issuance for an implicit server that asks for openid',
      input: sample({
        authorizationServer: server(['implicit'], `openid ${SCOPE}`),
        clientApp: implicitSettings(false, true),
      }),
    },
  ],
  invalid: [
    {
      name: 'access-token issuance on the client app of an authorization-code server',
      input: sample({ clientApp: implicitSettings(true, false) }),
      errors: [
        {
          path: `${CLIENT_APP}/${ACCESS}`,
          severity: 'warning',
          resource: 'oauth-client-app',
          message:
            "Application 'oauth-client-app' has enableAccessTokenIssuance on although no APIM authorization server " +
            'uses it with the implicit grant; expected off.',
          detail: /returned in the redirect URL fragment.*leak/,
          fix: setFix(
            'Turn access-token issuance off (web.implicitGrantSettings.enableAccessTokenIssuance false) and use the authorization code grant.',
            `${CLIENT_APP}/${ACCESS}`,
            false,
          ),
        },
      ],
    },
    {
      name: 'ID-token issuance as a note',
      input: sample({ clientApp: implicitSettings(false, true) }),
      errors: [
        {
          path: `${CLIENT_APP}/${ID}`,
          severity: 'note',
          message: /has enableIdTokenIssuance on although .*; expected off\.$/,
          detail: /only a hybrid sign-in flow needs/,
          fix: setFix(
            'Turn ID-token issuance off (web.implicitGrantSettings.enableIdTokenIssuance false) unless a hybrid sign-in flow needs ID tokens from the authorization endpoint.',
            `${CLIENT_APP}/${ID}`,
            false,
          ),
        },
      ],
    },
    {
      name: 'both settings, separately',
      input: sample({ clientApp: implicitSettings(true, true) }),
      errors: [{ path: `${CLIENT_APP}/${ACCESS}` }, { path: `${CLIENT_APP}/${ID}` }],
    },
    {
      name: 'access-token issuance off for an implicit server (AADSTS700051)',
      input: sample({ authorizationServer: server(['implicit']) }),
      errors: [
        {
          path: `${CLIENT_APP}/${ACCESS}`,
          severity: 'error',
          message:
            "Authorization server 'colors-oauth' uses the implicit grant, but its client app 'oauth-client-app' has " +
            'enableAccessTokenIssuance off; expected on, or no implicit grant.',
          detail: /AADSTS700051 \(response_type 'token' is not enabled for the application\)/,
          // The fix is on the server, not on the app the finding is about.
          fix: toCode('access-token issuance (enableAccessTokenIssuance)', ['authorizationCode']),
        },
      ],
    },
    {
      name: 'ID-token issuance off for an implicit server that asks for openid (AADSTS700054)',
      input: sample({
        authorizationServer: server(['authorizationCode', 'implicit'], `openid ${SCOPE}`),
        clientApp: implicitSettings(true, false),
      }),
      errors: [
        {
          path: `${CLIENT_APP}/${ID}`,
          severity: 'error',
          message:
            /with the openid scope, but its client app 'oauth-client-app' has enableIdTokenIssuance off/,
          detail: /AADSTS700054/,
          fix: toCode('ID-token issuance (enableIdTokenIssuance)', ['authorizationCode']),
        },
      ],
    },
  ],
});

describe('implicit-grant-disabled', () => {
  it('declares its metadata as a security rule', () => {
    expect(rule.id).toBe('implicit-grant-disabled');
    expect(rule.meta.severity).toBe('warning');
    expect(rule.meta.tags).toContain('security');
    expect(rule.meta.securitySeverity).toBeGreaterThan(0);
    expect(rule.meta.requires).toEqual(['entra']);
  });

  describe('issuance that nothing needs', () => {
    it('warns about access-token issuance on the client app of an authorization-code server', () => {
      const found = violations(run({ clientApp: implicitSettings(true, false) }));
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.entity).toMatchObject({ kind: 'application', name: 'oauth-client-app' });
      expect(v?.path).toBe(ACCESS);
      expect(v?.severity).toBeUndefined();
      expect(v?.key).toBe('enableAccessTokenIssuance');
      expect(v?.message).toContain('enableAccessTokenIssuance on');
      expect(v?.message).toContain('no APIM authorization server uses it with the implicit grant');
    });

    it('checks apps no authorization server references', () => {
      const found = violations(run({ backendApp: implicitSettings(true, false) }));
      expect(found).toHaveLength(1);
      expect(found[0]?.entity).toMatchObject({ kind: 'application', name: 'oauth-backend-app' });
    });

    it('still reports issuance without APIM data, saying so', () => {
      const found = violations(run({ snapshot: { apim: null }, clientApp: implicitSettings(true, false) }));
      expect(found).toHaveLength(1);
      expect(found[0]?.message).toContain('no APIM data was given');
    });
  });

  describe('issuance an implicit server needs', () => {
    it('reports access-token issuance off for an implicit server (AADSTS700051)', () => {
      const found = violations(run({ authorizationServer: server(['implicit']) }));
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.entity).toMatchObject({ kind: 'application', name: 'oauth-client-app' });
      expect(v?.path).toBe(ACCESS);
      expect(v?.severity).toBe('error');
      expect(v?.key).toBe('contoso-apim/colors-oauth');
      expect(v?.message).toContain(`Authorization server 'colors-oauth' uses the implicit grant`);
      expect(v?.detail).toContain('AADSTS700051');
      expect(v?.fix?.property).toEqual({
        entity: expect.objectContaining({ kind: 'authorizationServer', name: 'colors-oauth' }),
        path: 'properties/grantTypes',
        value: ['authorizationCode'],
      });
    });
  });

  describe('not evaluated', () => {
    it('reports an implicit server whose client app is not in the data', () => {
      const ne = onlyNotEvaluated(
        run({
          authorizationServer: {
            properties: { grantTypes: ['implicit'], clientId: '99999999-9999-4999-8999-999999999999' },
          },
        }),
      );
      expect(ne?.entity).toMatchObject({ kind: 'authorizationServer', name: 'colors-oauth' });
      expect(ne?.reason).toContain('99999999-9999-4999-8999-999999999999');
    });

    it('ignores servers without the implicit grant whose client app is unknown', () => {
      expect(
        run({ authorizationServer: { properties: { clientId: '99999999-9999-4999-8999-999999999999' } } }),
      ).toEqual([]);
    });
  });
});
