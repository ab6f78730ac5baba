/**
 * The client app registers the developer-portal callbacks of its authorization server, on the platform the portal
 * needs. The host of a callback comes from the service (its name, its custom domains); when the service's name is
 * not in the data (an APIOps folder without one), the host is unknown but the callback's path (server name, letter
 * case) and platform are still judged, and only the host comparison is left not evaluated. A registered URI holding
 * a placeholder (`https://${{PORTAL_HOST}}/signin-oauth/...`) is compared by its text outside the placeholders: one
 * that cannot be the callback whatever the substitution (`${{TAB_ENDPOINT}}/auth-end.html`) counts as another URI;
 * one that may be leaves the callback not evaluated.
 */
import { checked, defineRule, notEvaluated, violation, type RuleOutput } from './support/contract';
import { appLookupOf, clientLinkOf, portalHostsOf, redirectListsOf, valuesOf } from './support/evidence';
import { parseUrl, redirectUrisOf, type RegisteredRedirectUri } from './support/queries';
import {
  canonical,
  missing,
  nearMiss,
  said,
  stale,
  UNKNOWN_HOST,
  wrongPlatform,
  type Expected,
} from './support/callback-findings';
import type { App, AuthServer, Evidence, Model, Service } from '../src/model/types';
import { unknownAt } from '../src/model/unknown';
import { maskPlaceholders, substitutionPattern } from '../src/util/placeholders';

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
  const callbacks: Pick<Expected, 'path' | 'platform' | 'flow'>[] = [];
  if (grants.includes('authorizationCode'))
    callbacks.push({ path: `/signin-oauth/code/callback/${name}`, platform: 'web', flow: 'code' });
  if (grants.includes('authorizationCodeWithPkce'))
    callbacks.push({ path: `/signin-oauth/code-pkce/callback/${name}`, platform: 'spa', flow: 'pkce' });
  if (grants.includes('implicit'))
    callbacks.push({ path: '/signin-oauth/implicit/callback', platform: 'web', flow: 'implicit' });
  return portalHosts(server.service).flatMap(({ host, hostEvidence }) =>
    callbacks.map((c) => ({ ...c, host, hostEvidence, uri: `https://${host ?? UNKNOWN_HOST}${c.path}` })),
  );
}

/** The developer-portal hosts with what each rests on; one unknown host when the service's name is unknown. */
function portalHosts(service: Service): Pick<Expected, 'host' | 'hostEvidence'>[] {
  if (unknownAt(service, 'name')) return [{ host: undefined, hostEvidence: [] }];
  const defaultHost = `${service.name}.developer.azure-api.net`.toLowerCase();
  return service.developerPortalHosts.map((host) => ({
    host,
    hostEvidence:
      host === defaultHost
        ? valuesOf(service, 'name')
        : valuesOf(service, 'properties/hostnameConfigurations', 'properties/developerPortalUrl'),
  }));
}

/** Ignores scheme, letter case and trailing slashes: what a near miss still has in common with the expected URI. */
function loose(uri: string): string {
  return canonical(uri)
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
}

/** The path of a URI as Entra compares it (exactly), or undefined when it is not an https/http URL. */
function pathOf(uri: string): string | undefined {
  const url = parseUrl(uri.trim());
  return url && /^https?:$/.test(url.protocol) ? `${url.pathname}${url.search}` : undefined;
}

/** Stands for a placeholder in the masked text (no URI delimiter). */
const MASK = '\u0000';

/** A host standing for the unknown portal host, to test a placeholder-bearing URI against. */
const SAMPLE_HOST = 'portal.invalid';

/**
 * Whether a URI holding placeholders is the expected callback, by its text outside them: `yes` when every part
 * compared is known and matches (a placeholder only in the host, with the portal host unknown, is not compared),
 * `no` when no substitution can make it the callback, `maybe` otherwise.
 */
function matchAroundPlaceholders(uri: string, e: Expected): 'yes' | 'no' | 'maybe' {
  if (e.host !== undefined) return substitutionPattern(uri).test(e.uri) ? 'maybe' : 'no';
  const masked = maskPlaceholders(uri, MASK);
  const parts = /^([^:/?#]*):\/\/[^/?#]*(.*)$/.exec(masked);
  if (!parts) return substitutionPattern(uri).test(`https://${SAMPLE_HOST}${e.path}`) ? 'maybe' : 'no';
  const scheme = parts[1] ?? '';
  const pathStart = masked.length - (parts[2] ?? '').length;
  const path = uri.slice(pathStart);
  const schemeKnown = !scheme.includes(MASK);
  if (schemeKnown && scheme.toLowerCase() !== 'https') return 'no';
  if (!substitutionPattern(path).test(e.path)) return 'no';
  return schemeKnown && path === e.path ? 'yes' : 'maybe';
}

/** Whether a registered URI is the expected callback: the whole URI, or only its path when the host is unknown. */
function isSame(r: RegisteredRedirectUri, e: Expected): boolean {
  if (r.placeholders !== undefined) return matchAroundPlaceholders(r.uri, e) === 'yes';
  if (e.host !== undefined) return canonical(r.uri) === canonical(e.uri);
  return parseUrl(r.uri.trim())?.protocol === 'https:' && pathOf(r.uri) === e.path;
}

/**
 * An app's redirect URIs keyed for the comparisons each of its servers makes: a portal client shared by thousands
 * of servers registers a callback for each, and every server looks for its own. Made once per app; each list
 * keeps the order of `redirectUrisOf`.
 */
interface UriIndex {
  registered: RegisteredRedirectUri[];
  position: Map<RegisteredRedirectUri, number>;
  withPlaceholders: RegisteredRedirectUri[];
  /** The URIs without placeholders by `canonical` form, and the https ones by `pathOf` (for an unknown host). */
  byCanonical: Map<string, RegisteredRedirectUri[]>;
  byHttpsPath: Map<string, RegisteredRedirectUri[]>;
  /** The URIs without placeholders by `loose` form, and those with a path by its loose form (`isNear`). */
  byLoose: Map<string, RegisteredRedirectUri[]>;
  byLoosePath: Map<string, RegisteredRedirectUri[]>;
  /** The URIs without placeholders on a legacy-portal callback path, with their lower-case host. */
  legacy: { registered: RegisteredRedirectUri; host: string }[];
}

const uriIndexes = new WeakMap<App, UriIndex>();

function addTo(map: Map<string, RegisteredRedirectUri[]>, key: string, r: RegisteredRedirectUri): void {
  const list = map.get(key);
  if (list) list.push(r);
  else map.set(key, [r]);
}

function looseOfPath(path: string): string {
  return path.replace(/\/+$/, '').toLowerCase();
}

function uriIndexOf(app: App): UriIndex {
  const known = uriIndexes.get(app);
  if (known) return known;
  const index: UriIndex = {
    registered: redirectUrisOf(app),
    position: new Map(),
    withPlaceholders: [],
    byCanonical: new Map(),
    byHttpsPath: new Map(),
    byLoose: new Map(),
    byLoosePath: new Map(),
    legacy: [],
  };
  index.registered.forEach((r, i) => {
    index.position.set(r, i);
    if (r.placeholders !== undefined) {
      index.withPlaceholders.push(r);
      return;
    }
    const url = parseUrl(r.uri.trim());
    const path = pathOf(r.uri);
    addTo(index.byCanonical, canonical(r.uri), r);
    if (url?.protocol === 'https:' && path !== undefined) addTo(index.byHttpsPath, path, r);
    addTo(index.byLoose, loose(r.uri), r);
    if (path !== undefined) addTo(index.byLoosePath, looseOfPath(path), r);
    if (url && LEGACY_CALLBACK.test(url.pathname))
      index.legacy.push({ registered: r, host: url.host.toLowerCase() });
  });
  uriIndexes.set(app, index);
  return index;
}

/** `registered.filter((r) => isSame(r, e))`, through the index. */
function sameAs(index: UriIndex, e: Expected): RegisteredRedirectUri[] {
  const exact =
    (e.host !== undefined ? index.byCanonical.get(canonical(e.uri)) : index.byHttpsPath.get(e.path)) ?? [];
  const partly = index.withPlaceholders.filter((r) => isSame(r, e));
  if (partly.length === 0) return exact;
  const at = (r: RegisteredRedirectUri) => index.position.get(r) ?? 0;
  return [...exact, ...partly].sort((a, b) => at(a) - at(b));
}

/**
 * The first URI on the callback's platform that is a near miss: the same callback but for scheme, letter case or a
 * trailing slash (only its path compared when the host is unknown); URIs holding placeholders are never near misses.
 */
function nearTo(index: UriIndex, e: Expected): RegisteredRedirectUri | undefined {
  const candidates =
    e.host !== undefined ? index.byLoose.get(loose(e.uri)) : index.byLoosePath.get(looseOfPath(e.path));
  return candidates?.find((r) => r.platform === e.platform);
}

/**
 * What a callback finding rests on: the app's redirect URIs (a URI on one platform changes what is said about
 * another), the server's name, grant types and tie to the app, and the portal host when it is compared.
 */
function callbackEvidence(app: App, server: AuthServer): Evidence[] {
  return [
    ...redirectListsOf(app),
    ...valuesOf(server, 'name', 'properties/grantTypes'),
    ...clientLinkOf(server),
  ];
}

function checkExpected(app: App, server: AuthServer, e: Expected, index: UriIndex): RuleOutput | undefined {
  const same = sameAs(index, e);
  if (same.some((r) => r.platform === e.platform)) return undefined;
  // A URI on the right platform that may become the callback once its placeholders are substituted: not judged.
  const undetermined = index.withPlaceholders.filter(
    (r) => r.platform === e.platform && matchAroundPlaceholders(r.uri, e) === 'maybe',
  );
  if (undetermined.length > 0)
    return checked(
      app,
      undetermined.map((r) => ({ entity: app, path: `${r.platform}/redirectUris/${r.index}` })),
    );
  const evidence = [...callbackEvidence(app, server), ...e.hostEvidence];
  const elsewhere = same[0];
  if (elsewhere)
    return violation(
      app,
      ...said(wrongPlatform(app, server, e, elsewhere), {
        path: `${elsewhere.platform}/redirectUris/${elsewhere.index}`,
        key: e.uri,
        evidence,
        knownPart: true,
      }),
    );
  const near = nearTo(index, e);
  if (near)
    return violation(
      app,
      ...said(nearMiss(app, server, e, near), {
        path: `${near.platform}/redirectUris/${near.index}`,
        key: e.uri,
        evidence,
      }),
    );
  // The lists as far as known: every URI holding a placeholder was found unable to be the callback above.
  return violation(
    app,
    ...said(missing(app, server, e, index.registered.length === 0), {
      path: `${e.platform}/redirectUris`,
      key: e.uri,
      evidence,
      knownPart: true,
    }),
  );
}

/**
 * What a callback of the retired legacy portal on `host` rests on: nothing of the service for a
 * `*.portal.azure-api.net` host (whatever the service's name), its custom Portal domains otherwise; undefined when
 * the host is not a legacy portal host of the service.
 */
function staleLegacyCallback(host: string, service: Service): Evidence[] | undefined {
  if (host.endsWith('.portal.azure-api.net')) return [];
  return service.legacyPortalHosts.includes(host)
    ? valuesOf(service, 'properties/hostnameConfigurations', 'properties/portalUrl')
    : undefined;
}

function* staleCallbacks(app: App, server: AuthServer, index: UriIndex): Generator<RuleOutput> {
  // A placeholder-bearing URI is not in `legacy`, so not judged stale: its host or path is substituted later.
  for (const { registered: r, host } of index.legacy) {
    const evidence = staleLegacyCallback(host, server.service);
    if (!evidence) continue;
    yield violation(
      app,
      ...said(stale(app, r), {
        path: `${r.platform}/redirectUris/${r.index}`,
        key: r.uri,
        severity: 'warning',
        evidence,
      }),
    );
  }
}

/** The services each client app's stale callbacks were reported for, in this run of the rule. */
type StaleReported = Map<App, Set<Service>>;

function* checkServer(server: AuthServer, model: Model, staleReported: StaleReported): Generator<RuleOutput> {
  const app = server.clientApp;
  if (!app) {
    yield server.clientId
      ? notEvaluated(
          `The client app of authorization server '${server.name}' (clientId ${server.clientId}) is not among the applications given; it may live outside the data, or the clientId is wrong (AADSTS700016).`,
          server,
          [...valuesOf(server, 'properties/clientId'), ...appLookupOf(model, 'appId')],
        )
      : notEvaluated(
          `Authorization server '${server.name}' has no clientId, so its client app is unknown.`,
          server,
        );
    return;
  }
  // Judged clean on the app's URIs, the server, and every portal host (with an unknown host, its comparison is
  // what is left not evaluated).
  yield checked(app, [
    ...callbackEvidence(app, server),
    ...portalHostsOf(server.service),
    ...valuesOf(server.service, 'properties/portalUrl'),
  ]);
  const index = uriIndexOf(app);
  for (const e of expectedCallbacks(server)) {
    const output = checkExpected(app, server, e, index);
    if (output) yield output;
  }
  // Stale callbacks depend on the app and the service only: for a later server of both, every one of them was
  // reported already (the check drops repeats), so they are not built again for each of thousands of servers.
  const reported = staleReported.get(app) ?? new Set<Service>();
  staleReported.set(app, reported);
  if (reported.has(server.service)) return;
  reported.add(server.service);
  yield* staleCallbacks(app, server, index);
}

export default defineRule({
  id: 'client-redirect-uri-matches-portal',
  meta: {
    title:
      'The client app registers every developer-portal callback of its authorization server, on the right platform',
    severity: 'error',
    tags: ['entra', 'apim', 'portal'],
    requires: ['entra', 'apim'],
    declaresEvidence: true,
  },
  *check(model) {
    // Servers sharing a client app would repeat app-level findings (implicit callback, stale URIs).
    const seen = new Set<string>();
    const staleReported: StaleReported = new Map();
    for (const server of model.authorizationServers) {
      for (const output of checkServer(server, model, staleReported)) {
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
