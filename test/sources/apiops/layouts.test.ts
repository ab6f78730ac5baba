/**
 * The APIOps folder layouts the `apiops:` source accepts (what the APIOps tools have written over the years),
 * what it says about a folder it cannot place, and what it refuses. Each fixture under
 * test/sources/apiops/fixtures/layouts/ is one layout; the empty folder and the nested artifact folder are built in a
 * temporary folder, since git keeps no empty folders.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadApiopsFolder } from '../../../src/sources/apiops';
import { parseSourceSpec, SOURCE_KINDS } from '../../../src/sources';
import { cli } from '../../helpers/cli';
import { auditErrorOf } from '../../helpers/errors';
import { REPO_ROOT } from '../../helpers/sample';
import { makeTempDir } from '../../helpers/temp';

const LAYOUTS = 'test/sources/apiops/fixtures/layouts';

function load(layout: string) {
  return loadApiopsFolder(path.join(REPO_ROOT, LAYOUTS, layout), `apiops:${LAYOUTS}/${layout}`, REPO_ROOT);
}

/** Removed after the suite, like every folder makeTempDir makes (test/helpers/cleanup.ts). */
let scratch: string;

beforeAll(() => {
  scratch = makeTempDir('layouts');
});

/** A folder under the scratch folder, with the given files. */
function tree(name: string, files: Record<string, string> = {}): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

describe('apiops layouts: accepted', () => {
  it('folders named after display names, with the resource name in the file (the extractor of 2022)', () => {
    const inventory = load('display-names');
    expect(inventory.gaps).toEqual([]);
    const service = inventory.services[0];
    const api = service?.apis?.[0];
    expect(api?.name).toBe('echo-api');
    expect(api?.origin.file).toBe(`${LAYOUTS}/display-names/apis/Echo API/apiInformation.json`);
    // The operation folder is named after the operation's display name: it is the specification's operation.
    expect(api?.operations?.map((o) => [o.name, o.properties.method, o.policy !== undefined])).toEqual([
      ['retrieve-resource', 'GET', true],
      ['create-resource', 'POST', false],
    ]);
    expect(service?.products?.map((p) => [p.name, p.apis])).toEqual([['starter', ['echo-api']]]);
    expect(service?.namedValues?.map((n) => [n.name, n.properties.displayName])).toEqual([
      ['tenant-id', 'Tenant Id'],
    ]);
  });

  it('apis/<display name>/<version, or Original>/<revision>/ (the extractor of 2022)', () => {
    const inventory = load('versions-2022');
    expect(inventory.gaps).toEqual([]);
    const apis = inventory.services[0]?.apis ?? [];
    expect(apis.map((a) => [a.name, a.properties.isCurrent, a.properties.apiVersion])).toEqual([
      ['echo-api', true, undefined],
      ['echo-api;rev=2', false, undefined],
      ['echo-api-v2', true, 'v2'],
    ]);
    const [current] = apis;
    expect(current?.origin.file).toBe(
      `${LAYOUTS}/versions-2022/apis/Echo API/Original/1/apiInformation.json`,
    );
    expect(current?.policy?.origin?.file).toBe(
      `${LAYOUTS}/versions-2022/apis/Echo API/Original/1/policy.xml`,
    );
    expect(current?.operations?.map((o) => o.name)).toEqual(['retrieve-resource']);
  });

  it('namedValues/, policyFragments/ and products/<p>/apis.json (apiops-cli)', () => {
    const inventory = load('apiops-cli');
    expect(inventory.gaps).toEqual([]);
    const service = inventory.services[0];
    expect(service?.products?.map((p) => [p.name, p.apis])).toEqual([['starter', ['orders']]]);
    expect(service?.namedValues?.map((n) => [n.name, n.properties.value])).toEqual([
      ['tenant-id', '4f1e7a52-3c2b-4d8e-9a61-0b5c3d2e1f00'],
    ]);
    const [cors, jwt] = service?.policyFragments ?? [];
    // A fragment with only its policy.xml.
    expect(cors?.name).toBe('cors');
    expect(cors?.properties.value).toMatch(/^<fragment>\n {2}<cors>/);
    expect(cors?.valueOrigin).toEqual({
      file: `${LAYOUTS}/apiops-cli/policyFragments/cors/policy.xml`,
      pointer: '',
    });
    // A fragment with its text in the information file, located on that JSON string.
    const jwtFile = `${LAYOUTS}/apiops-cli/policyFragments/jwt/policyFragmentInformation.json`;
    expect(jwt?.properties).toEqual({
      description: "Validates the caller's token.",
      format: 'rawxml',
      value: '<fragment>\n  <validate-jwt header-name="Authorization" />\n</fragment>',
    });
    expect(jwt?.valueOrigin).toEqual({ file: jwtFile, pointer: '/properties/value' });
    expect(inventory.files[jwtFile]?.locateOffset('/properties/value', 0)).toEqual({ line: 5, column: 15 });
  });

  it('revision folders: apis/<api>;rev=<n>/ is a non-current revision unless its file says otherwise', () => {
    const inventory = load('revisions');
    expect(inventory.gaps).toEqual([]);
    const service = inventory.services[0];
    expect(service?.apis?.map((a) => [a.name, a.properties.isCurrent, a.properties.apiRevision])).toEqual([
      ['orders', true, '2'],
      ['orders;rev=1', false, '1'],
    ]);
    const workspace = service?.workspaces?.[0];
    expect(workspace?.apis?.map((a) => [a.name, a.properties.isCurrent, a.properties.apiRevision])).toEqual([
      ['inventory', undefined, '1'],
      ['inventory;rev=3', true, '3'],
    ]);
  });

  it('every accepted layout is recognised as a bare path', () => {
    for (const layout of ['display-names', 'versions-2022', 'apiops-cli', 'revisions', 'misplaced']) {
      expect([layout, parseSourceSpec(`${LAYOUTS}/${layout}`, REPO_ROOT).kind]).toEqual([layout, 'apiops']);
    }
  });
});

describe('apiops layouts: folders it cannot place are gaps that say what was expected and found', () => {
  const dir = `${LAYOUTS}/misplaced`;

  it('apiInformation.json one level deeper than an API folder', () => {
    const inventory = load('misplaced');
    expect(inventory.gaps).toContainEqual({
      source: `apiops:${dir}`,
      what: `${dir}/apis/colors-api`,
      reason:
        `expected ${dir}/apis/colors-api/apiInformation.json; found ${dir}/apis/colors-api/v1/apiInformation.json ` +
        `one level deeper, where APIOps does not look (move it up to ${dir}/apis/colors-api/), so the settings of ` +
        'this API are unknown',
    });
    // The API is there (its policy is read), but nothing may rest on its unknown settings.
    const api = inventory.services[0]?.apis?.find((a) => a.name === 'colors-api');
    expect(api?.properties).toEqual({});
    expect(api?.policy?.origin?.file).toBe(`${dir}/apis/colors-api/policy.xml`);
    expect(api?.origin.unknown).toEqual({
      properties:
        `${dir}/apis/colors-api: expected ${dir}/apis/colors-api/apiInformation.json; found ` +
        `${dir}/apis/colors-api/v1/apiInformation.json one level deeper, where APIOps does not look (move it up ` +
        `to ${dir}/apis/colors-api/), so the settings of this API are unknown`,
    });
  });

  it('a folder under apis/ with only files no APIOps tool writes', () => {
    const inventory = load('misplaced');
    expect(inventory.gaps).toContainEqual({
      source: `apiops:${dir}`,
      what: `${dir}/apis/notes`,
      reason: `expected ${dir}/apis/notes/apiInformation.json; found only README.md, so it is not read as an API`,
    });
    // No APIOps version wrote apis/<api>/configuration.json: it is not an API's information file.
    expect(inventory.gaps).toContainEqual({
      source: `apiops:${dir}`,
      what: `${dir}/apis/legacy-api`,
      reason: `expected ${dir}/apis/legacy-api/apiInformation.json; found only configuration.json, so it is not read as an API`,
    });
    expect(inventory.services[0]?.apis?.map((a) => a.name)).toEqual(['colors-api', 'orders']);
    expect(inventory.gaps).toHaveLength(3);
  });

  it('several API files one level deeper, and the CLI reports the audit incomplete (exit 3)', async () => {
    const root = tree('two-versions', {
      'apis/colors-api/v1/apiInformation.json': '{ "properties": {} }',
      'apis/colors-api/v2/apiInformation.json': '{ "properties": {} }',
    });
    const inventory = loadApiopsFolder(root, 'apiops:two-versions', scratch);
    expect(inventory.gaps).toEqual([
      {
        source: 'apiops:two-versions',
        what: 'two-versions/apis/colors-api',
        reason:
          'expected two-versions/apis/colors-api/apiInformation.json; found ' +
          'two-versions/apis/colors-api/v1/apiInformation.json and two-versions/apis/colors-api/v2/apiInformation.json ' +
          'one level deeper, where APIOps does not look (give each API its own apis/<api>/ folder), so the settings ' +
          'of this API are unknown',
      },
    ]);
    const run = await cli(['scan', '--source', 'apiops:two-versions#fabrikam'], { cwd: scratch });
    expect(run.code).toBe(3);
    expect(run.stdout).toContain(
      'apiops:two-versions#fabrikam: could not read two-versions/apis/colors-api: expected ' +
        'two-versions/apis/colors-api/apiInformation.json; found two-versions/apis/colors-api/v1/apiInformation.json',
    );
  });
});

describe('apiops layouts: no APIOps artifacts at all', () => {
  const expected =
    'expected apis/<api>/apiInformation.json, products/, named values/, policy fragments/, workspaces/ or a ' +
    'policy.xml at its root';

  it('an empty folder is invalid input (exit 2), never a clean service', async () => {
    tree('empty');
    const error = auditErrorOf(() => loadApiopsFolder(path.join(scratch, 'empty'), 'apiops:empty', scratch));
    expect(error.code).toBe('source-invalid');
    expect(error.message).toBe(`no APIOps artifacts found in empty: ${expected}; found an empty folder`);
    const run = await cli(['scan', '--source', 'apiops:empty'], { cwd: scratch });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `apim-oauth-audit: no APIOps artifacts found in empty: ${expected}; found an empty folder\n`,
    );
    expect(run.stdout).toBe('');
  });

  it('a folder of something else is invalid input (exit 2)', async () => {
    const run = await cli(['scan', '--source', `apiops:${LAYOUTS}/not-apiops`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `apim-oauth-audit: no APIOps artifacts found in ${LAYOUTS}/not-apiops: ${expected}; found only main.tf and README.md\n`,
    );
  });

  it('a project with an apis/ folder of its own is a folder of something else (exit 2)', async () => {
    tree('node-app', { 'package.json': '{}', 'apis/users/index.ts': 'export {};' });
    const run = await cli(['scan', '--source', 'apiops:node-app'], { cwd: scratch });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `apim-oauth-audit: no APIOps artifacts found in node-app: ${expected}; found only apis/ and package.json\n`,
    );
  });

  it('names the artifact folder below the one given', async () => {
    tree('repo', {
      'README.md': '# repo\n',
      'apimartifacts/apis/orders/apiInformation.json': '{ "properties": { "path": "orders" } }',
    });
    const run = await cli(['scan', '--source', 'apiops:repo'], { cwd: scratch });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `apim-oauth-audit: no APIOps artifacts found in repo: ${expected}; found only apimartifacts/ and README.md; ` +
        'repo/apimartifacts is one: pass apiops:repo/apimartifacts\n',
    );
  });

  it('names the artifact folder above, when given its apis/ folder', async () => {
    const run = await cli(['scan', '--source', `apiops:${LAYOUTS}/revisions/apis`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `apim-oauth-audit: no APIOps artifacts found in ${LAYOUTS}/revisions/apis: ${expected}; found only orders/ and ` +
        `orders;rev=1/; ${LAYOUTS}/revisions is one: pass apiops:${LAYOUTS}/revisions\n`,
    );
  });

  it('a bare path that looks like nothing keeps the source registry error (exit 2)', async () => {
    tree('nothing');
    const run = await cli(['scan', 'nothing'], { cwd: scratch });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `apim-oauth-audit: Cannot tell what kind of source 'nothing' is; name it as <kind>:<path> (kinds: ${SOURCE_KINDS.join(', ')}).\n`,
    );
  });
});
