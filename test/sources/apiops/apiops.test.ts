import { readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadApiopsFolder, splitApiopsLocation } from '../../../src/sources/apiops';
import { parseSourceSpec } from '../../../src/sources';
import { cli } from '../../helpers/cli';
import { REPO_ROOT } from '../../helpers/sample';
import {
  APIOPS_COLORS,
  APIOPS_COLORS_APPS,
  apiopsColorsFiles,
  appsSnapshotFile,
  syncFixtures,
} from '../colors-fixtures';
import {
  auditErrorOf,
  gist,
  NOW,
  sampleGists,
  scanJson,
  scratchCopy,
  scratchDir,
  textAt,
  type ReportFinding,
} from '../iac-helpers';

const WORKSPACES = 'test/sources/apiops/fixtures/workspaces';
const COLORS_SOURCES = [`apiops:${APIOPS_COLORS}`, `snapshot:${APIOPS_COLORS_APPS}`];

function load(dir: string, spec = `apiops:${dir}`) {
  return loadApiopsFolder(path.resolve(REPO_ROOT, dir), spec, REPO_ROOT);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

function findingOf(findings: ReportFinding[], ruleId: string, match: RegExp = /./): ReportFinding {
  const found = findings.find((f) => f.ruleId === ruleId && match.test(f.message));
  if (!found) throw new Error(`no ${ruleId} finding matching ${String(match)}`);
  return found;
}

describe('apiops source: the Colors scenario', () => {
  it('the fixture folder mirrors examples/contoso/snapshot.json (UPDATE_FIXTURES=1 rewrites it)', () => {
    expect(syncFixtures(APIOPS_COLORS, apiopsColorsFiles(), true)).toEqual([]);
    expect(
      syncFixtures(
        'test/sources/apiops/fixtures',
        new Map([['colors-apps.snapshot.json', appsSnapshotFile()]]),
        false,
      ),
    ).toEqual([]);
  });

  it('reads every scope into ARM-shaped records, each pointing at its own file', () => {
    const inventory = load(APIOPS_COLORS);
    expect(inventory.sources[0]?.provides).toEqual({ entra: false, apim: true });
    expect(inventory.gaps).toEqual([]);
    const [service] = inventory.services;
    expect(service?.name).toBe('contoso-apim');
    expect(service?.origin).toEqual({
      file: `${APIOPS_COLORS}/serviceInformation.json`,
      pointer: '',
      resourceId: service?.id,
      // It carries its servers (a hand-written authorizationServers/ folder), never OpenID Connect providers.
      unknown: {
        openidConnectProviders: expect.stringMatching(/^APIOps does not extract OpenID Connect providers/),
      },
    });
    expect(service?.policy?.origin).toEqual({ file: `${APIOPS_COLORS}/policy.xml`, pointer: '' });
    expect(service?.policy?.format).toBe('rawxml');
    expect(service?.policy?.value).toBe(
      readFileSync(path.join(REPO_ROOT, APIOPS_COLORS, 'policy.xml'), 'utf8'),
    );

    const server = service?.authorizationServers?.[0];
    expect(server?.name).toBe('colors-oauth');
    expect(server?.origin).toEqual({
      file: `${APIOPS_COLORS}/authorizationServers/colors-oauth/authorizationServerInformation.json`,
      pointer: '',
    });

    const api = service?.apis?.find((a) => a.name === 'colors-api');
    expect(api?.properties.authenticationSettings?.oAuth2?.authorizationServerId).toBe('colors-oauth');
    expect(api?.policy?.origin?.file).toBe(`${APIOPS_COLORS}/apis/colors-api/policy.xml`);
    // Operations without a policy come from the specification; get-random-color also has its policy file.
    expect(api?.operations?.map((o) => [o.name, o.properties.method, o.properties.urlTemplate])).toEqual([
      ['get-colors', 'GET', '/colors'],
      ['get-random-color', 'GET', '/colors/random'],
    ]);
    const operation = api?.operations?.[1];
    expect(operation?.origin).toMatchObject({ file: `${APIOPS_COLORS}/apis/colors-api/specification.yaml` });
    expect(operation?.policy?.origin?.file).toBe(
      `${APIOPS_COLORS}/apis/colors-api/operations/get-random-color/policy.xml`,
    );

    const product = service?.products?.[0];
    expect(product?.apis).toEqual(['colors-admin-api', 'colors-api']);
    expect(product?.policy?.origin?.file).toBe(`${APIOPS_COLORS}/products/colors-starter/policy.xml`);

    const secret = service?.namedValues?.find((n) => n.name === 'colors-backend-key');
    expect(secret?.properties).toEqual({ displayName: 'colors-backend-key', secret: true });
    expect(secret?.origin.file).toBe(
      `${APIOPS_COLORS}/named values/colors-backend-key/namedValueInformation.json`,
    );
  });

  it('indexes every file it read', () => {
    const inventory = load(APIOPS_COLORS);
    const onDisk = filesUnder(path.join(REPO_ROOT, APIOPS_COLORS)).map((f) =>
      path.relative(REPO_ROOT, f).split(path.sep).join('/'),
    );
    expect(Object.keys(inventory.files).sort()).toEqual(onDisk.sort());
  });

  it.each([
    ['an *Information.json', 'elsewhere', 'apiInformation.json', '/properties/path', '"path"'],
    ['a YAML specification', 'elsewhere', 'specification.yaml', '/paths/~1reset/post', 'post:'],
    // Below the working folder, a file's path is kept as the path shown for it (apiops/reader.ts `checked`).
    ['an *Information.json', 'above', 'apiInformation.json', '/properties/path', '"path"'],
    ['a YAML specification', 'above', 'specification.yaml', '/paths/~1reset/post', 'post:'],
  ])(
    'keeps no text of %s: reads it again to locate, and locates nothing in one changed since (working folder %s)',
    (_kind, cwdAt, name, pointer, needle) => {
      const { dir, cleanup } = scratchCopy(APIOPS_COLORS);
      try {
        const cwd = cwdAt === 'above' ? path.dirname(dir) : REPO_ROOT;
        const file = path.join(dir, 'apis', 'colors-admin-api', name);
        const shown = path.relative(cwd, file).split(path.sep).join('/');
        expect(shown.startsWith('..')).toBe(cwdAt !== 'above');
        const original = readFileSync(file, 'utf8');
        const line = original.slice(0, original.indexOf(needle)).split('\n').length;
        const unchanged = loadApiopsFolder(dir, `apiops:${dir}`, cwd).files[shown];
        const changed = loadApiopsFolder(dir, `apiops:${dir}`, cwd).files[shown];
        expect(unchanged?.locate(pointer)?.line).toBe(line);
        // The same values one line lower: a position from the new text would be wrong for what was parsed.
        writeFileSync(file, `\n${original}`);
        expect(changed?.locate(pointer)).toBeUndefined();
      } finally {
        cleanup();
      }
    },
  );

  it('with the two app registrations gives the same findings as the sample, each in its own file', async () => {
    const expected = await sampleGists();
    const { code, report } = await scanJson(COLORS_SOURCES);
    expect(code).toBe(0);
    expect(report.complete).toBe(true);
    expect(report.notEvaluated).toEqual([]);
    expect(report.findings.map(gist).sort()).toEqual(expected);
    for (const finding of report.findings) {
      const home = finding.resource.kind === 'application' ? APIOPS_COLORS_APPS : `${APIOPS_COLORS}/`;
      expect(finding.location.file?.startsWith(home)).toBe(true);
    }
  });

  it('locates findings on the exact value or policy element', async () => {
    const { report } = await scanJson(COLORS_SOURCES);
    const serverFile = `${APIOPS_COLORS}/authorizationServers/colors-oauth/authorizationServerInformation.json`;
    const tokenEndpoint = findingOf(report.findings, 'auth-server-v2-endpoints', /v1 token endpoint/);
    expect(tokenEndpoint.location).toEqual({ file: serverFile, line: 6, column: 22 });
    expect(textAt(tokenEndpoint.location)).toMatch(
      /^"https:\/\/login\.microsoftonline\.com\/[^"]*\/oauth2\/token"/,
    );
    const grant = findingOf(report.findings, 'auth-server-grant-types');
    expect(grant.location).toEqual({ file: serverFile, line: 7, column: 41 });
    expect(textAt(grant.location)).toMatch(/^"implicit"/);
    const missingServer = findingOf(report.findings, 'api-oauth-enabled');
    expect(missingServer.location).toEqual({
      file: `${APIOPS_COLORS}/apis/colors-admin-api/apiInformation.json`,
      line: 12,
      column: 34,
    });
    expect(textAt(missingServer.location)).toMatch(/^"colors-oauth-v1"/);
    // Policy findings land on the element inside the policy.xml of their scope.
    for (const finding of report.findings.filter((f) => f.location.file?.endsWith('.xml'))) {
      expect(textAt(finding.location)).toMatch(/^<[a-z-]+/);
    }
    const strict = findingOf(report.findings, 'jwt-validation-strict');
    expect(strict.location.file).toBe(`${APIOPS_COLORS}/policy.xml`);
    expect(textAt(strict.location)).toMatch(/^<validate-jwt /);
    const lost = findingOf(report.findings, 'api-validate-jwt');
    expect(lost.location.file).toBe(
      `${APIOPS_COLORS}/apis/colors-api/operations/get-random-color/policy.xml`,
    );
    expect(textAt(lost.location)).toMatch(/^<inbound>/);
  });

  it('SARIF has repository-relative file URIs and regions on the right lines', async () => {
    const run = await cli([
      'scan',
      ...COLORS_SOURCES.flatMap((s) => ['--source', s]),
      '--format',
      'sarif',
      '--fail-on',
      'none',
      '--now',
      NOW,
    ]);
    expect(run.code).toBe(0);
    const log = JSON.parse(run.stdout) as {
      runs: {
        results: {
          ruleId: string;
          message: { text: string };
          locations: {
            physicalLocation: {
              artifactLocation: { uri: string; uriBaseId?: string };
              region: { startLine: number; startColumn: number };
            };
          }[];
        }[];
      }[];
    };
    const results = log.runs[0]?.results ?? [];
    const { report } = await scanJson(COLORS_SOURCES);
    expect(results).toHaveLength(report.findings.length);
    for (const result of results) {
      const { artifactLocation, region } = result.locations[0]?.physicalLocation ?? {
        artifactLocation: { uri: '' },
        region: { startLine: 0, startColumn: 0 },
      };
      expect(artifactLocation.uriBaseId).toBe('%SRCROOT%');
      expect(artifactLocation.uri).not.toMatch(/^(\/|[a-z]+:)/i);
      const file = decodeURIComponent(artifactLocation.uri);
      expect(file.startsWith('test/sources/apiops/fixtures/')).toBe(true);
      const text = textAt({ file, line: region.startLine, column: region.startColumn });
      // JSON findings start at a value; policy findings at an element.
      expect(text).toMatch(file.endsWith('.xml') ? /^</ : /^["[{0-9tfn]/);
      const finding = report.findings.find((f) => f.message === result.message.text);
      expect(finding?.location).toEqual({ file, line: region.startLine, column: region.startColumn });
    }
    const named = results.filter((r) =>
      r.locations[0]?.physicalLocation.artifactLocation.uri.includes('named%20values'),
    );
    expect(named).toEqual([]); // nothing to report there, but the URI encoding of the space is covered below
    expect(
      results.some((r) =>
        r.locations[0]?.physicalLocation.artifactLocation.uri.endsWith(
          'colors-oauth/authorizationServerInformation.json',
        ),
      ),
    ).toBe(true);
  });

  it('locates policy elements in a policy.xml with a BOM and CRLF line endings', async () => {
    const scratch = scratchCopy(APIOPS_COLORS);
    try {
      const file = path.join(scratch.dir, 'policy.xml');
      writeFileSync(file, `\uFEFF${readFileSync(file, 'utf8').replace(/\n/g, '\r\n')}`);
      const apps = path.join(REPO_ROOT, APIOPS_COLORS_APPS);
      const { report } = await scanJson([`apiops:${scratch.dir}`, `snapshot:${apps}`], { cwd: scratch.dir });
      const strict = findingOf(report.findings, 'jwt-validation-strict');
      expect(strict.location.file).toBe('policy.xml');
      expect(textAt(strict.location, scratch.dir)).toMatch(/^<validate-jwt /);
      const expected = (await scanJson(COLORS_SOURCES)).report.findings.find(
        (f) => f.ruleId === 'jwt-validation-strict',
      );
      expect(strict.location.line).toBe(expected?.location.line);
      expect(strict.location.column).toBe(expected?.location.column);
    } finally {
      scratch.cleanup();
    }
  });

  it('without a service name, judges nothing against a made-up developer-portal host, but the callback paths still', async () => {
    const scratch = scratchCopy(APIOPS_COLORS);
    try {
      rmSync(path.join(scratch.dir, 'serviceInformation.json'));
      const apps = path.join(REPO_ROOT, APIOPS_COLORS_APPS);
      const { report } = await scanJson([`apiops:${scratch.dir}`, `snapshot:${apps}`]);
      const expected = new Set(await sampleGists());
      const folder = path.basename(scratch.dir).toLowerCase();
      for (const finding of report.findings) {
        expect(finding.message).not.toContain(`${folder}.developer.azure-api.net`);
        if (finding.ruleId !== 'client-redirect-uri-matches-portal') continue;
        // A callback missing under every host is reported once against the unknown host (issue 9 §2).
        expect(expected.has(gist(finding)) || finding.message.includes('<developer portal host>')).toBe(true);
      }
      const portal = report.notEvaluated.filter((n) => n.ruleId === 'client-redirect-uri-matches-portal');
      expect(portal.length).toBeGreaterThan(0);
      expect(portal[0]?.reason).toMatch(
        /name of apimService .*the service name is not given \(add #<service name>/,
      );
    } finally {
      scratch.cleanup();
    }
  });
});

describe('apiops source: layout', () => {
  it('reads workspaces, revisions, operationInformation.json and JSON specifications', () => {
    const inventory = load(WORKSPACES);
    expect(inventory.gaps).toEqual([]);
    const service = inventory.services[0];
    expect(service?.name).toBe('fabrikam-apim');
    const [current, revision] = service?.apis ?? [];
    expect([current?.name, current?.properties.isCurrent]).toEqual(['orders', true]);
    expect([revision?.name, revision?.properties.isCurrent]).toEqual(['orders;rev=2', false]);
    const operation = current?.operations?.[0];
    expect(operation?.name).toBe('list-orders');
    expect(operation?.properties).toEqual({
      displayName: 'List orders',
      method: 'GET',
      urlTemplate: '/orders',
    });
    expect(operation?.origin).toEqual({
      file: `${WORKSPACES}/apis/orders/operations/list-orders/operationInformation.json`,
      pointer: '',
    });
    const workspace = service?.workspaces?.[0];
    expect(workspace?.name).toBe('team-a');
    expect(workspace?.properties).toEqual({ displayName: 'Team A', description: 'APIs owned by team A.' });
    expect(workspace?.policy?.origin?.file).toBe(`${WORKSPACES}/workspaces/team-a/policy.xml`);
    const inventoryApi = workspace?.apis?.[0];
    expect(inventoryApi?.operations?.map((o) => o.name)).toEqual(['list-items', 'add-item']);
    expect(inventoryApi?.operations?.[1]?.origin).toMatchObject({
      file: `${WORKSPACES}/workspaces/team-a/apis/inventory/specification.json`,
      pointer: '/paths/~1items/post',
    });
    expect(workspace?.products?.[0]?.apis).toEqual(['inventory']);
    expect(workspace?.namedValues?.[0]?.properties.value).toBe('api://team-a-inventory');
    const fragment = workspace?.policyFragments?.[0];
    expect(fragment?.properties.format).toBe('rawxml');
    expect(fragment?.properties.value).toMatch(/^<fragment>/);
    expect(fragment?.valueOrigin).toEqual({
      file: `${WORKSPACES}/workspaces/team-a/policy fragments/team-a-jwt/policy.xml`,
      pointer: '',
    });
    expect(fragment?.origin.file).toBe(
      `${WORKSPACES}/workspaces/team-a/policy fragments/team-a-jwt/policyFragmentInformation.json`,
    );
  });

  it('a bare path to an APIOps folder is detected', () => {
    for (const dir of [APIOPS_COLORS, WORKSPACES]) {
      expect(parseSourceSpec(dir, REPO_ROOT).kind).toBe('apiops');
    }
    expect(() => parseSourceSpec('test/fixtures', REPO_ROOT)).toThrow(/Cannot tell what kind of source/);
  });

  it('takes the service name from apiops:<dir>#<name>, whether or not the name was resolved as a path', () => {
    expect(splitApiopsLocation(`${REPO_ROOT}/${WORKSPACES}#sample-apim`).serviceName).toBe('sample-apim');
    const spec = parseSourceSpec(`apiops:${WORKSPACES}#sample-apim`, REPO_ROOT);
    const inventory = loadApiopsFolder(spec.location, spec.raw, REPO_ROOT);
    expect(inventory.services[0]?.name).toBe('sample-apim');
    expect(inventory.services[0]?.origin.unknown?.['name']).toBeUndefined();
    const error = auditErrorOf(() =>
      loadApiopsFolder(`${REPO_ROOT}/${WORKSPACES}#9lives`, 'apiops:x#9lives', REPO_ROOT),
    );
    expect(error.message).toMatch(/'9lives' in apiops:x#9lives is not an API Management service name/);
  });
});

describe('apiops source: bad input', () => {
  it('lists every malformed file at once, located file:line:col (exit 2)', async () => {
    const scratch = scratchCopy(WORKSPACES);
    try {
      writeFileSync(
        path.join(scratch.dir, 'apis/orders/apiInformation.json'),
        '{\n  "properties": {\n    "path": "orders",,\n  }\n}\n',
      );
      writeFileSync(
        path.join(scratch.dir, 'workspaces/team-a/named values/team-a-audience/namedValueInformation.json'),
        '{ "properties": [] }',
      );
      const error = auditErrorOf(() => loadApiopsFolder(scratch.dir, 'apiops:x', scratch.dir));
      expect(error.code).toBe('source-invalid');
      expect(error.details).toEqual([
        'apis/orders/apiInformation.json:3:22: JSON syntax error: PropertyNameExpected',
        'apis/orders/apiInformation.json:3:22: JSON syntax error: ValueExpected',
        'apis/orders/apiInformation.json:4:3: JSON syntax error: PropertyNameExpected',
        'apis/orders/apiInformation.json:4:3: JSON syntax error: ValueExpected',
        'workspaces/team-a/named values/team-a-audience/namedValueInformation.json:1:17: "properties" must be an object',
      ]);
      const run = await cli(['scan', '--source', `apiops:${scratch.dir}`], { cwd: scratch.dir });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('apis/orders/apiInformation.json:3:22: JSON syntax error');
    } finally {
      scratch.cleanup();
    }
  });

  it('an API folder without apiInformation.json is a gap, and nothing rests on its unknown settings', async () => {
    const scratch = scratchCopy(APIOPS_COLORS);
    try {
      rmSync(path.join(scratch.dir, 'apis/colors-admin-api/apiInformation.json'));
      const inventory = loadApiopsFolder(scratch.dir, 'apiops:x', scratch.dir);
      expect(inventory.gaps).toEqual([
        {
          source: 'apiops:x',
          what: 'apis/colors-admin-api/apiInformation.json',
          reason: 'is missing, so the settings of this API are unknown',
        },
      ]);
      const apps = path.join(REPO_ROOT, APIOPS_COLORS_APPS);
      const { code, report } = await scanJson([`apiops:${scratch.dir}`, `snapshot:${apps}`]);
      expect(code).toBe(3);
      expect(report.complete).toBe(false);
      expect(report.findings.filter((f) => f.resource.name === 'colors-admin-api')).toEqual([]);
    } finally {
      scratch.cleanup();
    }
  });

  it('never keeps a secret: client secrets and secret named values in hand-written files are dropped', async () => {
    const scratch = scratchDir();
    try {
      const put = (file: string, value: unknown) => {
        mkdirSync(path.dirname(path.join(scratch.dir, file)), { recursive: true });
        writeFileSync(path.join(scratch.dir, file), JSON.stringify(value, null, 2));
      };
      put('authorizationServers/entra/authorizationServerInformation.json', {
        properties: {
          displayName: 'Entra',
          clientId: 'a',
          clientSecret: 'S3cr3t-client-value',
          grantTypes: ['authorizationCode'],
        },
      });
      put('named values/backend-key/namedValueInformation.json', {
        properties: { displayName: 'backend-key', secret: true, value: 'S3cr3t-named-value' },
      });
      const inventory = loadApiopsFolder(`${scratch.dir}#fabrikam`, 'apiops:x', scratch.dir);
      expect(JSON.stringify(inventory.services)).not.toMatch(/S3cr3t/);
      const { report, stdout } = await scanJson([`apiops:${scratch.dir}`], { cwd: scratch.dir });
      expect(stdout).not.toMatch(/S3cr3t/);
      expect(report.findings.length).toBeGreaterThan(0);
    } finally {
      scratch.cleanup();
    }
  });
});
