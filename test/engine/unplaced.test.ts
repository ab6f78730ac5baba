/**
 * Entities no file describes and with no live identity (a server known only from a config link, an APIOps API
 * folder without information file or policy) are placed at their nearest enclosing entity, so that no finding is
 * left without a file and line; live records and located ones are left alone.
 */
import type { Inventory, InventoryService } from '../../src/inventory/types';
import { parseJsonWithPositions } from '../../src/json/positions';
import { locate } from '../../src/engine/locate';
import { placeUnplaced } from '../../src/engine/unplaced';
import { normalize } from '../../src/model/normalize';

const FILE = 'apim/service.json';
const TEXT = `{
  "name": "contoso-apim",
  "apis": [
    {
      "name": "orders",
      "operations": [{ "name": "get" }]
    }
  ]
}
`;

function inventory(): Inventory {
  const parsed = parseJsonWithPositions(TEXT);
  if ('problems' in parsed) throw new Error('fixture is not JSON');
  const oauth = { authenticationSettings: { oAuth2: { authorizationServerId: 'entra-auth' } } };
  const service: InventoryService = {
    id: 'contoso-apim',
    name: 'contoso-apim',
    properties: {},
    origin: { file: FILE, pointer: '', unknown: { authorizationServers: 'not carried by this source' } },
    apis: [
      {
        name: 'orders',
        properties: oauth,
        origin: { file: FILE, pointer: '/apis/0' },
        // An operation no file describes: placed at its API.
        operations: [{ name: 'get', properties: {}, origin: {} }],
      },
      // An API no file describes: placed at the service.
      {
        name: 'billing',
        properties: oauth,
        origin: { unknown: { properties: 'folder without information' } },
      },
      // Live data: left for --snapshot-out.
      { name: 'live', properties: {}, origin: { resourceId: '/subscriptions/x/apis/live' } },
    ],
  };
  return {
    sources: [{ spec: `apiops:${FILE}`, provides: { entra: false, apim: true } }],
    applications: [],
    services: [service],
    gaps: [],
    files: { [FILE]: parsed.index },
  };
}

it('places each unplaced entity at its nearest enclosing entity with a file, keeping what it knows', () => {
  const data = inventory();
  const model = normalize(data, [{ authorizationServer: 'entra-auth' }]);
  const [service] = model.services;
  const server = service?.authorizationServers.find((s) => s.name === 'entra-auth');
  const api = (name: string) => service?.apis.find((a) => a.name === name);
  expect(server?.origin.file).toBeUndefined();

  expect(placeUnplaced(model, data.files)).toBe(3);

  // The server known only from the link and the API without files: at the service (line 1).
  expect(server && locate(server, 'properties/clientId', data.files)).toEqual({
    file: FILE,
    line: 1,
    column: 1,
  });
  expect(server?.origin.unknown).toEqual(expect.objectContaining({ properties: expect.any(String) }));
  const billing = api('billing');
  expect(billing && locate(billing, 'properties/serviceUrl', data.files)).toEqual({
    file: FILE,
    line: 1,
    column: 1,
  });
  expect(billing?.origin.unknown).toEqual({ properties: 'folder without information' });
  // The operation: at its API's record (line 4), whatever path the finding names.
  const operation = api('orders')?.operations[0];
  expect(operation && locate(operation, 'properties/method', data.files)).toEqual({
    file: FILE,
    line: 4,
    column: 5,
  });
  // Live data and located records are untouched.
  expect(api('live')?.origin).toEqual({ resourceId: '/subscriptions/x/apis/live' });
  expect(api('orders')?.origin).toEqual({ file: FILE, pointer: '/apis/0' });
  // Once placed, nothing is left to place.
  expect(placeUnplaced(model, data.files)).toBe(0);
});

it('leaves an entity unplaced when nothing around it has a file', () => {
  const data = inventory();
  const [service] = data.services;
  if (!service) throw new Error('no service');
  service.origin = { resourceId: '/subscriptions/x/service/contoso-apim' };
  service.apis = (service.apis ?? []).filter((a) => a.name === 'billing');
  const model = normalize(data, []);
  expect(placeUnplaced(model, data.files)).toBe(0);
  expect(model.services[0]?.apis[0]?.origin.file).toBeUndefined();
});
