/**
 * What the emulator serves: one Entra tenant (service principals that may sign in, app registrations) and the
 * API Management services of its subscriptions, in the snapshot's shapes (Graph application objects and
 * ARM resources with their children nested). Loaded from a snapshot document or generated for the benchmark.
 */

export interface ArmRecord {
  id?: string;
  name: string;
  type?: string;
  location?: string;
  properties: Record<string, unknown>;
  [key: string]: unknown;
}

export interface EmulatedPolicy {
  format?: string;
  value: string;
}

export interface EmulatedApi extends ArmRecord {
  operations?: (ArmRecord & { policy?: EmulatedPolicy })[];
  policy?: EmulatedPolicy;
}

export interface EmulatedProduct extends ArmRecord {
  apis?: string[];
  policy?: EmulatedPolicy;
}

/** A service or a workspace: both hold APIs, products, a policy, fragments and named values. */
export interface EmulatedContainer extends ArmRecord {
  apis?: EmulatedApi[];
  products?: EmulatedProduct[];
  policy?: EmulatedPolicy;
  policyFragments?: ArmRecord[];
  namedValues?: ArmRecord[];
}

export interface EmulatedService extends EmulatedContainer {
  authorizationServers?: ArmRecord[];
  openidConnectProviders?: ArmRecord[];
  workspaces?: EmulatedContainer[];
}

export interface EmulatedTenant {
  tenantId: string;
  /** Service principals allowed to sign in with a client secret: client id -> secret. */
  clients: Record<string, string>;
  /** Apps with a federated credential: client id -> the subject (`sub`) it trusts. */
  federated?: Record<string, string>;
  /** Graph application objects (with `id` and `appId`). */
  applications: Record<string, unknown>[];
  services: EmulatedService[];
}

const TYPE_PREFIX = 'Microsoft.ApiManagement/service';

function withId<T extends ArmRecord>(
  record: T,
  parentId: string,
  collection: string,
  typePath = collection,
): T {
  return {
    ...record,
    id: record.id ?? `${parentId}/${collection}/${record.name}`,
    type: record.type ?? `${TYPE_PREFIX}/${typePath}`,
  };
}

function fillContainer<T extends EmulatedContainer>(container: T, id: string): T {
  const result: T = { ...container };
  if (container.apis) {
    result.apis = container.apis.map((api) => {
      const withApiId = withId(api, id, 'apis');
      if (api.operations) {
        withApiId.operations = api.operations.map((op) =>
          withId(op, withApiId.id ?? '', 'operations', 'apis/operations'),
        );
      }
      return withApiId;
    });
  }
  if (container.products) result.products = container.products.map((p) => withId(p, id, 'products'));
  if (container.policyFragments)
    result.policyFragments = container.policyFragments.map((f) => withId(f, id, 'policyFragments'));
  if (container.namedValues)
    result.namedValues = container.namedValues.map((v) => withId(v, id, 'namedValues'));
  return result;
}

/** Fills in the ARM ids and types a snapshot may leave out, the way ARM reports them. */
export function normalizeService(service: EmulatedService): EmulatedService {
  if (!service.id) throw new Error(`emulated service ${service.name} needs an ARM id`);
  const id = service.id;
  const result = fillContainer({ ...service, type: service.type ?? TYPE_PREFIX }, id);
  if (service.authorizationServers)
    result.authorizationServers = service.authorizationServers.map((s) =>
      withId(s, id, 'authorizationServers'),
    );
  if (service.openidConnectProviders)
    result.openidConnectProviders = service.openidConnectProviders.map((p) =>
      withId(p, id, 'openidConnectProviders'),
    );
  if (service.workspaces)
    result.workspaces = service.workspaces.map((ws) => {
      const filled = withId(ws, id, 'workspaces');
      return fillContainer(filled, filled.id ?? '');
    });
  return result;
}

/** A tenant from a snapshot document (`examples/contoso/snapshot.json`), with the given sign-in clients. */
export function tenantFromSnapshot(
  doc: { tenantId?: string; applications?: unknown[]; apim?: unknown[] },
  clients: Record<string, string>,
): EmulatedTenant {
  if (!doc.tenantId) throw new Error('the snapshot needs a tenantId to be served');
  return {
    tenantId: doc.tenantId,
    clients,
    applications: (doc.applications ?? []) as Record<string, unknown>[],
    services: ((doc.apim ?? []) as EmulatedService[]).map(normalizeService),
  };
}

function guid(n: number, prefix: string): string {
  const hex = n.toString(16).padStart(12, '0');
  return `${prefix}-0000-4000-8000-${hex}`;
}

export interface SyntheticShape {
  applications: number;
  apis: number;
  operationsPerApi: number;
  /** Authorization servers, each with its own client and backend app (referenced apps = 2 × this). */
  authorizationServers: number;
  products: number;
}

const POLICY = (n: number) =>
  `<policies>\n  <inbound>\n    <base />\n    <set-header name="X-Api" exists-action="override">\n      <value>@("api-${n}")</value>\n    </set-header>\n  </inbound>\n  <backend>\n    <base />\n  </backend>\n  <outbound>\n    <base />\n  </outbound>\n  <on-error>\n    <base />\n  </on-error>\n</policies>`;

/** A large tenant for the benchmark: every API and operation has a policy. */
export function syntheticTenant(shape: SyntheticShape, clients: Record<string, string>): EmulatedTenant {
  const tenantId = '7e1f3c2a-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
  const applications: Record<string, unknown>[] = [];
  for (let i = 0; i < shape.applications; i++) {
    applications.push({
      id: guid(i, '0b1ec700'),
      appId: guid(i, 'a9910000'),
      displayName: `app-${i}`,
      signInAudience: 'AzureADMyOrg',
      identifierUris: [`api://${guid(i, 'a9910000')}`],
      api: {
        requestedAccessTokenVersion: 2,
        oauth2PermissionScopes: [
          { id: guid(i, '5c09e000'), value: 'Data.Read', type: 'User', isEnabled: true },
        ],
      },
      web: { redirectUris: [], implicitGrantSettings: { enableAccessTokenIssuance: false } },
      passwordCredentials: [],
      requiredResourceAccess: [],
    });
  }
  const serviceId =
    '/subscriptions/3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f/resourceGroups/rg-bench/providers/Microsoft.ApiManagement/service/bench-apim';
  const authorizationServers: ArmRecord[] = [];
  for (let i = 0; i < shape.authorizationServers; i++) {
    const client = guid(2 * i, 'a9910000');
    const backend = guid(2 * i + 1, 'a9910000');
    authorizationServers.push({
      name: `auth-${i}`,
      properties: {
        displayName: `Auth ${i}`,
        clientRegistrationEndpoint: 'http://localhost',
        authorizationEndpoint: `https://login.microsoftonline.com/${tenantId}/oauth2/v2.0/authorize`,
        tokenEndpoint: `https://login.microsoftonline.com/${tenantId}/oauth2/v2.0/token`,
        grantTypes: ['authorizationCode'],
        clientId: client,
        defaultScope: `api://${backend}/Data.Read`,
      },
    });
  }
  const apis: EmulatedApi[] = [];
  for (let a = 0; a < shape.apis; a++) {
    const operations = [];
    for (let o = 0; o < shape.operationsPerApi; o++) {
      operations.push({
        name: `op-${o}`,
        properties: { displayName: `Operation ${o}`, method: 'GET', urlTemplate: `/items/${o}` },
        policy: { format: 'rawxml', value: POLICY(a * 100 + o) },
      });
    }
    apis.push({
      name: `api-${a}`,
      properties: {
        displayName: `API ${a}`,
        path: `api-${a}`,
        protocols: ['https'],
        apiRevision: '1',
        isCurrent: true,
        authenticationSettings: {
          oAuth2AuthenticationSettings: [
            { authorizationServerId: `auth-${a % Math.max(shape.authorizationServers, 1)}` },
          ],
        },
      },
      policy: { format: 'rawxml', value: POLICY(a) },
      operations,
    });
  }
  const products: EmulatedProduct[] = [];
  for (let p = 0; p < shape.products; p++) {
    products.push({
      name: `product-${p}`,
      properties: { displayName: `Product ${p}`, subscriptionRequired: true, state: 'published' },
      apis: apis.filter((_, i) => i % shape.products === p).map((api) => api.name),
    });
  }
  const service: EmulatedService = {
    id: serviceId,
    name: 'bench-apim',
    location: 'westeurope',
    properties: {
      gatewayUrl: 'https://bench-apim.azure-api.net',
      developerPortalUrl: 'https://bench-apim.developer.azure-api.net',
      hostnameConfigurations: [{ type: 'Proxy', hostName: 'bench-apim.azure-api.net' }],
    },
    authorizationServers,
    openidConnectProviders: [],
    apis,
    products,
    policy: { format: 'rawxml', value: POLICY(-1) },
    policyFragments: [],
    namedValues: [],
    workspaces: [],
  };
  return { tenantId, clients, applications, services: [normalizeService(service)] };
}
