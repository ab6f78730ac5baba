/**
 * What client-redirect-uri-matches-portal says about a developer-portal callback: the one-line message, why the
 * sign-in fails (the AADSTS error), and the fix. A callback to add is appended to the platform's list (adding is
 * safe: it never breaks another sign-in); a move between platforms is two edits, so it is described, not applied.
 */
import type { App, AuthServer, Evidence, RedirectPlatform } from '../../src/model/types';
import { violation, type FixHint, type Violation } from './contract';
import { clip, firstThatFits } from './message';
import { parseUrl, type RegisteredRedirectUri } from './queries';

export type Flow = 'code' | 'pkce' | 'implicit';

/** A callback the developer portal sends for one server and host, and the platform it must be registered under. */
export interface Expected {
  /** The full URI; with an unknown host, `https://<developer portal host>/<path>`. */
  uri: string;
  /** The portal host, or undefined when the service's name (so its default host) is unknown. */
  host: string | undefined;
  path: string;
  platform: RedirectPlatform;
  flow: Flow;
  /** What the host rests on: the service's name (default host) or its custom domains. */
  hostEvidence: Evidence[];
}

export const UNKNOWN_HOST = '<developer portal host>';

type Said = Required<Pick<Violation, 'message' | 'detail' | 'fix'>>;
type Extra = NonNullable<Parameters<typeof violation>[2]>;

/** `violation`'s message and extra fields: what is said, with where and on what it rests. */
export function said({ message, detail, fix }: Said, extra: Extra): [string, Extra] {
  return [message, { ...extra, detail, fix }];
}

const PLATFORM_LABEL: Record<RedirectPlatform, string> = {
  web: 'web',
  spa: 'spa (single-page application)',
  publicClient: 'publicClient (mobile and desktop)',
};

/** Entra compares scheme and host case-insensitively and the path exactly. */
export function canonical(uri: string): string {
  const url = parseUrl(uri.trim());
  return url ? `${url.protocol}//${url.host}${url.pathname}${url.search}` : uri.trim();
}

function describeDifference(registered: string, e: Expected): string {
  const expected =
    e.host === undefined ? `https://${parseUrl(registered.trim())?.host ?? ''}${e.path}` : e.uri;
  const r = canonical(registered);
  const e2 = canonical(expected);
  const diffs: string[] = [];
  if (r.split(':')[0] !== e2.split(':')[0]) diffs.push('scheme');
  if (r.replace(/\/+$/, '') !== r && e2.replace(/\/+$/, '') === e2) diffs.push('trailing slash');
  const core = (s: string) => s.replace(/^[^:]+:\/\//, '').replace(/\/+$/, '');
  if (core(r) !== core(e2)) diffs.push('letter case');
  return diffs.join(' and ');
}

function flowLabel(flow: Flow): string {
  if (flow === 'pkce') return 'authorization code with PKCE';
  return flow === 'implicit' ? 'implicit' : 'authorization code';
}

/** Appends `uri` to the app's list of `platform`, set as a whole; described only while the URI has no known host. */
function addUri(app: App, platform: RedirectPlatform, uri: string, text: string): FixHint {
  if (uri.includes(UNKNOWN_HOST)) return { text };
  return {
    text,
    property: { path: `${platform}/redirectUris`, value: [...app.redirectUris[platform], uri] },
  };
}

/**
 * A message about a client app, its server and URIs: in full, else without the server (the detail names it), else
 * with the URIs shortened.
 */
function say(build: (uri: (u: string) => string, server: string) => string, server: AuthServer): string {
  return firstThatFits(
    build((u) => u, ` for authorization server '${server.name}'`),
    build((u) => u, ''),
    build((u) => clip(u, 70), ''),
  );
}

export function wrongPlatform(app: App, server: AuthServer, e: Expected, found: RegisteredRedirectUri): Said {
  const target = e.flow === 'pkce' ? 'spa' : 'web';
  const message = say(
    (u, forServer) =>
      `Client app '${app.name}' registers ${u(e.uri)}${forServer} under ${found.platform}; expected ${target}.`,
    server,
  );
  const fix = {
    text: `Move ${e.uri} from the ${PLATFORM_LABEL[found.platform]} redirect URIs to the ${target} redirect URIs.`,
  };
  const sent = `The developer portal sends this callback for authorization server '${server.name}'.`;
  if (e.flow === 'pkce') {
    return {
      message,
      detail:
        `${sent} It redeems the PKCE code from the browser, which Entra allows only for spa redirect URIs: ` +
        "AADSTS9002326 (Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type).",
      fix,
    };
  }
  const why =
    e.flow === 'code'
      ? 'APIM redeems the authorization code server-side with the client secret'
      : 'the implicit callback belongs to a web redirect URI';
  const error =
    found.platform === 'spa' && e.flow === 'code'
      ? "AADSTS9002327 (Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests)"
      : 'AADSTS50011 (The redirect URI specified in the request does not match the redirect URIs configured for the application)';
  return { message, detail: `${sent} The sign-in fails because ${why}: ${error}.`, fix };
}

export function missing(app: App, server: AuthServer, e: Expected, noneAtAll: boolean): Said {
  const text = `Add ${e.uri} to the ${e.platform} redirect URIs of client app '${app.name}'.`;
  if (noneAtAll) {
    return {
      message: say(
        (u, forServer) =>
          `Client app '${app.name}' has no redirect URI at all; expected ${u(e.uri)} under ${e.platform}${forServer}.`,
        server,
      ),
      detail:
        `Entra refuses the sign-in from the developer portal for authorization server '${server.name}': ` +
        'AADSTS500113 (No reply address is registered for the application).',
      fix: addUri(app, e.platform, e.uri, text),
    };
  }
  return {
    message: say(
      (u, forServer) =>
        `Client app '${app.name}' lacks the ${flowLabel(e.flow)} callback ${u(e.uri)} under ${e.platform}${forServer}.`,
      server,
    ),
    detail:
      `The developer portal sends this redirect URI for authorization server '${server.name}', and Entra refuses ` +
      'one that is not registered: AADSTS50011 (The redirect URI specified in the request does not match the ' +
      'redirect URIs configured for the application).',
    fix: addUri(app, e.platform, e.uri, text),
  };
}

export function nearMiss(app: App, server: AuthServer, e: Expected, found: RegisteredRedirectUri): Said {
  const diff = describeDifference(found.uri, e);
  const caseOnly = diff === 'letter case';
  // With the portal host unknown, the registered URI's host is the one the user meant.
  const target =
    e.host === undefined ? `https://${parseUrl(found.uri.trim())?.host ?? UNKNOWN_HOST}${e.path}` : e.uri;
  const why = caseOnly
    ? 'The portal lower-cases the server name and Entra compares the path case-sensitively'
    : `They differ in ${diff} and Entra requires an exact match`;
  const text = caseOnly
    ? `Register the lower-case URI ${target} under ${found.platform} (keep both spellings for older portal builds).`
    : `Register ${target} exactly under ${found.platform}.`;
  return {
    message: firstThatFits(
      `Client app '${app.name}' registers ${found.uri} for authorization server '${server.name}'; expected ${e.uri}.`,
      `Client app '${app.name}' registers ${found.uri}; expected ${e.uri}.`,
      `Client app '${app.name}' registers ${found.uri}, which differs from the portal callback in ${diff}.`,
      `Client app '${clip(app.name, 40)}' registers ${clip(found.uri, 100)}, which differs from the portal callback in ${diff}.`,
    ),
    detail:
      `The developer portal sends ${e.uri} for authorization server '${server.name}'. ${why}: AADSTS50011 (The ` +
      'redirect URI specified in the request does not match the redirect URIs configured for the application).',
    fix: addUri(app, found.platform, target, text),
  };
}

export function stale(app: App, r: RegisteredRedirectUri): Said {
  return {
    message: firstThatFits(
      `Client app '${app.name}' still registers the legacy developer-portal callback ${r.uri}.`,
      `Client app '${clip(app.name, 40)}' still registers the legacy developer-portal callback ${clip(r.uri, 100)}.`,
    ),
    detail:
      'The legacy developer portal is retired: nothing sends this redirect URI any more, and a stale one is a ' +
      'redirect target nobody watches.',
    fix: {
      text: `Remove the stale redirect URI ${r.uri}.`,
      property: {
        path: `${r.platform}/redirectUris`,
        value: app.redirectUris[r.platform].filter((_, i) => i !== r.index),
      },
    },
  };
}
