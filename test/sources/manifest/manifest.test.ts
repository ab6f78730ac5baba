import { copyFileSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { displayPath } from '../../../src/util/package-root';
import { none } from '../../../src/util/lists';
import type { InventoryApplication } from '../../../src/inventory/types';
import {
  decodeText,
  loadManifests,
  looksLikeManifest,
  parseManifestText,
} from '../../../src/sources/manifest';
import { cli } from '../../helpers/cli';
import { loadSampleDoc, REPO_ROOT } from '../../helpers/sample';
import { manifestFixtures } from './fixtures/colors';
import { APIOPS_COLORS } from '../colors-fixtures';
import {
  auditErrorOf,
  auditFindings,
  gist,
  sampleGists,
  scanJson,
  scratchDir,
  textAt,
  type ReportFinding,
} from '../iac-helpers';

const MANIFESTS = 'test/sources/manifest/fixtures';
const LEGACY = `${MANIFESTS}/colors-legacy`;
const GRAPH = `${MANIFESTS}/colors-graph`;

const load = (location: string) =>
  loadManifests(path.join(REPO_ROOT, location), `manifest:${location}`, REPO_ROOT);
const withoutOrigins = (apps: InventoryApplication[]) =>
  apps.map(({ origin: _origin, ...app }) => app).sort((a, b) => (a.appId ?? '').localeCompare(b.appId ?? ''));

function only(findings: ReportFinding[], ruleId: string, fragment = ''): ReportFinding {
  const found = findings.filter((f) => f.ruleId === ruleId && f.message.includes(fragment));
  expect(found.map((f) => f.message)).toHaveLength(1);
  return found[0]!;
}

/** A snapshot holding only the APIM side of the broken sample, in a scratch folder. */
function apimOnlySnapshot(dir: string): string {
  const doc = loadSampleDoc('contoso');
  delete doc.applications;
  const file = path.join(dir, 'apim.snapshot.json');
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

describe('manifest fixtures', () => {
  it('mirror the bundled sample (UPDATE_FIXTURES=1 rewrites them)', async () => {
    const { syncFixtures } = await import('../colors-fixtures');
    expect(syncFixtures(MANIFESTS, manifestFixtures(loadSampleDoc('contoso')), false)).toEqual([]);
  });
});

describe('manifest formats', () => {
  it('legacy Azure AD Graph and Microsoft Graph manifests give the same applications', () => {
    const legacy = load(LEGACY);
    const graph = load(GRAPH);
    expect(legacy.applications).toHaveLength(2);
    expect(withoutOrigins(legacy.applications)).toEqual(withoutOrigins(graph.applications));
    // And the same as the sample itself, secret fields aside.
    const sample = (loadSampleDoc('contoso').applications ?? []).map((app) => {
      const copy = structuredClone(app) as Record<string, unknown> & {
        passwordCredentials?: Record<string, unknown>[];
      };
      for (const c of copy.passwordCredentials ?? []) delete c['secretText'];
      return copy;
    });
    const client = withoutOrigins(graph.applications).find((a) => a.displayName === 'oauth-client-app');
    expect(client).toEqual(
      expect.objectContaining({
        web: expect.objectContaining({
          redirectUris: (sample[1]?.['web'] as { redirectUris: string[] }).redirectUris,
        }),
        passwordCredentials: [
          expect.objectContaining({
            keyId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
            endDateTime: '2026-10-25T00:00:00Z',
          }),
        ],
      }),
    );
    expect(legacy.sources[0]?.provides).toEqual({ entra: true, apim: false });
  });

  it('maps canonical Graph paths to the legacy keys they came from', () => {
    const [backend, client] = load(LEGACY).applications.sort((a, b) =>
      (a.displayName ?? '').localeCompare(b.displayName ?? ''),
    );
    expect(backend?.origin.paths?.['api/requestedAccessTokenVersion']).toBe('/accessTokenAcceptedVersion');
    expect(backend?.origin.paths?.['api/oauth2PermissionScopes/0/value']).toBe('/oauth2Permissions/0/value');
    // replyUrlsWithType lists by platform order of the download; web/redirectUris/1 is the second Web entry.
    const text = readFileSync(path.join(REPO_ROOT, LEGACY, 'oauth-client-app.json'), 'utf8');
    const replyUrls = (JSON.parse(text) as { replyUrlsWithType: { url: string; type: string }[] })
      .replyUrlsWithType;
    const second = replyUrls.filter((r) => r.type === 'Web')[1]!;
    expect(client?.origin.paths?.['web/redirectUris/1']).toBe(
      `/replyUrlsWithType/${replyUrls.indexOf(second)}/url`,
    );
    expect(client?.origin.paths?.['web/implicitGrantSettings/enableAccessTokenIssuance']).toBe(
      '/oauth2AllowImplicitFlow',
    );
    expect(client?.origin.paths?.['passwordCredentials/0/endDateTime']).toBe(
      '/passwordCredentials/0/endDate',
    );
  });

  it('reads az ad app list arrays and Graph pages, with the pointer of each application', () => {
    const list = load(`${MANIFESTS}/az-ad-app-list.json`);
    const page = load(`${MANIFESTS}/graph-page.json`);
    expect(list.applications.map((a) => a.origin.pointer)).toEqual(['/0', '/1']);
    expect(page.applications.map((a) => a.origin.pointer)).toEqual(['/value/0', '/value/1']);
    expect(withoutOrigins(page.applications)).toEqual(withoutOrigins(list.applications));
  });

  it('reads PowerShell output: UTF-16 with BOM, CRLF, PascalCase keys, /Date(ms)/ dates', () => {
    const { applications } = load(`${MANIFESTS}/powershell-utf16.json`);
    expect(applications.map((a) => a.appId)).toEqual([
      '10000000-0000-0000-0000-000000000001',
      '10000000-0000-0000-0000-000000000002',
    ]);
    const [client, backend] = applications;
    expect(client?.requiredResourceAccess?.[0]?.resourceAppId).toBe('00000003-0000-0000-c000-000000000000');
    expect(client?.web?.redirectUris).toEqual([
      'https://orders-apim.developer.azure-api.net/signin-oauth/code/callback/orders-oauth',
    ]);
    expect(client?.passwordCredentials?.[0]?.endDateTime).toBe('2025-12-04T20:22:22.000Z');
    expect(backend?.api?.requestedAccessTokenVersion).toBe(2);
    expect(backend?.keyCredentials?.[0]?.startDateTime).toBe('2024-12-04T20:22:22.000Z');
    expect(backend?.origin.paths?.['keyCredentials/0/endDateTime']).toBe('/1/KeyCredentials/0/EndDateTime');
    // Every value read is mapped to its PascalCase key, plain strings and booleans included.
    expect(client?.origin.paths).toMatchObject({
      appId: '/0/AppId',
      displayName: '/0/DisplayName',
      signInAudience: '/0/SignInAudience',
      'requiredResourceAccess/0/resourceAppId': '/0/RequiredResourceAccess/0/ResourceAppId',
    });
  });

  it('maps each string of a legacy list to its own element (replyUrls, permissionIds)', () => {
    const legacy = {
      appId: '11111111-1111-1111-1111-111111111111',
      replyUrls: ['https://a.example/cb', 'https://b.example/cb'],
      preAuthorizedApplications: [
        { appId: '22222222-2222-2222-2222-222222222222', permissionIds: ['p1', 'p2'] },
      ],
    };
    for (const atRoot of [true, false]) {
      // An app at the root of its file, and one in a list (its pointers start with its own).
      const text = JSON.stringify(atRoot ? legacy : [legacy], null, 2);
      const result = parseManifestText(text, 'legacy.json');
      if ('problems' in result) throw new Error(result.problems.join('\n'));
      const [app] = result.applications;
      const at = atRoot ? '' : '/0';
      expect(app?.web?.redirectUris).toEqual(legacy.replyUrls);
      expect(app?.origin.paths).toMatchObject({
        'web/redirectUris/1': `${at}/replyUrls/1`,
        'api/preAuthorizedApplications/0/delegatedPermissionIds/1': `${at}/preAuthorizedApplications/0/permissionIds/1`,
      });
    }
  });

  it('maps the legacy keys of a manifest that mixes both formats, plain values included', () => {
    const mixed = {
      appId: '11111111-1111-1111-1111-111111111111',
      web: { redirectUris: ['https://a.example/cb'] },
      oauth2Permissions: [{ id: 's', value: 'Data.Read', isEnabled: true, type: 'User' }],
      oauth2AllowImplicitFlow: false,
    };
    const result = parseManifestText(JSON.stringify(mixed, null, 2), 'mixed.json');
    if ('problems' in result) throw new Error(result.problems.join('\n'));
    const [app] = result.applications;
    expect(app?.api?.oauth2PermissionScopes?.[0]).toMatchObject({ value: 'Data.Read', isEnabled: true });
    expect(app?.origin.paths).toMatchObject({
      'api/oauth2PermissionScopes/0/value': '/oauth2Permissions/0/value',
      'api/oauth2PermissionScopes/0/isEnabled': '/oauth2Permissions/0/isEnabled',
      'web/implicitGrantSettings/enableAccessTokenIssuance': '/oauth2AllowImplicitFlow',
    });
  });

  it('keeps every empty list as the one shared empty list, and an api record with only the keys it has', () => {
    const graph = {
      appId: '11111111-1111-1111-1111-111111111111',
      displayName: 'graph',
      keyCredentials: [],
      passwordCredentials: [],
      requiredResourceAccess: [{ resourceAppId: '00000003-0000-0000-c000-000000000000', resourceAccess: [] }],
      api: { requestedAccessTokenVersion: 2, oauth2PermissionScopes: [], preAuthorizedApplications: [] },
      spa: { redirectUris: [] },
    };
    const legacy = {
      appId: '22222222-2222-2222-2222-222222222222',
      name: 'legacy',
      accessTokenAcceptedVersion: 2,
      oauth2Permissions: [],
      knownClientApplications: [],
      replyUrlsWithType: [{ url: 'https://a.example/cb', type: 'Web' }],
    };
    const result = parseManifestText(JSON.stringify([graph, legacy]), 'apps.json');
    if ('problems' in result) throw new Error(result.problems.join('\n'));
    const [fromGraph, fromLegacy] = result.applications;
    // Shared: 10,000 manifests keep tens of thousands of empty lists, one array each before.
    for (const list of [
      fromGraph?.keyCredentials,
      fromGraph?.passwordCredentials,
      fromGraph?.requiredResourceAccess?.[0]?.resourceAccess,
      fromGraph?.api?.oauth2PermissionScopes,
      fromGraph?.api?.preAuthorizedApplications,
      fromGraph?.spa?.redirectUris,
      fromLegacy?.api?.oauth2PermissionScopes,
      fromLegacy?.api?.knownClientApplications,
      fromLegacy?.spa?.redirectUris,
      fromLegacy?.publicClient?.redirectUris,
    ]) {
      expect(list).toBe(none());
    }
    expect(fromLegacy?.web?.redirectUris).toEqual(['https://a.example/cb']);
    // The keys read, in the order of the Graph shape; none that the manifest does not have.
    expect(Object.keys(fromGraph?.api ?? {})).toEqual([
      'requestedAccessTokenVersion',
      'oauth2PermissionScopes',
      'preAuthorizedApplications',
    ]);
    expect(Object.keys(fromLegacy?.api ?? {})).toEqual([
      'requestedAccessTokenVersion',
      'oauth2PermissionScopes',
      'knownClientApplications',
    ]);
  });

  it('reads a file of more applications than a call can take as arguments, and reports as many problems', () => {
    // `az ad app list --all` of a large tenant is one JSON array: 250,000 records spread into push() overflowed.
    const count = 250_000;
    const dir = scratchDir();
    try {
      const apps = Array.from(
        { length: count },
        (_, i) => `{"appId":"00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}"}`,
      );
      writeFileSync(path.join(dir.dir, 'apps.json'), `[${apps.join(',')}]`);
      const inventory = loadManifests(path.join(dir.dir, 'apps.json'), 'manifest:apps.json', dir.dir);
      expect(inventory.applications).toHaveLength(count);
      expect(inventory.applications[count - 1]?.appId).toBe('00000000-0000-4000-8000-00000003d08f');
      writeFileSync(
        path.join(dir.dir, 'broken.json'),
        `[${Array.from({ length: count }, () => '{"appId":""}').join(',')}]`,
      );
      const error = auditErrorOf(() =>
        loadManifests(path.join(dir.dir, 'broken.json'), 'manifest:broken.json', dir.dir),
      );
      expect(error.details).toHaveLength(count);
    } finally {
      dir.cleanup();
    }
  });

  it('rejects a Graph response row without appId, located at the row', () => {
    const dir = scratchDir();
    try {
      const file = path.join(dir.dir, 'apps.json');
      writeFileSync(
        file,
        '{\n  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications",\n  "value": [\n    {\n      "displayName": "orders-client",\n      "web": {}\n    }\n  ]\n}\n',
      );
      const error = auditErrorOf(() => loadManifests(file, 'manifest:apps.json', dir.dir));
      expect(error.details[0]).toMatch(/apps\.json:4:5: application has no appId/);
    } finally {
      dir.cleanup();
    }
  });

  it('never keeps secretText or a legacy value', () => {
    const app = {
      appId: '11111111-1111-1111-1111-111111111111',
      name: 'x',
      replyUrlsWithType: [],
      passwordCredentials: [{ keyId: 'k', endDate: '2027-01-01T00:00:00Z', value: 'legacy~secret~value' }],
    };
    const graph = {
      appId: '22222222-2222-2222-2222-222222222222',
      displayName: 'y',
      web: {},
      passwordCredentials: [{ keyId: 'k', secretText: 'graph~secret~text' }],
      keyCredentials: [{ keyId: 'c', key: 'MIIBkey-material' }],
    };
    const result = parseManifestText(JSON.stringify([app, graph]), 'apps.json');
    const kept = JSON.stringify(result);
    expect(kept).not.toMatch(/legacy~secret~value|graph~secret~text|MIIBkey-material/);
    expect(kept).toContain('2027-01-01T00:00:00Z');
  });
});

describe('manifest detection and errors', () => {
  it('detects files and folders of manifests from a bare path', async () => {
    const bare = await scanJson([LEGACY, 'snapshot:' + 'examples/contoso/snapshot.json']);
    expect(bare.code).toBe(0);
    expect(
      looksLikeManifest(readFileSync(path.join(REPO_ROOT, GRAPH, 'oauth-client-app.json'), 'utf8')),
    ).toBe(true);
    expect(
      looksLikeManifest(readFileSync(path.join(REPO_ROOT, 'examples/contoso/snapshot.json'), 'utf8')),
    ).toBe(false);
    expect(
      looksLikeManifest(
        readFileSync(path.join(REPO_ROOT, 'test/sources/terraform/fixtures/colors/plan.json'), 'utf8'),
      ),
    ).toBe(false);
    expect(
      looksLikeManifest(decodeText(readFileSync(path.join(REPO_ROOT, MANIFESTS, 'powershell-utf16.json')))),
    ).toBe(true);
  });

  it('reports every problem of a folder at once, located', () => {
    const dir = scratchDir();
    try {
      writeFileSync(path.join(dir.dir, 'a.json'), '{\n  "appId": "x",\n  "name": "a",\n}');
      writeFileSync(path.join(dir.dir, 'b.json'), '{\n  "displayName": "b",\n  "web": {}\n}');
      writeFileSync(
        path.join(dir.dir, 'c.json'),
        '{\n  "appId": "c",\n  "replyUrlsWithType": [],\n  "web": {}\n}',
      );
      writeFileSync(path.join(dir.dir, 'd.json'), '{ "servicePrincipal": {} }');
      mkdirSync(path.join(dir.dir, '.git'));
      writeFileSync(path.join(dir.dir, '.git', 'x.json'), 'not json');
      const error = auditErrorOf(() => loadManifests(dir.dir, 'manifest:dir', dir.dir));
      expect(error.code).toBe('source-invalid');
      expect(error.details).toEqual([
        'a.json:4:1: JSON syntax error: PropertyNameExpected',
        'a.json:4:1: JSON syntax error: ValueExpected',
        'b.json:1:1: application has no appId (the Application (client) ID); every manifest needs one',
        'd.json:1:1: not an app manifest: expected an application object with appId, a JSON array of them, or a Graph page { "value": [...] }',
      ]);
    } finally {
      dir.cleanup();
    }
  });

  // The working folder the manifests' folder, a folder above it, or one beside it (then the paths shown start with
  // `..`, and a file read again is found by its whole path).
  it.each(['the folder', 'above', 'elsewhere'])(
    'keeps no file: reads one again to locate a finding in it, and locates nothing in one changed since (working folder %s)',
    (cwdAt) => {
      const dir = scratchDir();
      try {
        const cwd = cwdAt === 'the folder' ? dir.dir : cwdAt === 'above' ? path.dirname(dir.dir) : REPO_ROOT;
        const shown = (name: string) => displayPath(path.join(dir.dir, name), cwd);
        expect(shown('a.json').startsWith('..')).toBe(cwdAt === 'elsewhere');
        const manifest = (appId: string) =>
          `{\n  "appId": "${appId}",\n  "web": { "redirectUris": ["http://app.example"] }\n}`;
        writeFileSync(path.join(dir.dir, 'a.json'), manifest('11111111-1111-1111-1111-111111111111'));
        writeFileSync(path.join(dir.dir, 'b.json'), manifest('22222222-2222-2222-2222-222222222222'));
        const inventory = loadManifests(dir.dir, 'manifest:dir', cwd);
        expect(inventory.applications).toHaveLength(2);
        const b = path.join(dir.dir, 'b.json');
        // Written after the scan read it (its times a clock tick later, as such a write's are).
        writeFileSync(b, `\n\n${manifest('22222222-2222-2222-2222-222222222222')}`);
        const later = new Date(Date.now() + 10_000);
        utimesSync(b, later, later);
        expect(inventory.files[shown('a.json')]?.locate('/web/redirectUris/0')).toEqual({
          line: 3,
          column: 29,
        });
        expect(inventory.files[shown('a.json')]?.locate('/appId')).toEqual({ line: 2, column: 12 });
        expect(inventory.files[shown('b.json')]?.locate('/web/redirectUris/0')).toBeUndefined();
        expect(inventory.files[shown('b.json')]?.locate('/appId')).toBeUndefined();
        expect(inventory.files[shown('b.json')]?.locate('/web')).toBeUndefined();
      } finally {
        dir.cleanup();
      }
    },
  );

  it('exits 2 for an empty folder through the CLI', async () => {
    const dir = scratchDir();
    try {
      const run = await cli(['scan', '--source', `manifest:${dir.dir}`]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/contains no \*\.json files/);
    } finally {
      dir.cleanup();
    }
  });
});

describe('two manifests + the APIM side', () => {
  it('legacy manifests + the APIOps folder give the findings of the sample, each in its own file', async () => {
    const expected = await sampleGists();
    const { report } = await scanJson([`manifest:${LEGACY}`, `apiops:${APIOPS_COLORS}`]);
    expect(report.findings.map(gist).sort()).toEqual(expected);
    expect(report.notEvaluated).toEqual([]);
    for (const finding of report.findings) {
      if (finding.resource.kind === 'application')
        expect(finding.location.file).toMatch(
          /^test\/sources\/manifest\/fixtures\/colors-legacy\/oauth-(backend|client)-app\.json$/,
        );
      else expect(finding.location.file).toMatch(/^test\/sources\/apiops\/fixtures\/colors\//);
    }
    const legacyAt = (ruleId: string, fragment = '') =>
      textAt(only(report.findings, ruleId, fragment).location);
    expect(legacyAt('redirect-uri-safe')).toBe(
      '"http://developer.contoso.com/signin-oauth/code/callback/colors-oauth",',
    );
    expect(legacyAt('app-access-token-version')).toBe('null,');
    expect(legacyAt('client-secret-expiry')).toBe('"2026-10-25T00:00:00Z",');
    expect(legacyAt('implicit-grant-disabled')).toBe('false,');
    expect(report.findings.filter((f) => f.ruleId === 'sources-consistent')).toEqual([]);
  });

  it('Graph-format manifests + a snapshot with only `apim` give the same findings', async () => {
    const dir = scratchDir();
    try {
      const apim = apimOnlySnapshot(dir.dir);
      const { report } = await scanJson([
        `manifest:${GRAPH}/oauth-client-app.json`,
        `manifest:${GRAPH}/oauth-backend-app.json`,
        `snapshot:${apim}`,
      ]);
      expect(report.findings.map(gist).sort()).toEqual(await sampleGists());
      const version = only(report.findings, 'app-access-token-version');
      expect(version.location).toEqual(expect.objectContaining({ file: `${GRAPH}/oauth-backend-app.json` }));
      expect(textAt(version.location)).toBe('null,');
    } finally {
      dir.cleanup();
    }
  });

  it('a manifest that differs from the live tenant snapshot: sources-consistent names both places', async () => {
    const dir = scratchDir();
    try {
      copyFileSync(path.join(REPO_ROOT, GRAPH, 'oauth-client-app.json'), path.join(dir.dir, 'client.json'));
      const file = path.join(dir.dir, 'client.json');
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { web: { redirectUris: string[] } };
      manifest.web.redirectUris = [
        'https://contoso-apim.developer.azure-api.net/signin-oauth/code/callback/colors-oauth',
      ];
      writeFileSync(file, JSON.stringify(manifest, null, 2));
      const { report } = await scanJson([`manifest:${file}`, 'snapshot:examples/contoso/snapshot.json']);
      const drift = only(report.findings, 'sources-consistent', 'web/redirectUris');
      const shown = path.relative(REPO_ROOT, file);
      expect(drift.location.file).toBe(shown);
      const [detail] = (
        await auditFindings(
          [`manifest:${file}`, 'snapshot:examples/contoso/snapshot.json'],
          'sources-consistent',
        )
      )
        .filter((f) => f.message.includes('web/redirectUris'))
        .map((f) => f.detail);
      expect(detail).toContain(`${shown}:`);
      expect(detail).toMatch(/examples\/contoso\/snapshot\.json:\d+:\d+/);
      // The audit used the manifest (given first): the http redirect URI is gone from the findings.
      expect(report.findings.filter((f) => f.ruleId === 'redirect-uri-safe')).toEqual([]);
    } finally {
      dir.cleanup();
    }
  });
});
