/**
 * Not-evaluated records: one per (rule, reason, entity kind), each listing its entities once, sorted. Checked
 * against a plain reference grouping on generated entries (records that list one entity, many, and repeats).
 */
import fc from 'fast-check';
import { groupNotEvaluated, type NotEvaluatedEntry } from '../../src/engine/not-evaluated';
import { compareResources } from '../../src/engine/order';
import type { NotEvaluatedRecord } from '../../src/engine/types';

function reference(entries: readonly NotEvaluatedEntry[]): NotEvaluatedRecord[] {
  const groups = new Map<string, NotEvaluatedRecord>();
  for (const entry of entries) {
    const kind = entry.resource?.kind;
    const key = JSON.stringify([entry.ruleId, entry.reason, kind ?? '']);
    const record = groups.get(key) ?? { ruleId: entry.ruleId, reason: entry.reason, resources: [] };
    if (kind) record.kind = kind;
    groups.set(key, record);
    const resource = entry.resource;
    if (resource && !record.resources.some((r) => r.id === resource.id)) record.resources.push(resource);
  }
  return [...groups.values()].map((r) => ({ ...r, resources: [...r.resources].sort(compareResources) }));
}

const entry = fc.record(
  {
    ruleId: fc.constantFrom('rule-a', 'rule-b'),
    reason: fc.constantFrom('no data', 'server x unknown', 'server y unknown'),
    resource: fc
      .record({ kind: fc.constantFrom('api', 'authorizationServer'), n: fc.integer({ min: 0, max: 4 }) })
      .map(({ kind, n }) => ({ kind, id: `/${kind}/${n}`, name: `${kind}-${n}` })),
  },
  { requiredKeys: ['ruleId', 'reason'] },
) as fc.Arbitrary<NotEvaluatedEntry>;

describe('groupNotEvaluated', () => {
  it('lists each entity of a record once, in order, however the entries repeat', () => {
    const api = (n: number) => ({ kind: 'api' as const, id: `/apis/${n}`, name: `api-${n}` });
    const records = groupNotEvaluated([
      { ruleId: 'r', reason: 'why', resource: api(2) },
      { ruleId: 'r', reason: 'why', resource: api(2) },
      { ruleId: 'r', reason: 'why', resource: api(1) },
      { ruleId: 'r', reason: 'why', resource: api(2) },
      { ruleId: 'r', reason: 'other', resource: api(3) },
      { ruleId: 'r', reason: 'other', resource: api(3) },
      { ruleId: 'r', reason: 'whole rule' },
    ]);
    expect(records).toEqual([
      { ruleId: 'r', reason: 'why', kind: 'api', resources: [api(1), api(2)] },
      { ruleId: 'r', reason: 'other', kind: 'api', resources: [api(3)] },
      { ruleId: 'r', reason: 'whole rule', resources: [] },
    ]);
  });

  it('groups as the plain reference does', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 40 }), (entries) => {
        expect(groupNotEvaluated(entries)).toEqual(reference(entries));
      }),
    );
  });
});
