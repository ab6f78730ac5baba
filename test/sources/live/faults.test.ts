/**
 * The live sources against the emulator's faults: paging, throttling, server errors, resets, slow responses,
 * permission and not-found failures. Each failure the transport cannot repair must end as a gap naming the
 * resource (never a silently smaller inventory).
 */
import { azureSource } from '../../../src/sources/live';
import { graphSource } from '../../../src/sources/live';
import type { Inventory } from '../../../src/inventory/types';
import { CONTOSO_SERVICE_ID, sourceContext, startFixture, type LiveFixture } from './helpers';

const AZURE = `azure:${CONTOSO_SERVICE_ID}`;
const API_POLICY = /colors-api\/policies\/policy/;

let fixture: LiveFixture;

beforeAll(async () => {
  // Small pages: the sample tenant then spans several pages on both APIs.
  fixture = await startFixture({ armPageSize: 1, graphMaxPageSize: 1 });
});
afterAll(() => fixture.emulator.close());
beforeEach(() => fixture.emulator.reset());

function azure(env: Record<string, string> = {}) {
  const context = sourceContext({ ...fixture.env, ...env });
  return { context, load: () => azureSource.load(CONTOSO_SERVICE_ID, AZURE, context) };
}

function graph(env: Record<string, string> = {}, referencedAppIds?: string[]) {
  const context = sourceContext({ ...fixture.env, ...env }, { referencedAppIds });
  return { context, load: () => graphSource.load('', 'graph', context) };
}

function requested(pattern: RegExp): string[] {
  return fixture.emulator.requests
    .filter((r) => pattern.test(`${r.method} ${r.url}`))
    .map((r) => `${r.status}`);
}

const apiNames = (inventory: Inventory) => inventory.services[0]?.apis?.map((a) => a.name);

describe('paging', () => {
  it('follows ARM nextLinks over every page of every list', async () => {
    const inventory = await azure().load();
    expect(apiNames(inventory)).toEqual(['colors-api', 'colors-admin-api']);
    expect(inventory.services[0]?.namedValues?.map((v) => v.name)).toEqual([
      'tenant-id',
      'colors-backend-key',
    ]);
    expect(inventory.services[0]?.apis?.[0]?.operations?.map((o) => o.name)).toEqual([
      'get-colors',
      'get-random-color',
    ]);
    expect(requested(/contoso-apim\/apis\?.*\$skip=1/)).toEqual(['200']);
    expect(inventory.gaps).toEqual([]);
  });

  it('follows Graph @odata.nextLink pages, asking for 999 per page with $select', async () => {
    const inventory = await graph().load();
    expect(inventory.applications.map((a) => a.displayName).sort()).toEqual([
      'oauth-backend-app',
      'oauth-client-app',
    ]);
    const pages = fixture.emulator.requests.filter((r) => r.url.startsWith('/v1.0/applications'));
    expect(pages).toHaveLength(2);
    expect(pages[0]?.url).toMatch(/\$select=id,appId,displayName,.*&\$top=999$/);
    expect(pages[1]?.url).toMatch(/\$skiptoken=/);
    expect(inventory.tenantId).toBe('4f1e7a52-3c2b-4d8e-9a61-0b5c3d2e1f00');
  });
});

it('follows nextLink on a $filter by appId too (Graph may page below $top)', async () => {
  const ids = ['1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6', '6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d'];
  const inventory = await graph({}, ids).load();
  expect(inventory.applications.map((a) => a.appId)).toEqual(ids);
  expect(requested(/\$filter=appId in/)).toEqual(['200', '200']);
});

describe('transient failures are retried', () => {
  it.each([
    ['429 with Retry-After', { status: 429, headers: { 'Retry-After': '0' } }],
    ['503', { status: 503 }],
    ['500', { status: 500 }],
    ['a connection reset', { reset: true }],
  ])('%s on an API policy', async (_name, fault) => {
    fixture.emulator.faults.push({ match: API_POLICY, times: 2, ...fault });
    const { context, load } = azure();
    const inventory = await load();
    expect(inventory.gaps).toEqual([]);
    expect(inventory.services[0]?.apis?.[0]?.policy?.value).toContain('X-Colors-Client');
    expect(requested(API_POLICY)).toHaveLength(3);
    expect(context.lines.some((l) => /colors-api\/policies\/policy.*retrying in \d+ ms/.test(l))).toBe(true);
  });

  it('a response slower than the timeout, then a fast one', async () => {
    fixture.emulator.faults.push({ match: API_POLICY, times: 1, delayMs: 1500 });
    const inventory = await azure({ APIM_AUDIT_TIMEOUT_SECONDS: '0.3' }).load();
    expect(inventory.gaps).toEqual([]);
    expect(inventory.services[0]?.apis?.[0]?.policy?.value).toContain('X-Colors-Client');
  });

  it('429 and 503 on Graph pages', async () => {
    fixture.emulator.faults.push(
      { match: /skiptoken/, times: 1, status: 429, headers: { 'Retry-After': '0' } },
      { match: /^GET \/v1\.0\/applications/, times: 1, status: 503 },
    );
    const inventory = await graph().load();
    expect(inventory.applications).toHaveLength(2);
    expect(inventory.gaps).toEqual([]);
  });
});

describe('failures that remain become gaps naming the resource', () => {
  it('retries exhausted on 503', async () => {
    fixture.emulator.faults.push({ match: API_POLICY, status: 503 });
    const inventory = await azure().load();
    expect(inventory.gaps).toEqual([
      {
        source: AZURE,
        what: `policy of API colors-api in service contoso-apim (${CONTOSO_SERVICE_ID}/apis/colors-api/policies/policy)`,
        reason: 'HTTP 503 Service Unavailable (Injected) after 4 attempts',
      },
    ]);
    expect(requested(API_POLICY)).toHaveLength(4);
    // The API is kept, its policy marked unknown so that rules resting on it are not evaluated.
    const api = inventory.services[0]?.apis?.[0];
    expect(api?.policy).toBeUndefined();
    expect(api?.origin.unknown).toEqual({ policy: expect.stringMatching(/^not read: HTTP 503/) });
  });

  it('a timeout on every attempt', async () => {
    fixture.emulator.faults.push({ match: API_POLICY, delayMs: 1500 });
    const inventory = await azure({ APIM_AUDIT_TIMEOUT_SECONDS: '0.2', APIM_AUDIT_MAX_RETRIES: '1' }).load();
    expect(inventory.gaps.map((g) => g.reason)).toEqual(['timed out after 0.2 s (2 attempts)']);
  });

  it('connection resets on every attempt', async () => {
    fixture.emulator.faults.push({ match: /\/apis\/colors-admin-api\/operations\?/, reset: true });
    const inventory = await azure().load();
    expect(inventory.gaps).toHaveLength(1);
    expect(inventory.gaps[0]?.what).toMatch(/^operations of API colors-admin-api in service contoso-apim/);
    expect(inventory.gaps[0]?.reason).toMatch(/^connection failed \(.*\) \(4 attempts\)$/);
    expect(inventory.services[0]?.apis?.[1]?.origin.unknown).toHaveProperty('operations');
  });

  it('403 on one list', async () => {
    fixture.emulator.faults.push({
      match: /\/namedValues\?/,
      status: 403,
      body: { error: { code: 'AuthorizationFailed', message: 'no access' } },
    });
    const inventory = await azure().load();
    expect(inventory.gaps.map((g) => g.reason)).toEqual([
      'HTTP 403 Forbidden (AuthorizationFailed) (no read access)',
    ]);
    expect(inventory.services[0]?.origin.unknown).toEqual({ namedValues: expect.any(String) });
    expect(requested(/\/namedValues\?/)).toHaveLength(1);
  });

  it('404 on a list after the parent was listed (deleted during the audit)', async () => {
    fixture.emulator.faults.push({ match: /\/apis\/colors-api\/operations\?/, status: 404 });
    const inventory = await azure().load();
    expect(inventory.gaps[0]?.reason).toMatch(/^HTTP 404 Not Found .*\(deleted while the audit ran\?\)$/);
  });

  it('a Graph page that keeps failing', async () => {
    fixture.emulator.faults.push({ match: /skiptoken/, status: 500 });
    const inventory = await graph().load();
    expect(inventory.applications).toHaveLength(1);
    expect(inventory.gaps).toEqual([
      {
        source: 'graph',
        what: '/applications (page 2 and after; 1 applications read)',
        reason: 'HTTP 500 Internal Server Error (Injected) after 4 attempts',
        // The listing broke off: any app may be missing.
        applications: 'all',
      },
    ]);
  });
});

describe('limits', () => {
  it('never has more requests in flight than the concurrency setting', async () => {
    fixture.emulator.faults.push({ match: /policies\/policy/, delayMs: 50 });
    await azure({ APIM_AUDIT_CONCURRENCY: '2' }).load();
    expect(fixture.emulator.maxInFlight()).toBe(2);
  });

  it('only reads: no POST to ARM (no listSecrets, no listValue)', async () => {
    await azure().load();
    const arm = fixture.emulator.requests.filter((r) => r.url.startsWith('/subscriptions/'));
    expect(arm.length).toBeGreaterThan(10);
    expect(arm.every((r) => r.method === 'GET')).toBe(true);
  });
});
