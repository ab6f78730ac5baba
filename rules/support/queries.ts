/**
 * Read-only questions that several rules ask of the model. They live here rather than in each rule so that the
 * rules agree: a server one rule skips as "not Entra" must not be judged as Entra by another, and two rules
 * grouping servers by app must report the same servers for the same app.
 */
import { resolveScopeApp } from '../../src/model/correlate';
import { classifyScope, isEntraLoginHost, splitScopes } from '../../src/entra/endpoints';
import type { CloudName } from '../../src/entra/clouds';
import { isGuid } from '../../src/entra/guid';
import { cloudOfLoginHost } from '../../src/entra/issuers';
import type { PermissionScope } from '../../src/inventory/types';
import {
  REDIRECT_PLATFORMS,
  type App,
  type AuthServer,
  type Model,
  type RedirectPlatform,
  type ScopeRef,
} from '../../src/model/types';

/**
 * The scope entries of a scope string, classified and resolved to an app the way the normalizer resolves a
 * server's `defaultScope`: rules also need this for API scope overrides, which the normalizer does not resolve.
 * A comma-separated list is read as meant (see `splitScopes`); rules report the commas themselves.
 */
export function resolveScopes(scope: string, model: Model): ScopeRef[] {
  return splitScopes(scope).map((raw) => {
    const ref: ScopeRef = { raw, ...classifyScope(raw) };
    const app = resolveScopeApp(ref, model);
    return app ? { ...ref, app } : ref;
  });
}

/**
 * The app a scope string targets: the first of its resources that resolves to an app. When the string names no
 * resource at all (only bare or OpenID Connect scopes), `fallback`, e.g. the server's backend app for an API's
 * scope override; undefined when it names only resources outside the data.
 */
export function scopeTargetApp(scope: string, model: Model, fallback?: App): App | undefined {
  const resources = resolveScopes(scope, model).filter((e) => e.resource !== undefined);
  return resources.find((e) => e.app)?.app ?? (resources.length > 0 ? undefined : fallback);
}

/**
 * The hosts of an authorization server that signs in with another identity provider (Okta, Auth0, B2C...): all
 * of its endpoints that parse as URLs are on non-Entra hosts. Undefined when an endpoint is on an Entra login
 * host or none parses. Entra-specific rules report such a server as not evaluated instead of flagging every
 * property that differs from Entra.
 */
export function foreignLoginHosts(server: AuthServer): string[] | undefined {
  // Asked by five rules for every server (a URL's getters are not free): worked out once per server.
  let hosts = foreignHosts.get(server);
  if (hosts === undefined) {
    const urls = [server.authorizationEndpoint, server.tokenEndpoint].flatMap((e) => (e?.url ? [e.url] : []));
    hosts =
      urls.length === 0 || urls.some((u) => isEntraLoginHost(u.hostname))
        ? null
        : [...new Set(urls.map((u) => u.host))];
    foreignHosts.set(server, hosts);
  }
  return hosts ?? undefined;
}

/** `foreignLoginHosts` per server; null for none (callers must not change the lists). */
const foreignHosts = new WeakMap<AuthServer, string[] | null>();

/** Whether every endpoint of the server is a v1 endpoint: it names the API in `resource` and ignores scopes. */
export function usesV1EndpointsOnly(server: AuthServer): boolean {
  const versions = [server.authorizationEndpoint, server.tokenEndpoint].flatMap((e) =>
    e ? [e.version] : [],
  );
  return versions.length > 0 && versions.every((v) => v === 'v1');
}

export interface ServersByApp {
  /** Servers per app, in the order the apps are first met, so that findings follow the data. */
  byApp: Map<App, AuthServer[]>;
  /** Servers whose app on that side is not among the applications given (for a not-evaluated record). */
  missing: AuthServer[];
}

/**
 * Authorization servers grouped by their client or backend app. Several servers often share one app
 * registration; app-level findings are reported once per app, naming all of its servers.
 */
export function groupServersByApp(
  servers: readonly AuthServer[],
  side: 'clientApp' | 'backendApp',
): ServersByApp {
  const byApp = new Map<App, AuthServer[]>();
  const missing: AuthServer[] = [];
  for (const server of servers) {
    const app = server[side];
    if (!app) missing.push(server);
    else byApp.set(app, [...(byApp.get(app) ?? []), server]);
  }
  return { byApp, missing };
}

/** The resource identifier to suggest for an app: its first App ID URI, else `api://<appId>` (the portal default). */
export function preferredIdentifier(app: App): string {
  return app.identifierUris[0] ?? `api://${app.appId ?? '<appId>'}`;
}

/** The scope an app exposes under `value`, compared case-insensitively as Entra does; enabled or not. */
export function findScope(app: App, value: string): PermissionScope | undefined {
  return app.scopes.find((s) => s.value?.toLowerCase() === value.toLowerCase());
}

export interface RegisteredRedirectUri {
  uri: string;
  platform: RedirectPlatform;
  /** Position in `<platform>.redirectUris`, which a finding's path `<platform>/redirectUris/<index>` needs. */
  index: number;
  /**
   * Why the URI is known only in part: it holds placeholders a tool substitutes later (`Origin.placeholders`), so
   * only the text outside them (`src/util/placeholders.ts`) can be judged.
   */
  placeholders?: string;
}

/** Every redirect URI of an app with its platform and position, platform by platform. */
export function redirectUrisOf(app: App): RegisteredRedirectUri[] {
  // Loops, not flatMap + map: this runs for every application, and a tenant has thousands.
  const registered: RegisteredRedirectUri[] = [];
  const placeholders = app.origin.placeholders;
  for (const platform of REDIRECT_PLATFORMS) {
    const uris = app.redirectUris[platform];
    for (let index = 0; index < uris.length; index++) {
      const uri = uris[index];
      if (uri === undefined) continue; // a hole, which `map` skipped
      const reason = placeholders?.[`${platform}/redirectUris/${index}`];
      registered.push(
        reason === undefined ? { uri, platform, index } : { uri, platform, index, placeholders: reason },
      );
    }
  }
  return registered;
}

/** `new URL()` without the exception: URIs in the data may be anything; a rule reports what does not parse. */
export function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** The tenant a server's tokens come from: its endpoints' tenant GUID, else the audited tenant. */
export function serverTenant(server: AuthServer, model: Model): string | undefined {
  const fromEndpoint = [server.tokenEndpoint, server.authorizationEndpoint]
    .map((e) => e?.tenant)
    .find((t) => isGuid(t));
  return (fromEndpoint ?? (isGuid(model.tenantId) ? model.tenantId : undefined))?.toLowerCase();
}

export function serverCloud(server: AuthServer, model: Model): CloudName {
  const host = server.tokenEndpoint?.url?.hostname ?? server.authorizationEndpoint?.url?.hostname;
  return (host && cloudOfLoginHost(host)) || model.cloud;
}
