import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseSourceSpec } from '../../../src/sources';
import { loadArmTemplate, splitArmLocation } from '../../../src/sources/arm';
import { cli } from '../../helpers/cli';
import { REPO_ROOT } from '../../helpers/sample';
import { ARM_COLORS, ARM_COLORS_PARAMETERS, armColorsFiles, syncFixtures } from '../colors-fixtures';
import {
  auditErrorOf,
  gist,
  sampleGists,
  scanJson,
  scratchDir,
  textAt,
  type Report,
  type ReportFinding,
} from '../iac-helpers';

const NESTED = 'test/sources/arm/fixtures/nested.json';
const NESTED_PARAMETERS = 'test/sources/arm/fixtures/nested.parameters.json';
const COLORS = `arm:${ARM_COLORS}#${ARM_COLORS_PARAMETERS}`;

type Json = Record<string, unknown>;

function load(spec: string) {
  const parsed = parseSourceSpec(spec, REPO_ROOT);
  return loadArmTemplate(parsed.location, parsed.raw, REPO_ROOT);
}

function findingOf(findings: ReportFinding[], ruleId: string, match: RegExp = /./): ReportFinding {
  const found = findings.find((f) => f.ruleId === ruleId && match.test(f.message));
  if (!found) throw new Error(`no ${ruleId} finding matching ${String(match)}`);
  return found;
}

/** The rule and resource of a finding's gist: what it is reported on, whatever its wording. */
const about = (g: string) => g.split(' | ').slice(0, 2).join(' | ');

/** Who a finding is about, independent of wording (an unknown service name changes the messages). */
const subject = (f: ReportFinding) =>
  `${f.ruleId} | ${f.resource.kind} | ${f.location.file ?? ''}:${f.location.line ?? 0}:${f.location.column ?? 0}`;

/**
 * The Colors template with `edit` applied, scanned with the parameters file from a scratch folder. Asserts the
 * property this source promises: a template that determines less yields a subset of the findings, never a
 * new one.
 */
async function scanEdited(edit: (template: Json) => void): Promise<{ code: number; report: Report }> {
  const scratch = scratchDir();
  try {
    const template = JSON.parse(readFileSync(path.join(REPO_ROOT, ARM_COLORS), 'utf8')) as Json;
    edit(template);
    writeFileSync(path.join(scratch.dir, 'main.json'), JSON.stringify(template, null, 2));
    writeFileSync(
      path.join(scratch.dir, 'main.parameters.json'),
      readFileSync(path.join(REPO_ROOT, ARM_COLORS_PARAMETERS), 'utf8'),
    );
    const { code, report } = await scanJson(['arm:main.json#main.parameters.json'], { cwd: scratch.dir });
    // Knowing less may change the wording (a backend found by audience instead of through an unstated server, a
    // validation that an operation drops whatever the unstated global policy holds), never what is reported on.
    const expected = new Set((await sampleGists()).map(about));
    for (const finding of report.findings)
      expect([gist(finding), expected.has(about(gist(finding)))]).toEqual([gist(finding), true]);
    return { code, report };
  } finally {
    scratch.cleanup();
  }
}

function resources(template: Json): Record<string, Json> {
  return template['resources'] as Record<string, Json>;
}

function properties(template: Json, symbol: string): Json {
  return resources(template)[symbol]?.['properties'] as Json;
}

describe('arm source: the Colors scenario as bicep build output', () => {
  it('the template mirrors examples/contoso/snapshot.json (UPDATE_FIXTURES=1 rewrites it)', () => {
    expect(syncFixtures('test/sources/arm/fixtures', armColorsFiles(), false)).toEqual([]);
  });

  it('reads the Graph applications and the APIM service with its children', () => {
    const inventory = load(COLORS);
    expect(inventory.sources[0]?.provides).toEqual({ entra: true, apim: true });
    expect(inventory.gaps).toEqual([]);
    expect(inventory.applications.map((a) => [a.displayName, a.appId, a.origin.pointer])).toEqual([
      ['oauth-backend-app', '6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d', '/resources/backendApp/properties'],
      ['oauth-client-app', '1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6', '/resources/clientApp/properties'],
    ]);
    const [service] = inventory.services;
    expect(service?.name).toBe('contoso-apim');
    expect(service?.origin).toMatchObject({ file: ARM_COLORS, pointer: '/resources/apim' });
    expect(service?.origin.paths?.['policy/value']).toBe('/resources/globalPolicy/properties/value');
    // Only what no rule reads is unknown: the publisher e-mail has no value in the parameters file.
    expect(Object.keys(service?.origin.unknown ?? {})).toEqual(['properties/publisherEmail']);
    const server = service?.authorizationServers?.[0];
    expect(server?.properties.clientId).toBe('1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6');
    expect(server?.properties.defaultScope).toBe('api://6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d/Colors.Read');
    expect(server?.properties.tokenEndpoint).toBe(
      'https://login.microsoftonline.com/4f1e7a52-3c2b-4d8e-9a61-0b5c3d2e1f00/oauth2/token',
    );
    expect(server?.origin).toEqual({ file: ARM_COLORS, pointer: '/resources/colorsOauth' });
    const api = service?.apis?.[0];
    expect(api?.policy?.origin).toEqual({
      file: ARM_COLORS,
      pointer: '/resources/colorsApiPolicy/properties/value',
    });
    expect(api?.origin.paths?.['policy']).toBe('/resources/colorsApiPolicy');
    expect(api?.operations?.map((o) => o.name)).toEqual(['get-colors', 'get-random-color']);
    expect(service?.products?.[0]?.apis).toEqual(['colors-api', 'colors-admin-api']);
    const secret = service?.namedValues?.find((n) => n.name === 'colors-backend-key');
    expect(secret?.properties).toEqual({ displayName: 'colors-backend-key', secret: true });
    expect(Object.keys(inventory.files)).toEqual([ARM_COLORS, ARM_COLORS_PARAMETERS]);
  });

  it('gives the same findings as the sample, each located in the template', async () => {
    const expected = await sampleGists();
    const { code, report } = await scanJson([COLORS]);
    expect(code).toBe(0);
    expect(report.complete).toBe(true);
    expect(report.notEvaluated).toEqual([]);
    expect(report.findings.map(gist).sort()).toEqual(expected);
    for (const finding of report.findings) expect(finding.location.file).toBe(ARM_COLORS);
  });

  it('locates findings on the template property, and inside policy strings on the element', async () => {
    const { report } = await scanJson([COLORS]);
    const token = findingOf(report.findings, 'auth-server-v2-endpoints', /v1 token endpoint/);
    expect(token.location).toEqual({ file: ARM_COLORS, line: 205, column: 26 });
    expect(textAt(token.location)).toMatch(
      /^"\[format\('https:\/\/login\.microsoftonline\.com\/\{0\}\/oauth2\/token'/,
    );
    const http = findingOf(report.findings, 'redirect-uri-safe');
    expect(http.location).toEqual({ file: ARM_COLORS, line: 108, column: 13 });
    expect(textAt(http.location)).toMatch(/^"http:\/\/developer\.contoso\.com\//);
    const secret = findingOf(report.findings, 'client-secret-expiry');
    expect(textAt(secret.location)).toMatch(/^"2026-10-25T00:00:00Z"/);
    // A policy finding points at the element inside the JSON string (escapes such as \n and \" counted).
    for (const f of report.findings.filter((x) => /jwt|policy/.test(x.ruleId))) {
      expect(textAt(f.location)).toMatch(/^<[a-z-]+/);
    }
    expect(textAt(findingOf(report.findings, 'jwt-validation-strict').location)).toMatch(/^<validate-jwt /);
  });
});

describe('arm source: unresolvable expressions never produce a false finding', () => {
  it('without the parameters file: fewer findings, none new, and the rest reported as not evaluated', async () => {
    const withParameters = (await scanJson([COLORS])).report;
    const { code, report } = await scanJson([`arm:${ARM_COLORS}`]);
    expect(code).toBe(0);
    const known = new Set(withParameters.findings.map(subject));
    expect(report.findings.length).toBeLessThan(withParameters.findings.length);
    for (const finding of report.findings) {
      expect([subject(finding), known.has(subject(finding))]).toEqual([subject(finding), true]);
    }
    const reasons = report.notEvaluated.map((n) => n.reason).join('\n');
    expect(reasons).toMatch(/parameter 'apimName' has no value/);
    expect(reasons).toMatch(/tenant\(\) is known only at deployment/);
  });

  it('an unknown redirect URI silences the redirect-URI checks of that app', async () => {
    const { report } = await scanEdited((t) => {
      const web = properties(t, 'clientApp')['web'] as Json;
      (web['redirectUris'] as string[]).push("[reference('apim').properties.developerPortalUrl]");
    });
    const rules = report.findings.filter((f) => f.resource.name === 'oauth-client-app').map((f) => f.ruleId);
    expect(rules).not.toContain('client-redirect-uri-matches-portal');
    expect(rules).not.toContain('redirect-uri-safe');
    // Rules that found nothing on the app say that they could not judge it fully.
    expect(report.notEvaluated.find((n) => n.ruleId === 'redirect-uri-safe')?.reason).toBe(
      "Not fully evaluated: web/redirectUris of application 'oauth-client-app' is not determined by main.json ([reference('apim').properties.developerPortalUrl]: reference('apim') reads the deployed resource).",
    );
    expect(
      report.notEvaluated.find((n) => n.ruleId === 'client-redirect-uri-matches-portal')?.reason,
    ).toMatch(/^The finding would rest on web\/redirectUris of application 'oauth-client-app'/);
  });

  it('an unknown token endpoint is not reported as a v1 endpoint', async () => {
    const { report } = await scanEdited((t) => {
      properties(t, 'colorsOauth')['tokenEndpoint'] = "[parameters('tokenEndpoint')]";
      (t['parameters'] as Json)['tokenEndpoint'] = { type: 'string' };
    });
    expect(report.findings.filter((f) => f.ruleId === 'auth-server-v2-endpoints')).toEqual([]);
    expect(report.notEvaluated.map((n) => n.reason).join('\n')).toMatch(
      /properties\/tokenEndpoint of authorizationServer 'colors-oauth'/,
    );
  });

  it('an unknown authorizationServerId is not reported as a missing server', async () => {
    const { report } = await scanEdited((t) => {
      const settings = (properties(t, 'colorsAdminApi')['authenticationSettings'] as Json)['oAuth2'] as Json;
      settings['authorizationServerId'] = "[parameters('adminServer')]";
      delete (properties(t, 'colorsAdminApi')['authenticationSettings'] as Json)[
        'oAuth2AuthenticationSettings'
      ];
      (t['parameters'] as Json)['adminServer'] = { type: 'string' };
    });
    expect(report.findings.filter((f) => f.ruleId === 'api-oauth-enabled')).toEqual([]);
  });

  it('a resource deployed under an unknown condition yields no finding of its own', async () => {
    const { report } = await scanEdited((t) => {
      (resources(t)['colorsOauth'] as Json)['condition'] = "[parameters('deployServer')]";
      (t['parameters'] as Json)['deployServer'] = { type: 'bool' };
    });
    expect(report.findings.filter((f) => f.resource.kind === 'authorizationServer')).toEqual([]);
    expect(report.notEvaluated.map((n) => n.reason).join('\n')).toMatch(
      /whether authorizationServer 'colors-oauth' is deployed, .*deployed only when \[parameters\('deployServer'\)\]/,
    );
  });

  it('a loop with an unknown count is a gap, and references into it are not judged', async () => {
    const { code, report } = await scanEdited((t) => {
      const loop = resources(t)['colorsOauth'] as Json;
      loop['copy'] = { name: 'servers', count: "[length(parameters('extraServers'))]" };
      (t['parameters'] as Json)['extraServers'] = { type: 'array' };
    });
    expect(code).toBe(3);
    expect(report.complete).toBe(false);
    expect(report.gaps[0]?.what).toMatch(/^resources of copy loop 'servers' at main\.json:\d+:\d+$/);
    expect(report.findings.filter((f) => f.ruleId === 'api-oauth-enabled')).toEqual([]);
  });

  it('app ids Entra assigns at deployment (no pinned appId) are unknown, not mismatches', async () => {
    const { report } = await scanEdited((t) => {
      for (const symbol of ['backendApp', 'clientApp']) {
        delete properties(t, symbol)['appId'];
        delete properties(t, symbol)['id'];
      }
    });
    // The apps are no longer linked to the server, so nothing that needs the link is judged; what an app
    // says on its own (a plain-http redirect URI) still is.
    const linked = [
      'client-api-permission',
      'backend-scope-exposed',
      'app-access-token-version',
      'client-secret-expiry',
    ];
    expect(report.findings.filter((f) => linked.includes(f.ruleId))).toEqual([]);
    expect(report.findings.map((f) => f.ruleId)).toContain('redirect-uri-safe');
    expect(report.notEvaluated.map((n) => n.reason).join('\n')).toMatch(
      /appId of application 'backendApp' is assigned by Microsoft Entra ID when it is deployed/,
    );
  });

  it('an unknown policy is not read as an empty one', async () => {
    const { report } = await scanEdited((t) => {
      properties(t, 'globalPolicy')['value'] = "[parameters('globalPolicy')]";
      (t['parameters'] as Json)['globalPolicy'] = { type: 'string' };
    });
    // Nothing about the global validate-jwt is judged; the operation whose inbound drops <base /> and validates
    // nothing is unprotected whatever the global policy holds (issue 9 §2).
    expect(
      report.findings.filter((f) => /jwt/.test(f.ruleId)).map((f) => [f.ruleId, f.resource.name]),
    ).toEqual([['api-validate-jwt', 'get-random-color']]);
    expect(report.notEvaluated.some((n) => /policy of apimService 'contoso-apim'/.test(n.reason))).toBe(true);
  });
});

describe('arm source: template forms', () => {
  it('attaches nested child resources, loops and conditions by name, with pointers into the template', () => {
    const inventory = load(`arm:${NESTED}#${NESTED_PARAMETERS}`);
    expect(inventory.gaps).toEqual([]);
    const [service] = inventory.services;
    expect(service?.name).toBe('fabrikam-apim');
    // The condition is false by default: legacy-oauth is not deployed.
    expect(service?.authorizationServers?.map((s) => [s.name, s.origin.pointer])).toEqual([
      ['orders-oauth', '/resources/0/resources/0'],
    ]);
    const server = service?.authorizationServers?.[0];
    expect(server?.properties.tokenEndpoint).toBe(
      'https://login.microsoftonline.com/8d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09/oauth2/token',
    );
    expect(server?.properties).not.toHaveProperty('clientSecret');
    const api = service?.apis?.[0];
    expect(api?.origin.pointer).toBe('/resources/0/resources/2');
    // The API policy comes from a variable: located at the variable, kept entity-encoded (format xml).
    expect(api?.policy?.format).toBe('xml');
    expect(api?.policy?.value).toContain('GetValueOrDefault(&quot;X-Caller&quot;');
    expect(api?.policy?.origin).toEqual({ file: NESTED, pointer: '/variables/ordersPolicy' });
    // The operation policy comes from the parameters file: located there.
    const operation = api?.operations?.[0];
    expect(operation?.origin.pointer).toBe('/resources/0/resources/2/resources/1');
    expect(operation?.policy?.origin).toEqual({
      file: NESTED_PARAMETERS,
      pointer: '/parameters/operationPolicy/value',
    });
    expect(service?.policy?.origin).toEqual({
      file: NESTED,
      pointer: '/resources/0/resources/3/properties/value',
    });
    expect(
      service?.products?.map((p) => [p.name, p.properties.displayName, p.apis, p.origin.pointer]),
    ).toEqual([
      ['orders-starter', 'ORDERS-STARTER', ['orders'], '/resources/1'],
      ['orders-premium', 'ORDERS-PREMIUM', ['orders'], '/resources/1'],
    ]);
    expect(service?.namedValues?.[0]?.properties.value).toBe('8d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09');
  });

  it('locates a policy finding inside the parameters file that holds the policy', async () => {
    const { report } = await scanJson([`arm:${NESTED}#${NESTED_PARAMETERS}`]);
    // The operation policy drops the global validate-jwt: api-validate-jwt reports it there (one defect, one finding).
    const base = findingOf(report.findings, 'api-validate-jwt');
    expect(base.location).toEqual({ file: NESTED_PARAMETERS, line: 9, column: 31 });
    expect(textAt(base.location)).toMatch(/^<inbound>/);
    const endpoint = findingOf(report.findings, 'auth-server-v2-endpoints', /v1 authorization endpoint/);
    expect(endpoint.location).toEqual({ file: NESTED, line: 48, column: 38 });
    expect(textAt(endpoint.location)).toMatch(/^"\[concat\(variables\('login'\), '\/oauth2\/authorize'\)\]"/);
  });

  it('parameters files resolve like the template path (against the working directory or config)', () => {
    const spec = parseSourceSpec(`arm:${NESTED}#${NESTED_PARAMETERS}`, REPO_ROOT);
    expect(splitArmLocation(spec.location)).toEqual({
      template: path.join(REPO_ROOT, NESTED),
      parameters: path.join(REPO_ROOT, NESTED_PARAMETERS),
    });
    expect(splitArmLocation(`${path.join(REPO_ROOT, NESTED)}#nested.parameters.json`).parameters).toBe(
      path.join(REPO_ROOT, NESTED_PARAMETERS),
    );
  });

  it('a bare path to a template is detected by its $schema', () => {
    expect(parseSourceSpec(ARM_COLORS, REPO_ROOT).kind).toBe('arm');
    expect(parseSourceSpec(NESTED, REPO_ROOT).kind).toBe('arm');
    let kind: string | undefined;
    try {
      kind = parseSourceSpec(ARM_COLORS_PARAMETERS, REPO_ROOT).kind;
    } catch {
      kind = undefined;
    }
    expect(kind).not.toBe('arm');
  });
});

describe('arm source: bad input', () => {
  function withFiles(files: Record<string, string>, test: (dir: string) => void | Promise<void>) {
    const scratch = scratchDir();
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(scratch.dir, name), text);
    return Promise.resolve(test(scratch.dir)).finally(scratch.cleanup);
  }
  const SCHEMA =
    '"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"';

  it('reports malformed JSON located file:line:col (exit 2)', () =>
    withFiles(
      { 'main.json': `{\n  ${SCHEMA},\n  "resources": [\n    { "type": "x" },,\n  ]\n}\n` },
      async (dir) => {
        const error = auditErrorOf(() => loadArmTemplate(path.join(dir, 'main.json'), 'arm:main.json', dir));
        expect(error.code).toBe('source-invalid');
        expect(error.details[0]).toMatch(/^main\.json:4:21: JSON syntax error/);
        const run = await cli(['scan', '--source', 'arm:main.json'], { cwd: dir });
        expect(run.code).toBe(2);
        expect(run.stderr).toContain('main.json:4:21: JSON syntax error');
      },
    ));

  it('lists every resource without a type, and rejects a file that is not a template', () =>
    withFiles(
      {
        'main.json': `{\n  ${SCHEMA},\n  "resources": [\n    { "name": "a" },\n    { "type": "Microsoft.ApiManagement/service", "name": "b", "resources": [ 7 ] }\n  ]\n}\n`,
        'other.json': '{ "parameters": {} }',
      },
      (dir) => {
        const error = auditErrorOf(() => loadArmTemplate(path.join(dir, 'main.json'), 'arm:main.json', dir));
        expect(error.details).toEqual([
          'main.json:4:5: /resources/0: the resource has no "type"',
          'main.json:5:78: /resources/1/resources/0: a resource must be an object',
        ]);
        const other = auditErrorOf(() =>
          loadArmTemplate(path.join(dir, 'other.json'), 'arm:other.json', dir),
        );
        expect(other.render()).toMatch(
          /other\.json is not an ARM template:\n {2}other\.json:1:1: expected an object/,
        );
      },
    ));

  it('checks the parameters file against the template', () =>
    withFiles(
      {
        'main.json': `{\n  ${SCHEMA},\n  "parameters": { "apimName": { "type": "string" } },\n  "resources": []\n}\n`,
        'p.json':
          '{\n  "parameters": {\n    "apimName": { "value": "x" },\n    "typo": { "value": 1 },\n    "apimname2": {}\n  }\n}\n',
        'bad.json': '{ "values": {} }',
      },
      (dir) => {
        const error = auditErrorOf(() =>
          loadArmTemplate(`${path.join(dir, 'main.json')}#p.json`, 'arm:main.json#p.json', dir),
        );
        expect(error.details).toEqual([
          "p.json:4:13: parameter 'typo' is not declared by main.json",
          "p.json:5:18: parameter 'apimname2' is not declared by main.json",
        ]);
        const bad = auditErrorOf(() =>
          loadArmTemplate(`${path.join(dir, 'main.json')}#bad.json`, 'arm:main.json#bad.json', dir),
        );
        expect(bad.details).toEqual([
          'bad.json:1:1: expected { "parameters": { "<name>": { "value": ... } } }',
        ]);
        const missing = auditErrorOf(() =>
          loadArmTemplate(`${path.join(dir, 'main.json')}#nope.json`, 'arm:main.json#nope.json', dir),
        );
        expect(missing.code).toBe('source-unreadable');
      },
    ));

  it('never keeps a secret value', () =>
    withFiles(
      {
        'main.json': JSON.stringify({
          $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
          languageVersion: '2.0',
          resources: {
            server: {
              type: 'Microsoft.ApiManagement/service/authorizationServers',
              name: 'apim/entra',
              properties: {
                clientId: 'c',
                clientSecret: 'S3cr3t-server',
                resourceOwnerPassword: 'S3cr3t-ropc',
                grantTypes: ['authorizationCode'],
              },
            },
            key: {
              type: 'Microsoft.ApiManagement/service/namedValues',
              name: 'apim/backend-key',
              properties: { displayName: 'backend-key', secret: true, value: 'S3cr3t-named-value' },
            },
            app: {
              type: 'Microsoft.Graph/applications@v1.0',
              properties: {
                uniqueName: 'app',
                displayName: 'app',
                passwordCredentials: [{ displayName: 'p', secretText: 'S3cr3t-password' }],
                keyCredentials: [{ displayName: 'k', key: 'S3cr3t-key', type: 'AsymmetricX509Cert' }],
              },
            },
          },
        }),
      },
      async (dir) => {
        const inventory = loadArmTemplate(path.join(dir, 'main.json'), 'arm:main.json', dir);
        expect(JSON.stringify([inventory.services, inventory.applications])).not.toMatch(/S3cr3t/);
        const { stdout } = await scanJson(['arm:main.json'], { cwd: dir });
        expect(stdout).not.toMatch(/S3cr3t/);
      },
    ));
});
