/**
 * What the azure source collects from a service with everything: workspaces (APIs, products by API link,
 * policies, fragments, named values), policy fragments as rawxml, API revisions, and secret values that a
 * (misbehaving) service returns, which must never reach the inventory.
 */
import { azureSource } from '../../../src/sources/live';
import type { Inventory } from '../../../src/inventory/types';
import type { EmulatedService } from './emulator/data';
import { contosoTenant, CONTOSO_SERVICE_ID, sourceContext, startFixture, type LiveFixture } from './helpers';

const POLICY = (marker: string) =>
  `<policies><inbound><base /><set-header name="X-Marker" exists-action="override"><value>@("${marker}")</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;

function richTenant() {
  const tenant = contosoTenant();
  const service = tenant.services[0] as EmulatedService;
  service.apis?.push({
    id: `${CONTOSO_SERVICE_ID}/apis/colors-api;rev=2`,
    name: 'colors-api;rev=2',
    properties: { displayName: 'Colors API', path: 'colors', apiRevision: '2', isCurrent: false },
    operations: [],
  });
  service.authorizationServers?.forEach((s) => (s.properties['clientSecret'] = 'AUTH-SERVER-SECRET'));
  service.namedValues?.forEach((v) => {
    if (v.properties['secret'] === true) v.properties['value'] = 'NAMED-VALUE-SECRET';
  });
  service.policyFragments = [
    {
      id: `${CONTOSO_SERVICE_ID}/policyFragments/jwt-check`,
      name: 'jwt-check',
      type: 'Microsoft.ApiManagement/service/policyFragments',
      properties: { description: 'shared', value: '<fragment><base /><check-header name="a" /></fragment>' },
    },
  ];
  const ws = `${CONTOSO_SERVICE_ID}/workspaces/finance`;
  service.workspaces = [
    {
      id: ws,
      name: 'finance',
      type: 'Microsoft.ApiManagement/service/workspaces',
      properties: { displayName: 'Finance' },
      policy: { format: 'rawxml', value: POLICY('workspace') },
      apis: [
        {
          id: `${ws}/apis/ledger`,
          name: 'ledger',
          properties: { displayName: 'Ledger', path: 'ledger', isCurrent: true },
          policy: { format: 'rawxml', value: POLICY('ledger') },
          operations: [
            {
              id: `${ws}/apis/ledger/operations/list`,
              name: 'list',
              properties: {
                method: 'GET',
                urlTemplate: '/entries',
                request: { headers: [{ name: 'Authorization', defaultValue: 'Bearer sample' }] },
              },
              policy: { format: 'rawxml', value: POLICY('list') },
            },
          ],
        },
      ],
      products: [
        {
          id: `${ws}/products/finance-product`,
          name: 'finance-product',
          properties: { displayName: 'Finance' },
          apis: ['ledger'],
          policy: { format: 'rawxml', value: POLICY('product') },
        },
      ],
      policyFragments: [
        {
          id: `${ws}/policyFragments/ws-fragment`,
          name: 'ws-fragment',
          properties: { value: '<fragment />' },
        },
      ],
      namedValues: [
        {
          id: `${ws}/namedValues/ws-secret`,
          name: 'ws-secret',
          properties: { displayName: 'ws-secret', secret: true, value: 'WS-SECRET' },
        },
      ],
    },
  ];
  return tenant;
}

let fixture: LiveFixture;
beforeAll(async () => {
  fixture = await startFixture({ tenant: richTenant() });
});
afterAll(() => fixture.emulator.close());
beforeEach(() => fixture.emulator.reset());

async function load(live: Record<string, unknown> = {}): Promise<Inventory> {
  const context = sourceContext(fixture.env, { live });
  return azureSource.load(CONTOSO_SERVICE_ID, `azure:${CONTOSO_SERVICE_ID}`, context);
}

it('collects workspaces with their APIs, operations, products (by API link), policies, fragments and named values', async () => {
  const inventory = await load();
  expect(inventory.gaps).toEqual([]);
  const workspace = inventory.services[0]?.workspaces?.[0];
  expect(workspace?.name).toBe('finance');
  expect(workspace?.policy?.value).toContain('"workspace"');
  expect(workspace?.apis?.[0]?.policy).toEqual({
    format: 'rawxml',
    value: POLICY('ledger'),
    origin: { resourceId: `${CONTOSO_SERVICE_ID}/workspaces/finance/apis/ledger/policies/policy` },
  });
  expect(workspace?.apis?.[0]?.operations?.[0]?.policy?.value).toBe(POLICY('list'));
  // Request samples are not configuration and may hold credentials: they are not kept.
  expect(workspace?.apis?.[0]?.operations?.[0]?.properties).toEqual({
    method: 'GET',
    urlTemplate: '/entries',
  });
  expect(workspace?.products?.[0]?.apis).toEqual(['ledger']);
  expect(workspace?.products?.[0]?.policy?.value).toBe(POLICY('product'));
  expect(workspace?.policyFragments?.[0]?.properties).toEqual({ value: '<fragment />', format: 'rawxml' });
  expect(workspace?.namedValues?.[0]?.properties).toEqual({ displayName: 'ws-secret', secret: true });
});

it('reads policy fragments one by one as rawxml (the list does not carry the rawxml text)', async () => {
  const inventory = await load();
  const fragment = inventory.services[0]?.policyFragments?.[0];
  expect(fragment?.properties).toEqual({
    description: 'shared',
    value: '<fragment><base /><check-header name="a" /></fragment>',
    format: 'rawxml',
  });
  expect(fragment?.valueOrigin).toEqual({ resourceId: `${CONTOSO_SERVICE_ID}/policyFragments/jwt-check` });
  expect(fixture.emulator.requests.map((r) => r.url)).toContainEqual(
    expect.stringMatching(/\/policyFragments\/jwt-check\?api-version=[\d-]+&format=rawxml$/),
  );
});

it('a fragment that cannot be read is kept with its text unknown, and is a gap', async () => {
  fixture.emulator.faults.push({ match: /policyFragments\/jwt-check\?/, status: 403 });
  const inventory = await load();
  const fragment = inventory.services[0]?.policyFragments?.[0];
  expect(fragment?.properties).toEqual({ description: 'shared' });
  expect(fragment?.origin.unknown).toEqual({
    'properties/value': expect.stringMatching(/^not read: HTTP 403/),
  });
  expect(inventory.gaps.map((g) => g.what)).toEqual([
    `policy fragment jwt-check in service contoso-apim (${CONTOSO_SERVICE_ID}/policyFragments/jwt-check)`,
  ]);
});

it('reads current API revisions only, unless includeAllRevisions', async () => {
  const current = await load();
  expect(current.services[0]?.apis?.map((a) => a.name)).toEqual(['colors-api', 'colors-admin-api']);
  const all = await load({ includeAllRevisions: true });
  expect(all.services[0]?.apis?.map((a) => a.name)).toEqual([
    'colors-api',
    'colors-admin-api',
    'colors-api;rev=2',
  ]);
});

it('never keeps a secret value, even when the service returns one', async () => {
  const text = JSON.stringify(await load());
  for (const secret of ['AUTH-SERVER-SECRET', 'NAMED-VALUE-SECRET', 'WS-SECRET', 'Bearer sample']) {
    expect(text).not.toContain(secret);
  }
  expect(text).toContain('colors-backend-key');
});

it('reports progress as requests finish', async () => {
  const seen: [number, number][] = [];
  const context = sourceContext(fixture.env, { progress: (done, total) => seen.push([done, total]) });
  await azureSource.load(CONTOSO_SERVICE_ID, 'azure:x', context);
  const last = seen[seen.length - 1];
  expect(last?.[0]).toBe(last?.[1]);
  expect(last?.[0]).toBe(fixture.emulator.requests.length);
  expect(seen.every(([done, total]) => done <= total)).toBe(true);
});
