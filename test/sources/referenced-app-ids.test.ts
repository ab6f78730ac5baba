import { referencedAppIds } from '../../src/sources/index';
import { parseSnapshot } from '../../src/sources/snapshot';
import { applyOverlay, loadSampleDoc } from '../helpers/sample';

const CLIENT = '1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6';
const BACKEND = '6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d';

function inventoryWithScope(defaultScope: string) {
  const doc = applyOverlay(loadSampleDoc(), { authorizationServer: { properties: { defaultScope } } });
  return parseSnapshot(JSON.stringify(doc), 'x.json');
}

describe('referencedAppIds: which apps a live graph source must read', () => {
  it('client id and the backend appId of the default scope, plus config links', () => {
    const inventory = inventoryWithScope(
      `openid api://${BACKEND}/Colors.Read https://graph.microsoft.com/User.Read`,
    );
    expect(referencedAppIds(inventory)).toEqual([CLIENT, BACKEND].sort());
    const linked = '0f0f0f0f-0000-4000-8000-000000000001';
    expect(referencedAppIds(inventory, [linked.toUpperCase()])).toEqual([linked, CLIENT, BACKEND].sort());
  });

  it('a custom App ID URI names no appId: the whole tenant must be read (undefined)', () => {
    expect(referencedAppIds(inventoryWithScope('api://colors-backend/Colors.Read'))).toBeUndefined();
  });
});
