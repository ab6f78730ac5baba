import rule from '../../rules/jwt-issuer-matches-token-version';
import { RuleTester } from '../../src';
import {
  AT,
  BACKEND_APP_ID,
  notEvaluatedOutputs,
  sampleInput,
  TEST_NOW,
  TENANT_ID,
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
  SAMPLE_AUDIENCES,
  withGlobalValidateJwt,
} from '../helpers/policies';
import { policyEdit } from './policy-fix';
import type { Violation } from '../../rules/support/contract';

const V1_METADATA = `https://login.microsoftonline.com/${TENANT_ID}/.well-known/openid-configuration`;
const V2_METADATA = `https://login.microsoftonline.com/${TENANT_ID}/v2.0/.well-known/openid-configuration`;
const V1_ISSUER = `https://sts.windows.net/${TENANT_ID}/`;
const V2_ISSUER = `https://login.microsoftonline.com/${TENANT_ID}/v2.0`;
function jwt(urls: string[], issuers: string[] = []): Overlay {
  const configs = urls.map((u) => `<openid-config url="${u}" />`).join('');
  const list =
    issuers.length > 0 ? `<issuers>${issuers.map((i) => `<issuer>${i}</issuer>`).join('')}</issuers>` : '';
  return withGlobalValidateJwt(`${configs}${SAMPLE_AUDIENCES}${list}`);
}

const V1_BACKEND: Overlay = { backendApp: { api: { requestedAccessTokenVersion: null } } };

const run = loadedRunnerFor(rule);

const GLOBAL_POLICY = `${AT.service}/policy/value`;
const OTHER_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const V1_WITHOUT_SLASH: Overlay = { ...V1_BACKEND, ...jwt([V1_METADATA], [V1_ISSUER.replace(/\/$/, '')]) };
const v1Backend = sampleInput(V1_BACKEND);
const v1Metadata = sampleInput(jwt([V1_METADATA]));

new RuleTester({ now: TEST_NOW }).run(rule, {
  valid: [
    {
      name: 'the fixed sample (v2.0 tokens, v2.0 metadata through {{tenant-id}}, v2.0 issuer)',
      input: sampleInput(),
    },
    {
      name: 'v1.0 tokens with the v1.0 metadata',
      input: sampleInput({ ...V1_BACKEND, ...jwt([V1_METADATA]) }),
    },
    {
      name: 'v1.0 tokens with the v1.0 issuer listed',
      input: sampleInput({ ...V1_BACKEND, ...jwt([V2_METADATA], [V1_ISSUER]) }),
    },
    {
      name: 'several metadata documents when one matches',
      input: sampleInput(jwt([V1_METADATA, V2_METADATA])),
    },
    {
      name: 'a tenant it cannot know: a domain',
      input: sampleInput(
        jwt([
          'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration',
        ]),
      ),
    },
    {
      name: 'a tenant it cannot know: a secret named value',
      input: sampleInput(
        jwt([
          'https://login.microsoftonline.com/{{colors-backend-key}}/v2.0/.well-known/openid-configuration',
        ]),
      ),
    },
  ],
  invalid: [
    {
      name: 'v1.0 tokens validated against the v2.0 issuer (the broken sample), at the <issuer>',
      input: v1Backend,
      errors: [
        {
          path: GLOBAL_POLICY,
          ...positionInInput(v1Backend, '<issuer>'),
          severity: 'error',
          resource: 'contoso-apim',
          message:
            "validate-jwt in the global policy of service 'contoso-apim' rejects the v1.0 tokens of backend app " +
            `'oauth-backend-app' (iss '${V1_ISSUER}')`,
        },
      ],
    },
    {
      name: 'v2.0 tokens validated with the v1.0 metadata, at the <openid-config>',
      input: v1Metadata,
      errors: [
        {
          path: GLOBAL_POLICY,
          ...positionInInput(v1Metadata, '<openid-config'),
          message: containing("rejects the v2.0 tokens of backend app 'oauth-backend-app'"),
        },
      ],
    },
    {
      name: 'the documentation sample: v2.0 metadata with the v1.0 sts.windows.net issuer, for v2.0 tokens',
      input: sampleInput(jwt([V2_METADATA], [V1_ISSUER])),
      errors: [
        {
          path: GLOBAL_POLICY,
          message: containing("rejects the v2.0 tokens of backend app 'oauth-backend-app'"),
        },
      ],
    },
    {
      name: 'explicit issuers compared exactly: a v1.0 issuer needs its trailing slash (one finding)',
      input: sampleInput(V1_WITHOUT_SLASH),
      errors: [
        {
          path: GLOBAL_POLICY,
          message: containing(
            `lists the issuer '${V1_ISSUER.replace(/\/$/, '')}', which no Entra token carries`,
          ),
        },
      ],
    },
    {
      name: 'the metadata of another tenant',
      input: sampleInput(jwt([V2_METADATA.replace(TENANT_ID, OTHER_TENANT)])),
      errors: [
        {
          path: GLOBAL_POLICY,
          message: containing("rejects the v2.0 tokens of backend app 'oauth-backend-app'"),
        },
      ],
    },
  ],
});

/** All a finding tells the user: its message, detail and fix. */
const said = (v: Violation | undefined) => [v?.message, v?.detail, v?.fix?.text].join(' | ');

describe('jwt-issuer-matches-token-version: detail and fix', () => {
  it('v1.0 tokens against a v2.0 issuer list: what is read and accepted, and both steps', () => {
    const [v] = violations(run(V1_BACKEND).outputs);
    expect(v?.detail).toBe(
      `It protects API 'colors-api' and reads https://login.microsoftonline.com/${TENANT_ID}/v2.0/.well-known/openid-configuration ` +
        `(v2.0 metadata, issuer '${V2_ISSUER}') and accepts only the issuers it lists ('${V2_ISSUER}'), which replace ` +
        "the metadata's, but backend app 'oauth-backend-app' issues v1.0 access tokens (api.requestedAccessTokenVersion " +
        `null), so their iss is '${V1_ISSUER}': every token fails with IDX10205 (issuer validation failed), 401.`,
    );
    expect(v?.fix).toEqual({
      text:
        `List <issuer>${V1_ISSUER}</issuer> and use <openid-config url="${V1_METADATA}" />, or better set ` +
        "api.requestedAccessTokenVersion to 2 on backend app 'oauth-backend-app' (then check the audiences too).",
    });
  });

  it('v2.0 tokens against v1.0 metadata: the metadata URL replaced', () => {
    const loaded = run(jwt([V1_METADATA]));
    const [v] = violations(loaded.outputs);
    expect(v?.detail).toContain(`(v1.0 metadata, issuer '${V1_ISSUER}')`);
    expect(v?.detail).toContain(`so their iss is '${V2_ISSUER}'`);
    expect(v?.fix?.text).toBe(`Use <openid-config url="${V2_METADATA}" />.`);
    const { before, after } = policyEdit(loaded.doc, v);
    expect(after).toBe(before.replace(V1_METADATA, V2_METADATA));
  });

  it('the documentation sample: the v2.0 issuer added to the list', () => {
    const loaded = run(jwt([V2_METADATA], [V1_ISSUER]));
    const [v] = violations(loaded.outputs);
    expect(v?.detail).toContain(`accepts only the issuers it lists ('${V1_ISSUER}')`);
    expect(v?.fix?.text).toBe(`List <issuer>${V2_ISSUER}</issuer>.`);
    const { before, after } = policyEdit(loaded.doc, v);
    expect(after).toBe(
      before.replace(
        `<issuer>${V1_ISSUER}</issuer>`,
        `<issuer>${V1_ISSUER}</issuer><issuer>${V2_ISSUER}</issuer>`,
      ),
    );
  });

  it('a v1.0 issuer without its trailing slash: respelt', () => {
    const loaded = run(V1_WITHOUT_SLASH);
    const [v] = violations(loaded.outputs);
    expect(v?.detail).toMatch(
      /^It lacks the trailing '\/' that every v1\.0 token's iss ends with; .*IDX10205/,
    );
    expect(v?.fix?.text).toBe(`Write <issuer>${V1_ISSUER}</issuer>.`);
    const { before, after } = policyEdit(loaded.doc, v);
    expect(after).toBe(
      before.replace(`<issuer>${V1_ISSUER.replace(/\/$/, '')}</issuer>`, `<issuer>${V1_ISSUER}</issuer>`),
    );
  });

  it('the metadata of another tenant: the tenant where the server signs in', () => {
    const loaded = run(jwt([V2_METADATA.replace(TENANT_ID, OTHER_TENANT)]));
    const [v] = violations(loaded.outputs);
    expect(v?.fix?.text).toBe(
      `Use the metadata of tenant '${TENANT_ID}', where authorization server 'colors-oauth' signs in: <openid-config url="${V2_METADATA}" />.`,
    );
    const { before, after } = policyEdit(loaded.doc, v);
    expect(after).toBe(before.replace(V2_METADATA.replace(TENANT_ID, OTHER_TENANT), V2_METADATA));
  });
});

describe('jwt-issuer-matches-token-version', () => {
  // The key tells findings in one policy apart (fingerprints), and the entity kind is the model's; the RuleTester
  // sees neither.
  it.each([
    [
      'v1.0 tokens against the v2.0 issuer',
      V1_BACKEND,
      [['apimService', `issuer#0:issuer:${BACKEND_APP_ID}`]],
    ],
    [
      'a v1.0 issuer without its trailing slash',
      V1_WITHOUT_SLASH,
      [['apimService', `issuer#0:issuer-spelling:${V1_ISSUER.replace(/\/$/, '')}`]],
    ],
  ] as [string, Overlay, [string, string][]][])('keys the findings of %s', (_name, overlay, want) => {
    expect(violations(run(overlay).outputs).map((v) => [v.entity.kind, v.key])).toEqual(want);
  });

  describe('national clouds', () => {
    const gov = (url: string): Overlay => ({
      ...jwt([url]),
      authorizationServer: {
        properties: {
          authorizationEndpoint: `https://login.microsoftonline.us/${TENANT_ID}/oauth2/v2.0/authorize`,
          tokenEndpoint: `https://login.microsoftonline.us/${TENANT_ID}/oauth2/v2.0/token`,
        },
      },
    });

    it('expects the metadata of the cloud the authorization server signs in with', () => {
      expect(run(gov(V2_METADATA.replace('.com/', '.us/'))).outputs).toEqual([]);
      const [v] = violations(run(gov(V2_METADATA)).outputs);
      expect(said(v)).toContain(`so their iss is 'https://login.microsoftonline.us/${TENANT_ID}/v2.0'`);
    });

    it('expects sts.chinacloudapi.cn for v1.0 tokens in Azure China', () => {
      const { outputs } = run({
        ...V1_BACKEND,
        ...jwt(
          [V1_METADATA.replace('login.microsoftonline.com', 'login.partner.microsoftonline.cn')],
          [V1_ISSUER],
        ),
        authorizationServer: {
          properties: {
            authorizationEndpoint: `https://login.partner.microsoftonline.cn/${TENANT_ID}/oauth2/v2.0/authorize`,
            tokenEndpoint: `https://login.partner.microsoftonline.cn/${TENANT_ID}/oauth2/v2.0/token`,
          },
        },
      });
      expect(said(violations(outputs)[0])).toContain(
        `List <issuer>https://sts.chinacloudapi.cn/${TENANT_ID}/</issuer>`,
      );
    });
  });

  it('reports an issuer taken from a policy expression as not evaluated', () => {
    const { outputs } = run(jwt([V2_METADATA], ['@((string)context.Variables["issuer"])']));
    expect(violations(outputs)).toEqual([]);
    expect(notEvaluatedOutputs(outputs)[0]?.reason).toContain('a policy expression evaluated per request');
  });

  it('judges a fragment (fixture fragment-entra-auth: v2.0 metadata, sts.windows.net issuer) where it is included', () => {
    const fragment = fixturePolicy('fragment-entra-auth.xml');
    const overlay: Overlay = {
      service: {
        policy: rawxml(
          policyXml({
            inbound: '<include-fragment fragment-id="aad-auth" />',
            backend: '<forward-request />',
          }),
        ),
        policyFragments: [{ name: 'aad-auth', properties: { format: 'rawxml', value: fragment } }],
      },
    };
    const { outputs, inventory, text } = run(overlay);
    const [v] = violations(outputs);
    expect(v?.entity.kind).toBe('policyFragment');
    expect(said(v)).toContain(
      "validate-jwt in policy fragment 'aad-auth' (included by the global policy of service 'contoso-apim')",
    );
    expect(said(v)).toContain(`accepts only the issuers it lists ('${V1_ISSUER}')`);
    expect(locationOf(v!, inventory)).toEqual(positionInJson(text, '<issuer>'));
    expect(run({ ...overlay, ...V1_BACKEND }).outputs).toEqual([]);
  });

  describe('validate-azure-ad-token', () => {
    const aad = (tenant: string): Overlay => ({
      service: {
        policy: rawxml(
          policyXml({
            inbound: `<validate-azure-ad-token tenant-id="${tenant}"><client-application-ids><application-id>c</application-id></client-application-ids></validate-azure-ad-token>`,
          }),
        ),
      },
    });

    it('reports a tenant-id that is not the authorization server tenant', () => {
      const loaded = run(aad('72f988bf-86f1-41af-91ab-2d7cd011db47'));
      const [v] = violations(loaded.outputs);
      expect(v?.message).toBe(
        "validate-azure-ad-token in the global policy of service 'contoso-apim' has tenant-id " +
          `'72f988bf-86f1-41af-91ab-2d7cd011db47'; expected '${TENANT_ID}'`,
      );
      expect(v?.detail).toMatch(
        /every token fails issuer validation \(IDX10205\), 401\. It protects API 'colors-api'\.$/,
      );
      expect(v?.fix?.text).toBe(`Set tenant-id="${TENANT_ID}".`);
      const { before, after } = policyEdit(loaded.doc, v);
      expect(after).toBe(before.replace('72f988bf-86f1-41af-91ab-2d7cd011db47', TENANT_ID));
      expect(run(aad('{{tenant-id}}')).outputs).toEqual([]);
      expect(run(aad('contoso.onmicrosoft.com')).outputs).toEqual([]);
    });
  });

  it('reports a server whose backend app is not in the data as not evaluated', () => {
    const { outputs } = run({
      authorizationServer: { properties: { defaultScope: 'api://someone-else/x' } },
    });
    expect(violations(outputs)).toEqual([]);
    expect(notEvaluatedOutputs(outputs)[0]?.entity?.name).toBe('colors-oauth');
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

function apiJwt(urls: string[], issuers: string[], audience = BACKEND_APP_ID): string {
  const configs = urls.map((u) => `<openid-config url="${u}" />`).join('');
  const list =
    issuers.length > 0 ? `<issuers>${issuers.map((i) => `<issuer>${i}</issuer>`).join('')}</issuers>` : '';
  return `<validate-jwt header-name="Authorization">${configs}<audiences><audience>${audience}</audience></audiences>${list}</validate-jwt>`;
}

const NO_APPS: Overlay = { snapshot: { applications: null } };

describe('jwt-issuer-matches-token-version on APIs without an authorization server', () => {
  it('finds the backend app by the audience: v2.0 tokens against the v1.0 metadata fail with IDX10205', () => {
    const { outputs } = run(apiValidates(apiJwt([V1_METADATA], [])));
    expect(notEvaluatedOutputs(outputs)).toEqual([]);
    const [v] = violations(outputs);
    expect(violations(outputs)).toHaveLength(1);
    expect(v?.entity.kind).toBe('api');
    expect(said(v)).toContain(
      `but backend app 'oauth-backend-app' (the app registration of the accepted audience '${BACKEND_APP_ID}') ` +
        `issues v2.0 access tokens (api.requestedAccessTokenVersion 2), so their iss is ` +
        `'https://login.microsoftonline.com/<tenant-id>/v2.0': every token fails with IDX10205`,
    );
  });

  it('a v1.0 backend found by its App ID URI, validated with the v2.0 metadata, fails too', () => {
    const { outputs } = run(apiValidates(apiJwt([V2_METADATA], [], `api://${BACKEND_APP_ID}`), V1_BACKEND));
    expect(said(violations(outputs)[0])).toContain('issues v1.0 access tokens');
    expect(
      run(apiValidates(apiJwt([V1_METADATA], [], `api://${BACKEND_APP_ID}`), V1_BACKEND)).outputs,
    ).toEqual([]);
  });

  it('accepts v2.0 metadata with a v1.0 issuer when the backend found by audience issues v1.0 tokens', () => {
    expect(run(apiValidates(apiJwt([V2_METADATA], [V1_ISSUER]), V1_BACKEND)).outputs).toEqual([]);
  });

  describe('issuer spellings no Entra token carries (no app registration needed)', () => {
    it('reports https://sts.windows.net/<tenant> without the trailing slash, at the <issuer>', () => {
      const issuer = V1_ISSUER.replace(/\/$/, '');
      const { outputs, inventory, text } = run(apiValidates(apiJwt([V1_METADATA], [issuer]), NO_APPS));
      const [v] = violations(outputs);
      expect(violations(outputs)).toHaveLength(1);
      expect(v?.message).toBe(
        `validate-jwt in the API policy of 'colors-api' lists the issuer '${issuer}', which no Entra token carries`,
      );
      expect(v?.detail).toBe(
        "It lacks the trailing '/' that every v1.0 token's iss ends with; issuers are compared as exact strings, so " +
          "tokens fail with IDX10205 (issuer validation failed) unless another listed issuer matches. It protects API 'colors-api'.",
      );
      expect(v?.fix?.text).toBe(`Write <issuer>${V1_ISSUER}</issuer>.`);
      expect(locationOf(v!, inventory)).toEqual(positionInJson(text, '<issuer>'));
    });

    it('judges the spelling around a named value it cannot resolve', () => {
      const { outputs } = run(
        apiValidates(apiJwt([V1_METADATA], ['https://sts.windows.net/{{entra-tenant}}']), NO_APPS),
      );
      expect(said(violations(outputs)[0])).toContain(
        'Write <issuer>https://sts.windows.net/{{entra-tenant}}/</issuer>',
      );
    });

    it('reports https://login.microsoftonline.com/<tenant>/ (no v2.0), naming both real issuers', () => {
      const issuer = `https://login.microsoftonline.com/${TENANT_ID}/`;
      const [v] = violations(run(apiValidates(apiJwt([V2_METADATA], [issuer]), NO_APPS)).outputs);
      expect(said(v)).toContain(
        `is the tenant's sign-in authority, not an issuer: v2.0 tokens carry '${V2_ISSUER}' and v1.0 tokens '${V1_ISSUER}'`,
      );
      expect(violations(run(apiValidates(apiJwt([V2_METADATA], [issuer]), NO_APPS)).outputs)).toHaveLength(1);
    });

    it('reports one finding when the backend is known and the meant spelling would match', () => {
      const issuer = `https://login.microsoftonline.com/${TENANT_ID}/`;
      const found = violations(run(apiValidates(apiJwt([V2_METADATA], [issuer]))).outputs);
      expect(found.map((v) => v.key)).toEqual([`issuer#0:issuer-spelling:${issuer}`]);
    });

    it('accepts the B2C and multi-tenant spellings it cannot judge', () => {
      for (const issuer of [
        `https://login.microsoftonline.com/${TENANT_ID}/v2.0/`,
        `https://login.microsoftonline.com/tfp/${TENANT_ID}/b2c_1_signin/v2.0/`,
      ]) {
        expect(violations(run(apiValidates(apiJwt([], [issuer]), NO_APPS)).outputs)).toEqual([]);
      }
    });
  });

  describe('issuers that replace metadata of another version or tenant (no app registration to decide)', () => {
    it('warns about v2.0 metadata with the v1.0 issuer (the documentation sample)', () => {
      const { outputs } = run(apiValidates(apiJwt([V2_METADATA], [V1_ISSUER]), NO_APPS));
      const [v] = violations(outputs);
      expect(violations(outputs)).toHaveLength(1);
      expect(v?.severity).toBe('warning');
      expect(v?.key).toBe('issuer#0:issuers-replace-metadata');
      expect(said(v)).toContain(
        `reads ${V2_METADATA} (v2.0 metadata, issuer '${V2_ISSUER}'), but the issuers it lists ` +
          `('${V1_ISSUER}') replace the metadata's: v2.0 tokens of tenant '${TENANT_ID}' fail with IDX10205 ` +
          '(issuer validation failed) and it works only if the backend app issues v1.0 tokens',
      );
    });

    it('warns about the metadata of one tenant with the issuer of another', () => {
      const { outputs } = run(
        apiValidates(apiJwt([V2_METADATA], [V2_ISSUER.replace(TENANT_ID, OTHER_TENANT)]), NO_APPS),
      );
      expect(said(violations(outputs)[0])).toContain(
        `only tokens of the tenant the issuers name pass (checked with the signing keys of tenant '${TENANT_ID}')`,
      );
    });

    it('warns about the metadata of one tenant with the issuer of another also when the audience names a known app', () => {
      // The app registration gives the token version (v2.0 here, matching both), not the tenant: one of the two
      // tenants is wrong, and tokens of the metadata's tenant fail.
      const other = V2_ISSUER.replace(TENANT_ID, OTHER_TENANT);
      const found = violations(run(apiValidates(apiJwt([V2_METADATA], [other]))).outputs);
      expect(found.map((v) => [v.key, v.severity])).toEqual([
        ['issuer#0:issuers-replace-metadata', 'warning'],
      ]);
      expect(said(found[0])).toContain(
        `v2.0 tokens of tenant '${TENANT_ID}' fail with IDX10205 (issuer validation failed) and only tokens of the ` +
          'tenant the issuers name pass',
      );
      expect(said(found[0])).toContain('An app registration does not state its tenant');
      // Same tenant in both: nothing to say.
      expect(violations(run(apiValidates(apiJwt([V2_METADATA], [V2_ISSUER]))).outputs)).toEqual([]);
    });

    it('accepts multi-tenant metadata restricted to listed tenants', () => {
      const common = 'https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration';
      const { outputs } = run(
        apiValidates(apiJwt([common], [V2_ISSUER, V2_ISSUER.replace(TENANT_ID, OTHER_TENANT)]), NO_APPS),
      );
      expect(violations(outputs)).toEqual([]);
    });

    it('leaves the question to the backend when the audience names a known app', () => {
      expect(run(apiValidates(apiJwt([V2_METADATA], [V1_ISSUER]), V1_BACKEND)).outputs).toEqual([]);
      const [v] = violations(run(apiValidates(apiJwt([V2_METADATA], [V1_ISSUER]))).outputs);
      expect(v?.severity).toBeUndefined();
      expect(v?.key).toBe(`issuer#0:issuer:${BACKEND_APP_ID}`);
    });
  });

  it('without app registrations, says how to add them (and still judges the spellings)', () => {
    const { outputs } = run(apiValidates(apiJwt([V2_METADATA], []), NO_APPS));
    expect(violations(outputs)).toEqual([]);
    expect(notEvaluatedOutputs(outputs)[0]?.reason).toContain(
      "Token issuers are not compared with the backend's token version: no app registrations are in the data",
    );
  });

  it('leaves tokens of other identity providers alone', () => {
    for (const [urls, issuers] of [
      [
        [
          'https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin/v2.0/.well-known/openid-configuration',
        ],
        [],
      ],
      [['https://contoso.ciamlogin.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration'], []],
      [[], ['https://contoso.eu.auth0.com/']],
      [
        ['https://dev-123.okta.com/oauth2/default/.well-known/openid-configuration'],
        ['https://sts.windows.net/x'],
      ],
    ] as [string[], string[]][]) {
      expect(run(apiValidates(apiJwt(urls, issuers))).outputs).toEqual([]);
    }
  });
});
