import { normalize } from '../../src/model/normalize';
import { parseSnapshot } from '../../src/sources/snapshot';
import { loadSampleDoc } from '../helpers/sample';

describe('applications of the model', () => {
  it('keep their inventory record itself as `raw`, not a copy (10,000 manifests would keep 10,000 copies)', () => {
    const inventory = parseSnapshot(JSON.stringify(loadSampleDoc()), 's.json');
    const model = normalize(inventory);
    expect(model.applications.length).toBeGreaterThan(0);
    model.applications.forEach((app, i) => {
      expect(app.raw).toBe(inventory.applications[i]);
      expect(app.origin).toBe(inventory.applications[i]?.origin);
    });
  });
});
