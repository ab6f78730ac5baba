/**
 * The one normalizer: inventory -> typed, correlated model. Correlation links authorization servers to their
 * client app (`clientId` = `appId`) and backend app (via `defaultScope`), and APIs to their authorization
 * servers / OpenID providers. Explicit links from the config override or complete what the data says.
 */
import type { CorrelationLink } from '../config/types';
import type { Inventory, InventoryApplication } from '../inventory/types';
import type { App, Model } from './types';
import { correlateServer, markUnreadApps } from './correlate';
import { toService } from './services';

export function normalize(inventory: Inventory, links: readonly CorrelationLink[] = []): Model {
  const applications = inventory.applications.map(toApp);
  const appsByAppId = new Map<string, App>();
  for (const app of applications) if (app.appId) appsByAppId.set(app.appId.toLowerCase(), app);

  const services = inventory.services.map((s) => toService(s, links));
  const model: Model = {
    tenantId: inventory.tenantId,
    cloud: inventory.cloud ?? 'AzurePublic',
    coverage: {
      entra: inventory.sources.some((s) => s.provides.entra),
      apim: inventory.sources.some((s) => s.provides.apim),
    },
    applications,
    services,
    authorizationServers: services.flatMap((s) => s.authorizationServers),
    apis: services.flatMap((s) => s.apis),
    appsByAppId,
    gaps: inventory.gaps.map((g) => ({ ...g })),
    conflicts: inventory.conflicts ?? [],
  };
  for (const server of model.authorizationServers) {
    correlateServer(server, model, links);
    markUnreadApps(server, inventory.gaps);
  }
  return model;
}

function toApp(graph: InventoryApplication): App {
  const declared = graph.api?.requestedAccessTokenVersion ?? null;
  const name = graph.displayName ?? graph.appId ?? graph.id ?? '(unnamed application)';
  return {
    kind: 'application',
    id: graph.id ? `/applications/${graph.id}` : `/applications(appId='${graph.appId ?? name}')`,
    name,
    origin: graph.origin,
    appId: graph.appId,
    objectId: graph.id,
    displayName: graph.displayName,
    // The record itself, not a copy without its origin (a tenant-sized folder has 10,000 of them).
    raw: graph,
    accessTokenVersion: declared === 2 ? 2 : 1,
    requestedAccessTokenVersion: declared,
    signInAudience: graph.signInAudience ?? 'AzureADMyOrg',
    identifierUris: graph.identifierUris ?? [],
    scopes: graph.api?.oauth2PermissionScopes ?? [],
    redirectUris: {
      web: graph.web?.redirectUris ?? [],
      spa: graph.spa?.redirectUris ?? [],
      publicClient: graph.publicClient?.redirectUris ?? [],
    },
    implicitGrant: {
      accessTokens: graph.web?.implicitGrantSettings?.enableAccessTokenIssuance === true,
      idTokens: graph.web?.implicitGrantSettings?.enableIdTokenIssuance === true,
    },
    passwordCredentials: graph.passwordCredentials ?? [],
    requiredResourceAccess: graph.requiredResourceAccess ?? [],
    isFallbackPublicClient: graph.isFallbackPublicClient === true,
  };
}
