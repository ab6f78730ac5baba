import rule from '../../rules/api-oauth-enabled';
import { runAudit } from '../../src/engine/run';
import { newAjv } from '../../src/json/schema';
import {
  applyOverlay,
  buildModel,
  checkedOutputs,
  loadSampleDoc,
  modelWith,
  notEvaluatedOutputs,
  runRule,
  runnerFor,
  TEST_NOW,
  violations,
  type Overlay,
} from '../helpers/sample';

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

describe('api-oauth-enabled', () => {
  it('accepts the fixed sample, and states what it judged it on', () => {
    expect(run()).toEqual([]);
    expect(checkedOutputs(rule, modelWith())).toEqual([
      expect.objectContaining({ entity: expect.objectContaining({ name: 'colors-api' }) }),
    ]);
  });

  describe('an API that validates Entra ID tokens but declares no user authorization', () => {
    it.each([
      ['authenticationSettings removed', NO_AUTH],
      [
        'authenticationSettings empty',
        {
          api: {
            properties: { authenticationSettings: { oAuth2: null, oAuth2AuthenticationSettings: null } },
          },
        },
      ],
    ])('is a warning on the API when %s (the global policy validates)', (_name, overlay) => {
      const found = violations(run(overlay));
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.entity).toMatchObject({ kind: 'api', name: 'colors-api' });
      expect(v?.path).toBe('properties/authenticationSettings');
      expect(v?.severity).toBe('warning');
      expect(v?.message).toContain(
        "API 'colors-api' (revision 1) validates Entra ID tokens (validate-jwt in the global policy of service 'contoso-apim') " +
          'but declares no OAuth 2.0 or OpenID Connect user authorization',
      );
      expect(v?.message).toContain("the developer portal's test console cannot get a token for it");
    });

    it('names the setting per source kind: APIOps oAuth2 (singular), ARM/Bicep, Terraform, portal', () => {
      const [v] = violations(run(NO_AUTH));
      expect(v?.message).toContain(
        'authenticationSettings.oAuth2 { authorizationServerId, scope } in an APIOps apiInformation.json',
      );
      expect(v?.message).toContain('authenticationSettings.oAuth2AuthenticationSettings in ARM/Bicep');
      expect(v?.message).toContain('an oauth2_authorization block in Terraform');
      expect(v?.message).toContain('Settings > Security > User authorization in the portal');
    });

    it('is a warning for validate-azure-ad-token in the API policy', () => {
      const found = violations(
        run(
          withApiInbound(
            '<validate-azure-ad-token tenant-id="4f1e7a52-3c2b-4d8e-9a61-0b5c3d2e1f00"><audiences><audience>api://colors</audience></audiences></validate-azure-ad-token>',
          ),
        ),
      );
      expect(found.map((v) => [v.severity, v.entity.name])).toEqual([['warning', 'colors-api']]);
      expect(found[0]?.message).toContain("validate-azure-ad-token in the API policy of 'colors-api'");
    });

    it('is a warning for a validate-jwt whose issuer is an Entra issuer (no metadata URL)', () => {
      const found = violations(
        run(
          withApiInbound(
            `<validate-jwt header-name="Authorization"><issuer-signing-keys><key>{{signing-key}}</key></issuer-signing-keys><issuers><issuer>${ENTRA_V2}</issuer></issuers></validate-jwt>`,
          ),
        ),
      );
      expect(found.map((v) => v.severity)).toEqual(['warning']);
    });

    it.each([
      [
        'a self-minted symmetric token',
        '<validate-jwt header-name="Authorization"><issuer-signing-keys><key>c2VjcmV0LWtleS1mb3ItaHMyNTY=</key></issuer-signing-keys></validate-jwt>',
      ],
      [
        'another identity provider',
        '<validate-jwt header-name="Authorization"><openid-config url="https://contoso.eu.auth0.com/.well-known/openid-configuration" /></validate-jwt>',
      ],
    ])('is no finding for %s', (_name, inbound) => {
      expect(run(withApiInbound(inbound))).toEqual([]);
    });

    it('is not evaluated when the issuer side is an unresolved named value', () => {
      const outputs = run(
        withApiInbound(
          '<validate-jwt header-name="Authorization"><openid-config url="{{idp-metadata-url}}" /></validate-jwt>',
        ),
      );
      expect(violations(outputs)).toEqual([]);
      expect(notEvaluatedOutputs(outputs).map((n) => n.reason)).toEqual([
        expect.stringMatching(
          /^Whether API 'colors-api' \(revision 1\) validates Entra ID tokens is not known/,
        ),
      ]);
    });

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
    it('is no finding by default (subscription-key API, health check, SOAP pass-through)', () => {
      expect(run(SUBSCRIPTION_KEY_API)).toEqual([]);
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

    it('is no finding when its only validation runs under a condition (not every request)', () => {
      expect(
        run(
          withApiInbound(
            `<choose><when condition="@(context.Request.Method == &quot;POST&quot;)"><validate-jwt header-name="Authorization"><openid-config url="${ENTRA_V2}/.well-known/openid-configuration" /></validate-jwt></when></choose>`,
          ),
        ),
      ).toEqual([]);
    });
  });

  describe('protect option', () => {
    it('makes missing user authorization and missing validation two errors on a protected API', () => {
      const found = violations(run(SUBSCRIPTION_KEY_API, { protect: ['colors-api'] }));
      expect(found.map((v) => [v.key, v.path, v.severity])).toEqual([
        ['no-user-authorization', 'properties/authenticationSettings', undefined],
        ['no-token-validation', 'policy', undefined],
      ]);
      expect(rule.meta.severity).toBe('error');
      expect(found[0]?.message).toContain(
        "API 'colors-api' (revision 1) must be OAuth-protected (rule option protect) but declares no OAuth 2.0 or OpenID Connect user authorization",
      );
      expect(found[1]?.message).toContain(
        "operations 'colors-api/get-colors', 'colors-api/get-random-color' run no validate-jwt or validate-azure-ad-token on every request",
      );
    });

    it.each([['/colors'], ['colors'], ['col*'], ['COLORS-*']])(
      'matches the API by name or path: %s',
      (pattern) => {
        expect(violations(run(SUBSCRIPTION_KEY_API, { protect: [pattern] }))).toHaveLength(2);
      },
    );

    it('reports only the user authorization of a protected API that validates tokens', () => {
      const found = violations(run(NO_AUTH, { protect: ['colors-api'] }));
      expect(found.map((v) => [v.key, v.severity])).toEqual([['no-user-authorization', undefined]]);
      expect(found[0]?.message).toContain(
        '(it validates tokens: validate-jwt in the global policy of service',
      );
    });

    it('leaves a protected API with user authorization but no validation to api-validate-jwt', () => {
      expect(run(NO_GLOBAL_VALIDATION, { protect: ['colors-api'] })).toEqual([]);
    });

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

    it('does not affect APIs it does not name', () => {
      expect(run(SUBSCRIPTION_KEY_API, { protect: ['orders-*'] })).toEqual([]);
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

    it.each([['health-*'], ['colors.api'], ['colors-ap']])('still checks APIs not matching %s', (pattern) => {
      expect(violations(run(NO_AUTH, { exclude: [pattern] }))).toHaveLength(1);
    });

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
    it('reports an authorization server known not to exist', () => {
      const found = violations(
        run({
          api: {
            properties: {
              authenticationSettings: {
                oAuth2: { authorizationServerId: 'entra-auth' },
                oAuth2AuthenticationSettings: [{ authorizationServerId: 'entra-auth' }],
              },
            },
          },
        }),
      );
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.entity.name).toBe('colors-api');
      expect(v?.path).toBe('properties/authenticationSettings/oAuth2/authorizationServerId');
      expect(v?.key).toBe('oauth2:entra-auth');
      expect(v?.severity).toBeUndefined();
      expect(v?.message).toContain("references authorization server 'entra-auth', which does not exist");
      expect(v?.message).toContain("service 'contoso-apim' (existing: 'colors-oauth')");
      expect(v?.evidence).toEqual([
        { collection: 'authorizationServers', parent: expect.objectContaining({ name: 'contoso-apim' }) },
      ]);
    });

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

    it('reports a missing server in the array form next to an existing one', () => {
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
      expect(found).toHaveLength(1);
      expect(found[0]?.path).toBe(
        'properties/authenticationSettings/oAuth2AuthenticationSettings/1/authorizationServerId',
      );
      expect(found[0]?.key).toBe('oauth2:old-oauth');
    });

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

    it('reports an OpenID Connect provider known not to exist', () => {
      const found = violations(run(OPENID));
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.path).toBe('properties/authenticationSettings/openid/openidProviderId');
      expect(v?.key).toBe('openid:entra-oidc');
      expect(v?.message).toContain("references OpenID Connect provider 'entra-oidc', which does not exist");
      expect(v?.message).toContain('(none exist)');
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
    it('notes an authorization server hidden from the test console, on the server', () => {
      const found = violations(run({ authorizationServer: { properties: { useInTestConsole: false } } }));
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.entity.kind).toBe('authorizationServer');
      expect(v?.entity.name).toBe('colors-oauth');
      expect(v?.path).toBe('properties/useInTestConsole');
      expect(v?.severity).toBe('note');
      expect(v?.message).toContain("configured on API 'colors-api' but has useInTestConsole false");
    });

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
      expect(found[0]?.message).toContain("API 'colors-api', API 'colors-v2-api'");
    });

    it('ignores servers of excluded APIs', () => {
      expect(
        run(
          { authorizationServer: { properties: { useInTestConsole: false } } },
          { exclude: ['colors-api'] },
        ),
      ).toEqual([]);
    });
  });

  it('does not check non-current revisions', () => {
    expect(run({ api: { properties: { isCurrent: false, authenticationSettings: null } } })).toEqual([]);
  });

  it('checks a current API that omits isCurrent', () => {
    expect(
      violations(run({ api: { properties: { isCurrent: null, authenticationSettings: null } } })),
    ).toHaveLength(1);
  });
});
