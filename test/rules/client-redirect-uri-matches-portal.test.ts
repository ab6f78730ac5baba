import rule from '../../rules/client-redirect-uri-matches-portal';
import {
  clientRedirectUris,
  modelWithSecondServer,
  notEvaluatedOutputs,
  onlyNotEvaluated,
  runnerFor,
  runRule,
  violations,
  type Overlay,
} from '../helpers/sample';

const DEFAULT_HOST = 'https://contoso-apim.developer.azure-api.net';
const CUSTOM_HOST = 'https://developer.contoso.com';
const code = (host: string, name = 'colors-oauth') => `${host}/signin-oauth/code/callback/${name}`;
const pkce = (host: string, name = 'colors-oauth') => `${host}/signin-oauth/code-pkce/callback/${name}`;
const implicit = (host: string) => `${host}/signin-oauth/implicit/callback`;
const LEGACY =
  'https://contoso-apim.portal.azure-api.net/docs/services/colors-oauth/console/oauth2/authorizationcode/callback';

const run = runnerFor(rule);

function withRedirects(
  web: string[],
  extra: Overlay = {},
  spa: string[] = [],
  publicClient: string[] = [],
): Overlay {
  return { ...extra, ...clientRedirectUris(web, spa, publicClient) };
}

function withGrants(grantTypes: string[]): Overlay {
  return { authorizationServer: { properties: { grantTypes } } };
}

describe('client-redirect-uri-matches-portal', () => {
  it('declares its metadata', () => {
    expect(rule.id).toBe('client-redirect-uri-matches-portal');
    expect(rule.meta.severity).toBe('error');
    expect(rule.meta.requires).toEqual(['entra', 'apim']);
  });

  describe('valid', () => {
    it('accepts the fixed sample', () => {
      expect(run({})).toEqual([]);
    });

    it('compares the host case-insensitively', () => {
      expect(
        run(
          withRedirects([
            code('https://Contoso-APIM.developer.azure-api.net'),
            code('https://Developer.Contoso.com'),
          ]),
        ),
      ).toEqual([]);
    });

    it('needs no callback for grants without a redirect', () => {
      expect(run({ ...withGrants(['clientCredentials']), ...withRedirects([]) })).toEqual([]);
    });

    it('accepts the lower-case callback alone for a server name with capitals', () => {
      expect(
        run(
          withRedirects([code(DEFAULT_HOST, 'colors-oauth-v2'), code(CUSTOM_HOST, 'colors-oauth-v2')], {
            authorizationServer: { name: 'Colors-OAuth-V2' },
          }),
        ),
      ).toEqual([]);
    });

    it('accepts PKCE callbacks under spa', () => {
      expect(
        run({
          ...withGrants(['authorizationCodeWithPkce']),
          ...withRedirects([], {}, [pkce(DEFAULT_HOST), pkce(CUSTOM_HOST)]),
        }),
      ).toEqual([]);
    });

    it('accepts implicit callbacks under web', () => {
      const web = [code(DEFAULT_HOST), code(CUSTOM_HOST), implicit(DEFAULT_HOST), implicit(CUSTOM_HOST)];
      expect(run({ ...withGrants(['authorizationCode', 'implicit']), ...withRedirects(web) })).toEqual([]);
    });
  });

  describe('missing callbacks', () => {
    it('reports the custom-domain callback missing on the client app', () => {
      const found = violations(run(withRedirects([code(DEFAULT_HOST)])));
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.entity).toMatchObject({ kind: 'application', name: 'oauth-client-app' });
      expect(v?.path).toBe('web/redirectUris');
      expect(v?.key).toBe(code(CUSTOM_HOST));
      expect(v?.severity).toBeUndefined();
      expect(v?.message).toContain(`authorization server 'colors-oauth'`);
      expect(v?.message).toContain(code(CUSTOM_HOST));
      expect(v?.message).toContain('AADSTS50011');
    });

    it('treats a server without grant types as an authorization-code server', () => {
      const found = violations(run({ ...withGrants([]), ...withRedirects([code(DEFAULT_HOST)]) }));
      expect(found.map((v) => v.key)).toEqual([code(CUSTOM_HOST)]);
    });

    it('uses the AADSTS500113 wording when the client app has no redirect URI at all', () => {
      const found = violations(run(withRedirects([])));
      expect(found.map((v) => v.key)).toEqual([code(DEFAULT_HOST), code(CUSTOM_HOST)]);
      for (const v of found) {
        expect(v.message).toContain('no redirect URI at all');
        expect(v.message).toContain('AADSTS500113');
        expect(v.path).toBe('web/redirectUris');
      }
    });

    it('requires the implicit callback for every host when the server uses the implicit grant', () => {
      const found = violations(run({ ...withGrants(['authorizationCode', 'implicit']) }));
      expect(found.map((v) => v.key)).toEqual([implicit(DEFAULT_HOST), implicit(CUSTOM_HOST)]);
      expect(found[0]?.message).toContain('implicit callback');
      expect(found[0]?.path).toBe('web/redirectUris');
    });

    it('requires the PKCE callback under spa', () => {
      const found = violations(
        run({ ...withGrants(['authorizationCodeWithPkce']), ...withRedirects([code(DEFAULT_HOST)]) }),
      );
      expect(found.map((v) => v.key)).toEqual([pkce(DEFAULT_HOST), pkce(CUSTOM_HOST)]);
      expect(found[0]?.path).toBe('spa/redirectUris');
      expect(found[0]?.message).toContain('under spa');
    });

    it('requires a callback for every custom DeveloperPortal hostname', () => {
      const service = {
        properties: {
          hostnameConfigurations: [
            { type: 'DeveloperPortal', hostName: 'developer.contoso.com', certificateSource: 'Managed' },
            { type: 'DeveloperPortal', hostName: 'api-portal.contoso.eu', certificateSource: 'Managed' },
          ],
        },
      };
      const found = violations(run({ service }));
      expect(found.map((v) => v.key)).toEqual([code('https://api-portal.contoso.eu')]);
    });
  });

  describe('near misses', () => {
    it('reports a callback registered with the capitals of the server name', () => {
      const overlay = withRedirects(
        [code(DEFAULT_HOST, 'Colors-OAuth-V2'), code(CUSTOM_HOST, 'Colors-OAuth-V2')],
        {
          authorizationServer: { name: 'Colors-OAuth-V2' },
        },
      );
      const found = violations(run(overlay));
      expect(found.map((v) => v.path)).toEqual(['web/redirectUris/0', 'web/redirectUris/1']);
      const [v] = found;
      expect(v?.entity).toMatchObject({ kind: 'application', name: 'oauth-client-app' });
      expect(v?.key).toBe(code(DEFAULT_HOST, 'colors-oauth-v2'));
      expect(v?.message).toContain(`registers ${code(DEFAULT_HOST, 'Colors-OAuth-V2')}`);
      expect(v?.message).toContain(`sends ${code(DEFAULT_HOST, 'colors-oauth-v2')}`);
      expect(v?.message).toContain('case-sensitively');
      expect(v?.message).toContain('keep both spellings');
    });

    it('reports a trailing slash', () => {
      const found = violations(run(withRedirects([code(DEFAULT_HOST), `${code(CUSTOM_HOST)}/`])));
      expect(found).toHaveLength(1);
      expect(found[0]?.path).toBe('web/redirectUris/1');
      expect(found[0]?.message).toContain('trailing slash');
      expect(found[0]?.key).toBe(code(CUSTOM_HOST));
    });

    it('reports http instead of https', () => {
      const found = violations(
        run(withRedirects([code(DEFAULT_HOST), code('http://developer.contoso.com')])),
      );
      expect(found).toHaveLength(1);
      expect(found[0]?.message).toContain('differ in scheme');
    });
  });

  describe('wrong platform', () => {
    it('reports a code callback registered only under spa (AADSTS9002327)', () => {
      const found = violations(run(withRedirects([code(DEFAULT_HOST)], {}, [code(CUSTOM_HOST)])));
      expect(found).toHaveLength(1);
      expect(found[0]?.path).toBe('spa/redirectUris/0');
      expect(found[0]?.key).toBe(code(CUSTOM_HOST));
      expect(found[0]?.message).toContain('wrong platform');
      expect(found[0]?.message).toContain('AADSTS9002327');
      expect(found[0]?.message).toContain('move it to web');
    });

    it('reports a code callback registered only under publicClient', () => {
      const found = violations(run(withRedirects([code(DEFAULT_HOST)], {}, [], [code(CUSTOM_HOST)])));
      expect(found).toHaveLength(1);
      expect(found[0]?.path).toBe('publicClient/redirectUris/0');
      expect(found[0]?.message).toContain('wrong platform (publicClient');
    });

    it('reports a PKCE callback registered under web (AADSTS9002326)', () => {
      const found = violations(
        run({
          ...withGrants(['authorizationCodeWithPkce']),
          ...withRedirects([pkce(DEFAULT_HOST)], {}, [pkce(CUSTOM_HOST)]),
        }),
      );
      expect(found).toHaveLength(1);
      expect(found[0]?.path).toBe('web/redirectUris/0');
      expect(found[0]?.message).toContain('AADSTS9002326');
      expect(found[0]?.message).toContain('move it to spa');
    });

    it('reports an implicit callback registered under spa', () => {
      const web = [code(DEFAULT_HOST), code(CUSTOM_HOST), implicit(DEFAULT_HOST)];
      const found = violations(
        run({
          ...withGrants(['authorizationCode', 'implicit']),
          ...withRedirects(web, {}, [implicit(CUSTOM_HOST)]),
        }),
      );
      expect(found).toHaveLength(1);
      expect(found[0]?.path).toBe('spa/redirectUris/0');
      expect(found[0]?.message).toContain('wrong platform');
    });
  });

  describe('stale legacy callbacks', () => {
    it('warns about a legacy-portal callback', () => {
      const found = violations(run(withRedirects([code(DEFAULT_HOST), code(CUSTOM_HOST), LEGACY])));
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.severity).toBe('warning');
      expect(v?.path).toBe('web/redirectUris/2');
      expect(v?.key).toBe(LEGACY);
      expect(v?.entity).toMatchObject({ kind: 'application', name: 'oauth-client-app' });
      expect(v?.message).toContain('stale');
    });

    it('recognizes implicit and OpenID Connect variants and custom Portal hostnames', () => {
      const service = {
        properties: {
          hostnameConfigurations: [
            { type: 'DeveloperPortal', hostName: 'developer.contoso.com', certificateSource: 'Managed' },
            { type: 'Portal', hostName: 'legacy.contoso.com', certificateSource: 'Managed' },
          ],
        },
      };
      const stale = [
        'https://legacy.contoso.com/docs/services/colors-oauth/console/oauth2/implicit/callback',
        'https://contoso-apim.portal.azure-api.net/docs/services/5a1b2c/console/openidconnect/authorizationcode/callback',
      ];
      const found = violations(
        run(withRedirects([code(DEFAULT_HOST), code(CUSTOM_HOST)], { service }, [], stale)),
      );
      expect(found.map((v) => v.path)).toEqual([
        'publicClient/redirectUris/0',
        'publicClient/redirectUris/1',
      ]);
      expect(found.every((v) => v.severity === 'warning')).toBe(true);
    });

    it('ignores other URIs on the legacy host and legacy paths on unrelated hosts', () => {
      const other = [
        'https://contoso-apim.portal.azure-api.net/signin-aad',
        'https://app.contoso.com/docs/services/colors-oauth/console/oauth2/authorizationcode/callback',
      ];
      expect(violations(run(withRedirects([code(DEFAULT_HOST), code(CUSTOM_HOST), ...other])))).toEqual([]);
    });

    it('reports an app-level finding once when several servers share the client app', () => {
      const model = modelWithSecondServer(withRedirects([code(DEFAULT_HOST), code(CUSTOM_HOST), LEGACY]));
      const found = violations(runRule(rule, model));
      expect(found.filter((v) => v.key === LEGACY)).toHaveLength(1);
      expect(found.filter((v) => v.severity !== 'warning').map((v) => v.key)).toEqual([
        code(DEFAULT_HOST, 'colors-oauth-2'),
        code(CUSTOM_HOST, 'colors-oauth-2'),
      ]);
    });
  });

  describe('not evaluated', () => {
    it('names the clientId when no application has it as appId', () => {
      const ne = onlyNotEvaluated(
        run({
          authorizationServer: { properties: { clientId: '99999999-9999-4999-8999-999999999999' } },
        }),
      );
      expect(ne?.entity).toMatchObject({ kind: 'authorizationServer', name: 'colors-oauth' });
      expect(ne?.reason).toContain('99999999-9999-4999-8999-999999999999');
      expect(ne?.reason).toContain('AADSTS700016');
    });

    it('reports a server without clientId as not evaluated', () => {
      const outputs = run({ authorizationServer: { properties: { clientId: null } } });
      expect(notEvaluatedOutputs(outputs)[0]?.reason).toContain('no clientId');
    });
  });
});
