import { runAudit } from '../../src/engine/run';
import { builtinRegistry } from '../../src/registry';
import { normalize } from '../../src/model/normalize';
import { parseSnapshot } from '../../src/sources/snapshot';
import { allEntities, citedBy, mayCiteUnknown, unknownPathsByKind } from '../../src/model/unknown';
import type { ResourceKind } from '../../src/model/types';
import { applyOverlay, buildModel, loadSampleDoc, TEST_NOW } from '../helpers/sample';

function auditWithUnknown(path: string) {
  const doc = applyOverlay(loadSampleDoc(), {
    authorizationServer: { $unknown: { [path]: "[parameters('x')] has no value" } },
  });
  const inventory = parseSnapshot(JSON.stringify(doc), 's.json');
  const { rules } = builtinRegistry();
  return runAudit(normalize(inventory), {
    rules,
    settings: {},
    suppressions: [],
    now: TEST_NOW,
    files: inventory.files,
  });
}

describe('unknown values of an authorization server', () => {
  it('one the audit reads (the token endpoint) makes the rules that judge the server not evaluated', () => {
    const result = auditWithUnknown('properties/tokenEndpoint');
    expect(result.findings).toEqual([]);
    expect(result.notEvaluated.map((n) => n.ruleId)).toEqual(
      expect.arrayContaining(['auth-server-v2-endpoints']),
    );
    expect(result.notEvaluated[0]?.reason).toContain("[parameters('x')] has no value");
  });

  it('one no rule reads (the client registration endpoint placeholder) changes nothing', () => {
    const result = auditWithUnknown('properties/clientRegistrationEndpoint');
    expect(result.findings).toEqual([]);
    expect(result.notEvaluated).toEqual([]);
  });
});

describe('what a rule cites against what is unknown (meta.cites)', () => {
  const unknown = new Map<ResourceKind, string[]>([
    ['apimService', ['name', 'openidConnectProviders']],
    ['application', ['web/redirectUris/0']],
  ]);

  it('may touch an unknown value at, inside or around a cited path of the same kind', () => {
    expect(mayCiteUnknown({ application: ['web'] }, unknown)).toBe(true);
    expect(mayCiteUnknown({ application: ['web/redirectUris/0/host'] }, unknown)).toBe(true);
    expect(mayCiteUnknown({ application: [''] }, unknown)).toBe(true);
    expect(mayCiteUnknown({ apimService: ['openidConnectProviders'] }, unknown)).toBe(true);
  });

  it('cannot, when the kind or the paths differ', () => {
    expect(mayCiteUnknown({ apimService: ['policy', 'products'], api: [''] }, unknown)).toBe(false);
    expect(mayCiteUnknown({ application: ['web/redirectUris/1', 'spa'] }, unknown)).toBe(false);
    expect(mayCiteUnknown({}, unknown)).toBe(false);
  });

  it('a rule that does not say may touch any unknown value, and none when all is known', () => {
    expect(mayCiteUnknown(undefined, unknown)).toBe(true);
    expect(mayCiteUnknown(undefined, new Map())).toBe(false);
  });

  it('a piece of evidence is cited at or below a cited path, never above it', () => {
    const model = buildModel(loadSampleDoc());
    const app = model.applications[0]!;
    const service = model.services[0]!;
    expect(citedBy({ application: ['web'] }, { entity: app, path: 'web/redirectUris' })).toBe(true);
    expect(citedBy({ application: ['web/redirectUris'] }, { entity: app, path: 'web' })).toBe(false);
    expect(citedBy({ application: ['web'] }, { entity: app, path: 'webhooks' })).toBe(false);
    expect(citedBy({ apimService: ['products'] }, { collection: 'products', parent: service })).toBe(true);
    expect(citedBy({ api: [''] }, { collection: 'products', parent: service })).toBe(false);
  });

  it('the unknown paths of a model, by kind (strings kept as written with placeholders included)', () => {
    const doc = applyOverlay(loadSampleDoc(), {
      service: { $unknown: { name: 'no name given' } },
      clientApp: {
        $unknown: { 'web/redirectUris': 'placeholder' },
        $placeholders: { 'spa/redirectUris/0': 'kept as written: ${{HOST}}' },
      },
    });
    expect(unknownPathsByKind(buildModel(doc))).toEqual(
      new Map([
        ['application', ['web/redirectUris', 'spa/redirectUris/0']],
        ['apimService', ['name']],
      ]),
    );
    expect(unknownPathsByKind(buildModel(loadSampleDoc())).size).toBe(0);
  });
});

describe('allEntities', () => {
  it('lists every entity once: the applications, then each service, its servers, APIs, operations and the rest', () => {
    const model = buildModel(loadSampleDoc());
    const expected = [
      ...model.applications,
      ...model.services.flatMap((s) => [
        s,
        ...s.authorizationServers,
        ...s.openidProviders,
        ...s.apis,
        ...s.apis.flatMap((a) => a.operations),
        ...s.products,
        ...s.policyFragments,
        ...s.namedValues,
        ...s.workspaces,
      ]),
    ];
    const all = allEntities(model);
    expect(all.length).toBeGreaterThan(model.applications.length + model.services.length);
    expect(all.some((e) => e.kind === 'operation')).toBe(true);
    expect(all).toHaveLength(expected.length);
    all.forEach((entity, i) => expect(entity).toBe(expected[i]));
  });
});
