import { normalize } from '../../src/model/normalize';
import { parseSnapshot } from '../../src/sources/snapshot';
import { loadSampleDoc } from '../helpers/sample';

const TENANT = '4f1e7a52-3c2b-4d8e-9a61-0b5c3d2e1f00';

/** The sample's service with `count` copies of its authorization server, the last `v1` of them on v1 endpoints. */
function modelWithServers(count: number, v1: number) {
  const doc = loadSampleDoc();
  const service = (doc.apim as Record<string, unknown>[])[0] as Record<string, unknown>;
  const [server] = service['authorizationServers'] as Record<string, unknown>[];
  service['authorizationServers'] = Array.from({ length: count }, (_, i) => {
    const properties = { ...(server?.['properties'] as Record<string, unknown>) };
    if (i >= count - v1) {
      properties['authorizationEndpoint'] = `https://login.microsoftonline.com/${TENANT}/oauth2/authorize`;
      properties['tokenEndpoint'] = `https://login.microsoftonline.com/${TENANT}/oauth2/token`;
    }
    return { ...server, id: `${String(server?.['id'])}-${i}`, name: `server-${i}`, properties };
  });
  return normalize(parseSnapshot(JSON.stringify(doc), 's.json'));
}

describe('authorization server endpoints', () => {
  it('are parsed once per distinct URL of a service: servers with the same URL share the record', () => {
    const servers = modelWithServers(4, 1).authorizationServers;
    expect(servers).toHaveLength(4);
    const [a, b, c, d] = servers;
    expect(b?.authorizationEndpoint).toBe(a?.authorizationEndpoint);
    expect(c?.tokenEndpoint).toBe(a?.tokenEndpoint);
    expect(a?.authorizationEndpoint).not.toBe(a?.tokenEndpoint);
    expect(d?.authorizationEndpoint).not.toBe(a?.authorizationEndpoint);
    expect(a?.authorizationEndpoint).toMatchObject({ version: 'v2', tenant: TENANT });
    expect(a?.tokenEndpoint?.url?.pathname).toBe(`/${TENANT}/oauth2/v2.0/token`);
    expect(d?.authorizationEndpoint).toMatchObject({
      raw: `https://login.microsoftonline.com/${TENANT}/oauth2/authorize`,
      version: 'v1',
      tenant: TENANT,
    });
    expect(d?.tokenEndpoint?.version).toBe('v1');
  });
});
