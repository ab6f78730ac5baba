import rule from '../../rules/jwt-issuer-matches-token-version';
import { BACKEND_APP_ID, notEvaluatedOutputs, TENANT_ID, violations, type Overlay } from '../helpers/sample';
import {
  fixturePolicy,
  loadedRunnerFor,
  locationOf,
  policyXml,
  positionInJson,
  rawxml,
  SAMPLE_AUDIENCES,
  withGlobalValidateJwt,
} from '../helpers/policies';

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

describe('jwt-issuer-matches-token-version', () => {
  it('accepts the fixed sample (v2.0 tokens, v2.0 metadata through {{tenant-id}}, v2.0 issuer)', () => {
    expect(run({}).outputs).toEqual([]);
  });

  it('reports v1.0 tokens validated against the v2.0 issuer (the broken sample), at the <issuer>', () => {
    const { outputs, inventory, text } = run(V1_BACKEND);
    expect(notEvaluatedOutputs(outputs)).toEqual([]);
    const found = violations(outputs);
    expect(found).toHaveLength(1);
    const [v] = found;
    expect(v?.entity.kind).toBe('apimService');
    expect(v?.key).toBe(`issuer#0:issuer:${BACKEND_APP_ID}`);
    expect(v?.message).toBe(
      `validate-jwt in the global policy of service 'contoso-apim' (API 'colors-api') reads ` +
        `https://login.microsoftonline.com/${TENANT_ID}/v2.0/.well-known/openid-configuration (v2.0 metadata, issuer ` +
        `'${V2_ISSUER}') and accepts only the issuers it lists ('${V2_ISSUER}'), which replace the metadata's, but ` +
        `backend app 'oauth-backend-app' issues v1.0 access tokens (api.requestedAccessTokenVersion null), so their ` +
        `iss is '${V1_ISSUER}'; every token fails with IDX10205 (issuer validation failed); list <issuer>${V1_ISSUER}</issuer> ` +
        `and use <openid-config url="${V1_METADATA}" />, or better set api.requestedAccessTokenVersion to 2 on backend ` +
        `app 'oauth-backend-app' (then check the audiences too).`,
    );
    expect(locationOf(v!, inventory)).toEqual(positionInJson(text, '<issuer>'));
  });

  it('reports v2.0 tokens validated with the v1.0 metadata, at the <openid-config>', () => {
    const { outputs, inventory, text } = run(jwt([V1_METADATA]));
    const [v] = violations(outputs);
    expect(violations(outputs)).toHaveLength(1);
    expect(v?.message).toContain(`(v1.0 metadata, issuer '${V1_ISSUER}')`);
    expect(v?.message).toContain(`so their iss is '${V2_ISSUER}'`);
    expect(v?.message).toContain(`use <openid-config url="${V2_METADATA}" />.`);
    expect(locationOf(v!, inventory)).toEqual(positionInJson(text, '<openid-config'));
  });

  it('reports the documentation sample: v2.0 metadata with the v1.0 sts.windows.net issuer, for v2.0 tokens', () => {
    const [v] = violations(run(jwt([V2_METADATA], [V1_ISSUER])).outputs);
    expect(v?.message).toContain(`accepts only the issuers it lists ('${V1_ISSUER}')`);
  });

  it('accepts v1.0 tokens with the v1.0 metadata, or with the v1.0 issuer listed', () => {
    expect(run({ ...V1_BACKEND, ...jwt([V1_METADATA]) }).outputs).toEqual([]);
    expect(run({ ...V1_BACKEND, ...jwt([V2_METADATA], [V1_ISSUER]) }).outputs).toEqual([]);
  });

  it('compares explicit issuers exactly: a v1.0 issuer needs its trailing slash', () => {
    const { outputs } = run({ ...V1_BACKEND, ...jwt([V1_METADATA], [V1_ISSUER.replace(/\/$/, '')]) });
    expect(violations(outputs)[0]?.message).toContain(`list <issuer>${V1_ISSUER}</issuer>`);
  });

  it('accepts several metadata documents when one matches', () => {
    expect(run(jwt([V1_METADATA, V2_METADATA])).outputs).toEqual([]);
  });

  it('reports the metadata of another tenant', () => {
    const other = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const [v] = violations(run(jwt([V2_METADATA.replace(TENANT_ID, other)])).outputs);
    expect(v?.message).toContain(
      `use the metadata of tenant '${TENANT_ID}', where authorization server 'colors-oauth' signs in: <openid-config url="${V2_METADATA}" />`,
    );
  });

  it('does not compare tenants it cannot know (a domain, a secret named value)', () => {
    expect(
      run(
        jwt([
          'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration',
        ]),
      ).outputs,
    ).toEqual([]);
    expect(
      run(
        jwt([
          'https://login.microsoftonline.com/{{colors-backend-key}}/v2.0/.well-known/openid-configuration',
        ]),
      ).outputs,
    ).toEqual([]);
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
      expect(v?.message).toContain(`so their iss is 'https://login.microsoftonline.us/${TENANT_ID}/v2.0'`);
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
      expect(violations(outputs)[0]?.message).toContain(
        `list <issuer>https://sts.chinacloudapi.cn/${TENANT_ID}/</issuer>`,
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
    expect(v?.message).toContain(
      "validate-jwt in policy fragment 'aad-auth' (included by the global policy of service 'contoso-apim')",
    );
    expect(v?.message).toContain(`accepts only the issuers it lists ('${V1_ISSUER}')`);
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
      const [v] = violations(run(aad('72f988bf-86f1-41af-91ab-2d7cd011db47')).outputs);
      expect(v?.message).toContain(`set tenant-id="${TENANT_ID}"`);
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
