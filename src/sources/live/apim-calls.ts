/**
 * The ARM reads of one APIM container (the service itself, or one of its workspaces) through
 * `ApiManagementClient`, behind one interface so the collector walks both the same way. Every call takes
 * `onResponse`: the collector keeps the raw ARM JSON (the SDK's models are flattened, and `apiPolicy.get`
 * with `format: 'rawxml'` maps the JSON body as XML and loses `value`, an SDK bug).
 */
import type { ApiManagementClient } from '@azure/arm-apimanagement';

export interface RawResponse {
  status: number;
  bodyAsText?: string | null;
}

export interface CallOptions {
  onResponse: (raw: RawResponse) => void;
}

export interface PolicyOptions extends CallOptions {
  format: 'rawxml';
}

/** A paged list: the collector reads the pages' raw bodies and ignores the mapped items. */
export interface Paged {
  byPage(): AsyncIterableIterator<unknown>;
}

/** Reads every page (their raw bodies reach `onResponse`; the mapped items are not used). */
export async function drain(pages: AsyncIterableIterator<unknown>): Promise<void> {
  while (!(await pages.next()).done) {
    // next page
  }
}

export interface ContainerCalls {
  /** `service contoso-apim` or `workspace finance of contoso-apim`. */
  label: string;
  apis(o: CallOptions): Paged;
  operations(api: string, o: CallOptions): Paged;
  apiPolicy(api: string, o: PolicyOptions): Promise<unknown>;
  operationPolicy(api: string, operation: string, o: PolicyOptions): Promise<unknown>;
  products(o: CallOptions): Paged;
  /** Service products list their APIs; workspace products list API links (`properties.apiId`). */
  productApis(product: string, o: CallOptions): Paged;
  productPolicy(product: string, o: PolicyOptions): Promise<unknown>;
  policy(o: PolicyOptions): Promise<unknown>;
  fragments(o: CallOptions): Paged;
  fragment(name: string, o: PolicyOptions): Promise<unknown>;
  namedValues(o: CallOptions): Paged;
}

export function serviceCalls(client: ApiManagementClient, rg: string, service: string): ContainerCalls {
  return {
    label: `service ${service}`,
    apis: (o) => client.api.listByService(rg, service, o),
    operations: (api, o) => client.apiOperation.listByApi(rg, service, api, o),
    apiPolicy: (api, o) => client.apiPolicy.get(rg, service, api, 'policy', o),
    operationPolicy: (api, op, o) => client.apiOperationPolicy.get(rg, service, api, op, 'policy', o),
    products: (o) => client.product.listByService(rg, service, o),
    productApis: (product, o) => client.productApi.listByProduct(rg, service, product, o),
    productPolicy: (product, o) => client.productPolicy.get(rg, service, product, 'policy', o),
    policy: (o) => client.policy.get(rg, service, 'policy', o),
    fragments: (o) => client.policyFragment.listByService(rg, service, o),
    fragment: (name, o) => client.policyFragment.get(rg, service, name, o),
    namedValues: (o) => client.namedValue.listByService(rg, service, o),
  };
}

export function workspaceCalls(
  client: ApiManagementClient,
  rg: string,
  service: string,
  ws: string,
): ContainerCalls {
  return {
    label: `workspace ${ws} of ${service}`,
    apis: (o) => client.workspaceApi.listByService(rg, service, ws, o),
    operations: (api, o) => client.workspaceApiOperation.listByApi(rg, service, ws, api, o),
    apiPolicy: (api, o) => client.workspaceApiPolicy.get(rg, service, ws, api, 'policy', o),
    operationPolicy: (api, op, o) =>
      client.workspaceApiOperationPolicy.get(rg, service, ws, api, op, 'policy', o),
    products: (o) => client.workspaceProduct.listByService(rg, service, ws, o),
    productApis: (product, o) => client.workspaceProductApiLink.listByProduct(rg, service, ws, product, o),
    productPolicy: (product, o) => client.workspaceProductPolicy.get(rg, service, ws, product, 'policy', o),
    policy: (o) => client.workspacePolicy.get(rg, service, ws, 'policy', o),
    fragments: (o) => client.workspacePolicyFragment.listByService(rg, service, ws, o),
    fragment: (name, o) => client.workspacePolicyFragment.get(rg, service, ws, name, o),
    namedValues: (o) => client.workspaceNamedValue.listByService(rg, service, ws, o),
  };
}
