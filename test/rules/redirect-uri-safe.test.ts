import rule from '../../rules/redirect-uri-safe';
import { clientRedirectUris, notEvaluatedOutputs, runnerFor, violations } from '../helpers/sample';

const CODE_DEFAULT = 'https://contoso-apim.developer.azure-api.net/signin-oauth/code/callback/colors-oauth';
const CODE_CUSTOM = 'https://developer.contoso.com/signin-oauth/code/callback/colors-oauth';
const MSAL = 'msal1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6://auth';

type Platform = 'web' | 'spa' | 'publicClient';

const run = runnerFor(rule);

/** The fixed client app with one extra redirect URI on the given platform. */
function withUri(uri: string, platform: Platform = 'web') {
  const lists: Record<Platform, string[]> = { web: [CODE_DEFAULT, CODE_CUSTOM], spa: [], publicClient: [] };
  lists[platform].push(uri);
  return violations(run(clientRedirectUris(lists.web, lists.spa, lists.publicClient)));
}

describe('redirect-uri-safe', () => {
  it('declares its metadata as a security rule', () => {
    expect(rule.id).toBe('redirect-uri-safe');
    expect(rule.meta.severity).toBe('error');
    expect(rule.meta.tags).toContain('security');
    expect(rule.meta.securitySeverity).toBeGreaterThan(0);
    expect(rule.meta.requires).toEqual(['entra']);
  });

  describe('valid', () => {
    it('accepts the fixed sample', () => {
      expect(run({})).toEqual([]);
    });

    it.each([
      ['http://localhost:8080/signin-oauth/code/callback/colors-oauth', 'web'],
      ['http://127.0.0.1:5000/callback', 'web'],
      ['http://[::1]:5000/callback', 'spa'],
      ['http://localhost', 'publicClient'],
      ['https://app.contoso.com/auth', 'spa'],
      [MSAL, 'publicClient'],
      ['ms-appx-web://microsoft.aad.brokerplugin/1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6', 'publicClient'],
      ['urn:ietf:wg:oauth:2.0:oob', 'publicClient'],
      ['urn:ietf:wg:oauth:2.0:oob', 'web'],
    ] as const)('accepts %s under %s', (uri, platform) => {
      expect(withUri(uri, platform)).toEqual([]);
    });
  });

  describe('invalid', () => {
    it('reports plain http on a real host, at the URI index', () => {
      const uri = 'http://developer.contoso.com/signin-oauth/code/callback/colors-oauth';
      const found = withUri(uri);
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.entity).toMatchObject({ kind: 'application', name: 'oauth-client-app' });
      expect(v?.path).toBe('web/redirectUris/2');
      expect(v?.key).toBe(`web:${uri}`);
      expect(v?.severity).toBeUndefined();
      expect(v?.message).toContain(uri);
      expect(v?.message).toContain('plain http on a non-loopback host');
      expect(v?.message).toContain('https');
    });

    it('reports plain http under spa with the spa path', () => {
      const found = withUri('http://app.contoso.com/', 'spa');
      expect(found[0]?.path).toBe('spa/redirectUris/0');
      expect(found[0]?.message).toContain('spa redirect URI');
    });

    it('reports a wildcard', () => {
      const found = withUri('https://*.contoso.com/signin-oauth/code/callback/colors-oauth');
      expect(found).toHaveLength(1);
      expect(found[0]?.message).toContain("wildcard '*'");
    });

    it('reports a URI that is not absolute', () => {
      const found = withUri('developer.contoso.com/signin-oauth/code/callback/colors-oauth');
      expect(found[0]?.message).toContain('is not an absolute URL');
    });

    it('reports characters Entra rejects', () => {
      const found = withUri("https://developer.contoso.com/cb;v=1,x='y'");
      expect(found[0]?.message).toContain("contains characters Entra rejects (' , ;)");
    });

    it('reports a custom scheme outside publicClient and advises moving it', () => {
      for (const platform of ['web', 'spa'] as const) {
        const found = withUri(MSAL, platform);
        expect(found).toHaveLength(1);
        expect(found[0]?.message).toContain("custom scheme 'msal1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6:'");
        expect(found[0]?.message).toContain('move it to the publicClient');
      }
    });

    it('reports an out-of-band URN under spa', () => {
      expect(withUri('urn:ietf:wg:oauth:2.0:oob', 'spa')[0]?.message).toContain("custom scheme 'urn:'");
    });

    it('reports script and file schemes even under publicClient', () => {
      expect(withUri('javascript:alert(1)', 'publicClient')[0]?.message).toContain("scheme 'javascript:'");
      expect(withUri('file:///C:/app/callback.html', 'publicClient')[0]?.message).toContain("scheme 'file:'");
    });

    it('combines all problems of one URI into one violation', () => {
      const found = withUri('http://*.contoso.com/cb');
      expect(found).toHaveLength(1);
      expect(found[0]?.message).toContain(
        "contains the wildcard '*' and uses plain http on a non-loopback host",
      );
    });

    it('checks every application, not only client apps', () => {
      const found = violations(
        run({ backendApp: { web: { redirectUris: ['http://colors-web.azurewebsites.net/signin-oidc'] } } }),
      );
      expect(found).toHaveLength(1);
      expect(found[0]?.entity).toMatchObject({ kind: 'application', name: 'oauth-backend-app' });
      expect(found[0]?.path).toBe('web/redirectUris/0');
    });

    it('never reports not-evaluated', () => {
      expect(
        notEvaluatedOutputs(run({ authorizationServer: { properties: { clientId: 'unknown' } } })),
      ).toEqual([]);
    });
  });
});
