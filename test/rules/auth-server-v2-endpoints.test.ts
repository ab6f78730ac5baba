import rule from '../../rules/auth-server-v2-endpoints';
import {
  BACKEND_APP_ID,
  TENANT_ID,
  onlyNotEvaluated,
  runnerFor,
  violations,
  type Overlay,
} from '../helpers/sample';

const OTHER_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const LOGIN = 'https://login.microsoftonline.com';

function endpoints(authorizationEndpoint: string | null, tokenEndpoint: string | null): Overlay {
  return { authorizationServer: { properties: { authorizationEndpoint, tokenEndpoint } } };
}

const run = runnerFor(rule);

function byKey(overlay: Overlay, key: string) {
  const found = violations(run(overlay)).filter((v) => v.key === key);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('auth-server-v2-endpoints', () => {
  it('accepts the fixed sample', () => {
    expect(run()).toEqual([]);
  });

  it('declares its metadata', () => {
    expect(rule.meta.requires).toEqual(['apim']);
    expect(rule.meta.severity).toBe('error');
  });

  it.each([
    ['US Gov host', 'https://login.microsoftonline.us'],
    ['China host', 'https://login.partner.microsoftonline.cn'],
    ['external tenant host', 'https://contoso.ciamlogin.com'],
  ])('accepts the %s', (_name, host) => {
    expect(
      run(endpoints(`${host}/${TENANT_ID}/oauth2/v2.0/authorize`, `${host}/${TENANT_ID}/oauth2/v2.0/token`)),
    ).toEqual([]);
  });

  it('accepts a domain tenant and a trailing slash', () => {
    const overlay = endpoints(
      `${LOGIN}/contoso.onmicrosoft.com/oauth2/v2.0/authorize/`,
      `${LOGIN}/contoso.onmicrosoft.com/oauth2/v2.0/token`,
    );
    expect(run(overlay)).toEqual([]);
  });

  it('accepts common when the apps are multi-tenant', () => {
    const overlay: Overlay = {
      ...endpoints(`${LOGIN}/common/oauth2/v2.0/authorize`, `${LOGIN}/common/oauth2/v2.0/token`),
      backendApp: { signInAudience: 'AzureADMultipleOrgs' },
      clientApp: { signInAudience: 'AzureADMultipleOrgs' },
    };
    expect(run(overlay)).toEqual([]);
  });

  describe('v1 endpoints', () => {
    const v1 = endpoints(`${LOGIN}/${TENANT_ID}/oauth2/authorize`, `${LOGIN}/${TENANT_ID}/oauth2/token`);

    it('reports both endpoints and the missing resource parameter (AADSTS500013)', () => {
      const found = violations(run(v1));
      expect(found.map((v) => v.key).sort()).toEqual(['authorizationEndpoint/v1', 'tokenEndpoint/v1']);
      const token = found.find((v) => v.key === 'tokenEndpoint/v1')!;
      expect(token.entity).toMatchObject({ kind: 'authorizationServer', name: 'colors-oauth' });
      expect(token.path).toBe('properties/tokenEndpoint');
      expect(token.severity).toBeUndefined();
      expect(token.message).toBe(
        `Authorization server 'colors-oauth' uses the v1 token endpoint ${LOGIN}/${TENANT_ID}/oauth2/token; use ${LOGIN}/${TENANT_ID}/oauth2/v2.0/token (v1 endpoints without a resource token body parameter fail with AADSTS500013).`,
      );
    });

    it('does not mention AADSTS500013 when the resource parameter is present', () => {
      const overlay = mergeOverlay(v1, {
        authorizationServer: {
          properties: { tokenBodyParameters: [{ name: 'resource', value: BACKEND_APP_ID }] },
        },
      });
      const v = byKey(overlay, 'authorizationEndpoint/v1');
      expect(v.path).toBe('properties/authorizationEndpoint');
      expect(v.message).toContain(`use ${LOGIN}/${TENANT_ID}/oauth2/v2.0/authorize.`);
      expect(v.message).not.toContain('AADSTS500013');
    });
  });

  it('reports a missing token endpoint with the expected URL', () => {
    const v = byKey(endpoints(`${LOGIN}/${TENANT_ID}/oauth2/v2.0/authorize`, null), 'tokenEndpoint/missing');
    expect(v.path).toBe('properties/tokenEndpoint');
    expect(v.message).toBe(
      `Authorization server 'colors-oauth' has no token endpoint; set ${LOGIN}/${TENANT_ID}/oauth2/v2.0/token.`,
    );
  });

  it('reports an endpoint that is not a URL', () => {
    const v = byKey(
      endpoints(`${LOGIN}/${TENANT_ID}/oauth2/v2.0/authorize`, 'oauth2/v2.0/token'),
      'tokenEndpoint/invalid',
    );
    expect(v.message).toContain("'oauth2/v2.0/token', which is not a URL");
  });

  it('reports http', () => {
    const v = byKey(
      endpoints(
        `http://login.microsoftonline.com/${TENANT_ID}/oauth2/v2.0/authorize`,
        `${LOGIN}/${TENANT_ID}/oauth2/v2.0/token`,
      ),
      'authorizationEndpoint/https',
    );
    expect(v.path).toBe('properties/authorizationEndpoint');
    expect(v.message).toContain('without https');
  });

  it('reports a non-Entra host next to an Entra endpoint', () => {
    const v = byKey(
      endpoints(`${LOGIN}/${TENANT_ID}/oauth2/v2.0/authorize`, 'https://auth.contoso.com/oauth2/v2.0/token'),
      'tokenEndpoint/host',
    );
    expect(v.path).toBe('properties/tokenEndpoint');
    expect(v.message).toContain('not on a Microsoft Entra login host');
    expect(v.message).toContain(`use ${LOGIN}/${TENANT_ID}/oauth2/v2.0/token`);
  });

  it.each([
    ['swapped endpoints', `${LOGIN}/${TENANT_ID}/oauth2/v2.0/authorize`],
    ['no tenant segment', `${LOGIN}/oauth2/v2.0/token`],
    ['an OIDC metadata URL', `${LOGIN}/${TENANT_ID}/v2.0/.well-known/openid-configuration`],
  ])('reports a token endpoint that is not a v2 token endpoint: %s', (_name, token) => {
    const v = byKey(endpoints(`${LOGIN}/${TENANT_ID}/oauth2/v2.0/authorize`, token), 'tokenEndpoint/shape');
    expect(v.message).toContain('which is not an Entra v2 token endpoint');
  });

  it('reports different hosts for the two endpoints', () => {
    const v = byKey(
      endpoints(
        `${LOGIN}/${TENANT_ID}/oauth2/v2.0/authorize`,
        `https://login.microsoftonline.us/${TENANT_ID}/oauth2/v2.0/token`,
      ),
      'tokenEndpoint/host-mismatch',
    );
    expect(v.path).toBe('properties/tokenEndpoint');
    expect(v.message).toContain('login.microsoftonline.us');
  });

  it('reports different tenants for the two endpoints', () => {
    const v = byKey(
      endpoints(
        `${LOGIN}/${TENANT_ID}/oauth2/v2.0/authorize`,
        `${LOGIN}/contoso.onmicrosoft.com/oauth2/v2.0/token`,
      ),
      'tokenEndpoint/tenant-mismatch',
    );
    expect(v.message).toContain("names tenant 'contoso.onmicrosoft.com' in its token endpoint");
  });

  it('reports a tenant GUID other than the audited tenant (AADSTS700016)', () => {
    const found = violations(
      run(
        endpoints(
          `${LOGIN}/${OTHER_TENANT}/oauth2/v2.0/authorize`,
          `${LOGIN}/${TENANT_ID}/oauth2/v2.0/token`,
        ),
      ),
    );
    expect(found.map((v) => v.key)).toEqual(['authorizationEndpoint/tenant']);
    expect(found[0]!.path).toBe('properties/authorizationEndpoint');
    expect(found[0]!.message).toContain(`names tenant ${OTHER_TENANT}`);
    expect(found[0]!.message).toContain('AADSTS700016');
  });

  it('does not compare tenants when the audited tenant is unknown', () => {
    const overlay: Overlay = {
      snapshot: { tenantId: null },
      ...endpoints(
        `${LOGIN}/${OTHER_TENANT}/oauth2/v2.0/authorize`,
        `${LOGIN}/${OTHER_TENANT}/oauth2/v2.0/token`,
      ),
    };
    expect(run(overlay)).toEqual([]);
  });

  it('reports a v1 resource parameter on v2 endpoints (AADSTS901002)', () => {
    const overlay: Overlay = {
      authorizationServer: {
        properties: {
          tokenBodyParameters: [
            { name: 'prompt', value: 'login' },
            { name: 'resource', value: BACKEND_APP_ID },
          ],
        },
      },
    };
    const v = byKey(overlay, 'tokenBodyParameters/resource');
    expect(v.path).toBe('properties/tokenBodyParameters/1');
    expect(v.message).toBe(
      `Authorization server 'colors-oauth' sends the v1 token body parameter resource=${BACKEND_APP_ID} although its authorization endpoint and token endpoint are v2; remove it and name the API in the default scope (AADSTS901002).`,
    );
  });

  it('reports a half-migrated server: v1 token endpoint and a resource parameter next to a v2 authorization endpoint', () => {
    const overlay = mergeOverlay(
      endpoints(`${LOGIN}/${TENANT_ID}/oauth2/v2.0/authorize`, `${LOGIN}/${TENANT_ID}/oauth2/token`),
      {
        authorizationServer: {
          properties: { tokenBodyParameters: [{ name: 'resource', value: BACKEND_APP_ID }] },
        },
      },
    );
    const found = violations(run(overlay));
    expect(found.map((v) => v.key)).toEqual(['tokenEndpoint/v1', 'tokenBodyParameters/resource']);
    expect(found[1]!.message).toContain('although its authorization endpoint is v2');
  });

  describe('multi-tenant segments', () => {
    const common = endpoints(`${LOGIN}/common/oauth2/v2.0/authorize`, `${LOGIN}/common/oauth2/v2.0/token`);

    it('are errors when an app is single-tenant (AADSTS50194)', () => {
      const v = byKey(common, 'multi-tenant');
      expect(v.path).toBe('properties/authorizationEndpoint');
      expect(v.severity).toBeUndefined();
      expect(v.message).toContain("app 'oauth-client-app' is single-tenant (AzureADMyOrg)");
      expect(v.message).toContain(`use the tenant ID ${TENANT_ID} (AADSTS50194)`);
    });

    it('are errors when only the backend app is single-tenant', () => {
      const v = byKey(
        mergeOverlay(common, { clientApp: { signInAudience: 'AzureADMultipleOrgs' } }),
        'multi-tenant',
      );
      expect(v.message).toContain("app 'oauth-backend-app' is single-tenant");
    });

    it('are warnings when no Entra data is given', () => {
      const v = byKey(mergeOverlay(common, { snapshot: { applications: null } }), 'multi-tenant');
      expect(v.severity).toBe('warning');
      expect(v.message).toContain('could not be checked (no Entra data was given)');
    });

    it('are warnings when the apps are not among the applications given', () => {
      const overlay = mergeOverlay(
        endpoints(`${LOGIN}/organizations/oauth2/v2.0/authorize`, `${LOGIN}/organizations/oauth2/v2.0/token`),
        {
          authorizationServer: {
            properties: {
              clientId: '00000000-0000-0000-0000-000000000001',
              defaultScope: 'api://unknown/Read',
            },
          },
        },
      );
      const v = byKey(overlay, 'multi-tenant');
      expect(v.severity).toBe('warning');
      expect(v.message).toContain("segment 'organizations'");
      expect(v.message).toContain('not among the applications given');
    });
  });

  describe('non-Entra authorization servers', () => {
    it('are not evaluated', () => {
      const ne = onlyNotEvaluated(
        run(
          endpoints(
            'https://dev-123.okta.com/oauth2/default/v1/authorize',
            'https://dev-123.okta.com/oauth2/default/v1/token',
          ),
        ),
      );
      expect(ne?.entity).toMatchObject({ kind: 'authorizationServer', name: 'colors-oauth' });
      expect(ne?.reason).toContain('does not sign in with Microsoft Entra ID (dev-123.okta.com)');
    });
  });
});

/** Combines overlays part by part (shallow per part is enough for these tests' disjoint keys). */
function mergeOverlay(a: Overlay, b: Overlay): Overlay {
  const result: Record<string, unknown> = { ...a };
  for (const [part, patch] of Object.entries(b)) {
    const base = result[part] as { properties?: object } | undefined;
    const add = patch as { properties?: object };
    result[part] =
      base?.properties && add.properties
        ? { ...base, properties: { ...base.properties, ...add.properties } }
        : { ...base, ...add };
  }
  return result as Overlay;
}
