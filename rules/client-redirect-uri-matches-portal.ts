import { defineRule, notEvaluated, violation, type RuleOutput } from '../src/engine/types';
import {
  parseUrl,
  redirectUrisOf,
  type RedirectPlatform,
  type RegisteredRedirectUri,
} from '../src/model/queries';
import type { App, AuthServer } from '../src/model/types';

type Flow = 'code' | 'pkce' | 'implicit';

const PLATFORM_LABEL: Record<RedirectPlatform, string> = {
  web: 'web',
  spa: 'spa (single-page application)',
  publicClient: 'publicClient (mobile and desktop)',
};

/** A callback the developer portal sends for one server and host, and the platform it must be registered under. */
interface Expected {
  uri: string;
  platform: RedirectPlatform;
  flow: Flow;
}

/** Legacy portal callbacks: `/docs/services/<name>/console/{oauth2|openidconnect}/{authorizationcode|implicit}/callback`. */
const LEGACY_CALLBACK =
  /^\/docs\/services\/[^/]+\/console\/(oauth2|openidconnect)\/(authorizationcode|implicit)\/callback\/?$/i;

/**
 * The callbacks the current portal sends (domain reference §5.2): it lower-cases the server name in code and
 * code-pkce callbacks. Servers without grant types are treated as authorization code, the portal default.
 */
function expectedCallbacks(server: AuthServer): Expected[] {
  const grants = server.grantTypes.length > 0 ? server.grantTypes : ['authorizationCode'];
  const name = server.name.toLowerCase();
  const result: Expected[] = [];
  for (const host of server.service.developerPortalHosts) {
    const base = `https://${host}/signin-oauth`;
    if (grants.includes('authorizationCode'))
      result.push({ uri: `${base}/code/callback/${name}`, platform: 'web', flow: 'code' });
    if (grants.includes('authorizationCodeWithPkce'))
      result.push({ uri: `${base}/code-pkce/callback/${name}`, platform: 'spa', flow: 'pkce' });
    if (grants.includes('implicit'))
      result.push({ uri: `${base}/implicit/callback`, platform: 'web', flow: 'implicit' });
  }
  return result;
}

/** Entra compares scheme and host case-insensitively and the path exactly. */
function canonical(uri: string): string {
  const url = parseUrl(uri.trim());
  return url ? `${url.protocol}//${url.host}${url.pathname}${url.search}` : uri.trim();
}

/** Ignores scheme, letter case and trailing slashes: what a near miss still has in common with the expected URI. */
function loose(uri: string): string {
  return canonical(uri)
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
}

function describeDifference(registered: string, expected: string): string {
  const r = canonical(registered);
  const e = canonical(expected);
  const diffs: string[] = [];
  if (r.split(':')[0] !== e.split(':')[0]) diffs.push('scheme');
  if (r.replace(/\/+$/, '') !== r && e.replace(/\/+$/, '') === e) diffs.push('trailing slash');
  const core = (s: string) => s.replace(/^[^:]+:\/\//, '').replace(/\/+$/, '');
  if (core(r) !== core(e)) diffs.push('letter case');
  return diffs.join(' and ');
}

function flowLabel(flow: Flow): string {
  if (flow === 'pkce') return 'authorization code with PKCE';
  return flow === 'implicit' ? 'implicit' : 'authorization code';
}

function wrongPlatformMessage(
  app: App,
  server: AuthServer,
  e: Expected,
  found: RegisteredRedirectUri,
): string {
  const head = `Client app '${app.name}' registers ${e.uri} for authorization server '${server.name}' under the wrong platform (${PLATFORM_LABEL[found.platform]})`;
  if (e.flow === 'pkce')
    return `${head}; the portal redeems the PKCE code from the browser, which Entra allows only for spa redirect URIs (AADSTS9002326), so move it to spa.`;
  const why =
    e.flow === 'code'
      ? 'APIM redeems the authorization code server-side with the client secret'
      : 'the implicit callback belongs to a web redirect URI';
  const code = found.platform === 'spa' && e.flow === 'code' ? 'AADSTS9002327' : 'AADSTS50011';
  return `${head}; ${why} (${code}), so move it to web.`;
}

function missingMessage(app: App, server: AuthServer, e: Expected, noneAtAll: boolean): string {
  if (noneAtAll)
    return `Client app '${app.name}' has no redirect URI at all (AADSTS500113: No reply address is registered for the application); add ${e.uri} under ${e.platform} for authorization server '${server.name}'.`;
  return `Client app '${app.name}' lacks the ${flowLabel(e.flow)} callback ${e.uri} under ${e.platform} that the developer portal sends for authorization server '${server.name}' (AADSTS50011); add it.`;
}

function nearMissMessage(app: App, server: AuthServer, e: Expected, found: RegisteredRedirectUri): string {
  const diff = describeDifference(found.uri, e.uri);
  const caseOnly = diff === 'letter case';
  const advice = caseOnly
    ? `register the lower-case URI (keep both spellings for older portal builds)`
    : `register ${e.uri} exactly`;
  const why = caseOnly
    ? 'the portal lower-cases the server name and Entra compares the path case-sensitively'
    : `they differ in ${diff} and Entra requires an exact match`;
  return `Client app '${app.name}' registers ${found.uri} for authorization server '${server.name}', but the developer portal sends ${e.uri} (${why}, AADSTS50011); ${advice}.`;
}

function checkExpected(
  app: App,
  server: AuthServer,
  e: Expected,
  registered: RegisteredRedirectUri[],
): RuleOutput | undefined {
  const same = registered.filter((r) => canonical(r.uri) === canonical(e.uri));
  if (same.some((r) => r.platform === e.platform)) return undefined;
  const elsewhere = same[0];
  if (elsewhere)
    return violation(app, wrongPlatformMessage(app, server, e, elsewhere), {
      path: `${elsewhere.platform}/redirectUris/${elsewhere.index}`,
      key: e.uri,
    });
  const near = registered.find((r) => r.platform === e.platform && loose(r.uri) === loose(e.uri));
  if (near)
    return violation(app, nearMissMessage(app, server, e, near), {
      path: `${near.platform}/redirectUris/${near.index}`,
      key: e.uri,
    });
  return violation(app, missingMessage(app, server, e, registered.length === 0), {
    path: `${e.platform}/redirectUris`,
    key: e.uri,
  });
}

function isStaleLegacyCallback(uri: string, legacyHosts: readonly string[]): boolean {
  const url = parseUrl(uri.trim());
  if (!url) return false;
  const host = url.host.toLowerCase();
  const legacyHost = legacyHosts.includes(host) || host.endsWith('.portal.azure-api.net');
  return legacyHost && LEGACY_CALLBACK.test(url.pathname);
}

function* staleCallbacks(
  app: App,
  server: AuthServer,
  registered: RegisteredRedirectUri[],
): Generator<RuleOutput> {
  for (const r of registered) {
    if (!isStaleLegacyCallback(r.uri, server.service.legacyPortalHosts)) continue;
    yield violation(
      app,
      `Client app '${app.name}' still registers the legacy developer-portal callback ${r.uri}; the legacy portal is retired, so remove this stale redirect URI.`,
      { path: `${r.platform}/redirectUris/${r.index}`, key: r.uri, severity: 'warning' },
    );
  }
}

function* checkServer(server: AuthServer): Generator<RuleOutput> {
  const app = server.clientApp;
  if (!app) {
    yield server.clientId
      ? notEvaluated(
          `The client app of authorization server '${server.name}' (clientId ${server.clientId}) is not among the applications given; it may live outside the data, or the clientId is wrong (AADSTS700016).`,
          server,
        )
      : notEvaluated(
          `Authorization server '${server.name}' has no clientId, so its client app is unknown.`,
          server,
        );
    return;
  }
  const registered = redirectUrisOf(app);
  for (const e of expectedCallbacks(server)) {
    const output = checkExpected(app, server, e, registered);
    if (output) yield output;
  }
  yield* staleCallbacks(app, server, registered);
}

export default defineRule({
  id: 'client-redirect-uri-matches-portal',
  meta: {
    title:
      'The client app registers every developer-portal callback of its authorization server, on the right platform',
    severity: 'error',
    tags: ['entra', 'apim', 'portal'],
    requires: ['entra', 'apim'],
  },
  *check(model) {
    // Servers sharing a client app would repeat app-level findings (implicit callback, stale URIs).
    const seen = new Set<string>();
    for (const server of model.authorizationServers) {
      for (const output of checkServer(server)) {
        if (output.type === 'violation') {
          const id = `${output.entity.id}|${output.key ?? ''}`;
          if (seen.has(id)) continue;
          seen.add(id);
        }
        yield output;
      }
    }
  },
});
