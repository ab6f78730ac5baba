import rule from '../../rules/jwt-audience-matches-token-version';
import { RuleTester } from '../../src';
import { runAudit } from '../../src/engine/run';
import {
  AT,
  applyOverlay,
  sampleInput,
  BACKEND_APP_ID,
  buildModel,
  loadSampleDoc,
  notEvaluatedOutputs,
  TEST_NOW,
  violations,
  type Overlay,
  containing,
} from '../helpers/sample';
import {
  fixturePolicy,
  loadedRunnerFor,
  locationOf,
  policyXml,
  positionInJson,
  positionInInput,
  rawxml,
  SAMPLE_OPENID_CONFIG,
  SAMPLE_SCOPE_CLAIM,
  withGlobalValidateJwt,
} from '../helpers/policies';
import { policyEdit } from './policy-fix';

const URI = `api://${BACKEND_APP_ID}`;

function globalJwt(body: string, extra: Record<string, unknown> = {}): Overlay {
  return withGlobalValidateJwt(`${SAMPLE_OPENID_CONFIG}${body}${SAMPLE_SCOPE_CLAIM}`, '', extra);
}

const audiences = (...values: string[]) =>
  `<audiences>${values.map((v) => `<audience>${v}</audience>`).join('')}</audiences>`;

const run = loadedRunnerFor(rule);

const GLOBAL_POLICY = `${AT.service}/policy/value`;
const V1: Overlay = { backendApp: { api: { requestedAccessTokenVersion: null } } };
const MIXED_ENDPOINTS: Overlay = {
  ...V1,
  authorizationServer: {
    properties: {
      tokenEndpoint: 'https://login.microsoftonline.com/4f1e7a52-3c2b-4d8e-9a61-0b5c3d2e1f00/oauth2/token',
      tokenBodyParameters: [{ name: 'resource', value: BACKEND_APP_ID }],
    },
  },
};
const URI_FOR_V2 = globalJwt(audiences(URI));
const NO_AUDIENCE = globalJwt('');
const uriForV2 = sampleInput(URI_FOR_V2);

new RuleTester({ now: TEST_NOW }).run(rule, {
  valid: [
    { name: 'the fixed sample (v2.0 tokens, appId audience)', input: sampleInput() },
    {
      name: 'GUIDs compared without regard to case',
      input: sampleInput(globalJwt(audiences(BACKEND_APP_ID.toUpperCase()))),
    },
    {
      name: 'both identifiers for v1.0 tokens',
      input: sampleInput({ ...globalJwt(audiences(URI, BACKEND_APP_ID)), ...V1 }),
    },
  ],
  invalid: [
    {
      name: 'an App ID URI audience for v2.0 tokens, at the <audience>',
      input: uriForV2,
      errors: [
        {
          path: GLOBAL_POLICY,
          ...positionInInput(uriForV2, '<audience>'),
          severity: 'error',
          resource: 'contoso-apim',
          message:
            `validate-jwt in the global policy of service 'contoso-apim' accepts audiences '${URI}'; expected ` +
            `'${BACKEND_APP_ID}' (aud of v2.0 tokens)`,
        },
      ],
    },
    {
      name: 'a GUID-only audience for v1.0 tokens requested with the App ID URI',
      input: sampleInput(V1),
      errors: [
        {
          path: GLOBAL_POLICY,
          message: `validate-jwt in the global policy of service 'contoso-apim' accepts audiences '${BACKEND_APP_ID}'; expected '${URI}' (aud of v1.0 tokens)`,
        },
      ],
    },
    {
      name: 'both identifiers required when the server mixes v2.0 and v1.0 endpoints (the broken sample)',
      input: sampleInput(MIXED_ENDPOINTS),
      errors: [
        {
          path: GLOBAL_POLICY,
          message: containing(`expected '${URI}' (aud of v1.0 tokens)`),
        },
      ],
    },
    {
      name: 'a validation that checks no audience at all',
      input: sampleInput(NO_AUDIENCE),
      errors: [
        {
          path: GLOBAL_POLICY,
          message:
            "validate-jwt in the global policy of service 'contoso-apim' (API 'colors-api') checks no audience; " +
            "expected <audiences> with the backend's identifier",
        },
      ],
    },
    {
      name: 'an aud required claim, checked like the audiences',
      input: sampleInput(
        globalJwt(
          `${audiences(BACKEND_APP_ID)}<required-claims><claim name="aud"><value>${URI}</value></claim></required-claims>`,
        ),
      ),
      errors: [{ path: GLOBAL_POLICY, message: containing(`accepts aud claim values '${URI}'`) }],
    },
  ],
});

describe('jwt-audience-matches-token-version', () => {
  // The key tells findings in one policy apart (fingerprints), and the entity kind is the model's; the RuleTester
  // sees neither.
  it.each([
    [
      'an App ID URI audience for v2.0 tokens',
      URI_FOR_V2,
      [['apimService', `audience#0:aud:${BACKEND_APP_ID}`]],
    ],
    ['no audience', NO_AUDIENCE, [['apimService', 'validate-jwt#0:no-audience']]],
  ] as [string, Overlay, [string, string][]][])('keys the findings of %s', (_name, overlay, want) => {
    expect(violations(run(overlay).outputs).map((v) => [v.entity.kind, v.key])).toEqual(want);
  });

  it('takes the scope override of the API into account for v1.0 tokens', () => {
    /** v1.0 tokens, and an API that asks for a scope of a second App ID URI instead of the server's default. */
    const scopeOverride: Overlay = {
      backendApp: {
        api: { requestedAccessTokenVersion: 1 },
        identifierUris: [URI, 'https://contoso.com/colors'],
      },
      api: {
        properties: {
          authenticationSettings: {
            oAuth2: null,
            oAuth2AuthenticationSettings: [
              { authorizationServerId: 'colors-oauth', scope: 'https://contoso.com/colors/Colors.Read' },
            ],
          },
        },
      },
    };
    const { outputs } = run({ ...globalJwt(audiences('https://contoso.com/colors')), ...scopeOverride });
    expect(outputs).toEqual([]);
    const [v] = violations(run(scopeOverride).outputs);
    expect(v?.detail).toContain(
      "'https://contoso.com/colors' (scope override of API 'colors-api' 'https://contoso.com/colors/Colors.Read' of 'colors-oauth')",
    );
  });

  describe('validate-azure-ad-token', () => {
    it('reports backend-application-ids and audiences (either accepts the token) that are not the backend app (fixture validate-azure-ad-token)', () => {
      const policy = fixturePolicy('validate-azure-ad-token.xml');
      const { outputs } = run({ service: { policy: rawxml(policy) } });
      const found = violations(outputs);
      expect(found).toHaveLength(2);
      expect(found[0]?.message).toContain(`does not accept aud '${BACKEND_APP_ID}' of the v2.0 tokens`);
      expect(found[0]?.detail).toContain(
        "accepts backend-application-ids and audiences 'backend-app-id-1', 'https://api.example.com', but backend app 'oauth-backend-app'",
      );
      expect(found[0]?.fix?.text).toBe(
        `Add <application-id>${BACKEND_APP_ID}</application-id> to <backend-application-ids>.`,
      );
      expect(found[1]?.detail).toContain("accepts aud claim values 'https://api.example.com'");
      expect(found[1]?.fix?.text).toBe(`Add <value>${BACKEND_APP_ID}</value> to the aud claim.`);
    });

    it('accepts the backend appId in backend-application-ids', () => {
      const { outputs } = run({
        service: {
          policy: rawxml(
            policyXml({
              inbound:
                '<validate-azure-ad-token tenant-id="{{tenant-id}}"><client-application-ids><application-id>c</application-id></client-application-ids>' +
                `<backend-application-ids><application-id>${BACKEND_APP_ID}</application-id></backend-application-ids></validate-azure-ad-token>`,
            }),
          ),
        },
      });
      expect(outputs).toEqual([]);
    });
  });

  describe('named values', () => {
    it('substitutes a known named value', () => {
      const { outputs } = run(
        globalJwt(audiences('{{backend-app-id}}'), {
          namedValues: [
            { name: 'backend-app-id', properties: { displayName: 'backend-app-id', value: BACKEND_APP_ID } },
          ],
        }),
      );
      expect(outputs).toEqual([]);
    });

    it('reports a secret audience as not evaluated', () => {
      const { outputs } = run(globalJwt(audiences('{{colors-backend-key}}')));
      expect(violations(outputs)).toEqual([]);
      expect(notEvaluatedOutputs(outputs)[0]?.reason).toContain(
        'takes audiences from named value {{colors-backend-key}} (secret), which is not known offline',
      );
    });
  });

  it('reports a server whose backend app is not in the data as not evaluated', () => {
    const { outputs } = run({
      authorizationServer: { properties: { defaultScope: 'api://someone-else/Colors.Read' } },
    });
    expect(violations(outputs)).toEqual([]);
    const [n] = notEvaluatedOutputs(outputs);
    expect(n?.entity?.name).toBe('colors-oauth');
    expect(n?.reason).toContain(
      "The backend app registration behind authorization server 'colors-oauth' is not in the data",
    );
  });

  it('reports a fragment that is missing as not evaluated', () => {
    const { outputs } = run({
      api: { policy: rawxml(policyXml({ inbound: '<base /><include-fragment fragment-id="jwt" />' })) },
    });
    expect(violations(outputs)).toEqual([]);
    expect(notEvaluatedOutputs(outputs)[0]?.reason).toBe(
      "Token audiences in this policy are not checked: the API policy of 'colors-api' includes policy fragment 'jwt', which is not in the data; see policy-parse-error.",
    );
  });
});

/** The sample's API without an authorization server, protected by its own policy; the global policy validates nothing. */
function apiValidates(validation: string, extra: Overlay = {}): Overlay {
  const service = (extra.service ?? {}) as Record<string, unknown>;
  return {
    ...extra,
    service: {
      ...service,
      policy: rawxml(policyXml({ inbound: '<cors />', backend: '<forward-request />' })),
    },
    api: {
      properties: { authenticationSettings: null },
      policy: rawxml(policyXml({ inbound: `<base />${validation}` })),
    },
  };
}

const V2_METADATA_TENANT =
  '<openid-config url="https://login.microsoftonline.com/4f1e7a52-3c2b-4d8e-9a61-0b5c3d2e1f00/v2.0/.well-known/openid-configuration" />';
const jwtAccepting = (...values: string[]) =>
  `<validate-jwt header-name="Authorization" require-scheme="Bearer">${V2_METADATA_TENANT}${audiences(...values)}${SAMPLE_SCOPE_CLAIM}</validate-jwt>`;

describe('jwt-audience-matches-token-version on APIs without an authorization server', () => {
  it('finds the backend app by the App ID URI it accepts: a v2.0 backend fails with IDX10214', () => {
    const { outputs } = run(apiValidates(jwtAccepting(URI)));
    const v = violations(outputs);
    expect(notEvaluatedOutputs(outputs)).toEqual([]);
    expect(v).toHaveLength(1);
    expect(v[0]?.entity.kind).toBe('api');
    expect(v[0]?.message).toBe(
      `validate-jwt in the API policy of 'colors-api' accepts audiences '${URI}'; expected '${BACKEND_APP_ID}' ` +
        '(aud of v2.0 tokens)',
    );
    expect(v[0]?.detail).toBe(
      `It protects API 'colors-api' and accepts audiences '${URI}', but backend app 'oauth-backend-app' (the app ` +
        `registration of the accepted audience '${URI}') issues v2.0 access tokens (api.requestedAccessTokenVersion ` +
        `2), whose aud is always its appId '${BACKEND_APP_ID}': tokens with aud '${BACKEND_APP_ID}' fail with ` +
        'IDX10214 (audience validation failed), 401.',
    );
    expect(v[0]?.fix?.text).toBe(`Add <audience>${BACKEND_APP_ID}</audience>.`);
  });

  it('finds it by a custom identifier URI, and by a named value that resolves to one', () => {
    const custom: Overlay = { backendApp: { identifierUris: [URI, 'https://contoso.com/colors'] } };
    const direct = run(apiValidates(jwtAccepting('https://contoso.com/colors'), custom));
    expect(violations(direct.outputs)[0]?.detail).toContain(
      "the app registration of the accepted audience 'https://contoso.com/colors'",
    );
    const named = run(
      apiValidates(jwtAccepting('{{colors-audience}}'), {
        ...custom,
        service: {
          namedValues: [
            {
              name: 'colors-audience',
              properties: { displayName: 'colors-audience', value: 'https://contoso.com/colors' },
            },
          ],
        },
      }),
    );
    expect(violations(named.outputs)).toHaveLength(1);
  });

  it('accepts the appId of a v2.0 backend found by audience', () => {
    expect(run(apiValidates(jwtAccepting(BACKEND_APP_ID))).outputs).toEqual([]);
  });

  it('does not judge a v1.0 backend found by audience (which identifier clients request is not known)', () => {
    const v1: Overlay = { backendApp: { api: { requestedAccessTokenVersion: null } } };
    expect(run(apiValidates(jwtAccepting(URI), v1)).outputs).toEqual([]);
  });

  it('finds it by validate-azure-ad-token backend-application-ids; either list accepts the token', () => {
    const aad = (ids: string, auds: string) =>
      '<validate-azure-ad-token tenant-id="{{tenant-id}}"><client-application-ids><application-id>c</application-id></client-application-ids>' +
      `<backend-application-ids><application-id>${ids}</application-id></backend-application-ids>${auds}</validate-azure-ad-token>`;
    expect(run(apiValidates(aad(BACKEND_APP_ID, audiences(URI)))).outputs).toEqual([]);
    const [v] = violations(run(apiValidates(aad(URI, ''))).outputs);
    expect(v?.detail).toContain(
      `accepts backend-application-ids '${URI}', but backend app 'oauth-backend-app'`,
    );
  });

  it('reports an audience of no app in the data as not evaluated, saying how to add the app', () => {
    const { outputs } = run(apiValidates(jwtAccepting('api://someone-else')));
    expect(violations(outputs)).toEqual([]);
    const [n] = notEvaluatedOutputs(outputs);
    expect(n?.entity?.name).toBe('colors-api');
    expect(n?.reason).toBe(
      "Token audiences are not compared with the backend's token version: no app registration in the data has an " +
        'appId or identifier URI the validation accepts as audience; add the backend app registration ' +
        '(--source graph, a snapshot with "applications", or its manifest) whose appId or identifierUris the ' +
        'validation accepts as audience.',
    );
  });

  it('runs without any app registration: not evaluated for the backend, intrinsic checks still reported', () => {
    const noApps: Overlay = { snapshot: { applications: null } };
    const { outputs } = run(apiValidates(jwtAccepting(URI, 'https://graph.microsoft.com'), noApps));
    expect(violations(outputs).map((v) => v.key)).toEqual([
      'audience#1:first-party:https://graph.microsoft.com',
    ]);
    expect(notEvaluatedOutputs(outputs).map((n) => n.reason)).toEqual([
      expect.stringContaining('no app registrations are in the data; add the backend app registration'),
    ]);
  });

  describe('audiences of Microsoft APIs (no Entra data needed)', () => {
    it.each([
      ['00000003-0000-0000-c000-000000000000', 'Microsoft Graph'],
      ['https://graph.microsoft.com/', 'Microsoft Graph'],
      ['00000002-0000-0000-c000-000000000000', 'Azure AD Graph (retired)'],
      ['https://graph.windows.net', 'Azure AD Graph (retired)'],
      ['https://management.azure.com/', 'Azure Resource Manager'],
    ])('reports %s as an audience of %s, at the <audience>', (audience, api) => {
      const { outputs, inventory, text } = run(apiValidates(jwtAccepting(audience)));
      const found = violations(outputs);
      expect(found).toHaveLength(1);
      expect(found[0]?.message).toContain(
        `accepts the audience '${audience}' of ${api}; expected only its backend app's identifiers`,
      );
      expect(found[0]?.detail).toContain(`It accepts access tokens minted for ${api}, not for this API`);
      // The only audience: which one to accept instead is the user's.
      expect(found[0]?.fix?.policy).toBeUndefined();
      expect(locationOf(found[0]!, inventory)).toEqual(positionInJson(text, '<audience>'));
    });

    it('reports them in validate-azure-ad-token and in an aud claim too', () => {
      const aad =
        '<validate-azure-ad-token tenant-id="{{tenant-id}}"><audiences><audience>https://management.azure.com/</audience></audiences></validate-azure-ad-token>';
      expect(violations(run(apiValidates(aad)).outputs)[0]?.message).toContain('of Azure Resource Manager');
      const claim =
        `<validate-jwt header-name="Authorization">${V2_METADATA_TENANT}${audiences(BACKEND_APP_ID)}` +
        '<required-claims><claim name="aud" match="any"><value>00000003-0000-0000-c000-000000000000</value></claim></required-claims></validate-jwt>';
      const found = violations(run(apiValidates(claim)).outputs).map((v) => v.key);
      expect(found).toContain('value#0:first-party:00000003-0000-0000-c000-000000000000');
    });
  });

  it('reports an Entra validate-jwt without any audience check, with no app in the data', () => {
    const jwt = `<validate-jwt header-name="Authorization">${V2_METADATA_TENANT}</validate-jwt>`;
    const { outputs } = run(apiValidates(jwt, { snapshot: { applications: null } }));
    const [v] = violations(outputs);
    expect(v?.key).toBe('validate-jwt#0:no-audience');
    expect(v?.fix).toEqual({
      text: "Add <audiences> with the backend's identifier (its appId for v2.0 tokens).",
    });
  });

  it('leaves tokens of another identity provider alone (Auth0, B2C, a symmetric key)', () => {
    for (const jwt of [
      '<validate-jwt header-name="Authorization"><openid-config url="https://contoso.eu.auth0.com/.well-known/openid-configuration" /><audiences><audience>https://graph.microsoft.com</audience></audiences></validate-jwt>',
      '<validate-jwt header-name="Authorization"><openid-config url="https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin/v2.0/.well-known/openid-configuration" /></validate-jwt>',
      '<validate-jwt header-name="Authorization"><issuer-signing-keys><key>{{colors-backend-key}}</key></issuer-signing-keys></validate-jwt>',
    ]) {
      expect(run(apiValidates(jwt)).outputs).toEqual([]);
    }
  });
});

describe('jwt-audience-matches-token-version fixes', () => {
  it('adds the appId of a v2.0 backend to <audiences>', () => {
    const loaded = run(globalJwt(audiences(URI)));
    const [v] = violations(loaded.outputs);
    const { before, after } = policyEdit(loaded.doc, v);
    expect(after).toBe(
      before.replace(
        `<audience>${URI}</audience></audiences>`,
        `<audience>${URI}</audience><audience>${BACKEND_APP_ID}</audience></audiences>`,
      ),
    );
  });

  it('adds the requested identifier for v1.0 tokens, naming the better step', () => {
    const loaded = run(V1);
    const [v] = violations(loaded.outputs);
    expect(v?.detail).toContain(
      "backend app 'oauth-backend-app' issues v1.0 access tokens (api.requestedAccessTokenVersion null), whose aud is " +
        `the identifier the client requested: '${URI}' (default scope '${URI}/Colors.Read' of 'colors-oauth')`,
    );
    expect(v?.detail).toContain(`tokens with aud '${URI}' fail with IDX10214`);
    expect(v?.fix?.text).toBe(
      `Add <audience>${URI}</audience>, or better set api.requestedAccessTokenVersion to 2 on the backend app so ` +
        `that aud is always its appId '${BACKEND_APP_ID}'.`,
    );
    const { before, after } = policyEdit(loaded.doc, v);
    // On a line of its own, indented like the audience before it.
    expect(after).toBe(
      before.replace(
        `<audience>${BACKEND_APP_ID}</audience>\n`,
        `<audience>${BACKEND_APP_ID}</audience>\n        <audience>${URI}</audience>\n`,
      ),
    );
  });

  it('names every identifier of a server that mixes endpoint versions in the detail', () => {
    const [v] = violations(run(MIXED_ENDPOINTS).outputs);
    expect(v?.detail).toContain(
      `'${URI}' (default scope '${URI}/Colors.Read' of 'colors-oauth'), '${BACKEND_APP_ID}' (resource parameter of 'colors-oauth')`,
    );
  });

  it('adds <audiences> with the appId of a v2.0 backend to a validation that checks none', () => {
    const loaded = run(NO_AUDIENCE);
    const [v] = violations(loaded.outputs);
    expect(v?.detail).toMatch(/^It accepts a token issued by the same issuer for any other API/);
    const { before, after } = policyEdit(loaded.doc, v);
    const at = before.indexOf('>', before.indexOf('<validate-jwt')) + 1;
    expect(after).toBe(
      `${before.slice(0, at)}<audiences><audience>${BACKEND_APP_ID}</audience></audiences>${before.slice(at)}`,
    );
  });

  it('removes a Microsoft API audience when the list keeps one of its own', () => {
    const loaded = run(apiValidates(jwtAccepting(BACKEND_APP_ID, 'https://graph.microsoft.com')));
    const [v] = violations(loaded.outputs);
    expect(v?.fix?.text).toMatch(/^Remove the audience 'https:\/\/graph\.microsoft\.com'/);
    const { before, after } = policyEdit(loaded.doc, v);
    expect(after).toBe(before.replace('<audience>https://graph.microsoft.com</audience>', ''));
  });
});

describe('jwt-audience-matches-token-version evidence', () => {
  const audit = (overlay: Overlay) =>
    runAudit(buildModel(applyOverlay(loadSampleDoc(), overlay)), {
      rules: [rule],
      settings: {},
      suppressions: [],
      now: TEST_NOW,
      files: {},
    });
  const versionUnknown: Overlay = {
    backendApp: {
      $unknown: { 'api/requestedAccessTokenVersion': '${{TOKEN_VERSION}} is set at provision time' },
    },
  };

  it("rests the IDX10214 finding on the backend's token version: unknown, it is not evaluated", () => {
    const result = audit({ ...apiValidates(jwtAccepting(URI)), ...versionUnknown });
    expect(result.findings).toEqual([]);
    expect(result.notEvaluated.map((n) => n.reason)).toEqual([
      expect.stringMatching(
        /^The finding would rest on api\/requestedAccessTokenVersion of application 'oauth-backend-app'/,
      ),
    ]);
  });

  it('rests a Microsoft-API audience on the policy alone', () => {
    const result = audit({
      ...apiValidates(jwtAccepting('https://graph.microsoft.com', BACKEND_APP_ID)),
      ...versionUnknown,
    });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]?.message).toContain('of Microsoft Graph');
  });

  it('says a passing check was not fully evaluated when what it read is unknown', () => {
    const result = audit({ ...apiValidates(jwtAccepting(BACKEND_APP_ID)), ...versionUnknown });
    expect(result.findings).toEqual([]);
    expect(result.notEvaluated.map((n) => n.reason)).toEqual([
      expect.stringContaining('api/requestedAccessTokenVersion'),
    ]);
  });
});
