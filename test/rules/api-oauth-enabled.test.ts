import rule from '../../rules/api-oauth-enabled';
import { RuleTester } from '../../src';
import { runAudit } from '../../src/engine/run';
import { newAjv } from '../../src/json/schema';
import {
  applyOverlay,
  AT,
  sampleInput,
  buildModel,
  checkedOutputs,
  loadSampleDoc,
  modelWith,
  runRule,
  runnerFor,
  TEST_NOW,
  violations,
  type Overlay,
} from '../helpers/sample';
import { setFix, textFix } from '../helpers/fixes';

const run = runnerFor(rule);

const NO_AUTH: Overlay = { api: { properties: { authenticationSettings: null } } };

/** A policy document whose inbound section is `inbound`. */
function policy(inbound: string) {
  return {
    format: 'rawxml',
    value: `<policies><inbound>${inbound}</inbound><backend><forward-request /></backend><outbound /><on-error /></policies>`,
  };
}

/** The sample's global policy validates Entra ID tokens for every API; this one validates nothing. */
const NO_GLOBAL_VALIDATION: Overlay = {
  service: { policy: policy('<cors><allowed-origins><origin>*</origin></allowed-origins></cors>') },
};

/** The sample without user authorization on its API and without any token validation: a subscription-key API. */
const SUBSCRIPTION_KEY_API: Overlay = { ...NO_AUTH, ...NO_GLOBAL_VALIDATION };

const ENTRA_V2 = 'https://login.microsoftonline.com/4f1e7a52-3c2b-4d8e-9a61-0b5c3d2e1f00/v2.0';

/** `overlay` with the API policy's inbound replaced by `inbound` (after `<base />`). */
function withApiInbound(inbound: string, overlay: Overlay = SUBSCRIPTION_KEY_API): Overlay {
  return { ...overlay, api: { ...(overlay.api as object), policy: policy(`<base />${inbound}`) } };
}

/** The fixed sample with a second API (a copy of colors-api) patched by `patch`. */
function withSecondApi(patch: Record<string, unknown>, overlay: Overlay = {}) {
  const doc = applyOverlay(loadSampleDoc(), overlay);
  const service = doc.apim?.[0] as { apis: Record<string, unknown>[] };
  const copy = structuredClone(service.apis[0]!);
  delete copy['id'];
  service.apis.push({ ...copy, ...patch });
  return buildModel(doc);
}

/** The whole engine on one rule: violations resting on unknown data become not-evaluated records. */
function audit(overlay: Overlay, options: Record<string, unknown> = {}) {
  return runAudit(modelWith(overlay), {
    rules: [rule],
    settings: { [rule.id]: { options: { ...rule.options!.defaults, ...options } } },
    suppressions: [],
    now: TEST_NOW,
    files: {},
  });
}

/** The entities a not-evaluated record lists, as `kind name` (one `resource`, or the `resources` of a group). */
function subjects(record: object): string[] {
  const r = record as {
    resource?: { kind: string; name: string };
    resources?: { kind: string; name: string }[];
  };
  return [...(r.resource ? [r.resource] : []), ...(r.resources ?? [])].map((e) => `${e.kind} ${e.name}`);
}

const SERVERS_NOT_CARRIED: Overlay = {
  service: {
    $unknown: {
      authorizationServers:
        'APIOps does not extract authorization servers; add them with --source azure:<id>',
      openidConnectProviders: 'APIOps does not extract OpenID Connect providers',
    },
  },
};

const API_PROPERTIES = `${AT.api}/properties`;
const EMPTY_AUTH: Overlay = {
  api: { properties: { authenticationSettings: { oAuth2: null, oAuth2AuthenticationSettings: null } } },
};
const MISSING_SERVER: Overlay = {
  api: {
    properties: {
      authenticationSettings: {
        oAuth2: { authorizationServerId: 'entra-auth' },
        oAuth2AuthenticationSettings: [{ authorizationServerId: 'entra-auth' }],
      },
    },
  },
};
const OPENID: Overlay = {
  api: {
    properties: {
      authenticationSettings: {
        oAuth2: null,
        oAuth2AuthenticationSettings: null,
        openid: { openidProviderId: 'entra-oidc' },
      },
    },
  },
};
const HIDDEN_SERVER: Overlay = { authorizationServer: { properties: { useInTestConsole: false } } };
const VALIDATES_ENTRA =
  "API 'colors-api' (revision 1) validates Entra ID tokens (validate-jwt in the global policy of service " +
  "'contoso-apim') but declares no OAuth 2.0 or OpenID Connect user authorization.";
const NO_TOKEN_IN_CONSOLE =
  /test console does not offer to get a token for the API, so its test calls carry no token and fail with 401 \(JWT not present\)/;
/** Which server the API should use is the user's choice: described, not applied. */
const SET_AUTHORIZATION = textFix(/^Set the API's user authorization to an authorization server \(/);

new RuleTester({ now: TEST_NOW }).run(rule, {
  valid: [
    { name: 'the fixed sample', input: sampleInput() },
    ...[
      [
        'a self-minted symmetric token',
        '<validate-jwt header-name="Authorization"><issuer-signing-keys><key>c2VjcmV0LWtleS1mb3ItaHMyNTY=</key></issuer-signing-keys></validate-jwt>',
      ],
      [
        'another identity provider',
        '<validate-jwt header-name="Authorization"><openid-config url="https://contoso.eu.auth0.com/.well-known/openid-configuration" /></validate-jwt>',
      ],
    ].map(([name, inbound]) => ({
      name: `no user authorization needed for ${name!}`,
      input: sampleInput(withApiInbound(inbound!)),
    })),
    {
      name: 'an issuer side from an unresolved named value, not evaluated',
      input: sampleInput(
        withApiInbound(
          '<validate-jwt header-name="Authorization"><openid-config url="{{idp-metadata-url}}" /></validate-jwt>',
        ),
      ),
      notEvaluated: [/^Whether API 'colors-api' \(revision 1\) validates Entra ID tokens is not known/],
    },
    {
      name: 'an API that validates no token (subscription-key API, health check, SOAP pass-through)',
      input: sampleInput(SUBSCRIPTION_KEY_API),
    },
    {
      name: 'an API whose only validation runs under a condition (not every request)',
      input: sampleInput(
        withApiInbound(
          `<choose><when condition="@(context.Request.Method == &quot;POST&quot;)"><validate-jwt header-name="Authorization"><openid-config url="${ENTRA_V2}/.well-known/openid-configuration" /></validate-jwt></when></choose>`,
        ),
      ),
    },
    {
      name: 'a protected API with user authorization but no validation, left to api-validate-jwt',
      input: sampleInput(NO_GLOBAL_VALIDATION),
      options: { protect: ['colors-api'] },
    },
    {
      name: 'protect does not affect APIs it does not name',
      input: sampleInput(SUBSCRIPTION_KEY_API),
      options: { protect: ['orders-*'] },
    },
    {
      name: 'servers of excluded APIs',
      input: sampleInput(HIDDEN_SERVER),
      options: { exclude: ['colors-api'] },
    },
    {
      name: 'non-current revisions',
      input: sampleInput({ api: { properties: { isCurrent: false, authenticationSettings: null } } }),
    },
  ],
  invalid: [
    {
      name: 'Entra validation without user authorization: a warning on the API (authenticationSettings removed)',
      input: sampleInput(NO_AUTH),
      errors: [
        {
          path: API_PROPERTIES,
          severity: 'warning',
          resource: 'colors-api',
          message: VALIDATES_ENTRA,
          detail: NO_TOKEN_IN_CONSOLE,
          fix: SET_AUTHORIZATION,
        },
      ],
    },
    {
      name: 'Entra validation without user authorization: a warning on the API (authenticationSettings empty)',
      input: sampleInput(EMPTY_AUTH),
      errors: [
        {
          path: `${API_PROPERTIES}/authenticationSettings`,
          severity: 'warning',
          resource: 'colors-api',
          message: VALIDATES_ENTRA,
        },
      ],
    },
    {
      name: 'the setting named per source kind: APIOps oAuth2 (singular), ARM/Bicep, Terraform, portal',
      input: sampleInput(NO_AUTH),
      errors: [
        {
          fix: {
            text: new RegExp(
              [
                'authenticationSettings\\.oAuth2 \\{ authorizationServerId, scope \\} in an APIOps apiInformation\\.json',
                'authenticationSettings\\.oAuth2AuthenticationSettings in ARM/Bicep',
                'an oauth2_authorization block in Terraform',
                'Settings > Security > User authorization in the portal',
              ]
                .map((part) => `(?=.*${part})`)
                .join('') +
                '.*or list the API in the rule option exclude if the portal is not used for it\\.$',
            ),
          },
        },
      ],
    },
    {
      name: 'a warning for validate-azure-ad-token in the API policy',
      input: sampleInput(
        withApiInbound(
          '<validate-azure-ad-token tenant-id="4f1e7a52-3c2b-4d8e-9a61-0b5c3d2e1f00"><audiences><audience>api://colors</audience></audiences></validate-azure-ad-token>',
        ),
      ),
      errors: [
        {
          severity: 'warning',
          resource: 'colors-api',
          message: /validates Entra ID tokens \(validate-azure-ad-token in the API policy of 'colors-api'\)/,
        },
      ],
    },
    {
      name: 'a warning for a validate-jwt whose issuer is an Entra issuer (no metadata URL)',
      input: sampleInput(
        withApiInbound(
          `<validate-jwt header-name="Authorization"><issuer-signing-keys><key>{{signing-key}}</key></issuer-signing-keys><issuers><issuer>${ENTRA_V2}</issuer></issuers></validate-jwt>`,
        ),
      ),
      errors: [{ severity: 'warning' }],
    },
    {
      name: 'protect: missing user authorization and missing validation, two errors on a protected API',
      input: sampleInput(SUBSCRIPTION_KEY_API),
      options: { protect: ['colors-api'] },
      errors: [
        {
          path: API_PROPERTIES,
          severity: 'error',
          message:
            "API 'colors-api' (revision 1) must be OAuth-protected (rule option protect) but declares no OAuth 2.0 or " +
            'OpenID Connect user authorization; expected an authorization server.',
          detail: /fail with 401 \(JWT not present\)\. It validates no token either\.$/,
          fix: SET_AUTHORIZATION,
        },
        {
          path: `${AT.api}/policy`,
          severity: 'error',
          message:
            "API 'colors-api' (revision 1) must be OAuth-protected (rule option protect) but operations " +
            "'colors-api/get-colors' and 1 more run no validate-jwt or validate-azure-ad-token on every request.",
          detail:
            "The global, workspace, product, API and operation scopes were checked: these operations ('colors-api/get-colors', " +
            "'colors-api/get-random-color') forward requests without a valid token to the backend, so the API is not protected.",
          // The validation's openid-config and audience are the user's to choose.
          fix: textFix(
            "Add validate-jwt (or validate-azure-ad-token) to the inbound section of the API policy of 'colors-api'.",
          ),
        },
      ],
    },
    ...['/colors', 'colors', 'col*', 'COLORS-*'].map((pattern) => ({
      name: `protect matching the API by name or path: ${pattern}`,
      input: sampleInput(SUBSCRIPTION_KEY_API),
      options: { protect: [pattern] },
      errors: 2,
    })),
    {
      name: 'protect: only the user authorization of a protected API that validates tokens',
      input: sampleInput(NO_AUTH),
      options: { protect: ['colors-api'] },
      errors: [
        {
          path: API_PROPERTIES,
          severity: 'error',
          message: /must be OAuth-protected \(rule option protect\) but declares no OAuth 2\.0/,
          detail: /It validates tokens with validate-jwt in the global policy of service 'contoso-apim'\.$/,
        },
      ],
    },
    ...['health-*', 'colors.api', 'colors-ap'].map((pattern) => ({
      name: `exclude still checks APIs not matching ${pattern}`,
      input: sampleInput(NO_AUTH),
      options: { exclude: [pattern] },
      errors: 1,
    })),
    {
      name: 'an authorization server known not to exist',
      input: sampleInput(MISSING_SERVER),
      errors: [
        {
          path: `${API_PROPERTIES}/authenticationSettings/oAuth2/authorizationServerId`,
          severity: 'error',
          resource: 'colors-api',
          message:
            "API 'colors-api' (revision 1) references authorization server 'entra-auth', which does not exist in " +
            "service 'contoso-apim' (existing: 'colors-oauth'); expected an existing authorization server.",
          detail: /cannot get a token for the API and its test calls fail with 401/,
          fix: textFix(
            "Reference an existing authorization server (existing: 'colors-oauth'), or create 'entra-auth'.",
          ),
        },
      ],
    },
    {
      name: 'a missing server in the array form next to an existing one',
      input: sampleInput({
        api: {
          properties: {
            authenticationSettings: {
              oAuth2AuthenticationSettings: [
                { authorizationServerId: 'colors-oauth' },
                { authorizationServerId: 'old-oauth' },
              ],
            },
          },
        },
      }),
      errors: [
        {
          path: `${API_PROPERTIES}/authenticationSettings/oAuth2AuthenticationSettings/1/authorizationServerId`,
        },
      ],
    },
    {
      name: 'an OpenID Connect provider known not to exist',
      input: sampleInput(OPENID),
      errors: [
        {
          path: `${API_PROPERTIES}/authenticationSettings/openid/openidProviderId`,
          message:
            /^(?=.*references OpenID Connect provider 'entra-oidc', which does not exist)(?=.*\(none exist\))/,
        },
      ],
    },
    {
      name: 'an authorization server hidden from the test console, as a note on the server',
      input: sampleInput(HIDDEN_SERVER),
      errors: [
        {
          path: `${AT.authorizationServer}/properties/useInTestConsole`,
          severity: 'note',
          resource: 'colors-oauth',
          message:
            "Authorization server 'colors-oauth' is configured on API 'colors-api' but has useInTestConsole false; expected true.",
          detail: /test console does not offer the server/,
          fix: setFix(
            'Set useInTestConsole to true unless the server is meant for API documentation only.',
            `${AT.authorizationServer}/properties/useInTestConsole`,
            true,
          ),
        },
      ],
    },
    {
      name: 'a current API that omits isCurrent',
      input: sampleInput({ api: { properties: { isCurrent: null, authenticationSettings: null } } }),
      errors: 1,
    },
  ],
});

describe('api-oauth-enabled', () => {
  it('states what it judged the fixed sample on', () => {
    expect(checkedOutputs(rule, modelWith())).toEqual([
      expect.objectContaining({ entity: expect.objectContaining({ name: 'colors-api' }) }),
    ]);
  });

  // The key tells findings at one path apart (fingerprints), and the rule's path is relative to its entity; the
  // RuleTester sees neither.
  it.each([
    [
      'a protected subscription-key API',
      SUBSCRIPTION_KEY_API,
      { protect: ['colors-api'] },
      [
        ['no-user-authorization', 'properties/authenticationSettings'],
        ['no-token-validation', 'policy'],
      ],
    ],
    [
      'a protected API that validates tokens',
      NO_AUTH,
      { protect: ['colors-api'] },
      [['no-user-authorization', 'properties/authenticationSettings']],
    ],
    [
      'a server known not to exist',
      MISSING_SERVER,
      {},
      [['oauth2:entra-auth', 'properties/authenticationSettings/oAuth2/authorizationServerId']],
    ],
    [
      'an OpenID Connect provider known not to exist',
      OPENID,
      {},
      [['openid:entra-oidc', 'properties/authenticationSettings/openid/openidProviderId']],
    ],
  ] as [string, Overlay, Record<string, unknown>, [string, string][]][])(
    'keys and places the findings of %s',
    (_name, overlay, options, want) => {
      expect(violations(run(overlay, options)).map((v) => [v.key, v.path])).toEqual(want);
    },
  );

  it('places missing user authorization at the API settings and a hidden server at useInTestConsole', () => {
    expect(violations(run(NO_AUTH)).map((v) => v.path)).toEqual(['properties/authenticationSettings']);
    expect(violations(run(HIDDEN_SERVER)).map((v) => v.path)).toEqual(['properties/useInTestConsole']);
  });

  it('names the server collection it rests on when a server does not exist', () => {
    const [v] = violations(run(MISSING_SERVER));
    expect(v?.evidence).toEqual([
      { collection: 'authorizationServers', parent: expect.objectContaining({ name: 'contoso-apim' }) },
    ]);
  });

  it('reports a missing server in the array form under its own key', () => {
    const found = violations(
      run({
        api: {
          properties: {
            authenticationSettings: {
              oAuth2AuthenticationSettings: [
                { authorizationServerId: 'colors-oauth' },
                { authorizationServerId: 'old-oauth' },
              ],
            },
          },
        },
      }),
    );
    expect(found.map((v) => [v.key, v.path])).toEqual([
      [
        'oauth2:old-oauth',
        'properties/authenticationSettings/oAuth2AuthenticationSettings/1/authorizationServerId',
      ],
    ]);
  });

  describe('an API that validates Entra ID tokens but declares no user authorization', () => {
    it('does not depend on the global policy when the validation is in the API policy', () => {
      const result = audit(
        withApiInbound(
          `<validate-jwt header-name="Authorization"><openid-config url="${ENTRA_V2}/.well-known/openid-configuration" /></validate-jwt>`,
          { ...NO_AUTH, service: { policy: null, $unknown: { policy: 'service declared elsewhere' } } },
        ),
      );
      expect(result.findings.map((f) => [f.severity, f.resource.name])).toEqual([['warning', 'colors-api']]);
      expect(result.notEvaluated).toEqual([]);
    });
  });

  describe('an API that validates no token', () => {
    it('states what it judged a subscription-key API on', () => {
      expect(checkedOutputs(rule, modelWith(SUBSCRIPTION_KEY_API))).toHaveLength(1);
    });

    it('is no finding by default even when the global policy is not in the data', () => {
      const result = audit({
        ...NO_AUTH,
        service: { policy: null, $unknown: { policy: 'declared elsewhere' } },
      });
      expect(result.findings).toEqual([]);
      expect(result.notEvaluated).toEqual([]);
    });
  });

  describe('protect option', () => {
    it('judges missing validation on the policies it rests on: an unknown global policy leaves it not evaluated', () => {
      const result = audit(
        {
          ...SUBSCRIPTION_KEY_API,
          service: { policy: null, $unknown: { policy: 'service declared elsewhere' } },
        },
        { protect: ['colors-api'] },
      );
      expect(result.findings.map((f) => f.message.slice(0, 60))).toEqual([
        "API 'colors-api' (revision 1) must be OAuth-protected (rule ",
      ]);
      expect(result.notEvaluated).toEqual([
        expect.objectContaining({
          reason: expect.stringMatching(/The finding would rest on policy of apimService 'contoso-apim'/),
        }),
      ]);
    });
  });

  describe('exclude option', () => {
    it.each([['colors-api'], ['colors-*'], ['COLORS-API'], ['*'], ['/colors']])(
      'skips APIs matching %s',
      (pattern) => {
        expect(run(NO_AUTH, { exclude: [pattern] })).toEqual([]);
        expect(run(SUBSCRIPTION_KEY_API, { exclude: [pattern], protect: ['*'] })).toEqual([]);
      },
    );

    it('only skips the matching API', () => {
      const model = withSecondApi(
        { name: 'health-api', properties: { displayName: 'Health', path: 'health' } },
        NO_AUTH,
      );
      const found = violations(runRule(rule, model, { exclude: ['health-*'] }));
      expect(found.map((v) => v.entity.name)).toEqual(['colors-api']);
    });

    it('has a schema that accepts names and rejects anything else', () => {
      const validate = newAjv().compile(rule.options!.schema);
      expect(validate(rule.options!.defaults)).toBe(true);
      expect(validate({ exclude: ['health-*'], protect: ['orders-*', '/payments/*'] })).toBe(true);
      expect(validate({ exclude: [1] })).toBe(false);
      expect(validate({ protect: [''] })).toBe(false);
      expect(validate({ protect: 'orders-api' })).toBe(false);
      expect(validate({ excludes: ['x'] })).toBe(false);
    });
  });

  describe('references to servers', () => {
    it('keeps the error of the broken sample: a snapshot carries the server collection', () => {
      const found = violations(runRule(rule, buildModel(loadSampleDoc('contoso'))));
      expect(found.map((v) => [v.entity.name, v.key])).toEqual([
        ['colors-admin-api', 'oauth2:colors-oauth-v1'],
      ]);
    });

    it('is not evaluated when the data does not carry the servers, and the reason says how to add them', () => {
      const result = audit({
        ...SERVERS_NOT_CARRIED,
        api: {
          properties: {
            authenticationSettings: {
              oAuth2: { authorizationServerId: 'entra-auth' },
              oAuth2AuthenticationSettings: null,
            },
          },
        },
      });
      expect(result.findings).toEqual([]);
      expect(result.notEvaluated.map((n) => [n.ruleId, subjects(n)])).toEqual([
        ['api-oauth-enabled', ['api colors-api']],
      ]);
      expect(result.notEvaluated[0]?.reason).toMatch(
        /authorizationServers of apimService 'contoso-apim'.*--source azure:<id>/,
      );
    });

    it('judges a server the data lists even when the collection is not carried in full', () => {
      expect(audit(SERVERS_NOT_CARRIED).findings).toEqual([]);
      expect(audit(SERVERS_NOT_CARRIED).notEvaluated).toEqual([]);
    });

    it('does not evaluate an OpenID Connect provider the data does not carry', () => {
      const result = audit({ ...OPENID, ...SERVERS_NOT_CARRIED });
      expect(result.findings).toEqual([]);
      expect(result.notEvaluated[0]?.reason).toMatch(/openidConnectProviders of apimService 'contoso-apim'/);
    });

    it('accepts a server known only from a "links" entry when the data does not carry servers', () => {
      const overlay: Overlay = {
        ...SERVERS_NOT_CARRIED,
        api: {
          properties: {
            authenticationSettings: {
              oAuth2: { authorizationServerId: 'entra-auth' },
              oAuth2AuthenticationSettings: null,
            },
          },
        },
      };
      const model = modelWith(overlay, [{ authorizationServer: 'entra-auth', service: 'contoso-apim' }]);
      expect(runRule(rule, model)).toEqual([]);
    });
  });

  describe('useInTestConsole', () => {
    it('reports the server once for several APIs', () => {
      const model = withSecondApi(
        {
          name: 'colors-v2-api',
          properties: {
            displayName: 'Colors v2',
            path: 'colors/v2',
            authenticationSettings: { oAuth2: { authorizationServerId: 'colors-oauth' } },
          },
        },
        { authorizationServer: { properties: { useInTestConsole: false } } },
      );
      const found = violations(runRule(rule, model));
      expect(found).toHaveLength(1);
      expect(found[0]?.message).toContain("APIs 'colors-api', 'colors-v2-api' but");
    });
  });
});
