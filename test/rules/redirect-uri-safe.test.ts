import fc from 'fast-check';
import rule, { plainHttpsUri } from '../../rules/redirect-uri-safe';
import { RuleTester, type InvalidTestCase } from '../../src';
import { AT, clientRedirectUris, runnerFor, sampleInput, TEST_NOW, violations } from '../helpers/sample';

const CODE_DEFAULT = 'https://contoso-apim.developer.azure-api.net/signin-oauth/code/callback/colors-oauth';
const CODE_CUSTOM = 'https://developer.contoso.com/signin-oauth/code/callback/colors-oauth';
const MSAL = 'msal1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6://auth';

type Platform = 'web' | 'spa' | 'publicClient';

/** The fixed client app with one extra redirect URI on the given platform. */
function overlayWith(uri: string, platform: Platform = 'web') {
  const lists: Record<Platform, string[]> = { web: [CODE_DEFAULT, CODE_CUSTOM], spa: [], publicClient: [] };
  lists[platform].push(uri);
  return clientRedirectUris(lists.web, lists.spa, lists.publicClient);
}

const withUri = (uri: string, platform: Platform = 'web') => sampleInput(overlayWith(uri, platform));

/** Where the extra URI lands: after the two sample URIs under web, first on the other platforms. */
const uriPath = (platform: Platform) =>
  `${AT.clientApp}/${platform}/redirectUris/${platform === 'web' ? 2 : 0}`;

/** One finding on the extra URI, its message matching `message`. */
function invalid(uri: string, platform: Platform, message: RegExp): InvalidTestCase {
  return {
    name: `${uri} under ${platform}`,
    input: withUri(uri, platform),
    errors: [{ path: uriPath(platform), severity: 'error', message }],
  };
}

const ACCEPTED = [
  ['http://localhost:8080/signin-oauth/code/callback/colors-oauth', 'web'],
  ['http://127.0.0.1:5000/callback', 'web'],
  ['http://[::1]:5000/callback', 'spa'],
  ['http://localhost', 'publicClient'],
  ['https://app.contoso.com/auth', 'spa'],
  [MSAL, 'publicClient'],
  ['ms-appx-web://microsoft.aad.brokerplugin/1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6', 'publicClient'],
  ['urn:ietf:wg:oauth:2.0:oob', 'publicClient'],
  ['urn:ietf:wg:oauth:2.0:oob', 'web'],
] as const;

const PLAIN_HTTP = 'http://developer.contoso.com/signin-oauth/code/callback/colors-oauth';

new RuleTester({ now: TEST_NOW }).run(rule, {
  valid: [
    { name: 'the fixed sample', input: sampleInput() },
    ...ACCEPTED.map(([uri, platform]) => ({
      name: `${uri} under ${platform}`,
      input: withUri(uri, platform),
    })),
    {
      // The rule reads every app registration by itself, so it never abstains.
      name: 'an authorization server whose client app is unknown (never not evaluated)',
      input: sampleInput({ authorizationServer: { properties: { clientId: 'unknown' } } }),
    },
  ],
  invalid: [
    {
      name: 'plain http on a real host, at the URI index',
      input: withUri(PLAIN_HTTP),
      errors: [
        {
          path: `${AT.clientApp}/web/redirectUris/2`,
          severity: 'error',
          resource: 'oauth-client-app',
          message: new RegExp(
            `${PLAIN_HTTP.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*plain http on a non-loopback host.*https`,
          ),
        },
      ],
    },
    invalid('http://app.contoso.com/', 'spa', /spa redirect URI/),
    invalid('https://*.contoso.com/signin-oauth/code/callback/colors-oauth', 'web', /wildcard '\*'/),
    invalid('developer.contoso.com/signin-oauth/code/callback/colors-oauth', 'web', /is not an absolute URL/),
    invalid(
      "https://developer.contoso.com/cb;v=1,x='y'",
      'web',
      /contains characters Entra rejects \(' , ;\)/,
    ),
    // A custom scheme outside publicClient, with the advice to move it.
    ...(['web', 'spa'] as const).map((platform) =>
      invalid(
        MSAL,
        platform,
        /redirect URI msal1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6:\/\/auth, which uses a custom scheme; expected under publicClient, or https$/,
      ),
    ),
    invalid('urn:ietf:wg:oauth:2.0:oob', 'spa', /urn:ietf:wg:oauth:2\.0:oob, which uses a custom scheme/),
    // Script and file schemes, even under publicClient.
    invalid('javascript:alert(1)', 'publicClient', /scheme 'javascript:'/),
    invalid('file:///C:/app/callback.html', 'publicClient', /scheme 'file:'/),
    {
      name: 'all problems of one URI in one finding',
      input: withUri('http://*.contoso.com/cb'),
      errors: [
        {
          path: uriPath('web'),
          message: /contains the wildcard '\*' and uses plain http on a non-loopback host/,
        },
      ],
    },
    {
      name: 'every application, not only client apps',
      input: sampleInput({
        backendApp: { web: { redirectUris: ['http://colors-web.azurewebsites.net/signin-oidc'] } },
      }),
      errors: [{ path: `${AT.backendApp}/web/redirectUris/0`, resource: 'oauth-backend-app' }],
    },
  ],
});

describe('redirect-uri-safe', () => {
  it('declares its metadata as a security rule', () => {
    expect(rule.id).toBe('redirect-uri-safe');
    expect(rule.meta.severity).toBe('error');
    expect(rule.meta.tags).toContain('security');
    expect(rule.meta.securitySeverity).toBeGreaterThan(0);
    expect(rule.meta.requires).toEqual(['entra']);
  });

  it('sets the list with the https form of a plain-http URI (the only problem)', () => {
    const [v] = violations(runnerFor(rule)(overlayWith(PLAIN_HTTP)));
    expect(v?.message).toBe(
      `Application 'oauth-client-app' has the web redirect URI ${PLAIN_HTTP}, which uses plain http on a ` +
        'non-loopback host; expected an exact https URI',
    );
    expect(v?.detail).toMatch(/travel unencrypted .* only for loopback addresses\.$/);
    expect(v?.fix).toEqual({
      text: 'Register the exact https URI instead (plain http only for localhost, 127.0.0.1 or [::1]).',
      property: {
        path: 'web/redirectUris',
        value: [CODE_DEFAULT, CODE_CUSTOM, PLAIN_HTTP.replace('http:', 'https:')],
      },
    });
  });

  it('removes a script-scheme URI from its list', () => {
    const [v] = violations(runnerFor(rule)(overlayWith('javascript:alert(1)', 'publicClient')));
    expect(v?.detail).toMatch(/script, data or file URL/);
    expect(v?.fix).toEqual({
      text: 'Remove the URI: no scheme of that kind is ever a redirect target.',
      property: { path: 'publicClient/redirectUris', value: [] },
    });
  });

  it.each([
    [
      'https://*.contoso.com/cb',
      'web',
      /A wildcard lets any matching host.*AADSTS50011/,
      /^Register the exact https URI/,
    ],
    [MSAL, 'spa', /browsers cannot open one/, /^Move it to the publicClient/],
    ['developer.contoso.com/cb', 'web', /AADSTS50011/, /^Register the exact https URI/],
    ['https://developer.contoso.com/cb#x', 'web', /with a fragment/, /^Register the exact https URI/],
  ] as const)(
    "describes %s under %s without an edit (the exact URI is the user's)",
    (uri, platform, detail, fix) => {
      const [v] = violations(runnerFor(rule)(overlayWith(uri, platform)));
      expect(v?.detail).toMatch(detail);
      expect(v?.fix?.text).toMatch(fix);
      expect(v?.fix?.property).toBeUndefined();
    },
  );

  it('shortens a URI too long for the message, keeping the problem', () => {
    const uri = `http://developer.contoso.com/${'a'.repeat(300)}`;
    const [v] = violations(runnerFor(rule)(overlayWith(uri)));
    expect(v?.message.length).toBeLessThanOrEqual(200);
    expect(v?.detail).toMatch(new RegExp(`^The URI is ${uri}\\. Authorization codes and tokens`));
    expect(v?.message).toMatch(
      /^Application 'oauth-client-app' has the web redirect URI http:\/\/developer\.contoso\.com\/a+\.\.\., which uses plain http/,
    );
  });

  it('keys a finding by platform and URI (the RuleTester does not see keys)', () => {
    const found = violations(runnerFor(rule)(overlayWith(PLAIN_HTTP)));
    expect(found.map((v) => v.key)).toEqual([`web:${PLAIN_HTTP}`]);
  });
});

describe('the shortcut for plain https URIs (plainHttpsUri)', () => {
  /** URIs mostly starting like https ones, then pieces where the URL parser or the rule's checks decide. */
  const uriLike = fc
    .tuple(
      fc.constantFrom('https://', 'https://', 'https://', 'http://', 'HTTPS://', 'https:/', 'msal://'),
      fc.array(
        fc.constantFrom(
          'a',
          'Z',
          'contoso',
          '0',
          '9',
          '1.2.3',
          '0x1f',
          'xn--',
          'XN--',
          '-',
          '.',
          '..',
          ':',
          '443',
          '65535',
          '65536',
          '999999',
          '/',
          '?',
          '#',
          '@',
          '%',
          '%zz',
          '*',
          '(',
          ';',
          ' ',
          '\t',
          '[',
          ']',
          '\\',
          'é',
          '_',
        ),
        { maxLength: 10 },
      ),
    )
    .map(([scheme, parts]) => scheme + parts.join(''));

  it('says yes only to https URIs the URL parser reads, with none of the characters the rule looks for', () => {
    fc.assert(
      fc.property(uriLike, (uri) => {
        if (!plainHttpsUri(uri)) return true;
        const url = new URL(uri); // throws: the property fails
        return url.protocol === 'https:' && !/[*#!$'(),;]/.test(uri);
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves nothing the rule would report: the rule finds nothing in a URI it says yes to', () => {
    fc.assert(
      fc.property(
        uriLike.filter((uri) => plainHttpsUri(uri)),
        (uri) => violations(runnerFor(rule)(overlayWith(uri))).length === 0,
      ),
      { numRuns: 60 },
    );
  });

  it.each([
    'https://app.contoso.com',
    'https://A.CONTOSO.COM:443/signin-oauth/code/callback/x?y=1',
    'https://--a.b1/ b%zz',
    `https://${'a'.repeat(64)}.com:65535`,
  ])('says yes to %s', (uri) => {
    expect(plainHttpsUri(uri)).toBe(true);
  });

  it.each([
    ['https://xn--abc.com', 'a punycode label (the parser rejects this one)'],
    ['https://a.XN--zz/cb', 'a punycode label, in capitals'],
    ['https://a.0x1', 'a last label the parser reads as a number (and rejects)'],
    ['https://1.2.3.4/cb', 'an IPv4 address (left to the parser)'],
    ['https://a.com:65536/cb', 'a port above 65535'],
    ['https://a.com/cb#x', 'a fragment'],
    ['https://a.com/cb;x', 'a character Entra rejects'],
    ['https://*.contoso.com/cb', 'a wildcard'],
    ['https://user@a.com/cb', 'user information'],
    ['https://a.com./cb', 'an empty last label'],
    ['HTTPS://a.com/cb', 'a scheme in capitals (left to the parser)'],
    ['http://a.com/cb', 'plain http'],
  ])('says no to %s (%s): the URI is judged in full', (uri) => {
    expect(plainHttpsUri(uri)).toBe(false);
  });
});
