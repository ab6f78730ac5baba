import { checked, defineRule, violation, type RuleOutput } from '../src/engine/types';
import { redirectListsOf } from '../src/model/evidence';
import { parseUrl, redirectUrisOf, type RedirectPlatform } from '../src/model/queries';
import type { App } from '../src/model/types';

/** Entra accepts plain http only for loopback addresses (reply-url restrictions). */
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** Characters Entra rejects in redirect URIs. */
const UNSUPPORTED_CHARACTERS = ['!', '$', "'", '(', ')', ',', ';'];

/** Schemes that are never a redirect target, even for native apps. */
const DANGEROUS_SCHEMES = ['javascript:', 'data:', 'vbscript:', 'file:'];

function schemeProblem(url: URL, platform: RedirectPlatform): string | undefined {
  const scheme = url.protocol;
  if (scheme === 'https:') return undefined;
  if (scheme === 'http:') {
    return LOOPBACK_HOSTS.includes(url.hostname.toLowerCase())
      ? undefined
      : 'uses plain http on a non-loopback host';
  }
  if (DANGEROUS_SCHEMES.includes(scheme)) return `uses the scheme '${scheme}'`;
  // Out-of-band URNs (urn:ietf:wg:oauth:2.0:oob) show the code to the user instead of redirecting; no browser target.
  if (scheme === 'urn:' && platform !== 'spa') return undefined;
  // Native apps redirect to private-use schemes (msal<appId>://auth, ms-appx-web://...); browsers cannot.
  if (platform === 'publicClient') return undefined;
  return `uses the custom scheme '${scheme}', which only publicClient (mobile and desktop) redirect URIs may use`;
}

/** Everything wrong with one redirect URI, as sentence fragments (empty when the URI is safe). */
function redirectUriProblems(uri: string, platform: RedirectPlatform): string[] {
  const problems: string[] = [];
  const url = parseUrl(uri);
  if (!url) problems.push('is not an absolute URL');
  if (uri.includes('*')) problems.push("contains the wildcard '*'");
  const bad = UNSUPPORTED_CHARACTERS.filter((c) => uri.includes(c));
  if (bad.length > 0) problems.push(`contains characters Entra rejects (${bad.join(' ')})`);
  const scheme = url ? schemeProblem(url, platform) : undefined;
  if (scheme) problems.push(scheme);
  return problems;
}

function joinProblems(problems: string[]): string {
  if (problems.length <= 1) return problems.join('');
  return `${problems.slice(0, -1).join(', ')} and ${problems[problems.length - 1] ?? ''}`;
}

function advice(problems: string[]): string {
  if (problems.some((p) => p.includes('custom scheme')))
    return 'move it to the publicClient (mobile and desktop) platform, or register an https URI';
  return 'register an exact https URI instead (plain http only for localhost, 127.0.0.1 or [::1])';
}

/** Each URI is judged on its own (its path is the evidence); the app as a whole on every list. */
function* checkApp(app: App): Generator<RuleOutput> {
  yield checked(app, redirectListsOf(app));
  for (const { uri, platform, index } of redirectUrisOf(app)) {
    const problems = redirectUriProblems(uri, platform);
    if (problems.length === 0) continue;
    yield violation(
      app,
      `Application '${app.name}' has the ${platform} redirect URI ${uri}, which ${joinProblems(problems)}; ${advice(problems)}.`,
      { path: `${platform}/redirectUris/${index}`, key: `${platform}:${uri}` },
    );
  }
}

export default defineRule({
  id: 'redirect-uri-safe',
  meta: {
    title: 'Redirect URIs are exact https URLs (loopback http and native-app schemes excepted)',
    severity: 'error',
    tags: ['security', 'entra'],
    securitySeverity: 7.5,
    requires: ['entra'],
    declaresEvidence: true,
  },
  *check(model) {
    for (const app of model.applications) yield* checkApp(app);
  },
});
