import rule from '../../rules/jwt-required-scope';
import { RuleTester } from '../../src';
import {
  AT,
  BACKEND_APP_ID,
  notEvaluatedOutputs,
  sampleInput,
  TEST_NOW,
  violations,
  type Overlay,
} from '../helpers/sample';
import {
  fixturePolicy,
  loadedRunnerFor,
  permissionScope,
  policyXml,
  positionInInput,
  rawxml,
  requiredClaims,
  SAMPLE_AUDIENCES,
  SAMPLE_OPENID_CONFIG,
  withGlobalValidateJwt,
} from '../helpers/policies';
import { policyEdit } from './policy-fix';

function jwt(claims: string): Overlay {
  return withGlobalValidateJwt(`${SAMPLE_OPENID_CONFIG}${SAMPLE_AUDIENCES}${claims}`);
}

const claim = requiredClaims;
const scope = permissionScope;

const run = loadedRunnerFor(rule);

const GLOBAL_POLICY = `${AT.service}/policy/value`;
const TWO_SCOPES: Overlay = {
  backendApp: { api: { oauth2PermissionScopes: [scope('Colors.Read'), scope('Colors.Write')] } },
};
const FULL_STRING = sampleInput(jwt(claim('scp', [`api://${BACKEND_APP_ID}/Colors.Read`])));
const NO_SEPARATOR = jwt(claim('scp', ['Colors.Read'], 'match="any"'));
const TABS = { api: { policy: rawxml(fixturePolicy('validate-jwt-tabs.xml')) } };
const tabs = sampleInput(TABS);

new RuleTester({ now: TEST_NOW }).run(rule, {
  valid: [
    { name: 'the fixed sample (scp Colors.Read, bare, exposed, requested)', input: sampleInput() },
    {
      name: 'no scope asked of validate-azure-ad-token (client-application-ids restrict the callers)',
      input: sampleInput({
        service: {
          policy: rawxml(
            policyXml({
              inbound:
                '<validate-azure-ad-token tenant-id="{{tenant-id}}"><client-application-ids><application-id>c</application-id></client-application-ids></validate-azure-ad-token>',
            }),
          ),
        },
      }),
    },
    {
      name: 'roles, checked for shape only',
      input: sampleInput(jwt(claim('roles', ['Colors.ReadAll'], 'match="any"'))),
    },
    {
      name: 'a server that requests /.default is not judged on the scopes it requests',
      input: sampleInput({
        ...TWO_SCOPES,
        ...jwt(claim('scp', ['Colors.Write'])),
        authorizationServer: { properties: { defaultScope: `api://${BACKEND_APP_ID}/.default` } },
      }),
    },
    {
      name: 'a value from a secret named value, not evaluated',
      input: sampleInput(jwt(claim('scp', ['{{colors-backend-key}}']))),
      notEvaluated: [/requires scp named value \{\{colors-backend-key\}\} \(secret\)/],
    },
  ],
  invalid: [
    {
      name: 'a scope written as the full api:// string, at the <value>',
      input: FULL_STRING,
      errors: [
        {
          path: GLOBAL_POLICY,
          ...positionInInput(FULL_STRING, '<value>api://'),
          severity: 'error',
          resource: 'contoso-apim',
          message:
            `validate-jwt in the global policy of service 'contoso-apim' (API 'colors-api') requires scp ` +
            `'api://${BACKEND_APP_ID}/Colors.Read'; expected the bare value 'Colors.Read'`,
        },
      ],
    },
    {
      name: 'a scope the backend does not expose, naming what it exposes',
      input: sampleInput(jwt(claim('scp', ['user_impersonation']))),
      errors: [
        // The warning is located at the <claim>, before the <value> the error points at.
        {
          path: GLOBAL_POLICY,
          severity: 'warning',
          message: /authorization server 'colors-oauth' requests only 'Colors\.Read'/,
        },
        {
          path: GLOBAL_POLICY,
          severity: 'error',
          message:
            /requires scp 'user_impersonation', but backend app 'oauth-backend-app' exposes only 'Colors\.Read'$/,
        },
      ],
    },
    {
      name: 'a disabled scope',
      input: sampleInput({
        ...jwt(claim('scp', ['Colors.Read'])),
        backendApp: { api: { oauth2PermissionScopes: [scope('Colors.Read', false)] } },
      }),
      errors: [
        {
          path: GLOBAL_POLICY,
          severity: 'error',
          message: /scope 'Colors\.Read' of backend app 'oauth-backend-app' is disabled/,
        },
      ],
    },
    {
      name: 'a scope spelled with another case',
      input: sampleInput(jwt(claim('scp', ['colors.read']))),
      errors: [
        { path: GLOBAL_POLICY, severity: 'warning', message: /requests only 'Colors\.Read'/ },
        {
          path: GLOBAL_POLICY,
          severity: 'error',
          message:
            /requires scp 'colors\.read', but backend app 'oauth-backend-app' exposes it as 'Colors\.Read'$/,
        },
      ],
    },
    {
      name: 'scp checked without separator=" ", as a warning',
      input: sampleInput(NO_SEPARATOR),
      errors: [
        {
          path: GLOBAL_POLICY,
          severity: 'warning',
          message: /checks scp without separator=" "; expected separator=" "$/,
        },
      ],
    },
    {
      name: 'neither scp nor roles checked (fixture validate-jwt-tabs), as a warning at the validate-jwt',
      input: tabs,
      errors: [
        {
          path: `${AT.api}/policy/value`,
          ...positionInInput(tabs, '<validate-jwt'),
          severity: 'warning',
          resource: 'colors-api',
          message: /checks no scope \(scp\), app role \(roles\) or calling app/,
        },
      ],
    },
    {
      name: 'roles written as the full api:// string',
      input: sampleInput(jwt(claim('roles', [`api://${BACKEND_APP_ID}/Colors.ReadAll`], 'match="any"'))),
      errors: [{ path: GLOBAL_POLICY, message: /; expected the bare value 'Colors\.ReadAll'$/ }],
    },
    {
      name: 'a required scope the authorization server does not request, as a warning',
      input: sampleInput({ ...TWO_SCOPES, ...jwt(claim('scp', ['Colors.Write'])) }),
      errors: [
        {
          path: GLOBAL_POLICY,
          severity: 'warning',
          message:
            /requires scp one of 'Colors\.Write', but authorization server 'colors-oauth' requests only 'Colors\.Read'/,
        },
      ],
    },
    {
      name: 'with match="all", a value the server does not request',
      input: sampleInput({
        ...TWO_SCOPES,
        ...jwt(claim('scp', ['Colors.Read', 'Colors.Write'], 'match="all" separator=" "')),
      }),
      errors: [
        {
          path: GLOBAL_POLICY,
          severity: 'warning',
          message: /requires scp all of 'Colors\.Read', 'Colors\.Write'/,
        },
      ],
    },
  ],
});

describe('jwt-required-scope', () => {
  // The key tells findings in one policy apart (fingerprints), and the entity kind is the model's; the RuleTester
  // sees neither.
  it('rewrites a full api:// value to the bare value, and says why the token fails', () => {
    const loaded = run(jwt(claim('scp', [`api://${BACKEND_APP_ID}/Colors.Read`])));
    const [v] = violations(loaded.outputs);
    expect(v?.detail).toBe(
      "The scp claim carries bare values such as 'Colors.Read' (the resource part of a requested scope never " +
        'appears in it), so every token fails with TokenClaimValueNotAllowed (401 "Claim scp value of ... is not ' +
        'allowed. Access denied.").',
    );
    expect(v?.fix?.text).toBe('Use <value>Colors.Read</value>.');
    const { before, after } = policyEdit(loaded.doc, v);
    expect(after).toBe(
      before.replace(`<value>api://${BACKEND_APP_ID}/Colors.Read</value>`, '<value>Colors.Read</value>'),
    );
  });

  it('respells a value with another case as the backend exposes it', () => {
    const loaded = run(jwt(claim('scp', ['colors.read'])));
    const v = violations(loaded.outputs).find((o) => o.severity !== 'warning');
    expect(v?.detail).toMatch(/^Claim values are compared exactly, case included, so every token fails/);
    expect(v?.fix?.text).toBe("Require 'Colors.Read', as the backend app exposes it.");
    const { before, after } = policyEdit(loaded.doc, v);
    expect(after).toBe(before.replace('<value>colors.read</value>', '<value>Colors.Read</value>'));
  });

  it("describes the steps for a scope not exposed, disabled, or not requested (the choice is the user's)", () => {
    const [missing] = violations(run(jwt(claim('scp', ['user_impersonation']))).outputs);
    expect(missing?.detail).toMatch(/^No token carries a scope the backend app does not expose/);
    expect(missing?.fix).toEqual({
      text: "Require a scope backend app 'oauth-backend-app' exposes and the client requests (or expose 'user_impersonation' on it).",
    });
    const [disabled] = violations(
      run({
        ...jwt(claim('scp', ['Colors.Read'])),
        backendApp: { api: { oauth2PermissionScopes: [scope('Colors.Read', false)] } },
      }).outputs,
    );
    expect(disabled?.detail).toMatch(/^No token carries a disabled scope/);
    expect(disabled?.fix).toEqual({
      text: "Enable scope 'Colors.Read' of backend app 'oauth-backend-app', or require a scope it exposes enabled.",
    });
    const [unrequested] = violations(run({ ...TWO_SCOPES, ...jwt(claim('scp', ['Colors.Write'])) }).outputs);
    expect(unrequested?.detail).toMatch(/tokens the developer portal gets through 'colors-oauth' fail/);
    expect(unrequested?.fix).toEqual({
      text: "Request the required scope in the default scope of authorization server 'colors-oauth', or require what it requests.",
    });
  });

  it('adds separator=" " to a scp claim without one', () => {
    const loaded = run(NO_SEPARATOR);
    const [v] = violations(loaded.outputs);
    expect(v?.detail).toMatch(/a token that carries two scopes \('Colors\.Read Other\.Scope'\) fails/);
    const { before, after } = policyEdit(loaded.doc, v);
    expect(after).toBe(
      before.replace('<claim name="scp" match="any">', '<claim name="scp" match="any" separator=" ">'),
    );
  });

  it('explains what passes when no scope is checked, and describes the claim to add', () => {
    const [v] = violations(run(TABS).outputs).filter((o) => o.key === 'validate-jwt#0:no-scope');
    expect(v?.detail).toMatch(/app-only tokens that any application in the tenant can get/);
    expect(v?.fix?.text).toMatch(/^Add <required-claims><claim name="scp" match="any" separator=" ">/);
    expect(v?.fix?.policy).toBeUndefined();
  });

  it('keys the missing separator by its claim', () => {
    const [v] = violations(run(NO_SEPARATOR).outputs);
    expect(v?.key).toBe('claim#0:separator');
  });

  it('keys a claim value by its place in the validation, not in the policy (baselines survive unrelated edits)', () => {
    const fullString = claim('scp', [`api://${BACKEND_APP_ID}/Colors.Read`]);
    const keyOf = (overlay: Overlay) => violations(run(overlay).outputs).map((v) => v.key);
    const before = keyOf(jwt(fullString));
    expect(before).toEqual([`value#0:uri:api://${BACKEND_APP_ID}/Colors.Read`]);
    // A <set-header> with a <value> above the validation: an unrelated edit, the same key.
    const header = '<set-header name="X-Unrelated" exists-action="override"><value>1</value></set-header>';
    const withHeader = {
      service: {
        policy: rawxml(
          policyXml({
            inbound: `${header}<validate-jwt header-name="Authorization" require-scheme="Bearer">${SAMPLE_OPENID_CONFIG}${SAMPLE_AUDIENCES}${fullString}</validate-jwt>`,
            backend: '<forward-request />',
          }),
        ),
      },
    };
    expect(keyOf(withHeader)).toEqual(before);
    // A second validation in the same text: its values are told apart by the validation's own place.
    const validation = `<validate-jwt header-name="Authorization" require-scheme="Bearer">${SAMPLE_OPENID_CONFIG}${SAMPLE_AUDIENCES}${fullString}</validate-jwt>`;
    const twice = {
      service: {
        policy: rawxml(policyXml({ inbound: `${validation}${validation}`, backend: '<forward-request />' })),
      },
    };
    expect(keyOf(twice)).toEqual([
      `value#0:uri:api://${BACKEND_APP_ID}/Colors.Read`,
      `validate-jwt#1>value#0:uri:api://${BACKEND_APP_ID}/Colors.Read`,
    ]);
  });

  it('keys the missing scope check by its validate-jwt, on the API (fixture validate-jwt-tabs)', () => {
    const found = violations(run(TABS).outputs).filter((v) => v.key === 'validate-jwt#0:no-scope');
    expect(found.map((v) => v.entity.kind)).toEqual(['api']);
  });

  it('reports the full api:// string on the service', () => {
    const found = violations(run(jwt(claim('scp', [`api://${BACKEND_APP_ID}/Colors.Read`]))).outputs);
    expect(found.map((v) => v.entity.kind)).toEqual(['apimService']);
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
    expect(v?.fix?.text).toContain('or admit only known callers with <client-application-ids>');
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
        "requires scp 'Colors.Write', but backend app 'oauth-backend-app' exposes only 'Colors.Read'",
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
