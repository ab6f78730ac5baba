import rule from '../../rules/client-redirect-uri-matches-portal';
import { RuleTester } from '../../src';
import type { Model } from '../../src/model/types';
import {
  AT,
  applyOverlay,
  buildModel,
  clientRedirectUris,
  loadSampleDoc,
  sampleInput,
  TEST_NOW,
  modelWithSecondServer,
  notEvaluatedOutputs,
  onlyNotEvaluated,
  runnerFor,
  runRule,
  violations,
  type Overlay,
  escaped,
  containing,
} from '../helpers/sample';
import { setFix, textFix } from '../helpers/fixes';

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

const WEB = `${AT.clientApp}/web/redirectUris`;
const SPA = `${AT.clientApp}/spa/redirectUris`;
const PUBLIC = `${AT.clientApp}/publicClient/redirectUris`;
const MISSING_CUSTOM = withRedirects([code(DEFAULT_HOST)]);
const NO_GRANTS = { ...withGrants([]), ...withRedirects([code(DEFAULT_HOST)]) };
const NONE_AT_ALL = withRedirects([]);
const IMPLICIT = withGrants(['authorizationCode', 'implicit']);
const PKCE = { ...withGrants(['authorizationCodeWithPkce']), ...withRedirects([code(DEFAULT_HOST)]) };
const TWO_PORTALS = {
  service: {
    properties: {
      hostnameConfigurations: [
        { type: 'DeveloperPortal', hostName: 'developer.contoso.com', certificateSource: 'Managed' },
        { type: 'DeveloperPortal', hostName: 'api-portal.contoso.eu', certificateSource: 'Managed' },
      ],
    },
  },
};
const CAPITALS = withRedirects(
  [code(DEFAULT_HOST, 'Colors-OAuth-V2'), code(CUSTOM_HOST, 'Colors-OAuth-V2')],
  {
    authorizationServer: { name: 'Colors-OAuth-V2' },
  },
);
const TRAILING_SLASH = withRedirects([code(DEFAULT_HOST), `${code(CUSTOM_HOST)}/`]);
const UNDER_SPA = withRedirects([code(DEFAULT_HOST)], {}, [code(CUSTOM_HOST)]);
const WITH_LEGACY = withRedirects([code(DEFAULT_HOST), code(CUSTOM_HOST), LEGACY]);

new RuleTester({ now: TEST_NOW }).run(rule, {
  valid: [
    { name: 'the fixed sample', input: sampleInput() },
    {
      name: 'the host compared case-insensitively',
      input: sampleInput(
        withRedirects([
          code('https://Contoso-APIM.developer.azure-api.net'),
          code('https://Developer.Contoso.com'),
        ]),
      ),
    },
    {
      name: 'no callback needed for grants without a redirect',
      input: sampleInput({ ...withGrants(['clientCredentials']), ...withRedirects([]) }),
    },
    {
      name: 'the lower-case callback alone for a server name with capitals',
      input: sampleInput(
        withRedirects([code(DEFAULT_HOST, 'colors-oauth-v2'), code(CUSTOM_HOST, 'colors-oauth-v2')], {
          authorizationServer: { name: 'Colors-OAuth-V2' },
        }),
      ),
    },
    {
      name: 'PKCE callbacks under spa',
      input: sampleInput({
        ...withGrants(['authorizationCodeWithPkce']),
        ...withRedirects([], {}, [pkce(DEFAULT_HOST), pkce(CUSTOM_HOST)]),
      }),
    },
    {
      name: 'implicit callbacks under web',
      input: sampleInput({
        ...IMPLICIT,
        ...withRedirects([
          code(DEFAULT_HOST),
          code(CUSTOM_HOST),
          implicit(DEFAULT_HOST),
          implicit(CUSTOM_HOST),
        ]),
      }),
    },
    {
      name: 'other URIs on the legacy host and legacy paths on unrelated hosts',
      input: sampleInput(
        withRedirects([
          code(DEFAULT_HOST),
          code(CUSTOM_HOST),
          'https://contoso-apim.portal.azure-api.net/signin-aad',
          'https://app.contoso.com/docs/services/colors-oauth/console/oauth2/authorizationcode/callback',
        ]),
      ),
    },
  ],
  invalid: [
    {
      name: 'the custom-domain callback missing on the client app',
      input: sampleInput(MISSING_CUSTOM),
      errors: [
        {
          path: WEB,
          severity: 'error',
          resource: 'oauth-client-app',
          message: `Client app 'oauth-client-app' lacks the authorization code callback ${code(CUSTOM_HOST)} under web for authorization server 'colors-oauth'.`,
          detail: containing("authorization server 'colors-oauth'", 'AADSTS50011'),
          // Appended to the web list, set as a whole.
          fix: setFix(
            `Add ${code(CUSTOM_HOST)} to the web redirect URIs of client app 'oauth-client-app'.`,
            WEB,
            [code(DEFAULT_HOST), code(CUSTOM_HOST)],
          ),
        },
      ],
    },
    {
      name: 'a server without grant types, as an authorization-code server',
      input: sampleInput(NO_GRANTS),
      errors: [{ path: WEB, message: new RegExp(escaped(code(CUSTOM_HOST))) }],
    },
    {
      name: 'the AADSTS500113 wording when the client app has no redirect URI at all',
      input: sampleInput(NONE_AT_ALL),
      errors: [DEFAULT_HOST, CUSTOM_HOST].map((host) => ({
        path: WEB,
        message: containing(code(host), 'no redirect URI at all'),
        detail: /AADSTS500113/,
        // Each fix adds its own URI: one pass resolves one finding, as the next finding's fix sees the list then.
        fix: setFix(`Add ${code(host)} to the web redirect URIs of client app 'oauth-client-app'.`, WEB, [
          code(host),
        ]),
      })),
    },
    {
      name: 'the implicit callback for every host when the server uses the implicit grant',
      input: sampleInput(IMPLICIT),
      errors: [DEFAULT_HOST, CUSTOM_HOST].map((host) => ({
        path: WEB,
        message: containing('implicit callback', implicit(host)),
      })),
    },
    {
      name: 'the PKCE callback under spa',
      input: sampleInput(PKCE),
      errors: [DEFAULT_HOST, CUSTOM_HOST].map((host) => ({
        path: SPA,
        message: containing(pkce(host), 'under spa'),
      })),
    },
    {
      name: 'a callback for every custom DeveloperPortal hostname',
      input: sampleInput(TWO_PORTALS),
      errors: [{ path: WEB, message: new RegExp(escaped(code('https://api-portal.contoso.eu'))) }],
    },
    {
      name: 'a callback registered with the capitals of the server name',
      input: sampleInput(CAPITALS),
      errors: [DEFAULT_HOST, CUSTOM_HOST].map((host, i) => ({
        path: `${WEB}/${i}`,
        resource: 'oauth-client-app',
        // The longer default host leaves no room for the expected URI in the message: the detail has it.
        message:
          host === DEFAULT_HOST
            ? `Client app 'oauth-client-app' registers ${code(host, 'Colors-OAuth-V2')}, which differs from the portal callback in letter case.`
            : `Client app 'oauth-client-app' registers ${code(host, 'Colors-OAuth-V2')}; expected ${code(host, 'colors-oauth-v2')}.`,
        detail: new RegExp(`sends ${escaped(code(host, 'colors-oauth-v2'))} .*case-sensitively.*AADSTS50011`),
        // The lower-case URI is added; the registered spelling stays.
        fix: setFix(
          `Register the lower-case URI ${code(host, 'colors-oauth-v2')} under web (keep both spellings for older portal builds).`,
          WEB,
          [
            code(DEFAULT_HOST, 'Colors-OAuth-V2'),
            code(CUSTOM_HOST, 'Colors-OAuth-V2'),
            code(host, 'colors-oauth-v2'),
          ],
        ),
      })),
    },
    {
      name: 'a trailing slash',
      input: sampleInput(TRAILING_SLASH),
      errors: [
        {
          path: `${WEB}/1`,
          message: `Client app 'oauth-client-app' registers ${code(CUSTOM_HOST)}/; expected ${code(CUSTOM_HOST)}.`,
          detail: /differ in trailing slash and Entra requires an exact match/,
          fix: setFix(`Register ${code(CUSTOM_HOST)} exactly under web.`, WEB, [
            code(DEFAULT_HOST),
            `${code(CUSTOM_HOST)}/`,
            code(CUSTOM_HOST),
          ]),
        },
      ],
    },
    {
      name: 'http instead of https',
      input: sampleInput(withRedirects([code(DEFAULT_HOST), code('http://developer.contoso.com')])),
      errors: [{ path: `${WEB}/1`, message: /; expected https:\/\/developer/, detail: /differ in scheme/ }],
    },
    {
      name: 'a code callback registered only under spa (AADSTS9002327)',
      input: sampleInput(UNDER_SPA),
      errors: [
        {
          path: `${SPA}/0`,
          message: `Client app 'oauth-client-app' registers ${code(CUSTOM_HOST)} for authorization server 'colors-oauth' under spa; expected web.`,
          detail: /AADSTS9002327/,
          // A move is two edits: described, not applied.
          fix: textFix(
            `Move ${code(CUSTOM_HOST)} from the spa (single-page application) redirect URIs to the web redirect URIs.`,
          ),
        },
      ],
    },
    {
      name: 'a code callback registered only under publicClient',
      input: sampleInput(withRedirects([code(DEFAULT_HOST)], {}, [], [code(CUSTOM_HOST)])),
      errors: [
        {
          path: `${PUBLIC}/0`,
          message: /under publicClient; expected web\.$/,
          fix: textFix(
            /^Move .* from the publicClient \(mobile and desktop\) redirect URIs to the web redirect URIs\.$/,
          ),
        },
      ],
    },
    {
      name: 'a PKCE callback registered under web (AADSTS9002326)',
      input: sampleInput({
        ...withGrants(['authorizationCodeWithPkce']),
        ...withRedirects([pkce(DEFAULT_HOST)], {}, [pkce(CUSTOM_HOST)]),
      }),
      errors: [{ path: `${WEB}/0`, message: /under web; expected spa\.$/, detail: /AADSTS9002326/ }],
    },
    {
      name: 'an implicit callback registered under spa',
      input: sampleInput({
        ...IMPLICIT,
        ...withRedirects([code(DEFAULT_HOST), code(CUSTOM_HOST), implicit(DEFAULT_HOST)], {}, [
          implicit(CUSTOM_HOST),
        ]),
      }),
      errors: [
        {
          path: `${SPA}/0`,
          message: /under spa; expected web\.$/,
          detail: /implicit callback belongs to a web/,
        },
      ],
    },
    {
      name: 'a stale legacy-portal callback, as a warning',
      input: sampleInput(WITH_LEGACY),
      errors: [
        {
          path: `${WEB}/2`,
          severity: 'warning',
          resource: 'oauth-client-app',
          message: `Client app 'oauth-client-app' still registers the legacy developer-portal callback ${LEGACY}.`,
          detail: /legacy developer portal is retired/,
          fix: setFix(`Remove the stale redirect URI ${LEGACY}.`, WEB, [
            code(DEFAULT_HOST),
            code(CUSTOM_HOST),
          ]),
        },
      ],
    },
    {
      name: 'implicit and OpenID Connect legacy variants and custom Portal hostnames',
      input: sampleInput(
        withRedirects(
          [code(DEFAULT_HOST), code(CUSTOM_HOST)],
          {
            service: {
              properties: {
                hostnameConfigurations: [
                  {
                    type: 'DeveloperPortal',
                    hostName: 'developer.contoso.com',
                    certificateSource: 'Managed',
                  },
                  { type: 'Portal', hostName: 'legacy.contoso.com', certificateSource: 'Managed' },
                ],
              },
            },
          },
          [],
          [
            'https://legacy.contoso.com/docs/services/colors-oauth/console/oauth2/implicit/callback',
            'https://contoso-apim.portal.azure-api.net/docs/services/5a1b2c/console/openidconnect/authorizationcode/callback',
          ],
        ),
      ),
      errors: [
        { path: `${PUBLIC}/0`, severity: 'warning' },
        { path: `${PUBLIC}/1`, severity: 'warning' },
      ],
    },
  ],
});

describe('client-redirect-uri-matches-portal', () => {
  it('declares its metadata', () => {
    expect(rule.id).toBe('client-redirect-uri-matches-portal');
    expect(rule.meta.severity).toBe('error');
    expect(rule.meta.requires).toEqual(['entra', 'apim']);
  });

  // The key (the callback a finding is about) tells findings at one path apart, and the rule's path is relative to
  // its entity; the RuleTester sees neither.
  it.each([
    ['a missing custom-domain callback', MISSING_CUSTOM, [[code(CUSTOM_HOST), 'web/redirectUris']]],
    ['a server without grant types', NO_GRANTS, [[code(CUSTOM_HOST), 'web/redirectUris']]],
    [
      'no redirect URI at all',
      NONE_AT_ALL,
      [
        [code(DEFAULT_HOST), 'web/redirectUris'],
        [code(CUSTOM_HOST), 'web/redirectUris'],
      ],
    ],
    [
      'the implicit grant',
      IMPLICIT,
      [
        [implicit(DEFAULT_HOST), 'web/redirectUris'],
        [implicit(CUSTOM_HOST), 'web/redirectUris'],
      ],
    ],
    [
      'the PKCE grant',
      PKCE,
      [
        [pkce(DEFAULT_HOST), 'spa/redirectUris'],
        [pkce(CUSTOM_HOST), 'spa/redirectUris'],
      ],
    ],
    ['two portal hostnames', TWO_PORTALS, [[code('https://api-portal.contoso.eu'), 'web/redirectUris']]],
    [
      'capitals in the server name',
      CAPITALS,
      [
        [code(DEFAULT_HOST, 'colors-oauth-v2'), 'web/redirectUris/0'],
        [code(CUSTOM_HOST, 'colors-oauth-v2'), 'web/redirectUris/1'],
      ],
    ],
    ['a trailing slash', TRAILING_SLASH, [[code(CUSTOM_HOST), 'web/redirectUris/1']]],
    ['a code callback under spa', UNDER_SPA, [[code(CUSTOM_HOST), 'spa/redirectUris/0']]],
    ['a legacy callback', WITH_LEGACY, [[LEGACY, 'web/redirectUris/2']]],
  ] as [string, Overlay, [string, string][]][])(
    'keys and places the findings of %s',
    (_name, overlay, want) => {
      expect(violations(run(overlay)).map((v) => [v.key, v.path])).toEqual(want);
    },
  );

  describe('stale legacy callbacks', () => {
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

  describe('a client app shared by many servers (issue 12: its URIs are keyed once per app)', () => {
    /** `count` servers like the sample's, named `srv-<i>`, all with the sample's client app. */
    function manyServers(count: number, web: (name: string, i: number) => string[]): Model {
      const doc = loadSampleDoc();
      const service = doc.apim?.[0] as { authorizationServers: Record<string, unknown>[] };
      const template = structuredClone(service.authorizationServers[0]!);
      delete template['id'];
      const names = Array.from({ length: count }, (_, i) => `srv-${i}`);
      service.authorizationServers = names.map((name) => ({ ...structuredClone(template), name }));
      return buildModel(applyOverlay(doc, withRedirects(names.flatMap((n, i) => web(n, i)))));
    }

    it("finds each server its own callback, near miss or nothing among every server's URIs", () => {
      // srv-<i>: i % 3 = 0 registered on both hosts, 1 in capitals on the default host only, 2 not at all.
      const model = manyServers(300, (name, i) =>
        i % 3 === 0
          ? [code(DEFAULT_HOST, name), code(CUSTOM_HOST, name)]
          : i % 3 === 1
            ? [code(DEFAULT_HOST, name.toUpperCase())]
            : [],
      );
      const found = violations(runRule(rule, model));
      const want = Array.from({ length: 300 }, (_, i) => i).flatMap((i) => {
        const name = `srv-${i}`;
        if (i % 3 === 0) return [];
        const custom: [string, string] = [code(CUSTOM_HOST, name), 'web/redirectUris'];
        return i % 3 === 1
          ? [
              [code(DEFAULT_HOST, name), `web/redirectUris/${Math.floor(i / 3) * 3 + 2}`] as [string, string],
              custom,
            ]
          : [[code(DEFAULT_HOST, name), 'web/redirectUris'] as [string, string], custom];
      });
      expect(found.map((v) => [v.key, v.path])).toEqual(want);
    });

    it('reports stale callbacks once, and again when the rule runs again on the same model', () => {
      const model = manyServers(50, (name) => [code(DEFAULT_HOST, name), code(CUSTOM_HOST, name), LEGACY]);
      const first = violations(runRule(rule, model));
      expect(first.map((v) => v.key)).toEqual([LEGACY]);
      expect(violations(runRule(rule, model))).toEqual(first);
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
