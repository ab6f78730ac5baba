/**
 * APIM records -> model entities: a service with its authorization servers, OpenID providers, products,
 * workspaces and APIs, each API's references to its servers resolved within the service (present, known absent,
 * or unknown).
 */
import type { CorrelationLink } from '../config/types';
import type {
  AuthorizationServerProperties,
  InventoryResource,
  InventoryApi,
  InventoryProduct,
  InventoryService,
  InventoryWorkspace,
} from '../inventory/types';
import { classifyScope, parseEndpoint, splitScopes, type EndpointInfo } from '../entra/endpoints';
import type {
  Api,
  AuthReference,
  AuthServer,
  Lookup,
  OpenIdProvider,
  Product,
  Service,
  Workspace,
} from './types';
import { unknownAt } from './unknown';
import { fitted, pushAll } from '../util/lists';

function hostOf(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

function unique(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => Boolean(v)))];
}

// Long: one record-to-entity mapping, a field per line; splitting it would scatter the Service shape.
export function toService(raw: InventoryService, links: readonly CorrelationLink[]): Service {
  const id = raw.id ?? `/apim/${raw.name}`;
  const hostnames = raw.properties.hostnameConfigurations ?? [];
  const service: Service = {
    kind: 'apimService',
    id,
    name: raw.name,
    origin: raw.origin,
    developerPortalHosts: unique([
      `${raw.name}.developer.azure-api.net`.toLowerCase(),
      hostOf(raw.properties.developerPortalUrl),
      ...hostnames.filter((h) => h.type === 'DeveloperPortal').map((h) => h.hostName.toLowerCase()),
    ]),
    legacyPortalHosts: unique([
      `${raw.name}.portal.azure-api.net`.toLowerCase(),
      hostOf(raw.properties.portalUrl),
      ...hostnames.filter((h) => h.type === 'Portal').map((h) => h.hostName.toLowerCase()),
    ]),
    authorizationServers: [],
    openidProviders: [],
    apis: [],
    products: [],
    policy: raw.policy,
    policyFragments: [],
    namedValues: [],
    workspaces: [],
  };
  const endpoints = new Map<string, EndpointInfo | undefined>();
  service.authorizationServers = [
    ...(raw.authorizationServers ?? []).map((r) => toServer(r, service, endpoints)),
    ...linkedServers(raw, service, links),
  ];
  service.openidProviders = (raw.openidConnectProviders ?? []).map((r): OpenIdProvider => ({
    kind: 'openidProvider',
    id: r.id ?? `${id}/openidConnectProviders/${r.name}`,
    name: r.name,
    origin: r.origin,
    service,
    props: r.properties,
  }));
  service.policyFragments = (raw.policyFragments ?? []).map((r) => ({
    kind: 'policyFragment' as const,
    id: r.id ?? `${id}/policyFragments/${r.name}`,
    name: r.name,
    origin: r.origin,
    props: r.properties,
    valueOrigin: r.valueOrigin,
    workspace: undefined,
  }));
  service.namedValues = (raw.namedValues ?? []).map((r) => ({
    kind: 'namedValue' as const,
    id: r.id ?? `${id}/namedValues/${r.name}`,
    name: r.name,
    origin: r.origin,
    props: r.properties,
  }));
  service.products = (raw.products ?? []).map((p) => toProduct(p, service, id));
  service.apis = (raw.apis ?? []).map((a) => toApi(a, service, undefined, id));
  for (const ws of raw.workspaces ?? []) addWorkspace(ws, service);
  linkProducts(service);
  // Filled by push above (links between APIs, servers and products); kept for the audit.
  for (const api of service.apis) {
    api.oauth2 = fitted(api.oauth2);
    api.openid = fitted(api.openid);
    api.products = fitted(api.products);
  }
  for (const server of service.authorizationServers) server.apis = fitted(server.apis);
  return service;
}

/**
 * `parseEndpoint`, once per distinct URL of a service: its authorization servers mostly point at their tenant's same
 * two endpoints, and each parse makes a URL object with copies of the text (a 5,000-API tree with a server per API
 * had 10,000 of them, 3 MB). Servers with the same URL share its record, as they share their `Service`: rules read
 * the model, they do not change it.
 */
function endpointOf(
  raw: string | undefined,
  parsed: Map<string, EndpointInfo | undefined>,
): EndpointInfo | undefined {
  if (raw === undefined) return undefined;
  if (parsed.has(raw)) return parsed.get(raw);
  const info = parseEndpoint(raw);
  parsed.set(raw, info);
  return info;
}

function toServer(
  raw: InventoryResource<AuthorizationServerProperties>,
  service: Service,
  endpoints: Map<string, EndpointInfo | undefined> = new Map(),
): AuthServer {
  const props = raw.properties;
  return {
    kind: 'authorizationServer',
    id: raw.id ?? `${service.id}/authorizationServers/${raw.name}`,
    name: raw.name,
    origin: raw.origin,
    service,
    props,
    clientId: props.clientId,
    clientApp: undefined,
    clientLink: undefined,
    scopes: splitScopes(props.defaultScope).map((s) => ({ raw: s, ...classifyScope(s) })),
    backendApp: undefined,
    backendLink: undefined,
    authorizationEndpoint: endpointOf(props.authorizationEndpoint, endpoints),
    tokenEndpoint: endpointOf(props.tokenEndpoint, endpoints),
    grantTypes: props.grantTypes ?? [],
    apis: [],
  };
}

/** The authorization server names the APIs of a service record (and of its workspaces) reference. */
function referencedServers(raw: InventoryService): Set<string> {
  const names = new Set<string>();
  for (const api of [...(raw.apis ?? []), ...(raw.workspaces ?? []).flatMap((w) => w.apis ?? [])]) {
    const auth = api.properties.authenticationSettings;
    for (const s of [auth?.oAuth2, ...(auth?.oAuth2AuthenticationSettings ?? [])]) {
      if (s?.authorizationServerId) names.add(s.authorizationServerId);
    }
  }
  return names;
}

/**
 * Servers known only from `links` in the config: when the data does not carry the service's servers (an APIOps
 * folder), a link that names a server states that it exists and which apps stand behind it. Its settings stay
 * unknown, so nothing is judged on them. A link without `service` applies to the services whose APIs use the name.
 */
function linkedServers(
  raw: InventoryService,
  service: Service,
  links: readonly CorrelationLink[],
): AuthServer[] {
  if (!unknownAt(service, 'authorizationServers')) return [];
  const listed = new Set((raw.authorizationServers ?? []).map((s) => s.name));
  const used = referencedServers(raw);
  const names = links
    .filter((l) => (l.service === undefined ? used.has(l.authorizationServer) : l.service === raw.name))
    .map((l) => l.authorizationServer)
    .filter((name) => !listed.has(name));
  return [...new Set(names)].map((name) =>
    toServer(
      {
        name,
        type: 'Microsoft.ApiManagement/service/authorizationServers',
        properties: {},
        origin: {
          unknown: {
            properties: `authorization server '${name}' is known only from a "links" entry of the config, which states that it exists and which apps stand behind it, not its settings`,
          },
        },
      },
      service,
    ),
  );
}

const nameIndexes = new WeakMap<readonly { name: string }[], Map<string, { name: string }>>();

/** The items of a list by name, the first of a name winning (as `find` would): made once per list. */
function byName<T extends { name: string }>(list: readonly T[]): Map<string, T> {
  let index = nameIndexes.get(list) as Map<string, T> | undefined;
  if (!index) {
    index = new Map();
    for (const item of list) if (!index.has(item.name)) index.set(item.name, item);
    nameIndexes.set(list, index);
  }
  return index;
}

/** Where a reference to `name` in `collection` of the service stands: present, known absent, or unknown. */
function lookUp<T extends { name: string }>(
  service: Service,
  collection: 'authorizationServers' | 'openidConnectProviders',
  list: readonly T[],
  name: string,
): Lookup<T> {
  const target = byName(list).get(name);
  if (target) return { state: 'present', target };
  const unknown = unknownAt(service, collection);
  return unknown
    ? { state: 'unknown', target: undefined, reason: unknown.reason }
    : { state: 'absent', target: undefined };
}

function toProduct(raw: InventoryProduct, service: Service, parentId: string): Product {
  return {
    kind: 'product',
    id: raw.id ?? `${parentId}/products/${raw.name}`,
    name: raw.name,
    origin: raw.origin,
    service,
    props: raw.properties,
    apiNames: raw.apis ?? [],
    policy: raw.policy,
  };
}

function addWorkspace(raw: InventoryWorkspace, service: Service): void {
  const id = raw.id ?? `${service.id}/workspaces/${raw.name}`;
  const workspace: Workspace = {
    kind: 'workspace',
    id,
    name: raw.name,
    origin: raw.origin,
    service,
    policy: raw.policy,
  };
  service.workspaces.push(workspace);
  pushAll(
    service.products,
    (raw.products ?? []).map((p) => toProduct(p, service, id)),
  );
  pushAll(
    service.apis,
    (raw.apis ?? []).map((a) => toApi(a, service, workspace, id)),
  );
  for (const f of raw.policyFragments ?? []) {
    service.policyFragments.push({
      kind: 'policyFragment',
      id: f.id ?? `${id}/policyFragments/${f.name}`,
      name: f.name,
      origin: f.origin,
      props: f.properties,
      valueOrigin: f.valueOrigin,
      workspace,
    });
  }
  for (const v of raw.namedValues ?? []) {
    service.namedValues.push({
      kind: 'namedValue',
      id: v.id ?? `${id}/namedValues/${v.name}`,
      name: v.name,
      origin: v.origin,
      props: v.properties,
      workspace,
    });
  }
}

// Long: one record-to-entity mapping (fields, then its operations and auth references); a field per line.
function toApi(raw: InventoryApi, service: Service, workspace: Workspace | undefined, parentId: string): Api {
  const props = raw.properties;
  const auth = props.authenticationSettings ?? {};
  const api: Api = {
    kind: 'api',
    id: raw.id ?? `${parentId}/apis/${raw.name}`,
    name: raw.name,
    origin: raw.origin,
    service,
    workspace,
    props,
    isCurrent: props.isCurrent !== false,
    revision: props.apiRevision ?? '1',
    oauth2: [],
    openid: [],
    operations: [],
    policy: raw.policy,
    products: [],
  };
  // The GET response repeats the first array entry as the singular setting: de-duplicate by server + scope.
  const oauth2: AuthReference<AuthServer>[] = [];
  const addOAuth = (
    s: { authorizationServerId?: string; scope?: string | null } | null | undefined,
    via: 'oAuth2' | 'oAuth2AuthenticationSettings',
    path: string,
  ) => {
    if (!s?.authorizationServerId) return;
    if (oauth2.some((r) => r.ref === s.authorizationServerId && (r.scope ?? null) === (s.scope ?? null)))
      return;
    const found = lookUp(
      service,
      'authorizationServers',
      service.authorizationServers,
      s.authorizationServerId,
    );
    // The lookup's fields last: a spread followed by more properties gets a hidden class per object on Node 20.
    oauth2.push({
      ref: s.authorizationServerId,
      via,
      path,
      scope: s.scope ?? null,
      collection: 'authorizationServers',
      ...found,
    });
  };
  addOAuth(auth.oAuth2, 'oAuth2', 'properties/authenticationSettings/oAuth2/authorizationServerId');
  (auth.oAuth2AuthenticationSettings ?? []).forEach((s, i) =>
    addOAuth(
      s,
      'oAuth2AuthenticationSettings',
      `properties/authenticationSettings/oAuth2AuthenticationSettings/${i}/authorizationServerId`,
    ),
  );
  const openid: AuthReference<OpenIdProvider>[] = [];
  const addOpenId = (
    s: { openidProviderId?: string } | null | undefined,
    via: 'openid' | 'openidAuthenticationSettings',
    path: string,
  ) => {
    if (!s?.openidProviderId || openid.some((r) => r.ref === s.openidProviderId)) return;
    const found = lookUp(service, 'openidConnectProviders', service.openidProviders, s.openidProviderId);
    openid.push({ ref: s.openidProviderId, via, path, collection: 'openidConnectProviders', ...found });
  };
  addOpenId(auth.openid, 'openid', 'properties/authenticationSettings/openid/openidProviderId');
  (auth.openidAuthenticationSettings ?? []).forEach((s, i) =>
    addOpenId(
      s,
      'openidAuthenticationSettings',
      `properties/authenticationSettings/openidAuthenticationSettings/${i}/openidProviderId`,
    ),
  );
  api.oauth2 = oauth2;
  api.openid = openid;
  for (const ref of oauth2) ref.target?.apis.push(api);
  api.operations = (raw.operations ?? []).map((op) => ({
    kind: 'operation' as const,
    id: op.id ?? `${api.id}/operations/${op.name}`,
    name: op.name,
    origin: op.origin,
    api,
    props: op.properties,
    policy: op.policy,
  }));
  return api;
}

/** Product membership names APIs by resource name (current revision). */
function linkProducts(service: Service): void {
  const byName = new Map<string, Api[]>();
  for (const api of service.apis) {
    const named = byName.get(api.name);
    if (named) named.push(api);
    else byName.set(api.name, [api]);
  }
  for (const product of service.products) {
    for (const apiName of product.apiNames) {
      for (const api of byName.get(apiName) ?? []) api.products.push(product);
    }
  }
}
