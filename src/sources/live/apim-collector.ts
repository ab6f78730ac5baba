/**
 * Reads one APIM service completely: authorization servers, OpenID providers, APIs (current revisions unless
 * told otherwise) with operations, products with their APIs, policies at every scope as rawxml, policy
 * fragments, named values (metadata only) and workspaces with the same children. Everything is requested as
 * soon as it is known, so the transport's concurrency limit stays busy. A read that fails becomes a gap
 * naming the resource; a missing policy (404 on `policies/policy`) is simply no policy.
 */
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import type {
  InventoryApi,
  InventoryFragment,
  InventoryOperation,
  InventoryProduct,
  InventoryResource,
  InventoryService,
  InventoryWorkspace,
  Origin,
  PolicyContract,
  SourceGap,
} from '../../inventory/types';
import {
  serviceCalls,
  workspaceCalls,
  type CallOptions,
  drain,
  type ContainerCalls,
  type Paged,
  type RawResponse,
} from './apim-calls';
import { describeFailure } from './failures';
import { Limiter } from './transport';

/** The record and canonical path that stay unknown when a read fails. */
interface Unknowable {
  record: { origin: Origin };
  path: string;
}

const at = (record: { origin: Origin }, path: string): Unknowable => ({ record, path });

export interface ArmJson {
  id?: string;
  name?: string;
  type?: string;
  location?: string;
  properties?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Service properties the audit uses (hostnames, portal and gateway URLs). */
const SERVICE_PROPERTIES = [
  'gatewayUrl',
  'developerPortalUrl',
  'portalUrl',
  'managementApiUrl',
  'hostnameConfigurations',
];
const HOSTNAME_PROPERTIES = [
  'type',
  'hostName',
  'certificateSource',
  'negotiateClientCertificate',
  'defaultSslBinding',
];
/** Never kept, even if a service returned them. */
const SECRET_PROPERTIES = [
  'clientSecret',
  'resourceOwnerPassword',
  'resourceOwnerUsername',
  'certificatePassword',
  'encodedCertificate',
];

function ok(raw: RawResponse): boolean {
  return raw.status >= 200 && raw.status < 300;
}

function parse(raw: RawResponse): ArmJson {
  return JSON.parse(raw.bodyAsText ?? '{}') as ArmJson;
}

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

/** `{ id, name, type, properties }` without secret-bearing properties. */
function armRecord(json: ArmJson, drop: readonly string[] = []): InventoryResource<Record<string, unknown>> {
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json.properties ?? {}))
    if (!SECRET_PROPERTIES.includes(key) && !drop.includes(key)) properties[key] = value;
  if (properties['secret'] === true) delete properties['value'];
  const record: InventoryResource<Record<string, unknown>> = {
    name: json.name ?? '',
    properties,
    origin: json.id ? { resourceId: json.id } : {},
  };
  if (json.id) record.id = json.id;
  if (json.type) record.type = json.type;
  return record;
}

function lastSegment(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1);
}

export class ApimCollector {
  readonly gaps: SourceGap[] = [];

  constructor(
    private readonly client: ApiManagementClient,
    private readonly spec: string,
    private readonly options: { includeAllRevisions: boolean; attempts: number; concurrency: number },
  ) {
    this.slots = new Limiter(2 * options.concurrency);
  }

  /**
   * SDK calls under way. Starting a call runs the SDK's request pipeline at once, even if the transport then
   * queues it: starting hundreds together (one page of 100 APIs asks for 200 reads) blocks the event loop
   * while responses wait. Twice the transport's concurrency keeps it fed without the bursts.
   */
  private readonly slots: Limiter;

  /** Records a gap, and on `owner` the unknown `path`, so that rules resting on it report not evaluated. */
  private gap(what: string, resourceId: string, error: unknown, owner: Unknowable): void {
    const failure = describeFailure(error, this.options.attempts);
    const hint =
      failure.status === 404
        ? ' (deleted while the audit ran?)'
        : failure.status === 403
          ? ' (no read access)'
          : '';
    const reason = `${failure.reason}${hint}`;
    this.gaps.push({ source: this.spec, what: `${what} (${resourceId})`, reason });
    owner.record.origin.unknown = { ...owner.record.origin.unknown, [owner.path]: `not read: ${reason}` };
  }

  /**
   * Every item of a paged list, each passed to `each` as soon as its page arrives (so that reads of its
   * children start while later pages are still coming). A page that cannot be read is a gap and leaves
   * `owner`'s list unknown; the items read before it are kept.
   */
  private async list<T>(
    what: string,
    resourceId: string,
    owner: Unknowable,
    call: (o: CallOptions) => Paged,
    each: (json: ArmJson) => T | Promise<T>,
  ): Promise<T[]> {
    const results: (T | Promise<T>)[] = [];
    try {
      await this.slots.run(() =>
        drain(
          call({
            onResponse: (raw) => {
              if (!ok(raw)) return;
              for (const json of (parse(raw)['value'] as ArmJson[] | undefined) ?? [])
                results.push(each(json));
            },
          }).byPage(),
        ),
      );
    } catch (error) {
      this.gap(what, resourceId, error, owner);
    }
    return Promise.all(results);
  }

  /** A policy as rawxml from the raw JSON body; undefined when there is none (404) or it failed (gap). */
  private async policy(
    what: string,
    policyId: string,
    owner: { origin: Origin },
    call: (o: { format: 'rawxml'; onResponse: (raw: RawResponse) => void }) => Promise<unknown>,
  ): Promise<PolicyContract | undefined> {
    let body: ArmJson | undefined;
    try {
      await this.slots.run(() =>
        call({ format: 'rawxml', onResponse: (raw) => (body = ok(raw) ? parse(raw) : undefined) }),
      );
    } catch (error) {
      if (describeFailure(error, 1).status !== 404) this.gap(what, policyId, error, at(owner, 'policy'));
      return undefined;
    }
    const value = body?.properties?.['value'];
    if (typeof value !== 'string') return undefined;
    const format = body?.properties?.['format'];
    return {
      format: format === 'xml' || format === 'xml-link' || format === 'rawxml-link' ? format : 'rawxml',
      value,
      origin: { resourceId: policyId },
    };
  }

  async service(json: ArmJson, resourceGroup: string): Promise<InventoryService> {
    const id = json.id ?? '';
    const name = json.name ?? lastSegment(id);
    const properties = pick(json.properties ?? {}, SERVICE_PROPERTIES);
    if (Array.isArray(properties['hostnameConfigurations'])) {
      properties['hostnameConfigurations'] = (
        properties['hostnameConfigurations'] as Record<string, unknown>[]
      ).map((h) => pick(h, HOSTNAME_PROPERTIES));
    }
    const service: InventoryService = { id, name, properties, origin: { resourceId: id } };
    if (json.type) service.type = json.type;
    if (typeof json.location === 'string') service.location = json.location;
    const calls = serviceCalls(this.client, resourceGroup, name);
    const [authorizationServers, openidConnectProviders, workspaces] = await Promise.all([
      this.list(
        `authorization servers of service ${name}`,
        `${id}/authorizationServers`,
        at(service, 'authorizationServers'),
        (o) => this.client.authorizationServer.listByService(resourceGroup, name, o),
        (j) => armRecord(j),
      ),
      this.list(
        `OpenID Connect providers of service ${name}`,
        `${id}/openidConnectProviders`,
        at(service, 'openidConnectProviders'),
        (o) => this.client.openIdConnectProvider.listByService(resourceGroup, name, o),
        (j) => armRecord(j),
      ),
      this.list(
        `workspaces of service ${name}`,
        `${id}/workspaces`,
        at(service, 'workspaces'),
        (o) => this.client.workspace.listByService(resourceGroup, name, o),
        async (j) => {
          const workspace = armRecord(j) as InventoryWorkspace;
          const wsCalls = workspaceCalls(this.client, resourceGroup, name, workspace.name);
          await this.container(wsCalls, workspace.id ?? '', workspace);
          return workspace;
        },
      ),
      this.container(calls, id, service),
    ]);
    service.authorizationServers = authorizationServers;
    service.openidConnectProviders = openidConnectProviders;
    service.workspaces = workspaces;
    return service;
  }

  /** APIs, products, policy, fragments and named values of a service or workspace, filled into `target`. */
  private async container(
    calls: ContainerCalls,
    id: string,
    target: InventoryService | InventoryWorkspace,
  ): Promise<void> {
    const [apis, products, policy, fragments, namedValues] = await Promise.all([
      this.list(
        `APIs of ${calls.label}`,
        `${id}/apis`,
        at(target, 'apis'),
        (o) => calls.apis(o),
        (j) =>
          this.options.includeAllRevisions || j.properties?.['isCurrent'] !== false
            ? this.api(calls, id, j)
            : undefined,
      ),
      this.list(
        `products of ${calls.label}`,
        `${id}/products`,
        at(target, 'products'),
        (o) => calls.products(o),
        (j) => this.product(calls, id, j),
      ),
      this.policy(`policy of ${calls.label}`, `${id}/policies/policy`, target, (o) => calls.policy(o)),
      this.list(
        `policy fragments of ${calls.label}`,
        `${id}/policyFragments`,
        at(target, 'policyFragments'),
        (o) => calls.fragments(o),
        (j) => this.fragment(calls, id, j),
      ),
      this.list(
        `named values of ${calls.label}`,
        `${id}/namedValues`,
        at(target, 'namedValues'),
        (o) => calls.namedValues(o),
        (j) => armRecord(j),
      ),
    ]);
    target.apis = apis.filter((a): a is InventoryApi => a !== undefined);
    target.products = products;
    if (policy) target.policy = policy;
    target.policyFragments = fragments;
    target.namedValues = namedValues;
  }

  private async api(calls: ContainerCalls, parentId: string, json: ArmJson): Promise<InventoryApi> {
    const api = armRecord(json) as InventoryApi;
    const apiId = api.id ?? `${parentId}/apis/${api.name}`;
    const [operations, policy] = await Promise.all([
      this.list(
        `operations of API ${api.name} in ${calls.label}`,
        `${apiId}/operations`,
        at(api, 'operations'),
        (o) => calls.operations(api.name, o),
        (j) => this.operation(calls, api.name, apiId, j),
      ),
      this.policy(`policy of API ${api.name} in ${calls.label}`, `${apiId}/policies/policy`, api, (o) =>
        calls.apiPolicy(api.name, o),
      ),
    ]);
    api.operations = operations;
    if (policy) api.policy = policy;
    return api;
  }

  private async operation(
    calls: ContainerCalls,
    api: string,
    apiId: string,
    json: ArmJson,
  ): Promise<InventoryOperation> {
    // Request/response representations hold samples (headers, bodies), not configuration: not kept.
    const operation = armRecord(json, ['request', 'responses']) as InventoryOperation;
    const operationId = operation.id ?? `${apiId}/operations/${operation.name}`;
    const policy = await this.policy(
      `policy of operation ${operation.name} of API ${api} in ${calls.label}`,
      `${operationId}/policies/policy`,
      operation,
      (o) => calls.operationPolicy(api, operation.name, o),
    );
    if (policy) operation.policy = policy;
    return operation;
  }

  private async product(calls: ContainerCalls, parentId: string, json: ArmJson): Promise<InventoryProduct> {
    const product = armRecord(json) as InventoryProduct;
    const productId = product.id ?? `${parentId}/products/${product.name}`;
    const [apis, policy] = await Promise.all([
      this.list(
        `APIs of product ${product.name} in ${calls.label}`,
        `${productId}/apis`,
        at(product, 'apis'),
        (o) => calls.productApis(product.name, o),
        // Service products list APIs; workspace products list API links naming the API by resource id.
        (a) => {
          const linked = a.properties?.['apiId'];
          return typeof linked === 'string' ? lastSegment(linked) : (a.name ?? '');
        },
      ),
      this.policy(
        `policy of product ${product.name} in ${calls.label}`,
        `${productId}/policies/policy`,
        product,
        (o) => calls.productPolicy(product.name, o),
      ),
    ]);
    product.apis = apis;
    if (policy) product.policy = policy;
    return product;
  }

  /** The fragment as rawxml (the list gives it as xml, or not at all). */
  private async fragment(calls: ContainerCalls, parentId: string, json: ArmJson): Promise<InventoryFragment> {
    const name = json.name ?? '';
    const fragmentId = json.id ?? `${parentId}/policyFragments/${name}`;
    let body: ArmJson | undefined;
    try {
      await this.slots.run(() =>
        calls.fragment(name, {
          format: 'rawxml',
          onResponse: (raw) => (body = ok(raw) ? parse(raw) : undefined),
        }),
      );
    } catch (error) {
      // Keep the listed fragment, its text unknown: policies that include it are then not evaluated.
      const listed: InventoryFragment = armRecord(json, ['value', 'format']);
      this.gap(
        `policy fragment ${name} in ${calls.label}`,
        fragmentId,
        error,
        at(listed, 'properties/value'),
      );
      return listed;
    }
    return { ...armRecord(body ?? json), valueOrigin: { resourceId: fragmentId } };
  }
}
