import { normalize } from '../../src/model/normalize';
import { parseSnapshot } from '../../src/sources/snapshot';
import { loadSampleDoc } from '../helpers/sample';

const CLIENT = '1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6';
const BACKEND = '6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d';

function modelWithout(appIds: string[], gapApps: 'all' | string[] | undefined) {
  const doc = loadSampleDoc();
  doc.applications = (doc.applications ?? []).filter((a) => !appIds.includes(String(a['appId'])));
  const gap = { source: 'graph', what: 'applications', reason: 'HTTP 503 after 4 retries' };
  (doc as Record<string, unknown>)['gaps'] = [
    gapApps === undefined ? gap : { ...gap, applications: gapApps },
  ];
  return normalize(parseSnapshot(JSON.stringify(doc), 's.json'));
}

describe('apps a source could not read', () => {
  it('mark the authorization servers that need them as unknown, naming the gap', () => {
    const server = modelWithout([CLIENT], [CLIENT]).authorizationServers[0];
    expect(server?.clientApp).toBeUndefined();
    expect(server?.origin.unknown).toEqual({
      'properties/clientId': `app ${CLIENT} could not be read (applications: HTTP 503 after 4 retries)`,
    });
  });

  it("a broken-off tenant listing ('all') covers the backend app too", () => {
    const server = modelWithout([CLIENT, BACKEND], 'all').authorizationServers[0];
    expect(Object.keys(server?.origin.unknown ?? {}).sort()).toEqual([
      'properties/clientId',
      'properties/defaultScope',
    ]);
  });

  it('a gap about other things, or about other apps, marks nothing', () => {
    expect(modelWithout([CLIENT], undefined).authorizationServers[0]?.origin.unknown).toBeUndefined();
    expect(modelWithout([CLIENT], [BACKEND]).authorizationServers[0]?.origin.unknown).toBeUndefined();
  });
});
