import rule from '../../rules/jwt-required-scope';
import { BACKEND_APP_ID, notEvaluatedOutputs, violations, type Overlay } from '../helpers/sample';
import {
  fixturePolicy,
  loadedRunnerFor,
  locationOf,
  policyXml,
  positionInJson,
  rawxml,
  SAMPLE_AUDIENCES,
  SAMPLE_OPENID_CONFIG,
  withGlobalValidateJwt,
} from '../helpers/policies';

function jwt(claims: string): Overlay {
  return withGlobalValidateJwt(`${SAMPLE_OPENID_CONFIG}${SAMPLE_AUDIENCES}${claims}`);
}

const claim = (name: string, values: string[], attributes = 'match="any" separator=" "') =>
  `<required-claims><claim name="${name}" ${attributes}>${values.map((v) => `<value>${v}</value>`).join('')}</claim></required-claims>`;

const scope = (value: string, isEnabled = true) => ({
  id: `00000000-0000-0000-0000-${value.length.toString().padStart(12, '0')}`,
  value,
  type: 'User',
  isEnabled,
  adminConsentDisplayName: value,
  adminConsentDescription: value,
});

const run = loadedRunnerFor(rule);

describe('jwt-required-scope', () => {
  it('accepts the fixed sample (scp Colors.Read, bare, exposed, requested)', () => {
    expect(run({}).outputs).toEqual([]);
  });

  it('reports a scope written as the full api:// string, at the <value>', () => {
    const { outputs, inventory, text } = run(jwt(claim('scp', [`api://${BACKEND_APP_ID}/Colors.Read`])));
    expect(notEvaluatedOutputs(outputs)).toEqual([]);
    const found = violations(outputs);
    expect(found).toHaveLength(1);
    const [v] = found;
    expect(v?.entity.kind).toBe('apimService');
    expect(v?.message).toBe(
      `validate-jwt in the global policy of service 'contoso-apim' (API 'colors-api') requires scp ` +
        `'api://${BACKEND_APP_ID}/Colors.Read', but the scp claim carries bare values such as 'Colors.Read' (the ` +
        'resource part of a requested scope never appears in it), so every token fails with ' +
        'TokenClaimValueNotAllowed (401); use <value>Colors.Read</value>.',
    );
    expect(locationOf(v!, inventory)).toEqual(positionInJson(text, '<value>api://'));
  });

  it('reports a scope the backend does not expose, naming what it exposes', () => {
    const found = violations(run(jwt(claim('scp', ['user_impersonation']))).outputs);
    const errors = found.filter((v) => v.severity === undefined);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain(
      "requires scp 'user_impersonation', but backend app 'oauth-backend-app' exposes no scope 'user_impersonation' (it exposes 'Colors.Read')",
    );
  });

  it('reports a disabled scope and a scope spelled with another case', () => {
    const disabled = run({
      ...jwt(claim('scp', ['Colors.Read'])),
      backendApp: { api: { oauth2PermissionScopes: [scope('Colors.Read', false)] } },
    });
    expect(violations(disabled.outputs)[0]?.message).toContain(
      "scope 'Colors.Read' of backend app 'oauth-backend-app' is disabled",
    );
    const cased = violations(run(jwt(claim('scp', ['colors.read']))).outputs);
    expect(cased[0]?.message).toContain("exposes it as 'Colors.Read' and claim values are compared exactly");
  });

  it('warns when scp is checked without separator=" "', () => {
    const [v] = violations(run(jwt(claim('scp', ['Colors.Read'], 'match="any"'))).outputs);
    expect(v?.severity).toBe('warning');
    expect(v?.key).toBe('claim#0:separator');
    expect(v?.message).toContain('checks scp without separator=" "');
  });

  it('warns when neither scp nor roles is checked (fixture validate-jwt-tabs)', () => {
    const policy = fixturePolicy('validate-jwt-tabs.xml');
    const { outputs, inventory, text } = run({ api: { policy: rawxml(policy) } });
    const found = violations(outputs).filter((v) => v.key === 'validate-jwt#0:no-scope');
    expect(found).toHaveLength(1);
    expect(found[0]?.severity).toBe('warning');
    expect(found[0]?.entity.kind).toBe('api');
    expect(found[0]?.message).toContain('checks no scope (scp), app role (roles) or calling app');
    expect(locationOf(found[0]!, inventory)).toEqual(positionInJson(text, '<validate-jwt'));
  });

  it('does not ask validate-azure-ad-token for a scope (client-application-ids restrict the callers)', () => {
    const { outputs } = run({
      service: {
        policy: rawxml(
          policyXml({
            inbound:
              '<validate-azure-ad-token tenant-id="{{tenant-id}}"><client-application-ids><application-id>c</application-id></client-application-ids></validate-azure-ad-token>',
          }),
        ),
      },
    });
    expect(outputs).toEqual([]);
  });

  it('checks roles for shape only', () => {
    expect(run(jwt(claim('roles', ['Colors.ReadAll'], 'match="any"'))).outputs).toEqual([]);
    const [v] = violations(
      run(jwt(claim('roles', [`api://${BACKEND_APP_ID}/Colors.ReadAll`], 'match="any"'))).outputs,
    );
    expect(v?.message).toContain('use <value>Colors.ReadAll</value>');
  });

  describe('scopes the authorization server requests', () => {
    const twoScopes: Overlay = {
      backendApp: { api: { oauth2PermissionScopes: [scope('Colors.Read'), scope('Colors.Write')] } },
    };

    it('warns when the server does not request the required scope', () => {
      const found = violations(run({ ...twoScopes, ...jwt(claim('scp', ['Colors.Write'])) }).outputs);
      expect(found).toHaveLength(1);
      expect(found[0]?.severity).toBe('warning');
      expect(found[0]?.message).toContain(
        "requires scp one of 'Colors.Write', but authorization server 'colors-oauth' requests only 'Colors.Read'",
      );
    });

    it('with match="all", warns when the server does not request every value', () => {
      const found = violations(
        run({
          ...twoScopes,
          ...jwt(claim('scp', ['Colors.Read', 'Colors.Write'], 'match="all" separator=" "')),
        }).outputs,
      );
      expect(found.map((v) => v.message)).toEqual([
        expect.stringContaining("requires scp all of 'Colors.Read', 'Colors.Write'"),
      ]);
    });

    it('does not judge a server that requests /.default', () => {
      const overlay: Overlay = {
        ...twoScopes,
        ...jwt(claim('scp', ['Colors.Write'])),
        authorizationServer: { properties: { defaultScope: `api://${BACKEND_APP_ID}/.default` } },
      };
      expect(run(overlay).outputs).toEqual([]);
    });
  });

  it('reports a value from a secret named value as not evaluated', () => {
    const { outputs } = run(jwt(claim('scp', ['{{colors-backend-key}}'])));
    expect(violations(outputs)).toEqual([]);
    expect(notEvaluatedOutputs(outputs)[0]?.reason).toContain(
      'requires scp named value {{colors-backend-key}} (secret)',
    );
  });

  it('reports the scope comparison as not evaluated when the backend app is not in the data', () => {
    const { outputs } = run({
      authorizationServer: { properties: { defaultScope: 'api://someone-else/x' } },
    });
    expect(violations(outputs)).toEqual([]);
    const [n] = notEvaluatedOutputs(outputs);
    expect(n?.entity?.name).toBe('colors-oauth');
    expect(n?.reason).toContain('cannot be compared with the scopes it exposes');
  });
});

/** The sample's API without an authorization server, protected by its own policy; the global policy validates nothing. */
function apiValidates(validation: string, extra: Overlay = {}): Overlay {
  return {
    ...extra,
    service: { policy: rawxml(policyXml({ inbound: '<cors />', backend: '<forward-request />' })) },
    api: {
      properties: { authenticationSettings: null },
      policy: rawxml(policyXml({ inbound: `<base />${validation}` })),
    },
  };
}

const entraJwt = (claims: string) =>
  `<validate-jwt header-name="Authorization" require-scheme="Bearer">${SAMPLE_OPENID_CONFIG}${SAMPLE_AUDIENCES}${claims}</validate-jwt>`;

describe('jwt-required-scope: callers, validate-azure-ad-token and tokens of other providers', () => {
  it.each(['azp', 'appid'])('treats a required %s claim as an authorization control (no warning)', (name) => {
    const caller = `<required-claims><claim name="${name}"><value>1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6</value></claim></required-claims>`;
    expect(run(apiValidates(entraJwt(caller))).outputs).toEqual([]);
  });

  it('warns about validate-azure-ad-token with neither client-application-ids nor scp / roles', () => {
    const aad = `<validate-azure-ad-token tenant-id="{{tenant-id}}">${SAMPLE_AUDIENCES}</validate-azure-ad-token>`;
    const { outputs } = run(apiValidates(aad));
    const [v] = violations(outputs);
    expect(violations(outputs)).toHaveLength(1);
    expect(v?.severity).toBe('warning');
    expect(v?.key).toBe('validate-azure-ad-token#0:no-scope');
    expect(v?.message).toContain(
      "validate-azure-ad-token in the API policy of 'colors-api' (API 'colors-api') checks no scope (scp), app role (roles) or calling app",
    );
    expect(v?.message).toContain('or admit only known callers with <client-application-ids>');
  });

  it('warns about an Entra validate-jwt on an API without an authorization server', () => {
    const [v] = violations(run(apiValidates(entraJwt(''))).outputs);
    expect(v?.key).toBe('validate-jwt#0:no-scope');
  });

  it.each([
    ['a symmetric key', '<issuer-signing-keys><key>{{colors-backend-key}}</key></issuer-signing-keys>'],
    ['Auth0', '<openid-config url="https://contoso.eu.auth0.com/.well-known/openid-configuration" />'],
    ['Okta', '<issuers><issuer>https://dev-123.okta.com/oauth2/default</issuer></issuers>'],
    [
      'Azure AD B2C',
      '<openid-config url="https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin/v2.0/.well-known/openid-configuration" />',
    ],
    [
      'Entra External ID',
      '<openid-config url="https://contoso.ciamlogin.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration" />',
    ],
  ])('leaves a token minted with %s outside the Entra reasoning', (_, keys) => {
    const jwt = `<validate-jwt header-name="Authorization">${keys}${claim('scp', [`api://${BACKEND_APP_ID}/Colors.Read`], 'match="any"')}</validate-jwt>`;
    expect(run(apiValidates(jwt)).outputs).toEqual([]);
  });

  it('compares required scopes with the backend app found by audience', () => {
    const found = violations(run(apiValidates(entraJwt(claim('scp', ['Colors.Write'])))).outputs);
    expect(found.map((v) => v.message)).toEqual([
      expect.stringContaining(
        "requires scp 'Colors.Write', but backend app 'oauth-backend-app' exposes no scope 'Colors.Write' (it exposes 'Colors.Read')",
      ),
    ]);
  });

  it('says so when the issuer is not known offline', () => {
    const jwt =
      '<validate-jwt header-name="Authorization"><openid-config url="{{idp-metadata}}" /><audiences><audience>https://orders.example.com</audience></audiences></validate-jwt>';
    const { outputs } = run(apiValidates(jwt));
    expect(violations(outputs)).toEqual([]);
    expect(notEvaluatedOutputs(outputs)[0]?.reason).toContain(
      'Whether this validation admits Microsoft Entra tokens is not known offline',
    );
  });
});
