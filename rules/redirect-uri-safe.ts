/**
 * Redirect URIs are exact https URLs. A URI holding a placeholder a tool substitutes later (`${{TAB_DOMAIN}}`,
 * `#{Host}#`; `RegisteredRedirectUri.placeholders`) is judged on its text outside the placeholders only: a wildcard,
 * a fragment or a known scheme there is still wrong, whatever the substitution; what depends on the substituted
 * text (a placeholder scheme, plain http on a host that may be loopback) is left not evaluated.
 */
import {
  checked,
  defineRule,
  MESSAGE_LIMIT,
  violation,
  wantsEvidence,
  type RuleOutput,
} from './support/contract';
import { fitted } from './support/outputs';
import { redirectListsOf } from './support/evidence';
import { parseUrl, redirectUrisOf, type RegisteredRedirectUri } from './support/queries';
import { type RedirectPlatform } from '../src/model/types';
import type { App } from '../src/model/types';
import { maskPlaceholders, substitutionPattern } from '../src/util/placeholders';

/** Entra accepts plain http only for loopback addresses (reply-url restrictions). */
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** Characters Entra rejects in redirect URIs. */
const UNSUPPORTED_CHARACTERS = ['!', '$', "'", '(', ')', ',', ';'];

/** Schemes that are never a redirect target, even for native apps. */
const DANGEROUS_SCHEMES = ['javascript:', 'data:', 'vbscript:', 'file:'];

/**
 * Nested app authentication (Teams, Outlook, Office add-ins) registers `brk-multihub://<domain>` as a spa redirect
 * URI, as Microsoft's docs instruct (learn.microsoft.com, microsoftteams/platform, nested-authentication).
 */
const NESTED_APP_SCHEME = 'brk-multihub:';

/** Stands for a placeholder in the masked text: no URI delimiter, no character the rule looks for. */
const MASK = '\u0000';

/**
 * What is wrong with a URI's scheme. `loopback`: whether the host is (or, with a placeholder in it, may become) a
 * loopback host; undefined when that is unknown.
 */
function schemeProblem(
  scheme: string,
  loopback: boolean | undefined,
  platform: RedirectPlatform,
): string | 'unknown' | undefined {
  if (scheme === 'https:') return undefined;
  if (scheme === 'http:') {
    if (loopback === undefined) return 'unknown';
    return loopback ? undefined : 'uses plain http on a non-loopback host';
  }
  if (DANGEROUS_SCHEMES.includes(scheme)) return `uses the scheme '${scheme}'`;
  // Out-of-band URNs (urn:ietf:wg:oauth:2.0:oob) show the code to the user instead of redirecting; no browser target.
  if (scheme === 'urn:' && platform !== 'spa') return undefined;
  if (scheme === NESTED_APP_SCHEME && platform === 'spa') return undefined;
  // Native apps redirect to private-use schemes (msal<appId>://auth, ms-appx-web://...); browsers cannot.
  if (platform === 'publicClient') return undefined;
  return 'uses a custom scheme';
}

/** What one URI's text says, placeholders masked: problems found, and whether something is left undetermined. */
interface Judgement {
  problems: string[];
  undetermined: boolean;
}

/** Problems visible in the text itself: wildcard, fragment, characters Entra rejects. */
function textProblems(text: string): string[] {
  const problems: string[] = [];
  if (text.includes('*')) problems.push("contains the wildcard '*'");
  if (text.includes('#')) problems.push("has a fragment ('#'), which a redirect URI may not have");
  const bad = UNSUPPORTED_CHARACTERS.filter((c) => text.includes(c));
  if (bad.length > 0) problems.push(`contains characters Entra rejects (${bad.join(' ')})`);
  return problems;
}

function judgeLiteral(uri: string, platform: RedirectPlatform): Judgement {
  const url = parseUrl(uri);
  const problems = url ? [] : ['is not an absolute URL'];
  problems.push(...textProblems(uri));
  if (url) {
    const loopback = LOOPBACK_HOSTS.includes(url.hostname.toLowerCase());
    const scheme = schemeProblem(url.protocol, loopback, platform);
    if (scheme && scheme !== 'unknown') problems.push(scheme);
  }
  return { problems, undetermined: false };
}

/**
 * A URI holding placeholders, judged on the text outside them: its shape is not judged (the substitution may make
 * it whole), its scheme only when written outside a placeholder, and plain http only when no substitution of the
 * host can make it a loopback host (`http://${{HOST}}` may become `http://localhost`).
 */
function judgeWithPlaceholders(uri: string, platform: RedirectPlatform): Judgement {
  const masked = maskPlaceholders(uri, MASK);
  const problems = textProblems(masked);
  const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(masked)?.[1]?.toLowerCase();
  if (scheme === undefined) return { problems, undetermined: true };
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(masked)?.[1];
  let loopback: boolean | undefined;
  if (authority !== undefined) {
    // The host as written (the port, known or not, dropped), placeholders included.
    const start = scheme.length + 2;
    const host = uri.slice(start, start + authority.length).replace(/:[^\]:]*$/, '');
    const pattern = substitutionPattern(host, 'i');
    const may = LOOPBACK_HOSTS.some((h) => pattern.test(h));
    loopback = !authority.includes(MASK) ? may : may ? undefined : false;
  }
  const problem = schemeProblem(scheme, loopback, platform);
  if (problem === 'unknown') return { problems, undetermined: true };
  if (problem) problems.push(problem);
  return { problems, undetermined: false };
}

function joinProblems(problems: string[]): string {
  if (problems.length <= 1) return problems.join('');
  return `${problems.slice(0, -1).join(', ')} and ${problems[problems.length - 1] ?? ''}`;
}

/** A custom scheme that is nested app authentication's, which belongs under spa. */
function isNestedApp(uri: string, problems: string[]): boolean {
  return problems.includes('uses a custom scheme') && uri.toLowerCase().startsWith(NESTED_APP_SCHEME);
}

function advice(uri: string, problems: string[]): string {
  if (isNestedApp(uri, problems)) return 'Register it under spa, as nested app authentication requires.';
  if (problems.some((p) => p.includes('custom scheme')))
    return 'Move it to the publicClient (mobile and desktop) platform, or register an https URI instead.';
  if (problems.some(isDangerous)) return 'Remove the URI: no scheme of that kind is ever a redirect target.';
  return 'Register the exact https URI instead (plain http only for localhost, 127.0.0.1 or [::1]).';
}

function isDangerous(problem: string): boolean {
  return DANGEROUS_SCHEMES.some((s) => problem === `uses the scheme '${s}'`);
}

function expectation(uri: string, problems: string[]): string {
  if (isNestedApp(uri, problems)) return 'expected under spa (nested app authentication)';
  if (problems.some((p) => p.includes('custom scheme'))) return 'expected under publicClient, or https';
  return 'expected an exact https URI';
}

/** Why each problem fails or endangers sign-in, in the order found. */
const WHY: readonly [test: (problem: string) => boolean, why: string][] = [
  [
    (p) => p.includes('wildcard'),
    'A wildcard lets any matching host, one an attacker may control, receive authorization codes and tokens; ' +
      'Entra rejects wildcards in new redirect URIs and matches the redirect_uri of a request exactly ' +
      '(AADSTS50011 otherwise).',
  ],
  [
    (p) => p.includes('fragment'),
    'Entra rejects a redirect URI with a fragment when the app is saved: the response is itself appended to the URL.',
  ],
  [(p) => p.includes('characters Entra rejects'), 'Entra rejects redirect URIs holding these characters.'],
  [
    (p) => p.includes('not an absolute URL'),
    'Entra matches the redirect_uri of a sign-in request against the registered URIs exactly; a URI that is ' +
      'not absolute matches no request, so sign-in fails with AADSTS50011.',
  ],
  [
    (p) => p.includes('plain http'),
    'Authorization codes and tokens sent to it travel unencrypted and can be read on the network; Entra ' +
      'accepts plain http only for loopback addresses.',
  ],
  [
    isDangerous,
    'A script, data or file URL as redirect target runs the response outside the protections of a web origin.',
  ],
  [
    (p) => p.includes('custom scheme'),
    'Only publicClient (mobile and desktop) redirect URIs may use a custom scheme: browsers cannot open one, so ' +
      'on the web and spa platforms the URI serves no sign-in, while any app that claims the scheme on a device ' +
      'could receive the code.',
  ],
];

function detailOf(problems: string[]): string {
  return WHY.filter(([test]) => problems.some(test))
    .map(([, why]) => why)
    .join(' ');
}

/**
 * The list the platform should hold, when the fix is a value the rule knows: the URI in https (plain http being
 * its only problem), or the list without it (a script or file scheme, whatever else is wrong). Undefined when only the user knows the
 * exact URI, or when the URI holds placeholders (the substitution decides).
 */
function fixedList(app: App, registered: RegisteredRedirectUri, problems: string[]): string[] | undefined {
  if (registered.placeholders !== undefined) return undefined;
  const list = app.redirectUris[registered.platform];
  if (list[registered.index] !== registered.uri) return undefined;
  const [only] = problems;
  if (problems.length === 1 && only === 'uses plain http on a non-loopback host') {
    return list.map((u, i) => (i === registered.index ? `https:${u.slice('http:'.length)}` : u));
  }
  if (problems.some(isDangerous)) return list.filter((_, i) => i !== registered.index);
  return undefined;
}

/** The URI in a message: whole when the message fits, else its start (the problems name what is wrong). */
function shown(uri: string, rest: number): string {
  const room = MESSAGE_LIMIT - rest;
  return uri.length <= room ? uri : `${uri.slice(0, Math.max(room - 3, 40))}...`;
}

function* checkUri(app: App, registered: RegisteredRedirectUri, evidence: boolean): Generator<RuleOutput> {
  const { uri, platform, index } = registered;
  const path = `${platform}/redirectUris/${index}`;
  const { problems, undetermined } =
    registered.placeholders === undefined
      ? judgeLiteral(uri, platform)
      : judgeWithPlaceholders(uri, platform);
  // What the substituted text decides is not judged: the engine reports the URI as not fully evaluated.
  if (undetermined && evidence) yield checked(app, [{ entity: app, path }]);
  if (problems.length === 0) return;
  const head = `Application '${app.name}' has the ${platform} redirect URI `;
  const tail = `, which ${joinProblems(problems)}; ${expectation(uri, problems)}`;
  const list = fixedList(app, registered, problems);
  const short = shown(uri, head.length + tail.length);
  yield violation(app, fitted(`${head}${short}${tail}`), {
    path,
    key: `${platform}:${uri}`,
    knownPart: registered.placeholders !== undefined,
    // A URI cut in the message is given whole here.
    detail: `${short === uri ? '' : `The URI is ${uri}. `}${detailOf(problems)}`,
    fix: {
      text: advice(uri, problems),
      ...(list ? { property: { path: `${platform}/redirectUris`, value: list } } : {}),
    },
  });
}

/**
 * An https URI of a plain host (ASCII letters, digits and hyphens; the last label starting with a letter, no label
 * starting with `xn--`), an optional port up to 65535, then nothing or a path or query.
 */
const PLAIN_HTTPS = /^https:\/\/(?:[A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*(?::(\d{1,5}))?(?:[/?]|$)/;
/** A label that starts with `xn--` (punycode, which the URL parser decodes and may reject). */
const PUNYCODE_LABEL = /(?:\/|\.)xn--/i;
/** Every character `textProblems` looks for. */
const FLAGGED_CHARACTERS = /[*#!$'(),;]/;

/**
 * Whether a URI written without placeholders certainly has no problem, decided without `new URL()` (a tenant has
 * tens of thousands of redirect URIs, most of them plain https). The URL parser cannot reject it: for a special
 * scheme only the host and port can fail to parse; a host of ASCII letters, digits, hyphens and dots is valid unless a
 * label is punycode (`xn--`, decoded and checked) or the last label is a number (then read as an IPv4 address),
 * which starting with a letter rules out; a port fails only above 65535; a path or query never fails. An https URI
 * that parses has no scheme problem, and `textProblems` finds none of its characters. Anything else is judged in
 * full. (test/rules/redirect-uri-safe.test.ts checks this against the URL parser.)
 */
export function plainHttpsUri(uri: string): boolean {
  const match = PLAIN_HTTPS.exec(uri);
  if (match === null || FLAGGED_CHARACTERS.test(uri) || PUNYCODE_LABEL.test(match[0])) return false;
  const port = match[1];
  return port === undefined || Number(port) <= 65535;
}

/** Each URI is judged on its own (its path is the evidence); the app as a whole on every list. */
function* checkApp(app: App, evidence: boolean): Generator<RuleOutput> {
  if (evidence) yield checked(app, redirectListsOf(app));
  for (const registered of redirectUrisOf(app)) {
    // A literal URI with no problem yields nothing (not even evidence: nothing in it is undetermined).
    if (registered.placeholders === undefined && plainHttpsUri(registered.uri)) continue;
    yield* checkUri(app, registered, evidence);
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
    cites: { application: ['web/redirectUris', 'spa/redirectUris', 'publicClient/redirectUris'] },
  },
  *check(model, ctx) {
    const evidence = wantsEvidence(ctx);
    for (const app of model.applications) yield* checkApp(app, evidence);
  },
});
