import { runAudit, type AuditPlan } from '../../src/engine/run';
import { defineRule, notEvaluated, violation, type AnyRule } from '../../rules/support/contract';
import { parseSnapshot } from '../../src/sources/snapshot';
import { normalize } from '../../src/model/normalize';
import { loadSampleDoc, TEST_NOW } from '../helpers/sample';

const text = JSON.stringify(loadSampleDoc(), null, 2);
const inventory = parseSnapshot(text, 'snapshot.json');

const tokenEndpointRule = defineRule({
  id: 'test-token-endpoint',
  meta: { title: 't', severity: 'error', tags: [], requires: ['apim'] },
  *check(model) {
    for (const server of model.authorizationServers) {
      yield violation(server, `server ${server.name}`, { path: 'properties/tokenEndpoint' });
      yield violation(server, 'missing property points at its parent', {
        path: 'properties/noSuchThing',
        severity: 'note',
        key: 'x',
      });
    }
  },
});
const crashingRule = defineRule({
  id: 'test-crash',
  meta: { title: 't', severity: 'error', tags: [], requires: [] },
  check() {
    throw new Error('boom');
  },
});
const entraRule = defineRule({
  id: 'test-entra',
  meta: { title: 't', severity: 'warning', tags: [], requires: ['entra'] },
  *check(model) {
    yield notEvaluated('cannot tell', model.applications[0]);
  },
});

function plan(rules: AnyRule[], extra: Partial<AuditPlan> = {}): AuditPlan {
  return { rules, settings: {}, suppressions: [], now: TEST_NOW, files: inventory.files, ...extra };
}

describe('runAudit', () => {
  const model = normalize(inventory);

  it('locates violations at the property, or at the nearest existing parent', () => {
    const result = runAudit(model, plan([tokenEndpointRule]));
    const lines = text.split('\n');
    const [missing, present] = [...result.findings].sort((a, b) => a.message.localeCompare(b.message));
    const presentLine = lines[(present?.location.line ?? 0) - 1];
    expect(presentLine).toContain('"tokenEndpoint"');
    const parentLine = lines[(missing?.location.line ?? 0) - 2];
    expect(parentLine).toContain('"type": "Microsoft.ApiManagement/service/authorizationServers"');
    expect(present?.location.file).toBe('snapshot.json');
    expect(present?.logicalLocation.fullyQualifiedName).toMatch(/\/authorizationServers\/colors-oauth$/);
  });

  it('takes the violation severity, unless the config sets the rule level', () => {
    const natural = runAudit(model, plan([tokenEndpointRule]));
    expect(natural.findings.map((f) => f.severity).sort()).toEqual(['error', 'note']);
    const overridden = runAudit(
      model,
      plan([tokenEndpointRule], { settings: { 'test-token-endpoint': { level: 'warning', options: {} } } }),
    );
    expect(overridden.findings.map((f) => f.severity)).toEqual(['warning', 'warning']);
    const off = runAudit(
      model,
      plan([tokenEndpointRule], { settings: { 'test-token-endpoint': { level: 'off', options: {} } } }),
    );
    expect(off.findings).toHaveLength(0);
    expect(off.notEvaluated).toHaveLength(0);
  });

  it('a crashing rule does not stop the others and makes the audit incomplete', () => {
    const result = runAudit(model, plan([crashingRule, tokenEndpointRule]));
    expect(result.crashes).toEqual([expect.objectContaining({ ruleId: 'test-crash', message: 'boom' })]);
    expect(result.findings).toHaveLength(2);
    expect(result.complete).toBe(false);
  });

  it('a rule whose side is absent is not evaluated, with the reason', () => {
    const apimOnly = normalize({
      ...inventory,
      sources: [{ spec: 's', provides: { entra: false, apim: true } }],
    });
    const result = runAudit(apimOnly, plan([entraRule]));
    expect(result.notEvaluated).toEqual([
      {
        ruleId: 'test-entra',
        reason: expect.stringMatching(/needs Entra app registrations/),
        resources: [],
      },
    ]);
    expect(result.summary.rulesNotEvaluated).toEqual({ notRun: ['test-entra'], partly: [], security: [] });
    expect(result.complete).toBe(true);
  });

  it('records per-entity not-evaluated outputs with the resource', () => {
    const result = runAudit(model, plan([entraRule]));
    expect(result.notEvaluated[0]?.resources.map((r) => r.name)).toEqual(['oauth-backend-app']);
    expect(result.summary.rulesNotEvaluated).toEqual({ notRun: [], partly: ['test-entra'], security: [] });
  });

  it('groups not-evaluated outputs into one record per rule, reason and entity kind', () => {
    const grouping = defineRule({
      id: 'test-grouping',
      meta: { title: 't', severity: 'error', tags: ['security'], requires: [] },
      *check(m) {
        const [backend, client] = m.applications;
        const [server] = m.authorizationServers;
        yield notEvaluated('shared reason', client);
        yield notEvaluated('shared reason', backend);
        yield notEvaluated('shared reason', client);
        yield notEvaluated('shared reason', server);
        yield notEvaluated('other reason', backend);
      },
    });
    const result = runAudit(model, plan([grouping]));
    expect(result.notEvaluated.map((r) => [r.kind, r.reason, r.resources.map((x) => x.name)])).toEqual([
      ['application', 'other reason', ['oauth-backend-app']],
      ['application', 'shared reason', ['oauth-backend-app', 'oauth-client-app']],
      ['authorizationServer', 'shared reason', ['colors-oauth']],
    ]);
    expect(result.summary.notEvaluated).toBe(3);
    expect(result.summary.rulesNotEvaluated.security).toEqual(['test-grouping']);
  });

  it('fingerprints are stable across runs and independent of line numbers', () => {
    const first = runAudit(model, plan([tokenEndpointRule])).findings.map((f) => f.fingerprint);
    const shifted = parseSnapshot('\n\n\n' + text, 'snapshot.json');
    const second = runAudit(normalize(shifted), plan([tokenEndpointRule], { files: shifted.files })).findings;
    expect(second.map((f) => f.fingerprint)).toEqual(first);
    expect(new Set(first).size).toBe(2);
    expect(second[0]?.location.line).toBeGreaterThan(3);
  });

  it('gaps make the audit incomplete', () => {
    const gapped = normalize({
      ...inventory,
      gaps: [{ source: 'azure', what: 'policy of api colors-api', reason: '403' }],
    });
    expect(runAudit(gapped, plan([])).complete).toBe(false);
  });
});
