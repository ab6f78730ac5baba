/**
 * The Graph source's plans: the whole tenant when alone, the referenced apps by appId (a `$filter` GET, or
 * `$batch`es of filters) after an APIM source, unless paging the tenant takes fewer requests. Inner `$batch`
 * failures are retried or become gaps: Graph does not retry inside a batch.
 */
import { graphSource } from '../../../src/sources/live';
import { byAppIdRequests } from '../../../src/sources/live/graph';
import { syntheticTenant } from './emulator/data';
import { CLIENT_ID, CLIENT_SECRET, sourceContext, startFixture, type LiveFixture } from './helpers';

let fixture: LiveFixture;
const tenant = syntheticTenant(
  { applications: 1200, apis: 0, operationsPerApi: 0, authorizationServers: 0, products: 0 },
  { [CLIENT_ID]: CLIENT_SECRET },
);
const appId = (i: number) => String(tenant.applications[i]?.['appId']);

beforeAll(async () => {
  fixture = await startFixture({ tenant });
});
afterAll(() => fixture.emulator.close());
beforeEach(() => fixture.emulator.reset());

function load(referencedAppIds: string[] | undefined) {
  const context = sourceContext(fixture.env, { referencedAppIds });
  return graphSource.load('', 'graph', context);
}

const urls = () => fixture.emulator.requests.filter((r) => r.url.startsWith('/v1.0/')).map((r) => r.url);

it('counts requests of the by-appId plan: 15 ids per filter, 20 filters per batch', () => {
  expect([0, 1, 15, 16, 300, 301, 600, 601].map(byAppIdRequests)).toEqual([0, 1, 1, 1, 1, 2, 2, 3]);
});

it('alone, reads the whole tenant in pages of 999', async () => {
  const inventory = await load(undefined);
  expect(inventory.applications).toHaveLength(1200);
  expect(urls()).toEqual([
    expect.stringMatching(/^\/v1\.0\/applications\?\$select=.*&\$top=999$/),
    expect.stringMatching(/\$skiptoken=/),
  ]);
});

it('no referenced app: no request at all', async () => {
  const inventory = await load([]);
  expect(inventory.applications).toEqual([]);
  expect(inventory.sources[0]?.provides.entra).toBe(true);
  expect(fixture.emulator.requests).toEqual([]);
});

it('up to 15 referenced apps: one $filter GET; an unknown appId is simply not found', async () => {
  const ids = [appId(3), appId(700), '00000000-0000-4000-8000-00000000dead'];
  const inventory = await load(ids);
  expect(inventory.applications.map((a) => a.appId).sort()).toEqual([appId(3), appId(700)].sort());
  expect(urls()).toEqual([expect.stringMatching(/^\/v1\.0\/applications\?\$filter=appId in \('/)]);
  expect(inventory.gaps).toEqual([]);
});

it('more: one $batch of filters; inner 429 and 503 are sent again, an inner 403 is a gap', async () => {
  const ids = Array.from({ length: 100 }, (_, i) => appId(i * 7));
  fixture.emulator.faults.push(
    {
      match: new RegExp(`appId in \\('${appId(0)}'`),
      times: 1,
      status: 429,
      headers: { 'Retry-After': '0' },
    },
    { match: new RegExp(`appId in \\('${appId(15 * 7)}'`), times: 2, status: 503 },
    {
      match: new RegExp(`appId in \\('${appId(30 * 7)}'`),
      status: 403,
      body: { error: { code: 'Authorization_RequestDenied', message: 'denied' } },
    },
  );
  const inventory = await load(ids);
  const outer = fixture.emulator.requests.filter((r) => !r.inner);
  expect(outer.map((r) => `${r.method} ${r.url}`).filter((u) => u.includes('/v1.0/'))).toEqual([
    'POST /v1.0/$batch',
    'POST /v1.0/$batch',
    'POST /v1.0/$batch',
  ]);
  expect(inventory.applications).toHaveLength(85);
  expect(inventory.gaps).toEqual([
    {
      source: 'graph',
      what: `applications with appId ${ids.slice(30, 45).join(', ')}`,
      reason: 'HTTP 403 Forbidden (Authorization_RequestDenied)',
      applications: ids.slice(30, 45),
    },
  ]);
});

it('many referenced apps in a small tenant: pages the tenant (after $count) and keeps the referenced', async () => {
  const ids = Array.from({ length: 700 }, (_, i) => appId(i));
  const inventory = await load(ids);
  expect(urls()).toEqual([
    '/v1.0/applications/$count',
    expect.stringMatching(/\$top=999$/),
    expect.stringMatching(/\$skiptoken=/),
  ]);
  expect(inventory.applications).toHaveLength(700);
});

it('drops secret text and OData annotations; origins carry the Graph object id', async () => {
  const inventory = await load([appId(1)]);
  const app = inventory.applications[0];
  expect(app?.origin).toEqual({ graphObjectId: tenant.applications[1]?.['id'] });
  expect(Object.keys(app ?? {}).some((k) => k.startsWith('@odata'))).toBe(false);
});
