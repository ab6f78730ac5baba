/**
 * Terraform azurerm API Management resources -> ARM-shaped inventory records (domain reference §8.1). Children
 * find their service by `api_management_name`, or by the service their `api_management_id` names or references.
 */
import type {
  AuthorizationServerProperties,
  HostnameConfiguration,
  InventoryApi,
  InventoryFragment,
  InventoryOperation,
  InventoryProduct,
  InventoryResource,
  InventoryService,
  NamedValueProperties,
  OpenIdProviderProperties,
} from '../../inventory/types';
import type { PathToken, PlannedResource } from './plan';
import { put, Reader, type ServiceEntry, type Translator } from './translate';

export function service(t: Translator, r: PlannedResource): void {
  const reader = new Reader(t, r);
  const name = reader.str(['name'], 'name');
  if (!name) return;
  const properties: InventoryService['properties'] = {};
  const hostnames: HostnameConfiguration[] = [];
  hostnamesOf(t, reader, ['hostname_configuration', 0], 'properties/hostnameConfigurations', hostnames);
  if (hostnames.length > 0) properties.hostnameConfigurations = hostnames;
  // Unknown for a new service; the model then uses the default `<name>.developer.azure-api.net`, as Azure does.
  put(
    properties,
    'developerPortalUrl',
    reader.computed(['developer_portal_url'], 'properties/developerPortalUrl'),
  );
  put(properties, 'gatewayUrl', reader.computed(['gateway_url'], 'properties/gatewayUrl'));
  put(properties, 'portalUrl', reader.computed(['portal_url'], 'properties/portalUrl'));
  const id = reader.computed(['id']);
  const record: InventoryService = {
    name,
    type: 'Microsoft.ApiManagement/service',
    properties,
    origin: t.origin(reader, { resourceId: id }),
  };
  if (id?.startsWith('/subscriptions/')) record.id = id;
  put(record, 'location', reader.str(['location'], 'location'));
  t.services.set(name.toLowerCase(), { record, declared: true });
}

/** `hostname_configuration` / custom-domain blocks: `developer_portal { host_name }` etc. -> hostnameConfigurations. */
function hostnamesOf(
  t: Translator,
  reader: Reader,
  base: PathToken[],
  canonical: string,
  out: HostnameConfiguration[],
): void {
  const kinds: [string, string][] = [
    ['proxy', 'Proxy'],
    ['gateway', 'Proxy'],
    ['developer_portal', 'DeveloperPortal'],
    ['portal', 'Portal'],
    ['management', 'Management'],
    ['scm', 'Scm'],
  ];
  for (const [block, type] of kinds) {
    for (const i of reader.blocks([...base, block])) {
      const hostName = reader.str([...base, block, i, 'host_name']);
      if (!hostName) continue;
      reader.map(`${canonical}/${out.length}/hostName`, [...base, block, i, 'host_name']);
      out.push({ type, hostName });
    }
  }
}

export function customDomain(t: Translator, r: PlannedResource): void {
  const reader = new Reader(t, r);
  const entry = serviceOf(t, reader);
  if (!entry) return;
  const list = entry.record.properties.hostnameConfigurations ?? [];
  const added: HostnameConfiguration[] = [];
  hostnamesOf(t, reader, [], 'unused', added);
  entry.record.properties.hostnameConfigurations = [...list, ...added];
}

/** The service a child resource belongs to: `api_management_name`, or the service its `api_management_id` names. */
export function serviceOf(t: Translator, reader: Reader): ServiceEntry | undefined {
  let name = reader.str(['api_management_name']);
  if (!name) {
    const referenced = reader.referenced(['api_management_id']);
    const fromRef = referenced?.type === 'azurerm_api_management' ? referenced.values['name'] : undefined;
    const id = reader.str(['api_management_id']);
    name = typeof fromRef === 'string' ? fromRef : id ? /\/service\/([^/]+)/i.exec(id)?.[1] : undefined;
  }
  if (!name) {
    t.gap(
      reader.r.address,
      'the API Management service it belongs to is unknown until apply; it is left out',
    );
    return undefined;
  }
  const key = name.toLowerCase();
  const existing = t.services.get(key);
  if (existing) return existing;
  // The service itself is managed elsewhere: a bare record to hold what this plan declares in it.
  const entry: ServiceEntry = {
    record: {
      name,
      type: 'Microsoft.ApiManagement/service',
      properties: {},
      origin: t.origin(new Reader(t, reader.r)),
    },
    declared: false,
  };
  t.services.set(key, entry);
  return entry;
}

/** A child resource of a service with the name it gives in `nameAttribute`; undefined when either is unknown. */
function serviceChild(
  t: Translator,
  r: PlannedResource,
  nameAttribute = 'name',
): { reader: Reader; service: ServiceEntry; name: string } | undefined {
  const reader = new Reader(t, r);
  const service = serviceOf(t, reader);
  const name = reader.str([nameAttribute], 'name');
  return service && name ? { reader, service, name } : undefined;
}

export function authorizationServer(t: Translator, r: PlannedResource): void {
  const child = serviceChild(t, r);
  if (!child) return;
  const { reader, service, name } = child;
  const p: AuthorizationServerProperties = {};
  const s = (key: keyof AuthorizationServerProperties & string, attribute: string) =>
    put(p, key, reader.str([attribute], `properties/${key}`));
  const list = (key: keyof AuthorizationServerProperties & string, attribute: string) =>
    put(p, key, reader.strings([attribute], `properties/${key}`));
  s('displayName', 'display_name');
  s('description', 'description');
  s('clientRegistrationEndpoint', 'client_registration_endpoint');
  s('authorizationEndpoint', 'authorization_endpoint');
  s('tokenEndpoint', 'token_endpoint');
  list('grantTypes', 'grant_types');
  list('authorizationMethods', 'authorization_methods');
  list('clientAuthenticationMethod', 'client_authentication_method');
  list('bearerTokenSendingMethods', 'bearer_token_sending_methods');
  s('defaultScope', 'default_scope');
  s('clientId', 'client_id');
  put(p, 'supportState', reader.bool(['support_state'], 'properties/supportState'));
  const parameters = reader.blocks(['token_body_parameter']).map((i) => {
    reader.map(`properties/tokenBodyParameters/${i}/name`, ['token_body_parameter', i, 'name']);
    reader.map(`properties/tokenBodyParameters/${i}/value`, ['token_body_parameter', i, 'value']);
    return {
      name: reader.str(['token_body_parameter', i, 'name']) ?? '',
      value: reader.str(['token_body_parameter', i, 'value']) ?? '',
    };
  });
  if (parameters.length > 0) {
    reader.map('properties/tokenBodyParameters', ['token_body_parameter']);
    p.tokenBodyParameters = parameters;
  }
  // client_secret, resource_owner_username and resource_owner_password are deliberately never read.
  const record = resource(t, reader, name, 'Microsoft.ApiManagement/service/authorizationServers', p);
  (service.record.authorizationServers ??= []).push(record);
}

function resource<P>(
  t: Translator,
  reader: Reader,
  name: string,
  type: string,
  properties: P,
): InventoryResource<P> {
  const id = reader.computed(['id']);
  const record: InventoryResource<P> = {
    name,
    type,
    properties,
    origin: t.origin(reader, { resourceId: id }),
  };
  if (id?.startsWith('/subscriptions/')) record.id = id;
  return record;
}

export function openIdProvider(t: Translator, r: PlannedResource): void {
  const child = serviceChild(t, r);
  if (!child) return;
  const { reader, service, name } = child;
  const p: OpenIdProviderProperties = {};
  put(p, 'displayName', reader.str(['display_name'], 'properties/displayName'));
  put(p, 'metadataEndpoint', reader.str(['metadata_endpoint'], 'properties/metadataEndpoint'));
  put(p, 'clientId', reader.str(['client_id'], 'properties/clientId'));
  const record = resource(t, reader, name, 'Microsoft.ApiManagement/service/openidConnectProviders', p);
  (service.record.openidConnectProviders ??= []).push(record);
}

export function api(t: Translator, r: PlannedResource): void {
  const child = serviceChild(t, r);
  if (!child) return;
  const { reader, service, name } = child;
  const record = resource(t, reader, name, 'Microsoft.ApiManagement/service/apis', {}) as InventoryApi;
  const p = record.properties;
  put(p, 'displayName', reader.str(['display_name'], 'properties/displayName'));
  put(p, 'path', reader.str(['path'], 'properties/path'));
  put(p, 'protocols', reader.strings(['protocols'], 'properties/protocols'));
  put(p, 'serviceUrl', reader.str(['service_url'], 'properties/serviceUrl'));
  put(p, 'subscriptionRequired', reader.bool(['subscription_required'], 'properties/subscriptionRequired'));
  put(p, 'apiRevision', reader.str(['revision'], 'properties/apiRevision'));
  put(p, 'isCurrent', reader.bool(['is_current'], 'properties/isCurrent'));
  put(p, 'type', reader.str(['api_type'], 'properties/type'));
  const settings: NonNullable<InventoryApi['properties']['authenticationSettings']> = {};
  const [oauth] = reader.blocks(['oauth2_authorization']);
  if (oauth !== undefined) {
    const base = 'properties/authenticationSettings/oAuth2';
    const server = reader.str(
      ['oauth2_authorization', oauth, 'authorization_server_name'],
      `${base}/authorizationServerId`,
    );
    const scope = reader.str(['oauth2_authorization', oauth, 'scope'], `${base}/scope`);
    reader.map(base, ['oauth2_authorization', oauth]);
    if (server) settings.oAuth2 = { authorizationServerId: server, scope: scope ?? null };
  }
  const [openid] = reader.blocks(['openid_authentication']);
  if (openid !== undefined) {
    const base = 'properties/authenticationSettings/openid';
    const provider = reader.str(
      ['openid_authentication', openid, 'openid_provider_name'],
      `${base}/openidProviderId`,
    );
    const methods = reader.strings(
      ['openid_authentication', openid, 'bearer_token_sending_methods'],
      `${base}/bearerTokenSendingMethods`,
    );
    reader.map(base, ['openid_authentication', openid]);
    if (provider)
      settings.openid = methods
        ? { openidProviderId: provider, bearerTokenSendingMethods: methods }
        : { openidProviderId: provider };
  }
  p.authenticationSettings = settings;
  record.origin = t.origin(reader, { resourceId: record.id });
  (service.record.apis ??= []).push(record);
}

export function findApi(
  t: Translator,
  reader: Reader,
  required: boolean,
): { service: ServiceEntry; api: InventoryApi } | undefined {
  const service = serviceOf(t, reader);
  const name = reader.str(['api_name']);
  if (!service || !name) return undefined;
  const api = service.record.apis?.find((a) => a.name.toLowerCase() === name.toLowerCase());
  if (!api && required) {
    t.gap(
      reader.r.address,
      `API '${name}' is not declared in this plan, so its policy cannot be attached; audit the API's own source too`,
    );
  }
  return api ? { service, api } : undefined;
}

export function operation(t: Translator, r: PlannedResource): void {
  const reader = new Reader(t, r);
  const found = findApi(t, reader, true);
  const name = reader.str(['operation_id'], 'name');
  if (!found || !name) return;
  const record = resource(
    t,
    reader,
    name,
    'Microsoft.ApiManagement/service/apis/operations',
    {},
  ) as InventoryOperation;
  put(record.properties, 'displayName', reader.str(['display_name'], 'properties/displayName'));
  put(record.properties, 'method', reader.str(['method'], 'properties/method'));
  put(record.properties, 'urlTemplate', reader.str(['url_template'], 'properties/urlTemplate'));
  record.origin = t.origin(reader, { resourceId: record.id });
  (found.api.operations ??= []).push(record);
}

export function product(t: Translator, r: PlannedResource): void {
  const child = serviceChild(t, r, 'product_id');
  if (!child) return;
  const { reader, service, name } = child;
  const record = resource(
    t,
    reader,
    name,
    'Microsoft.ApiManagement/service/products',
    {},
  ) as InventoryProduct;
  put(record.properties, 'displayName', reader.str(['display_name'], 'properties/displayName'));
  put(
    record.properties,
    'subscriptionRequired',
    reader.bool(['subscription_required'], 'properties/subscriptionRequired'),
  );
  const published = reader.bool(['published'], 'properties/state');
  if (published !== undefined) record.properties.state = published ? 'published' : 'notPublished';
  record.origin = t.origin(reader, { resourceId: record.id });
  (service.record.products ??= []).push(record);
}

/** A product of the service (a bare record when the product, e.g. the built-in `starter`, is managed elsewhere). */
export function findProduct(t: Translator, reader: Reader): InventoryProduct | undefined {
  const service = serviceOf(t, reader);
  const name = reader.str(['product_id']);
  if (!service || !name) return undefined;
  const products = (service.record.products ??= []);
  const existing = products.find((p) => p.name.toLowerCase() === name.toLowerCase());
  if (existing) return existing;
  const bare: InventoryProduct = { name, properties: {}, origin: t.origin(new Reader(t, reader.r)) };
  products.push(bare);
  return bare;
}

export function productApi(t: Translator, r: PlannedResource): void {
  const reader = new Reader(t, r);
  const product = findProduct(t, reader);
  const api = reader.str(['api_name']);
  if (product && api && !(product.apis ?? []).includes(api)) (product.apis ??= []).push(api);
}

export function namedValue(t: Translator, r: PlannedResource): void {
  const child = serviceChild(t, r);
  if (!child) return;
  const { reader, service, name } = child;
  const p: NamedValueProperties = {};
  put(p, 'displayName', reader.str(['display_name'], 'properties/displayName'));
  const secret = reader.bool(['secret'], 'properties/secret');
  put(p, 'secret', secret);
  // A secret's value is in plain text in the plan: never copied.
  if (secret !== true && !t.plan.isSensitive(r, ['value']))
    put(p, 'value', reader.str(['value'], 'properties/value'));
  const [vault] = reader.blocks(['value_from_key_vault']);
  if (vault !== undefined) {
    const keyVault: NonNullable<NamedValueProperties['keyVault']> = {};
    put(
      keyVault,
      'secretIdentifier',
      reader.str(['value_from_key_vault', vault, 'secret_id'], 'properties/keyVault/secretIdentifier'),
    );
    put(
      keyVault,
      'identityClientId',
      reader.str(
        ['value_from_key_vault', vault, 'identity_client_id'],
        'properties/keyVault/identityClientId',
      ),
    );
    p.keyVault = keyVault;
  }
  put(p, 'tags', reader.strings(['tags'], 'properties/tags'));
  (service.record.namedValues ??= []).push(
    resource(t, reader, name, 'Microsoft.ApiManagement/service/namedValues', p),
  );
}

export function fragment(t: Translator, r: PlannedResource): void {
  const child = serviceChild(t, r);
  if (!child) return;
  const { reader, service, name } = child;
  const value = reader.str(['value'], 'properties/value');
  const format = reader.str(['format'], 'properties/format');
  const record = resource(
    t,
    reader,
    name,
    'Microsoft.ApiManagement/service/policyFragments',
    {},
  ) as InventoryFragment;
  put(record.properties, 'value', value);
  if (format === 'xml' || format === 'rawxml') record.properties.format = format;
  put(record.properties, 'description', reader.str(['description'], 'properties/description'));
  record.origin = t.origin(reader, { resourceId: record.id });
  if (value !== undefined) record.valueOrigin = t.textOrigin(reader, 'value', value);
  (service.record.policyFragments ??= []).push(record);
}
