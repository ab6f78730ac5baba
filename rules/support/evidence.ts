/**
 * Evidence that several rules cite the same way: how an authorization server is tied to its client and backend
 * app registrations, what a developer-portal host comes from, an app's redirect URI lists. A rule lists what its
 * conclusion rests on (src/engine/types.ts `Violation.evidence`, `checked`); these keep the rules in agreement.
 */
import { REDIRECT_PLATFORMS } from '../../src/model/types';
import type { App, AuthServer, Entity, Evidence, Model, Service } from '../../src/model/types';
import { unknownIn } from '../../src/model/unknown';

/** Values of one entity. */
export function valuesOf(entity: Entity, ...paths: string[]): Evidence[] {
  return paths.map((path) => ({ entity, path }));
}

/**
 * Why `server.clientApp` is that app: the server's `clientId` equals its appId, or a config link names it (then
 * only the server's existence counts: its name is what the link matches).
 */
export function clientLinkOf(server: AuthServer): Evidence[] {
  return valuesOf(server, server.clientLink === 'config' ? 'name' : 'properties/clientId');
}

/** Why `server.backendApp` is that app: a resource of its default scope (or v1 `resource` parameter), or a link. */
export function backendLinkOf(server: AuthServer): Evidence[] {
  if (server.backendLink === 'config') return valuesOf(server, 'name');
  return server.scopes.some((s) => s.app === server.backendApp)
    ? valuesOf(server, 'properties/defaultScope')
    : valuesOf(server, 'properties/defaultScope', 'properties/tokenBodyParameters');
}

/**
 * A conclusion that holds when any one of several alternatives holds (an app is a client of at least one of its
 * servers): the first alternative whose evidence is all known, else the first.
 */
export function anyOf(alternatives: readonly Evidence[][]): Evidence[] {
  return alternatives.find((evidence) => unknownIn(evidence) === undefined) ?? alternatives[0] ?? [];
}

/**
 * That no application of the data is the one an authorization server names: its `clientId` (or the resources of
 * its default scope, for a backend) matches none of the apps' appIds (and App ID URIs). An app whose appId is
 * unknown (a manifest placeholder) may be the one. Only the apps' values that are not known are listed (see below).
 */
export function appLookupOf(model: Model, by: 'appId' | 'identifier'): readonly Evidence[] {
  let cached = appLookups.get(model);
  if (!cached || cached.apps !== model.applications || cached.size !== model.applications.length) {
    cached = { apps: model.applications, size: model.applications.length };
    appLookups.set(model, cached);
  }
  const known = cached[by];
  if (known) return known;
  const paths = by === 'appId' ? ['appId'] : ['appId', 'identifierUris'];
  // Only the pieces that touch an unknown value, in order: evidence is read only for the first unknown value it
  // touches (model/unknown.ts `unknownIn`), and known pieces repeated for every server would make it quadratic.
  const evidence = Object.freeze(
    model.applications.flatMap((app) => valuesOf(app, ...paths)).filter((e) => unknownIn([e]) !== undefined),
  );
  cached[by] = evidence;
  return evidence;
}

/** The lookup evidence of a model, built once per model (every server whose app is missing cites all apps). */
interface AppLookups {
  apps: readonly App[];
  size: number;
  appId?: readonly Evidence[];
  identifier?: readonly Evidence[];
}
const appLookups = new WeakMap<Model, AppLookups>();

/**
 * Every redirect URI list of an app (a URI found on one platform changes what is said about another), as far as
 * it is known: a URI holding a placeholder counts by its known text (`knownPart`), and a rule reading these lists
 * judges such a URI only where its known text decides (`RegisteredRedirectUri.placeholders`).
 */
export function redirectListsOf(app: App): Evidence[] {
  return REDIRECT_PLATFORMS.map((platform) => ({
    entity: app,
    path: `${platform}/redirectUris`,
    knownPart: true,
  }));
}

/** What the service's developer-portal hosts come from: its name (the default host) and its custom domains. */
export function portalHostsOf(service: Service): Evidence[] {
  return valuesOf(service, 'name', 'properties/hostnameConfigurations', 'properties/developerPortalUrl');
}
