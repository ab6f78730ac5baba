/**
 * Absent is not empty (issue 9 §1): a source states which collections it carries; one it does not carry is unknown,
 * not empty, and merging a source that carries it makes it known. "Authorization server 'x' does not exist" is said
 * only when the service's server collection is known complete.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { notCarried } from '../../src/inventory/collections';
import type { Inventory, InventoryService } from '../../src/inventory/types';
import { normalize } from '../../src/model/normalize';
import type { Api } from '../../src/model/types';
import { loadApiopsFolder } from '../../src/sources/apiops';
import { loadArmTemplate } from '../../src/sources/arm';
import { mergeInventories } from '../../src/inventory/merge';
import { parseSnapshot, toSnapshotDocument } from '../../src/sources/snapshot';
import { loadTerraformPlan } from '../../src/sources/terraform';
import { loadSampleDoc } from '../helpers/sample';
import { makeTempDir } from '../helpers/temp';
import { scanJson } from '../sources/iac-helpers';

type Json = Record<string, unknown>;

function write(dir: string, file: string, content: Json | string): void {
  const full = path.join(dir, file);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
}

const SERVER: Json = {
  properties: {
    displayName: 'Entra ID',
    clientRegistrationEndpoint: 'https://localhost',
    authorizationEndpoint: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize',
    tokenEndpoint: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
    grantTypes: ['authorizationCode'],
    authorizationMethods: ['GET'],
    clientId: '11111111-2222-4333-8444-555555555555',
    defaultScope: 'api://orders/Orders.Read',
  },
};

/**
 * A minimal APIOps artifact folder: one API (`orders-api`) whose user authorization names `entra-auth`, the servers
 * given as hand-written `authorizationServers/<name>/` entries (`undefined`: no such folder at all).
 */
function apiopsFolder(servers: string[] | undefined, options: { openid?: string } = {}): string {
  const dir = makeTempDir('collections');
  const authenticationSettings = options.openid
    ? { openid: { openidProviderId: options.openid, bearerTokenSendingMethods: ['authorizationHeader'] } }
    : { oAuth2: { authorizationServerId: 'entra-auth', scope: null } };
  write(dir, 'apis/orders-api/apiInformation.json', {
    properties: { displayName: 'Orders', path: 'orders', protocols: ['https'], authenticationSettings },
  });
  if (servers) {
    mkdirSync(path.join(dir, 'authorizationServers'), { recursive: true });
    for (const name of servers)
      write(dir, `authorizationServers/${name}/authorizationServerInformation.json`, SERVER);
  }
  return dir;
}

function serviceOf(inventory: Inventory): InventoryService {
  const service = inventory.services[0];
  if (!service) throw new Error('no service');
  return service;
}

function onlyApi(inventory: Inventory, links: Parameters<typeof normalize>[1] = []): Api {
  const api = normalize(inventory, links).apis[0];
  if (!api) throw new Error('no API');
  return api;
}

describe('an APIOps folder', () => {
  it('does not carry authorization servers without a hand-written authorizationServers/ folder', () => {
    const service = serviceOf(loadApiopsFolder(apiopsFolder(undefined)));
    expect(service.authorizationServers).toEqual([]);
    const reason = notCarried(service.origin, 'authorizationServers');
    expect(reason).toMatch(/^APIOps does not extract authorization servers/);
    // The reason says how to add the data.
    expect(reason).toContain('--source azure:');
    expect(reason).toContain('authorizationServers/<name>/authorizationServerInformation.json');
    expect(reason).toContain('"links"');
    // Without a service name, merging with another source needs one.
    expect(reason).toContain('#<service name>');
  });

  it('carries them when the folder is there, even empty', () => {
    for (const servers of [[], ['entra-auth']]) {
      const service = serviceOf(loadApiopsFolder(apiopsFolder(servers)));
      expect(notCarried(service.origin, 'authorizationServers')).toBeUndefined();
    }
  });

  it('does not carry them when an entry of the folder cannot be read', () => {
    const dir = apiopsFolder(['entra-auth']);
    mkdirSync(path.join(dir, 'authorizationServers', 'other-auth'));
    const inventory = loadApiopsFolder(dir);
    expect(notCarried(serviceOf(inventory).origin, 'authorizationServers')).toMatch(
      /has entries without a readable authorizationServerInformation\.json/,
    );
  });

  it('never carries OpenID Connect providers', () => {
    const service = serviceOf(loadApiopsFolder(apiopsFolder(['entra-auth'])));
    expect(notCarried(service.origin, 'openidConnectProviders')).toMatch(
      /^APIOps does not extract OpenID Connect providers.*--source azure:/,
    );
  });

  it('carries what it extracts: the global policy, products, named values and fragments', () => {
    const service = serviceOf(loadApiopsFolder(apiopsFolder([])));
    for (const collection of ['policy', 'products', 'namedValues', 'policyFragments', 'apis'] as const) {
      expect(notCarried(service.origin, collection)).toBeUndefined();
    }
  });
});

describe('a reference to a server, in the model', () => {
  it('is unknown when the collection is not carried, with the reason', () => {
    const ref = onlyApi(loadApiopsFolder(apiopsFolder(undefined))).oauth2[0];
    expect(ref?.state).toBe('unknown');
    expect(ref?.target).toBeUndefined();
    expect(ref?.state === 'unknown' && ref.reason).toMatch(/APIOps does not extract authorization servers/);
  });

  it('is absent when the collection is carried and does not list it', () => {
    const ref = onlyApi(loadApiopsFolder(apiopsFolder(['other-auth']))).oauth2[0];
    expect(ref).toMatchObject({ state: 'absent', ref: 'entra-auth', collection: 'authorizationServers' });
  });

  it('is present when listed', () => {
    const ref = onlyApi(loadApiopsFolder(apiopsFolder(['entra-auth']))).oauth2[0];
    expect(ref?.state).toBe('present');
    expect(ref?.target?.name).toBe('entra-auth');
  });

  it('to an OpenID Connect provider is unknown in an APIOps folder', () => {
    const ref = onlyApi(loadApiopsFolder(apiopsFolder([], { openid: 'entra-oidc' }))).openid[0];
    expect(ref).toMatchObject({ state: 'unknown', collection: 'openidConnectProviders' });
  });

  it('is present when a "links" entry names the server the data does not carry; its settings stay unknown', () => {
    const inventory = loadApiopsFolder(apiopsFolder(undefined));
    const api = onlyApi(inventory, [{ authorizationServer: 'entra-auth' }]);
    const server = api.oauth2[0]?.target;
    expect(api.oauth2[0]?.state).toBe('present');
    expect(server?.origin.unknown?.['properties']).toMatch(/known only from a "links" entry of the config/);
    expect(server?.apis).toEqual([api]);
  });

  it('is not invented by a "links" entry when the collection is known complete', () => {
    const inventory = loadApiopsFolder(apiopsFolder(['other-auth']));
    const api = onlyApi(inventory, [{ authorizationServer: 'entra-auth' }]);
    expect(api.oauth2[0]?.state).toBe('absent');
    expect(api.service.authorizationServers.map((s) => s.name)).toEqual(['other-auth']);
  });
});

describe('a snapshot', () => {
  it('carries every collection it lists, and keeps what its sources did not carry ($unknown)', () => {
    const doc = loadSampleDoc();
    const snapshot = parseSnapshot(JSON.stringify(doc), 'snapshot.json');
    expect(serviceOf(snapshot).origin.unknown).toBeUndefined();
    const fromApiops = toSnapshotDocument(loadApiopsFolder(apiopsFolder(undefined)));
    const again = parseSnapshot(JSON.stringify(fromApiops), 'again.json');
    expect(notCarried(serviceOf(again).origin, 'authorizationServers')).toMatch(/APIOps does not extract/);
  });
});

describe('merging', () => {
  const snapshotNamed = (name: string): Inventory => {
    const doc = loadSampleDoc();
    const service = doc.apim?.[0] as Json;
    service['name'] = name;
    return parseSnapshot(JSON.stringify(doc), 'snapshot.json', 'snapshot:snapshot.json');
  };
  const apiopsNamed = (name: string, servers: string[] | undefined) =>
    loadApiopsFolder(`${apiopsFolder(servers)}#${name}`);

  it('makes a collection known when the other source carries it, whichever comes first', () => {
    for (const parts of [
      [apiopsNamed('contoso-apim', undefined), snapshotNamed('contoso-apim')],
      [snapshotNamed('contoso-apim'), apiopsNamed('contoso-apim', undefined)],
    ]) {
      const merged = serviceOf(mergeInventories(parts));
      expect(notCarried(merged.origin, 'authorizationServers')).toBeUndefined();
      expect(notCarried(merged.origin, 'openidConnectProviders')).toBeUndefined();
      expect(merged.authorizationServers?.map((s) => s.name)).toContain('colors-oauth');
    }
  });

  it('keeps it unknown when no source carries it, and leaves the sources untouched', () => {
    const first = apiopsNamed('contoso-apim', undefined);
    const second = apiopsNamed('contoso-apim', undefined);
    const merged = serviceOf(mergeInventories([first, second]));
    expect(notCarried(merged.origin, 'authorizationServers')).toMatch(/APIOps does not extract/);
    const withSnapshot = mergeInventories([first, snapshotNamed('contoso-apim')]);
    expect(notCarried(serviceOf(withSnapshot).origin, 'authorizationServers')).toBeUndefined();
    expect(notCarried(serviceOf(first).origin, 'authorizationServers')).toBeDefined();
  });

  it('turns an unknown reference into a known one: present, or absent', () => {
    const present = mergeInventories([apiopsNamed('contoso-apim', undefined), snapshotNamed('contoso-apim')]);
    const ref = normalize(present).apis.find((a) => a.name === 'orders-api')?.oauth2[0];
    // The sample's server is 'colors-oauth': the API's 'entra-auth' is now known not to exist.
    expect(ref?.state).toBe('absent');
  });
});

describe('an ARM template', () => {
  const api = {
    type: 'Microsoft.ApiManagement/service/apis',
    apiVersion: '2022-08-01',
    name: 'apim-orders/orders-api',
    properties: {
      displayName: 'Orders',
      path: 'orders',
      protocols: ['https'],
      authenticationSettings: { oAuth2AuthenticationSettings: [{ authorizationServerId: 'entra-auth' }] },
    },
  };
  const service = {
    type: 'Microsoft.ApiManagement/service',
    apiVersion: '2022-08-01',
    name: 'apim-orders',
    location: 'westeurope',
    sku: { name: 'Developer', capacity: 1 },
    properties: { publisherEmail: 'api@contoso.com', publisherName: 'Contoso' },
  };
  const load = (resources: unknown[]) => {
    const dir = makeTempDir('collections-arm');
    write(dir, 'main.json', {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources,
    });
    return loadArmTemplate(path.join(dir, 'main.json'), 'arm:main.json', dir);
  };

  it('that adds an API to a service it does not declare states none of its other collections', () => {
    const origin = serviceOf(load([api])).origin;
    for (const collection of [
      'policy',
      'authorizationServers',
      'openidConnectProviders',
      'products',
      'apis',
    ] as const) {
      expect(notCarried(origin, collection)).toMatch(/^service 'apim-orders' is not declared in main\.json/);
    }
    expect(notCarried(origin, 'authorizationServers')).toMatch(
      /add the service's own source \(--source azure:/,
    );
    expect(onlyApi(load([api])).oauth2[0]?.state).toBe('unknown');
  });

  it('that declares the service carries everything', () => {
    const inventory = load([service, api]);
    expect(serviceOf(inventory).origin.unknown).toBeUndefined();
    expect(onlyApi(inventory).oauth2[0]?.state).toBe('absent');
  });
});

describe('a Terraform plan', () => {
  const apiResource = {
    address: 'azurerm_api_management_api.orders',
    mode: 'managed',
    type: 'azurerm_api_management_api',
    name: 'orders',
    values: {
      name: 'orders-api',
      api_management_name: 'apim-orders',
      resource_group_name: 'rg',
      revision: '1',
      display_name: 'Orders',
      path: 'orders',
      protocols: ['https'],
      oauth2_authorization: [{ authorization_server_name: 'entra-auth', scope: null }],
    },
  };
  const serviceResource = {
    address: 'azurerm_api_management.apim',
    mode: 'managed',
    type: 'azurerm_api_management',
    name: 'apim',
    values: { name: 'apim-orders', location: 'westeurope', resource_group_name: 'rg' },
  };
  const load = (resources: unknown[]) => {
    const dir = makeTempDir('collections-tf');
    write(dir, 'plan.json', {
      format_version: '1.2',
      planned_values: { root_module: { resources } },
    });
    return loadTerraformPlan(path.join(dir, 'plan.json'), 'terraform:plan.json', dir);
  };

  it('that adds an API to a service managed elsewhere states none of its other collections', () => {
    const inventory = load([apiResource]);
    const origin = serviceOf(inventory).origin;
    for (const collection of ['policy', 'authorizationServers', 'products', 'apis'] as const) {
      expect(notCarried(origin, collection)).toMatch(/^service 'apim-orders' is not declared in plan\.json/);
    }
    expect(onlyApi(inventory).oauth2[0]?.state).toBe('unknown');
  });

  it('that declares the service carries everything', () => {
    const inventory = load([serviceResource, apiResource]);
    expect(serviceOf(inventory).origin.unknown).toBeUndefined();
    expect(onlyApi(inventory).oauth2[0]?.state).toBe('absent');
  });
});

describe('a scan (CLI)', () => {
  it('does not say a server does not exist when the source does not carry servers; it says how to add them', async () => {
    const dir = apiopsFolder(undefined);
    const { report } = await scanJson([`apiops:${dir}`]);
    expect(report.findings.filter((f) => f.ruleId === 'api-oauth-enabled')).toEqual([]);
    const record = report.notEvaluated.find((n) => n.ruleId === 'api-oauth-enabled');
    // One `resource`, or the `resources` of a grouped record.
    expect(JSON.stringify(record)).toMatch(
      /"kind":"api","name":"orders-api"|"kind":"api"[^}]*"name":"orders-api"/,
    );
    expect(record?.reason).toMatch(/authorizationServers of apimService/);
    expect(record?.reason).toMatch(
      /--source azure:.*authorizationServers\/<name>\/authorizationServerInformation\.json.*"links"/,
    );
  });

  it('says it when the hand-written folder lacks the server', async () => {
    const dir = apiopsFolder(['other-auth']);
    const { report } = await scanJson([`apiops:${dir}`]);
    const found = report.findings.filter((f) => f.ruleId === 'api-oauth-enabled');
    expect(found.map((f) => [f.severity, f.resource.name])).toEqual([['error', 'orders-api']]);
    expect(found[0]?.message).toContain("references authorization server 'entra-auth', which does not exist");
  });
});
