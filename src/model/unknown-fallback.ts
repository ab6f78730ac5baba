/**
 * The conservative fallback for conclusions that declare no evidence: plugins written before `Violation.evidence`
 * and built-in rules not yet migrated (they set no `meta.declaresEvidence`). Rules that declare their evidence
 * never reach this module (src/model/unknown.ts compares their evidence directly).
 *
 * Without evidence, what a violation may rest on is approximated from tables: an unknown value of the entity
 * itself counts when it is on the violation's path or on a property the model reads; an unknown value of a
 * correlated entity (the service of an API, the apps of an authorization server, ...) counts when it is on a
 * property that relation carries. And an entity with an unknown value the model reads is "not fully evaluated"
 * by every such rule of its side that reported nothing on it. The tables drift from what rules really read (that
 * is why rules declare evidence); keep them only as long as a rule without evidence runs.
 */
import {
  APPLICATION_FIELDS,
  SERVICE_COLLECTIONS,
  SERVICE_COLLECTIONS_BESIDES_APIS,
} from '../inventory/fields';
import type { Api, App, AuthServer, Entity, Model, ResourceKind, Service } from './types';
import { allEntities, pathsOverlap, unknownsOf, type UnknownDependency } from './unknown';

/**
 * Properties the model and the built-in rules read, per kind (the declared fields of the inventory types, plus
 * the child collections). An unknown value elsewhere (an ARM `publisherEmail`, a `apiVersionSetId`) changes no
 * finding of another entity. `undefined`: every property counts.
 */
const READ_PATHS: Partial<Record<ResourceKind, readonly string[]>> = {
  // The service's own findings are about its policies and children; its name matters for the portal hosts
  // (PORTAL_PATHS, the relation an app's findings carry).
  apimService: [
    'properties/hostnameConfigurations',
    'properties/developerPortalUrl',
    'properties/portalUrl',
    'properties/gatewayUrl',
    'policy',
    ...SERVICE_COLLECTIONS,
    'workspaces',
  ],
  // Every field of an application record but its display name.
  application: APPLICATION_FIELDS.filter((field) => field !== 'displayName'),
  api: [
    'name',
    'properties/path',
    'properties/protocols',
    'properties/subscriptionRequired',
    'properties/apiRevision',
    'properties/isCurrent',
    'properties/type',
    'properties/authenticationSettings',
    'policy',
    'operations',
  ],
  operation: ['name', 'properties/method', 'properties/urlTemplate', 'policy'],
  // What correlation and the rules read of a server; an unknown display name, description or client
  // registration endpoint (a placeholder Entra ignores) changes no finding. (A violation on an unknown path
  // is still caught by its own path, whatever rule, built-in or plugin, reports it.)
  authorizationServer: [
    'name',
    'properties/authorizationEndpoint',
    'properties/tokenEndpoint',
    'properties/grantTypes',
    'properties/authorizationMethods',
    'properties/defaultScope',
    'properties/clientId',
    'properties/tokenBodyParameters',
    'properties/useInTestConsole',
    'properties/bearerTokenSendingMethods',
    'properties/clientAuthenticationMethod',
  ],
  product: ['name', 'properties/subscriptionRequired', 'properties/state', 'apis', 'policy'],
};

/** What a relation carries: the paths of the related entity that findings on the dependent may rest on. */
const PORTAL_PATHS = [
  'name',
  'properties/hostnameConfigurations',
  'properties/developerPortalUrl',
  'properties/portalUrl',
];
const SERVICE_FOR_API = ['policy', ...SERVICE_COLLECTIONS_BESIDES_APIS, 'workspaces'];

interface Relation {
  entity: Entity;
  /** Paths that count; `read` = the paths the model reads for that kind. */
  paths: readonly string[] | 'read';
}

function isRead(kind: ResourceKind, path: string): boolean {
  const read = READ_PATHS[kind];
  return path === '' || read === undefined || read.some((p) => pathsOverlap(p, path));
}

/**
 * What `relations` looks up per violation, keyed once per model (a plugin rule may report on thousands of entities):
 * the service of each fragment, named value and workspace (the first that lists it), and the servers of each app.
 */
interface ModelIndex {
  serviceOf: Map<Entity, Service>;
  serversOf: Map<App, AuthServer[]>;
}

const modelIndexes = new WeakMap<Model, ModelIndex>();

function indexOf(model: Model): ModelIndex {
  const known = modelIndexes.get(model);
  if (known) return known;
  const index: ModelIndex = { serviceOf: new Map(), serversOf: new Map() };
  for (const service of model.services) {
    const members: Entity[] = [...service.policyFragments, ...service.namedValues, ...service.workspaces];
    for (const entity of members) if (!index.serviceOf.has(entity)) index.serviceOf.set(entity, service);
  }
  for (const server of model.authorizationServers) {
    const apps = new Set([server.clientApp, server.backendApp]);
    for (const app of apps) {
      if (!app) continue;
      const servers = index.serversOf.get(app);
      if (servers) servers.push(server);
      else index.serversOf.set(app, [server]);
    }
  }
  modelIndexes.set(model, index);
  return index;
}

function serviceOf(model: Model, entity: Entity): Service | undefined {
  return indexOf(model).serviceOf.get(entity);
}

function appRelations(apps: (App | undefined)[]): Relation[] {
  return apps.filter((a): a is App => a !== undefined).map((entity) => ({ entity, paths: 'read' }));
}

function serverRelations(server: AuthServer, self: Entity): Relation[] {
  return [
    { entity: server, paths: 'read' },
    ...appRelations([server.clientApp, server.backendApp].filter((a) => a !== self)),
  ];
}

function apiRelations(api: Api): Relation[] {
  const service = api.service;
  return [
    { entity: service, paths: ['', ...SERVICE_FOR_API] },
    ...(api.workspace ? [{ entity: api.workspace, paths: 'read' as const }] : []),
    ...api.products.map((entity) => ({ entity, paths: 'read' as const })),
    ...api.oauth2.flatMap((r) => (r.target ? serverRelations(r.target, api) : [])),
    ...api.openid.flatMap((r) => (r.target ? [{ entity: r.target, paths: 'read' as const }] : [])),
    ...service.policyFragments.map((entity) => ({ entity, paths: 'read' as const })),
    ...service.namedValues.map((entity) => ({ entity, paths: 'read' as const })),
  ];
}

/** The entities a finding on `entity` may rest on, with the paths each relation carries. */
function relations(model: Model, entity: Entity): Relation[] {
  switch (entity.kind) {
    case 'application': {
      const servers = indexOf(model).serversOf.get(entity as App) ?? [];
      return servers.flatMap((server) => [
        ...serverRelations(server, entity),
        { entity: server.service, paths: ['', ...PORTAL_PATHS] },
      ]);
    }
    case 'authorizationServer': {
      const server = entity as AuthServer;
      return [
        { entity: server.service, paths: [''] },
        ...appRelations([server.clientApp, server.backendApp]),
        ...server.apis.map((api) => ({ entity: api, paths: ['', 'properties/authenticationSettings'] })),
      ];
    }
    case 'api':
      return apiRelations(entity as Api);
    case 'operation': {
      const api = (entity as Entity & { api: Api }).api;
      return [{ entity: api, paths: 'read' }, ...apiRelations(api)];
    }
    case 'product':
    case 'openidProvider': {
      const service = (entity as Entity & { service: Service }).service;
      return [{ entity: service, paths: ['', ...SERVICE_FOR_API] }];
    }
    case 'apimService': {
      const service = entity as Service;
      return [
        ...service.policyFragments.map((e) => ({ entity: e as Entity, paths: 'read' as const })),
        ...service.namedValues.map((e) => ({ entity: e as Entity, paths: 'read' as const })),
        ...service.authorizationServers.flatMap((s) => appRelations([s.backendApp])),
      ];
    }
    default: {
      const service = serviceOf(model, entity);
      return service ? [{ entity: service, paths: [''] }] : [];
    }
  }
}

/**
 * Every entity with an unknown value the model reads, with the first such value. A rule that reported nothing
 * on such an entity did not judge it fully (an unknown list reads as empty): the engine says so per rule.
 */
export function entitiesWithUnknownValues(model: Model): UnknownDependency[] {
  return allEntities(model).flatMap((entity) => {
    const found = unknownsOf(entity.origin).find(([path]) => isRead(entity.kind, path));
    return found ? [{ entity, path: found[0], reason: found[1] }] : [];
  });
}

/**
 * The first unknown value a violation without evidence on `entity` (at `path`) may rest on, or undefined when it
 * rests only on known data.
 */
export function unknownDependency(
  model: Model,
  entity: Entity,
  path: string | undefined,
): UnknownDependency | undefined {
  for (const [unknownPath, reason] of unknownsOf(entity.origin)) {
    if (isRead(entity.kind, unknownPath) || (path !== undefined && pathsOverlap(unknownPath, path))) {
      return { entity, path: unknownPath, reason };
    }
  }
  for (const relation of relations(model, entity)) {
    if (relation.entity === entity) continue;
    for (const [unknownPath, reason] of unknownsOf(relation.entity.origin)) {
      const counts =
        relation.paths === 'read'
          ? isRead(relation.entity.kind, unknownPath)
          : relation.paths.some((p) => pathsOverlap(p, unknownPath) && (p !== '' || unknownPath === ''));
      if (counts) return { entity: relation.entity, path: unknownPath, reason };
    }
  }
  return undefined;
}
