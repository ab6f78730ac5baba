/**
 * Correlation: which app registrations back an authorization server (its client app by `clientId` = `appId`, its
 * backend app by `defaultScope` or the v1 `resource` parameter), with explicit config links overriding the data,
 * and which missing apps a source gap may hide.
 */
import type { CorrelationLink } from '../config/types';
import type { SourceGap } from '../inventory/types';
import { appIdInResource, resourceIdentifiers, resourceKey } from '../entra/endpoints';
import type { App, AuthServer, Model, ScopeRef } from './types';

function findAppByAppId(model: Model, appId: string | undefined): App | undefined {
  return appId ? model.appsByAppId.get(appId.toLowerCase()) : undefined;
}

/**
 * The first app (in model order) holding each resource identifier, keyed as `sameResource` compares them. Built
 * once per model (and again if its application list changed length), so that resolving a scope is one lookup
 * instead of a walk over every app (a 5,000-app tree resolves thousands of scopes).
 */
interface ResourceIndex {
  apps: readonly App[];
  size: number;
  byResource: Map<string, App>;
}
const resourceIndexes = new WeakMap<Model, ResourceIndex>();

function resourceIndex(model: Model): Map<string, App> {
  const cached = resourceIndexes.get(model);
  if (cached && cached.apps === model.applications && cached.size === model.applications.length) {
    return cached.byResource;
  }
  const byResource = new Map<string, App>();
  for (const app of model.applications) {
    for (const id of resourceIdentifiers(app)) {
      const key = resourceKey(id);
      if (!byResource.has(key)) byResource.set(key, app);
    }
  }
  resourceIndexes.set(model, { apps: model.applications, size: model.applications.length, byResource });
  return byResource;
}

/** The app a scope's resource part designates: by identifierUri, by appId GUID, or by `api://<appId>`. */
export function resolveScopeApp(scope: ScopeRef, model: Model): App | undefined {
  if (!scope.resource) return undefined;
  const resource = scope.resource;
  const byIdentifier = resourceIndex(model).get(resourceKey(resource));
  return byIdentifier ?? findAppByAppId(model, appIdInResource(resource));
}

export function correlateServer(server: AuthServer, model: Model, links: readonly CorrelationLink[]): void {
  for (const scope of server.scopes) {
    const app = resolveScopeApp(scope, model);
    if (app) scope.app = app;
  }
  const client = findAppByAppId(model, server.clientId);
  if (client) {
    server.clientApp = client;
    server.clientLink = 'clientId';
  }
  const backend = server.scopes.find((s) => s.app)?.app;
  if (backend) {
    server.backendApp = backend;
    server.backendLink = 'defaultScope';
  } else {
    // v1 endpoints name the backend in the `resource` token body parameter instead of a scope.
    const resource = server.props.tokenBodyParameters?.find((p) => p.name === 'resource')?.value;
    const byResource = resource
      ? resolveScopeApp({ raw: resource, kind: 'resource', resource }, model)
      : undefined;
    if (byResource) {
      server.backendApp = byResource;
      server.backendLink = 'defaultScope';
    }
  }
  const link = links.find(
    (l) =>
      l.authorizationServer === server.name && (l.service === undefined || l.service === server.service.name),
  );
  if (link?.clientAppId) {
    server.clientApp = findAppByAppId(model, link.clientAppId);
    server.clientLink = server.clientApp ? 'config' : undefined;
  }
  if (link?.backendAppId) {
    server.backendApp = findAppByAppId(model, link.backendAppId);
    server.backendLink = server.backendApp ? 'config' : undefined;
  }
}

/** Whether a gap may hide the app with this appId. */
function gapCovers(gap: SourceGap, appId: string): boolean {
  if (gap.applications === 'all') return true;
  return (gap.applications ?? []).some((id) => id.toLowerCase() === appId.toLowerCase());
}

/**
 * A server whose client or backend app is missing because a source could not read it is not "pointing at an
 * unknown app": its app-dependent values are unknown, so the engine reports not evaluated instead of a finding.
 */
export function markUnreadApps(server: AuthServer, gaps: readonly SourceGap[]): void {
  const appGaps = gaps.filter((g) => g.applications !== undefined);
  if (appGaps.length === 0) return;
  const mark = (path: string, appId: string | undefined) => {
    const gap = appId ? appGaps.find((g) => gapCovers(g, appId)) : undefined;
    if (!gap || !appId) return;
    server.origin = {
      ...server.origin,
      unknown: {
        ...server.origin.unknown,
        [path]: `app ${appId} could not be read (${gap.what}: ${gap.reason})`,
      },
    };
  };
  if (!server.clientApp) mark('properties/clientId', server.clientId);
  if (!server.backendApp) {
    const named = server.scopes
      .map((s) => (s.resource ? appIdInResource(s.resource) : undefined))
      .find(Boolean);
    mark('properties/defaultScope', named);
  }
}
