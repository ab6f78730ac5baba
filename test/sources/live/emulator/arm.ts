/**
 * The Azure Resource Manager endpoints of API Management that the `azure:` source reads (api-version
 * required, case-insensitive segments, `{ value, nextLink }` pages with an absolute nextLink). A missing
 * policy is a 404 on `policies/policy`, as in Azure. Secret values are served only if the data holds them,
 * which lets tests check that the client drops them.
 */
import type {
  ArmRecord,
  EmulatedApi,
  EmulatedContainer,
  EmulatedPolicy,
  EmulatedService,
  EmulatedTenant,
} from './data';
import { armError, json, withQuery, type EmulatorRequest, type EmulatorResponse } from './http';

const CHILDREN = [
  'authorizationServers',
  'openidConnectProviders',
  'apis',
  'products',
  'policy',
  'policyFragments',
  'namedValues',
  'workspaces',
  'operations',
];

/** The resource as ARM returns it: no nested children. */
function resource(record: ArmRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!CHILDREN.includes(key)) out[key] = value;
  return out;
}

function find<T extends ArmRecord>(list: T[] | undefined, name: string): T | undefined {
  return list?.find((r) => r.name.toLowerCase() === name.toLowerCase());
}

function policyBody(parentId: string, policy: EmulatedPolicy, format: string | null): EmulatorResponse {
  return json(200, {
    id: `${parentId}/policies/policy`,
    type: 'Microsoft.ApiManagement/service/policies',
    name: 'policy',
    properties: { format: format ?? 'xml', value: policy.value },
  });
}

const NO_POLICY = armError(404, 'ResourceNotFound', 'Policy configuration not found.');

function parts(id: string): { sub: string; rg: string } {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\//i.exec(id);
  return { sub: (m?.[1] ?? '').toLowerCase(), rg: (m?.[2] ?? '').toLowerCase() };
}

export class ArmEmulator {
  constructor(
    private readonly tenant: EmulatedTenant,
    private readonly pageSize: number,
  ) {}

  handle(request: EmulatorRequest): EmulatorResponse {
    if (request.method !== 'GET')
      return armError(405, 'MethodNotAllowed', `The audit must only read; ${request.method} is not served.`);
    if (!request.query.get('api-version'))
      return armError(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    const segments = request.path.split('/').filter(Boolean);
    const lower = segments.map((s) => s.toLowerCase());
    const sub = lower[1] ?? '';
    const services = this.tenant.services.filter((s) => parts(s.id ?? '').sub === sub);
    if (services.length === 0)
      return armError(
        404,
        'SubscriptionNotFound',
        `The subscription '${segments[1] ?? ''}' could not be found.`,
      );
    if (
      lower.length === 5 &&
      lower[2] === 'providers' &&
      lower[3] === 'microsoft.apimanagement' &&
      lower[4] === 'service'
    )
      return this.page(request, services.map(resource));
    if (lower[2] !== 'resourcegroups' || lower.length < 4)
      return armError(404, 'NotFound', `No route for ${request.path}.`);
    const inGroup = services.filter((s) => parts(s.id ?? '').rg === lower[3]);
    if (inGroup.length === 0)
      return armError(
        404,
        'ResourceGroupNotFound',
        `Resource group '${segments[3] ?? ''}' could not be found.`,
      );
    if (
      lower.length === 7 &&
      lower[4] === 'providers' &&
      lower[5] === 'microsoft.apimanagement' &&
      lower[6] === 'service'
    )
      return this.page(request, inGroup.map(resource));
    if (
      lower[4] !== 'providers' ||
      lower[5] !== 'microsoft.apimanagement' ||
      lower[6] !== 'service' ||
      !segments[7]
    )
      return armError(404, 'NotFound', `No route for ${request.path}.`);
    const service = find(inGroup, segments[7]);
    if (!service)
      return armError(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.ApiManagement/service/${segments[7]}' under resource group '${segments[3] ?? ''}' was not found.`,
      );
    const rest = segments.slice(8);
    if (rest.length === 0) return json(200, resource(service));
    return (
      this.inService(request, service, rest) ??
      armError(404, 'ResourceNotFound', `No resource at ${request.path}.`)
    );
  }

  private inService(
    request: EmulatorRequest,
    service: EmulatedService,
    rest: string[],
  ): EmulatorResponse | undefined {
    const [collection, name, ...more] = rest;
    const key = collection?.toLowerCase();
    if (key === 'authorizationservers' || key === 'openidconnectproviders') {
      const list =
        key === 'authorizationservers' ? service.authorizationServers : service.openidConnectProviders;
      if (name === undefined) return this.page(request, (list ?? []).map(resource));
      const item = find(list, name);
      return item && more.length === 0 ? json(200, resource(item)) : undefined;
    }
    if (key === 'workspaces') {
      if (name === undefined) return this.page(request, (service.workspaces ?? []).map(resource));
      const workspace = find(service.workspaces, name);
      if (!workspace) return undefined;
      if (more.length === 0) return json(200, resource(workspace));
      return this.inContainer(request, workspace, more, true);
    }
    return this.inContainer(request, service, rest, false);
  }

  /** Paths shared by a service and a workspace. */
  private inContainer(
    request: EmulatorRequest,
    container: EmulatedContainer,
    rest: string[],
    workspace: boolean,
  ): EmulatorResponse | undefined {
    const [collection, name, sub, subName, ...more] = rest;
    const key = collection?.toLowerCase();
    const format = request.query.get('format');
    const id = container.id ?? '';
    if (key === 'policies') {
      if (name === undefined)
        return this.page(request, container.policy ? [policyBody(id, container.policy, format).body] : []);
      if (name.toLowerCase() !== 'policy' || sub !== undefined) return undefined;
      return container.policy ? policyBody(id, container.policy, format) : NO_POLICY;
    }
    if (key === 'namedvalues') {
      if (name === undefined) return this.page(request, (container.namedValues ?? []).map(resource));
      const item = find(container.namedValues, name);
      return item && sub === undefined ? json(200, resource(item)) : undefined;
    }
    if (key === 'policyfragments') {
      if (name === undefined)
        return this.page(
          request,
          (container.policyFragments ?? []).map((f) => {
            const properties: Record<string, unknown> = { ...f.properties, format: 'xml' };
            delete properties['value'];
            return { ...resource(f), properties };
          }),
        );
      const item = find(container.policyFragments, name);
      if (!item || sub !== undefined) return undefined;
      return json(200, { ...resource(item), properties: { ...item.properties, format: format ?? 'xml' } });
    }
    if (key === 'products') return this.product(request, container, name, sub, subName, more, workspace);
    if (key === 'apis') return this.api(request, container, name, sub, subName, more);
    return undefined;
  }

  private product(
    request: EmulatorRequest,
    container: EmulatedContainer,
    name: string | undefined,
    sub: string | undefined,
    subName: string | undefined,
    more: string[],
    workspace: boolean,
  ): EmulatorResponse | undefined {
    if (name === undefined) return this.page(request, (container.products ?? []).map(resource));
    const product = find(container.products, name);
    if (!product) return undefined;
    const productId = product.id ?? '';
    if (sub === undefined) return json(200, resource(product));
    const apis = (product.apis ?? [])
      .map((n) => find(container.apis, n))
      .filter((a): a is EmulatedApi => !!a);
    if (sub.toLowerCase() === 'apis' && !workspace && subName === undefined)
      return this.page(request, apis.map(resource));
    if (sub.toLowerCase() === 'apilinks' && subName === undefined)
      return this.page(
        request,
        apis.map((api) => ({
          id: `${productId}/apiLinks/${api.name}-link`,
          type: 'Microsoft.ApiManagement/service/products/apiLinks',
          name: `${api.name}-link`,
          properties: { apiId: api.id },
        })),
      );
    if (sub.toLowerCase() === 'policies' && subName?.toLowerCase() === 'policy' && more.length === 0)
      return product.policy ? policyBody(productId, product.policy, request.query.get('format')) : NO_POLICY;
    return undefined;
  }

  private api(
    request: EmulatorRequest,
    container: EmulatedContainer,
    name: string | undefined,
    sub: string | undefined,
    subName: string | undefined,
    more: string[],
  ): EmulatorResponse | undefined {
    if (name === undefined) return this.page(request, (container.apis ?? []).map(resource));
    const api = find(container.apis, name);
    if (!api) return undefined;
    const apiId = api.id ?? '';
    const format = request.query.get('format');
    if (sub === undefined) return json(200, resource(api));
    if (sub.toLowerCase() === 'policies' && subName?.toLowerCase() === 'policy' && more.length === 0)
      return api.policy ? policyBody(apiId, api.policy, format) : NO_POLICY;
    if (sub.toLowerCase() !== 'operations') return undefined;
    if (subName === undefined) return this.page(request, (api.operations ?? []).map(resource));
    const operation = find(api.operations, subName);
    if (!operation) return undefined;
    if (more.length === 0) return json(200, resource(operation));
    if (more.length === 2 && more[0]?.toLowerCase() === 'policies' && more[1]?.toLowerCase() === 'policy')
      return operation.policy ? policyBody(operation.id ?? '', operation.policy, format) : NO_POLICY;
    return undefined;
  }

  private page(request: EmulatorRequest, items: unknown[]): EmulatorResponse {
    const skip = Number(request.query.get('$skip') ?? '0');
    const top = Math.min(Number(request.query.get('$top') ?? this.pageSize), this.pageSize);
    const body: Record<string, unknown> = { value: items.slice(skip, skip + top), count: items.length };
    if (skip + top < items.length)
      body['nextLink'] =
        `${request.base}${request.path}${withQuery(request.query, { $skip: String(skip + top), $top: undefined })}`;
    return json(200, body);
  }
}
