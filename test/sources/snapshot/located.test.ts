/**
 * `scan --snapshot-out`: records without a file (live data) are pointed at their place in the snapshot written from
 * the same inventory, exactly where the snapshot source puts them; records from files keep their locations.
 */
import type { Inventory } from '../../../src/inventory/types';
import { locateInSnapshot, snapshotText } from '../../../src/sources/snapshot/located';
import { parseSnapshot } from '../../../src/sources/snapshot';

const SERVICE_ID =
  '/subscriptions/0f0e0d0c-0b0a-4909-8807-060504030201/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim';

function inventory(): Inventory {
  return {
    sources: [
      { spec: 'manifest:entra', provides: { entra: true, apim: false } },
      { spec: `azure:${SERVICE_ID}`, provides: { entra: false, apim: true } },
    ],
    applications: [
      {
        id: 'a1a1a1a1-0000-4000-8000-000000000001',
        appId: 'b2b2b2b2-0000-4000-8000-000000000002',
        displayName: 'From a file',
        origin: {
          file: 'entra/app.json',
          pointer: '',
          graphObjectId: 'a1a1a1a1-0000-4000-8000-000000000001',
        },
      },
      {
        id: 'c3c3c3c3-0000-4000-8000-000000000003',
        appId: 'd4d4d4d4-0000-4000-8000-000000000004',
        displayName: 'Live',
        origin: { graphObjectId: 'c3c3c3c3-0000-4000-8000-000000000003', unknown: { web: 'not read' } },
      },
    ],
    services: [
      {
        id: SERVICE_ID,
        name: 'apim',
        properties: {},
        origin: { resourceId: SERVICE_ID, paths: { 'properties/x': '/elsewhere' } },
        policy: {
          format: 'rawxml',
          value: '<policies />',
          origin: { resourceId: `${SERVICE_ID}/policies/policy` },
        },
        policyFragments: [
          {
            id: `${SERVICE_ID}/policyFragments/f`,
            name: 'f',
            properties: { format: 'rawxml', value: '<fragment />' },
            origin: { resourceId: `${SERVICE_ID}/policyFragments/f` },
            valueOrigin: { resourceId: `${SERVICE_ID}/policyFragments/f` },
          },
        ],
      },
    ],
    gaps: [],
    files: {},
  };
}

it('gives file-less records the origins the snapshot source gives, and keeps the rest', () => {
  const data = inventory();
  const text = snapshotText(data, '2026-11-25T12:00:00Z');
  const located = locateInSnapshot(data, text, 'audit/tenant.json');
  const reread = parseSnapshot(text, 'audit/tenant.json');

  const [fromFile, live] = located.applications;
  expect(fromFile?.origin).toEqual({
    file: 'entra/app.json',
    pointer: '',
    graphObjectId: 'a1a1a1a1-0000-4000-8000-000000000001',
  });
  expect(live?.origin).toEqual({
    file: 'audit/tenant.json',
    pointer: '/applications/1',
    graphObjectId: 'c3c3c3c3-0000-4000-8000-000000000003',
    unknown: { web: 'not read' },
    // Still live: its fixes are commands for the tenant, not edits of the snapshot.
    live: true,
  });
  const [service] = located.services;
  // A path table of no file is dropped; the resource id stays (the logical location).
  expect(service?.origin).toEqual({
    file: 'audit/tenant.json',
    pointer: '/apim/0',
    resourceId: SERVICE_ID,
    live: true,
  });
  expect(service?.policy?.origin).toEqual({
    ...reread.services[0]?.policy?.origin,
    resourceId: `${SERVICE_ID}/policies/policy`,
    live: true,
  });
  expect(service?.policy?.origin?.pointer).toBe('/apim/0/policy/value');
  expect(service?.policyFragments?.[0]?.valueOrigin?.pointer).toBe(
    '/apim/0/policyFragments/0/properties/value',
  );
  // The snapshot's index is what the engine locates with: the record's `{` is the line above its id (the 0-based
  // index of the id's line is the 1-based number of the line above).
  expect(Object.keys(located.files)).toEqual(['audit/tenant.json']);
  expect(located.files['audit/tenant.json']?.locate('/applications/1')?.line).toBe(
    text.split('\n').findIndex((l) => l.includes('"id": "c3c3c3c3')),
  );
});

it('changes nothing when every record comes from a file', () => {
  const data = inventory();
  data.sources = [data.sources[0]!];
  data.applications = data.applications.slice(0, 1);
  data.services = [];
  const text = snapshotText(data, '2026-11-25T12:00:00Z');
  expect(locateInSnapshot(data, text, 'audit/tenant.json')).toBe(data);
});
