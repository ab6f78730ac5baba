import { referencedAppIds } from '../../src/sources';
import { canonical, mergeInventories, normalizePolicy } from '../../src/inventory/merge';
import { parseManifestText } from '../../src/sources/manifest';
import { parseSnapshot } from '../../src/sources/snapshot';
import type { Inventory } from '../../src/inventory/types';
import { applyOverlay, loadSampleDoc, type Overlay } from '../helpers/sample';
import { APIOPS_COLORS, ARM_COLORS, ARM_COLORS_PARAMETERS } from '../sources/colors-fixtures';
import { auditFindings, gist, sampleGists, scanJson } from '../sources/iac-helpers';

/** The fixed sample with an overlay, as a parsed snapshot source named `name`. */
function source(name: string, overlay: Overlay = {}, drop: ('applications' | 'apim')[] = []): Inventory {
  const doc = applyOverlay(loadSampleDoc(), overlay);
  for (const key of drop) delete doc[key];
  return parseSnapshot(JSON.stringify(doc, null, 2), name, `snapshot:${name}`);
}

describe('mergeInventories', () => {
  it('keeps the first record of an app (matched by appId, any case) and records each differing property', () => {
    const first = source('a.json');
    const second = source('b.json', {
      clientApp: { appId: '1D2E3F4A-5B6C-4D7E-8F90-A1B2C3D4E5F6', signInAudience: 'AzureADMultipleOrgs' },
    });
    const merged = mergeInventories([first, second]);
    expect(merged.applications).toHaveLength(2);
    expect(merged.applications[1]).toBe(first.applications[1]);
    // The appId differs only in case, which Entra ignores: not a disagreement.
    expect(merged.conflicts).toEqual([
      {
        kind: 'application',
        name: '1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6',
        path: 'signInAudience',
        values: [
          {
            source: 'snapshot:a.json',
            value: '"AzureADMyOrg"',
            origin: expect.objectContaining({
              file: 'a.json',
              pointer: '/applications/1/signInAudience',
              line: expect.any(Number),
              column: expect.any(Number),
            }),
          },
          {
            source: 'snapshot:b.json',
            value: '"AzureADMultipleOrgs"',
            origin: expect.objectContaining({ file: 'b.json', pointer: '/applications/1/signInAudience' }),
          },
        ],
      },
    ]);
    expect(merged.sources.map((s) => s.spec)).toEqual(['snapshot:a.json', 'snapshot:b.json']);
    expect(Object.keys(merged.files)).toEqual(['a.json', 'b.json']);
  });

  it('unions what each source adds and merges children of one APIM service entity by entity', () => {
    const apps = source('apps.json', {}, ['apim']);
    const servers = source('servers.json', { service: { apis: null, policy: null } }, ['applications']);
    const apis = source('apis.json', { service: { authorizationServers: null } }, ['applications']);
    const merged = mergeInventories([apps, servers, apis]);
    expect(merged.applications).toHaveLength(2);
    expect(merged.services).toHaveLength(1);
    const service = merged.services[0]!;
    expect(service.origin.file).toBe('servers.json');
    expect(service.authorizationServers?.map((s) => s.origin.file)).toEqual(['servers.json']);
    expect(service.apis?.map((a) => [a.name, a.origin.file])).toEqual([['colors-api', 'apis.json']]);
    // The global policy: only the third source has one, so it is taken from there.
    expect(service.policy?.origin?.file).toBe('apis.json');
    expect(merged.conflicts).toEqual([]);
    expect(merged.sources.map((s) => s.provides)).toEqual([
      { entra: true, apim: false },
      { entra: false, apim: true },
      { entra: false, apim: true },
    ]);
  });

  it('does not change the inventories it merges (loadSources merges the same parts once per phase)', () => {
    const a = source('a.json', { service: { apis: null } }, ['applications']);
    const b = source('b.json', {}, ['applications']);
    const before = JSON.stringify([a, b]);
    const once = mergeInventories([a, b]);
    const twice = mergeInventories([a, b]);
    expect(JSON.stringify([a, b])).toBe(before);
    expect(JSON.stringify(once)).toBe(JSON.stringify(twice));
    expect(a.services[0]?.apis).toBeUndefined();
    expect(once.services[0]?.apis?.map((x) => x.name)).toEqual(['colors-api']);
  });

  it("takes over the first part's index of files when the parts are used no more, with the same entries in the same order", () => {
    const a = source('a.json', { service: { apis: null } }, ['applications']);
    const b = source('b.json', {}, ['applications']);
    const copied = mergeInventories([a, b]);
    expect(copied.files).not.toBe(a.files);
    const before = JSON.stringify(b);
    const done = mergeInventories([a, b], { partsDone: true });
    expect(done.files).toBe(a.files);
    expect(Object.keys(done.files)).toEqual(Object.keys(copied.files));
    expect(Object.keys(done.files)).toEqual(['a.json', 'b.json']);
    expect(JSON.stringify(b)).toBe(before);
    expect(JSON.stringify({ ...done, files: undefined })).toBe(
      JSON.stringify({ ...copied, files: undefined }),
    );
  });

  it('compares two records of one app within one source (two manifest files in a folder)', () => {
    const text = JSON.stringify([
      {
        appId: '11111111-1111-1111-1111-111111111111',
        displayName: 'a',
        web: { redirectUris: ['https://a/cb'] },
      },
      {
        appId: '11111111-1111-1111-1111-111111111111',
        displayName: 'a',
        web: { redirectUris: ['https://b/cb'] },
      },
    ]);
    const parsed = parseManifestText(text, 'apps.json');
    if ('problems' in parsed) throw new Error(parsed.problems.join('\n'));
    const inventory: Inventory = {
      sources: [{ spec: 'manifest:apps', provides: { entra: true, apim: false } }],
      applications: parsed.applications,
      services: [],
      gaps: [],
      files: { 'apps.json': parsed.index },
    };
    const merged = mergeInventories([inventory]);
    expect(merged.applications).toHaveLength(1);
    expect(
      merged.conflicts?.map((c) => [c.path, c.values.map((v) => `${v.origin.file}:${v.origin.line}`)]),
    ).toEqual([['web/redirectUris', ['apps.json:1', 'apps.json:1']]]);
  });

  it('keeps records without an appId apart, and the first tenant and cloud', () => {
    const a = source('a.json', { snapshot: { tenantId: 'tenant-a' } });
    const b = source('b.json', { snapshot: { tenantId: 'tenant-b', cloud: 'AzureChina' } });
    const merged = mergeInventories([a, b]);
    expect(merged.tenantId).toBe('tenant-a');
    expect(merged.cloud).toBe('AzurePublic');
  });
});

describe('normalized comparison', () => {
  it('policies: line endings, trailing spaces, BOM and entity encoding do not matter', () => {
    expect(normalizePolicy('\uFEFF<a x="@(&quot;y&quot;)" />  \r\n<b />')).toBe(
      normalizePolicy('<a x="@("y")" />\n<b />'),
    );
    expect(normalizePolicy('<a />')).not.toBe(normalizePolicy('<b />'));
  });

  it('lists are sets; object keys in any order', () => {
    expect(canonical({ b: [2, 1], a: { y: 1, x: 2 } })).toBe(canonical({ a: { x: 2, y: 1 }, b: [1, 2] }));
    expect(canonical([1, 2])).not.toBe(canonical([1, 2, 2]));
  });
});

describe('referencedAppIds', () => {
  it('skips Terraform placeholders that no live source could fetch', () => {
    const inventory = source('a.json', {
      authorizationServer: { properties: { clientId: 'tf:module.entra.azuread_application.client' } },
    });
    expect(referencedAppIds(inventory)).toEqual(['6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d']);
  });
});

describe('the Colors scenario from every source kind at once', () => {
  it('agrees with itself: snapshot, Terraform plan, APIOps, ARM, legacy manifests and a Graph page', async () => {
    const { report } = await scanJson([
      'snapshot:examples/contoso/snapshot.json',
      'terraform:test/sources/terraform/fixtures/colors/plan.json',
      `apiops:${APIOPS_COLORS}`,
      `arm:${ARM_COLORS}#${ARM_COLORS_PARAMETERS}`,
      'manifest:test/sources/manifest/fixtures/colors-legacy',
      'manifest:test/sources/manifest/fixtures/graph-page.json',
    ]);
    expect(report.findings.filter((f) => f.ruleId === 'sources-consistent').map((f) => f.message)).toEqual(
      [],
    );
    // The snapshot was given first: its records are the ones judged.
    expect(report.findings.map(gist).sort()).toEqual(await sampleGists());
    expect(report.findings.every((f) => f.location.file === 'examples/contoso/snapshot.json')).toBe(true);
  });

  it('a Terraform plan given first wins over the manifests, and the drift is reported in both files', async () => {
    const { report } = await scanJson([
      'terraform:test/sources/terraform/fixtures/colors-new/plan.json',
      'manifest:test/sources/manifest/fixtures/colors-legacy',
      `apiops:${APIOPS_COLORS}`,
    ]);
    const drift = report.findings.filter((f) => f.ruleId === 'sources-consistent');
    expect(drift.length).toBeGreaterThan(0);
    for (const finding of drift) {
      expect(finding.location.file).toMatch(/^test\/sources\/terraform\/fixtures\/colors-new\//);
    }
    // New apps (placeholder ids) are not the manifests' apps: those stay separate records, not conflicts.
    expect(drift.every((f) => f.resource.kind !== 'application')).toBe(true);
    const policy = drift.find((f) =>
      f.message.startsWith('Sources disagree on policy of API Management service'),
    );
    // One line: the sources and the start of each value (where each value is written is in the finding's detail).
    expect(policy?.message).toMatch(
      /^Sources disagree on policy of API Management service 'contoso-apim': terraform:test\/sources\/terraform\/fixtures\/colors-new\/plan\.json has "<policies>.*…, but apiops:/,
    );
    expect(policy?.message.length).toBeLessThanOrEqual(200);
    const [detail] = (
      await auditFindings(
        [
          'terraform:test/sources/terraform/fixtures/colors-new/plan.json',
          'manifest:test/sources/manifest/fixtures/colors-legacy',
          `apiops:${APIOPS_COLORS}`,
        ],
        'sources-consistent',
      )
    )
      .filter((f) => f.message.startsWith('Sources disagree on policy of API Management service'))
      .map((f) => f.detail);
    expect(detail).toMatch(
      /test\/sources\/terraform\/fixtures\/colors-new\/modules\/apim\/policies\.tf:\d+:\d+.*test\/sources\/apiops\/fixtures\/colors\/policy\.xml:1:1/,
    );
  });
});
