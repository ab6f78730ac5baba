import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadTerraformPlan, goDurationMs } from '../../../src/sources/terraform';
import { heredocText, readTemplates, resourceBlocks, scanHcl } from '../../../src/sources/terraform/hcl';
import { parseJsonWithPositions } from '../../../src/json/positions';
import { cli } from '../../helpers/cli';
import { loadSampleDoc, mergePatch, REPO_ROOT } from '../../helpers/sample';
import { colorsFixture, PLAN_SECRETS } from './fixtures/colors';
import { syncFixtures } from '../colors-fixtures';
import {
  auditErrorOf,
  gist,
  NOW,
  scanJson,
  scratchCopy,
  scratchDir,
  textAt,
  type ReportFinding,
} from '../iac-helpers';

const COLORS = 'test/sources/terraform/fixtures/colors';
const COLORS_NEW = 'test/sources/terraform/fixtures/colors-new';

/** Every .tf file under a fixture folder, relative to the repository. */
function tfUnder(dir: string): string[] {
  return readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return tfUnder(rel);
    return entry.name.endsWith('.tf') ? [rel] : [];
  });
}

function fixtureFiles(files: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(files));
}

/** 1-based line and column of the first occurrence of `needle` in a file (found by plain text search). */
function positionOf(file: string, needle: string, from = 0): { line: number; column: number } {
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  const offset = text.indexOf(needle, from);
  if (offset < 0) throw new Error(`'${needle}' not in ${file}`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1] ?? '').length + 1 };
}

function only(findings: ReportFinding[], ruleId: string, fragment = ''): ReportFinding {
  const found = findings.filter((f) => f.ruleId === ruleId && f.message.includes(fragment));
  expect(found.map((f) => f.message)).toHaveLength(1);
  return found[0]!;
}

describe('terraform fixtures', () => {
  it('mirror the bundled samples (UPDATE_FIXTURES=1 rewrites them)', () => {
    expect(
      syncFixtures(COLORS, fixtureFiles(colorsFixture(loadSampleDoc('contoso'), 'existing')), true),
    ).toEqual([]);
    expect(
      syncFixtures(COLORS_NEW, fixtureFiles(colorsFixture(loadSampleDoc('contoso-fixed'), 'new')), true),
    ).toEqual([]);
  });
});

describe('HCL block locator', () => {
  const tfFiles = ['colors', 'colors-new'].flatMap((fixture) =>
    tfUnder(path.join('test/sources/terraform/fixtures', fixture)),
  );

  it('has fixtures with resource blocks in them', () => {
    const blocks = tfFiles.flatMap((f) => [
      ...resourceBlocks(scanHcl(readFileSync(path.join(REPO_ROOT, f), 'utf8'))),
    ]);
    expect(blocks.length).toBeGreaterThan(10);
  });

  it.each(tfFiles)('%s: finds every resource block on its line', (file) => {
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    const expected = [...text.matchAll(/^[ \t]*resource "([^"]+)" "([^"]+)"/gm)].map((m) => ({
      key: `${m[1]}.${m[2]}`,
      line: text.slice(0, m.index).split('\n').length,
    }));
    const found = [...resourceBlocks(scanHcl(text))].map(([key, block]) => ({
      key,
      line: text.slice(0, block.offset).split('\n').length,
    }));
    expect(found).toEqual(expected);
  });

  it('reads attributes, nested and dynamic blocks, heredocs and comments', () => {
    const text = [
      '# comment with resource "x" "y" {',
      'resource "azurerm_api_management_api_policy" "p" {',
      '  api_name = "a" // trailing',
      '  /* block comment } */',
      '  xml_content = <<-XML',
      '    <policies>',
      '      <inbound>$${literal}</inbound>',
      '    </policies>',
      '  XML',
      '  tags = { a = "}" }',
      '  dynamic "oauth2_authorization" {',
      '    for_each = var.x == null ? [] : [1]',
      '    content {',
      '      authorization_server_name = "s"',
      '    }',
      '  }',
      '}',
    ].join('\n');
    const [block] = scanHcl(text);
    expect(block?.labels).toEqual(['azurerm_api_management_api_policy', 'p']);
    expect([...(block?.attributes.keys() ?? [])]).toEqual(['api_name', 'xml_content', 'tags']);
    const heredoc = block?.attributes.get('xml_content')?.heredoc;
    expect(heredoc).toBeDefined();
    const mapped = heredocText(text, heredoc!);
    expect(mapped?.value).toBe('<policies>\n  <inbound>${literal}</inbound>\n</policies>\n');
    // Every character maps back to where it is written (the escape `$${` is one `$` shorter).
    expect(text.charAt(mapped!.offsets[mapped!.value.indexOf('<inbound>')]!)).toBe('<');
    expect(text.charAt(mapped!.offsets[mapped!.value.indexOf('{literal}')]!)).toBe('{');
    const dynamic = block?.blocks.find((b) => b.type === 'dynamic');
    expect(dynamic?.blocks[0]?.attributes.has('authorization_server_name')).toBe(true);
  });

  it('strips the indent of a heredoc of any number of lines (not spread into a call: past some 100,000 that throws)', () => {
    const lines = Array.from({ length: 300_000 }, (_, i) => `    <set-header name="h${i}" />`);
    const text = [
      'resource "azurerm_api_management_api_policy" "p" {',
      '  xml_content = <<-XML',
      ...lines,
      '  XML',
      '}',
    ].join('\n');
    const heredoc = scanHcl(text)[0]?.attributes.get('xml_content')?.heredoc;
    expect(heredoc).toBeDefined();
    const mapped = heredocText(text, heredoc!);
    expect(mapped?.value.startsWith('<set-header name="h0" />\n<set-header name="h1" />')).toBe(true);
  });

  it('reads string templates and list literals of references, and nothing else', () => {
    expect(readTemplates('"api://${var.backend}/Colors.Read"')).toEqual([
      [{ literal: 'api://' }, { reference: 'var.backend' }, { literal: '/Colors.Read' }],
    ]);
    expect(readTemplates('azuread_application.x.oauth2_permission_scope_ids["Colors.Read"]')).toEqual([
      [{ reference: 'azuread_application.x.oauth2_permission_scope_ids["Colors.Read"]' }],
    ]);
    expect(readTemplates('["a", "${b.c.d}/x"]')).toHaveLength(2);
    expect(readTemplates('tolist(var.x)[0]')).toBeUndefined();
    expect(readTemplates('"%{ if var.x }a%{ endif }"')).toBeUndefined();
  });

  it('parses Go durations of end_date_relative', () => {
    expect(goDurationMs('4320h')).toBe(4320 * 3_600_000);
    expect(goDurationMs('1h30m')).toBe(5_400_000);
    expect(goDurationMs('2 years')).toBeUndefined();
  });
});

describe('terraform:<plan.json> with modules (the Colors scenario, resources already deployed)', () => {
  it('gives the same findings as the sample snapshot, each in the .tf file and line of its resource', async () => {
    // Terraform cannot express `null` for requested_access_token_version: the plan shows the provider default, 1.
    const adjusted = scratchDir();
    try {
      const doc = loadSampleDoc('contoso');
      const backend = (doc.applications ?? [])[0] as Record<string, unknown>;
      (doc.applications ?? [])[0] = mergePatch(backend, {
        api: { requestedAccessTokenVersion: 1 },
      }) as Record<string, unknown>;
      const snapshot = path.join(adjusted.dir, 'snapshot.json');
      writeFileSync(snapshot, JSON.stringify(doc, null, 2));
      const expected = (await scanJson([`snapshot:${snapshot}`])).report.findings.map(gist).sort();
      const { code, report } = await scanJson([`terraform:${COLORS}/plan.json`]);
      expect(code).toBe(0);
      expect(report.complete).toBe(true);
      expect(report.notEvaluated).toEqual([]);
      expect(report.findings.map(gist).sort()).toEqual(expected);
      for (const finding of report.findings) {
        expect(finding.location.file).toMatch(
          /^test\/sources\/terraform\/fixtures\/colors\/modules\/(entra|apim)\/\w+\.tf$/,
        );
      }
    } finally {
      adjusted.cleanup();
    }
  });

  it('locates attributes, list elements and policy elements inside heredocs exactly', async () => {
    const { report } = await scanJson([`terraform:${COLORS}/plan.json`]);
    const at = (finding: ReportFinding) => ({ ...finding.location });
    const entra = `${COLORS}/modules/entra/main.tf`;
    const apim = `${COLORS}/modules/apim/main.tf`;
    // An attribute: the token endpoint's value.
    const v1 = only(report.findings, 'auth-server-v2-endpoints', 'v1 token endpoint');
    expect(at(v1)).toEqual({
      file: apim,
      ...positionOf(
        apim,
        '"https://login.microsoftonline.com/4f1e7a52-3c2b-4d8e-9a61-0b5c3d2e1f00/oauth2/token"',
      ),
    });
    // An element of a set: the http redirect URI, found by its value in the list literal.
    const http = only(report.findings, 'redirect-uri-safe');
    expect(at(http)).toEqual({
      file: entra,
      ...positionOf(entra, '"http://developer.contoso.com/signin-oauth'),
    });
    // A nested block attribute: implicit_grant.access_token_issuance_enabled of the client app.
    const implicit = only(report.findings, 'implicit-grant-disabled');
    const client = readFileSync(path.join(REPO_ROOT, entra), 'utf8').indexOf(
      'resource "azuread_application" "client"',
    );
    expect(at(implicit)).toEqual({
      file: entra,
      ...positionOf(
        entra,
        'false',
        readFileSync(path.join(REPO_ROOT, entra), 'utf8').indexOf('access_token_issuance_enabled', client),
      ),
    });
    // A linked resource: the expired secret's end_date in azuread_application_password.
    const expired = only(report.findings, 'client-secret-expiry');
    expect(at(expired)).toEqual({ file: entra, ...positionOf(entra, '"2026-10-25T00:00:00Z"') });
    expect(textAt(expired.location)).toBe('"2026-10-25T00:00:00Z"');
    // A missing value points at the block that should hold it: no requested_access_token_version in `api {}`.
    const version = only(report.findings, 'app-access-token-version');
    expect(textAt(version.location)).toBe('api {');
    // Policy findings land on the element inside the xml_content heredoc, character-exact.
    const inPolicies = report.findings.filter(
      (f) => f.location.file === `${COLORS}/modules/apim/policies.tf`,
    );
    expect(inPolicies.length).toBeGreaterThan(3);
    for (const finding of inPolicies) expect(textAt(finding.location)).toMatch(/^<[a-z-]+[ />]/);
    const include = report.findings.find((f) => f.message.includes("fragment 'colors-response-headers'"));
    if (include)
      expect(textAt(include.location)).toMatch(/^<include-fragment fragment-id="colors-response-headers"/);
  });

  it('reports SARIF locations in the .tf files', async () => {
    const run = await cli([
      'scan',
      '--source',
      `terraform:${COLORS}/plan.json`,
      '--format',
      'sarif',
      '--fail-on',
      'none',
      '--now',
      NOW,
    ]);
    const sarif = JSON.parse(run.stdout) as {
      runs: {
        results: {
          ruleId: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
          }[];
        }[];
      }[];
    };
    const uris = new Set(
      sarif.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri),
    );
    expect([...uris].every((u) => /modules\/(entra|apim)\/\w+\.tf$/.test(u))).toBe(true);
    const v1 = sarif.runs[0]!.results.find((r) => r.ruleId === 'redirect-uri-safe')!;
    const { startLine } = v1.locations[0]!.physicalLocation.region;
    const lines = readFileSync(path.join(REPO_ROOT, COLORS, 'modules/entra/main.tf'), 'utf8').split('\n');
    expect(lines[startLine - 1]).toContain('http://developer.contoso.com');
  });

  it('is detected from a bare path and accepts plan.json#<folder> from elsewhere', async () => {
    const bare = await scanJson([`${COLORS}/plan.json`]);
    const named = await scanJson([`terraform:${COLORS}/plan.json`]);
    expect(bare.report.findings).toEqual(named.report.findings);
    const elsewhere = scratchDir();
    try {
      copyFileSync(path.join(REPO_ROOT, COLORS, 'plan.json'), path.join(elsewhere.dir, 'plan.json'));
      const relative = path.relative(REPO_ROOT, elsewhere.dir);
      const withFolder = await scanJson([`terraform:${relative}/plan.json#${COLORS}`]);
      expect(withFolder.report.findings.map((f) => f.location)).toEqual(
        named.report.findings.map((f) => f.location),
      );
      // Without the folder, the same findings point at the values in the plan JSON.
      const planOnly = await scanJson([`terraform:${relative}/plan.json`]);
      expect(planOnly.report.findings.map(gist).sort()).toEqual(named.report.findings.map(gist).sort());
      const endpoint = only(planOnly.report.findings, 'auth-server-v2-endpoints', 'v1 token endpoint');
      expect(endpoint.location.file).toBe(`${relative}/plan.json`);
      expect(textAt(endpoint.location)).toMatch(
        /^"https:\/\/login\.microsoftonline\.com\/[^"]+\/oauth2\/token"/,
      );
    } finally {
      elsewhere.cleanup();
    }
  });

  it('never keeps a secret: client_secret, password values and secret named values stay out', async () => {
    const plan = readFileSync(path.join(REPO_ROOT, COLORS, 'plan.json'), 'utf8');
    for (const secret of PLAN_SECRETS) expect(plan).toContain(secret);
    const inventory = loadTerraformPlan(
      path.join(REPO_ROOT, COLORS, 'plan.json'),
      'terraform:plan',
      REPO_ROOT,
    );
    const kept = JSON.stringify(inventory, (key, value: unknown) => (key === 'files' ? undefined : value));
    for (const secret of PLAN_SECRETS) expect(kept).not.toContain(secret);
    for (const format of ['json', 'sarif', 'text']) {
      const run = await cli([
        'scan',
        `${COLORS}/plan.json`,
        '--format',
        format,
        '--fail-on',
        'none',
        '--now',
        NOW,
      ]);
      for (const secret of PLAN_SECRETS) expect(run.stdout).not.toContain(secret);
    }
    // The snapshot written from the plan holds no secret either, and audits the same.
    const out = scratchDir();
    try {
      const file = path.join(out.dir, 'from-plan.json');
      const written = await cli(['snapshot', '--source', `terraform:${COLORS}/plan.json`, '--output', file]);
      expect(written.code).toBe(0);
      const snapshot = readFileSync(file, 'utf8');
      for (const secret of PLAN_SECRETS) expect(snapshot).not.toContain(secret);
      const again = await scanJson([`snapshot:${file}`]);
      const fromPlan = await scanJson([`terraform:${COLORS}/plan.json`]);
      expect(again.report.findings.map(gist).sort()).toEqual(fromPlan.report.findings.map(gist).sort());
    } finally {
      out.cleanup();
    }
  });
});

describe('values unknown until apply (a first deployment of the fixed scenario)', () => {
  it('links new apps through references (tf: placeholders) and gives no finding', async () => {
    const plan = JSON.parse(readFileSync(path.join(REPO_ROOT, COLORS_NEW, 'plan.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(JSON.stringify(plan['resource_changes'])).toContain('"client_id":true');
    const { report } = await scanJson([`terraform:${COLORS_NEW}/plan.json`]);
    expect(report.findings).toEqual([]);
    expect(report.notEvaluated).toEqual([]);
    expect(report.complete).toBe(true);
    const inventory = loadTerraformPlan(
      path.join(REPO_ROOT, COLORS_NEW, 'plan.json'),
      'terraform:plan',
      REPO_ROOT,
    );
    const [backend, client] = inventory.applications;
    expect(backend?.appId).toBe('tf:module.entra.azuread_application.backend');
    expect(backend?.identifierUris).toEqual(['api://tf:module.entra.azuread_application.backend']);
    const server = inventory.services[0]?.authorizationServers?.[0];
    // Through var.client_id -> module.entra.client_client_id -> azuread_application.client.client_id.
    expect(server?.properties.clientId).toBe(client?.appId);
    expect(server?.properties.defaultScope).toBe(
      'api://tf:module.entra.azuread_application.backend/Colors.Read',
    );
    // random_uuid.result is one placeholder on the scope and on the client's permission.
    const scopeId = backend?.api?.oauth2PermissionScopes?.[0]?.id;
    expect(scopeId).toBe('tf:module.entra.random_uuid.colors_read_scope.result');
    expect(client?.requiredResourceAccess?.[0]?.resourceAccess?.[0]?.id).toBe(scopeId);
    // The new secret starts at plan time and ends end_date_relative later.
    expect(client?.passwordCredentials?.[0]).toEqual(
      expect.objectContaining({
        startDateTime: '2026-11-24T09:00:00.000Z',
        endDateTime: '2027-05-23T09:00:00.000Z',
      }),
    );
    // The policy is rebuilt from the heredoc with the placeholder in it, and still located character by character.
    expect(inventory.services[0]?.policy?.value).toContain(
      '<audience>tf:module.entra.azuread_application.backend</audience>',
    );
  });

  it('still finds real mistakes next to unknown values', async () => {
    const copy = scratchCopy(COLORS_NEW);
    try {
      for (const name of ['plan.json', 'modules/apim/main.tf']) {
        const file = path.join(copy.dir, name);
        writeFileSync(file, readFileSync(file, 'utf8').replace(/\/oauth2\/v2\.0\/token/g, '/oauth2/token'));
      }
      const { report } = await scanJson([`terraform:${path.join(copy.dir, 'plan.json')}`]);
      const v1 = only(report.findings, 'auth-server-v2-endpoints', 'v1 token endpoint');
      expect(v1.location.file).toMatch(/modules\/apim\/main\.tf$/);
      expect(textAt(v1.location)).toMatch(/^"https:\/\/login\.microsoftonline\.com\/[^"]+\/oauth2\/token"$/);
      expect(report.findings.map((f) => f.ruleId)).toEqual(['auth-server-v2-endpoints']);
    } finally {
      copy.cleanup();
    }
  });

  it('without the .tf text, what cannot be rebuilt is not evaluated, never a false finding', async () => {
    const elsewhere = scratchDir();
    try {
      copyFileSync(path.join(REPO_ROOT, COLORS_NEW, 'plan.json'), path.join(elsewhere.dir, 'plan.json'));
      const { report } = await scanJson([`terraform:${path.join(elsewhere.dir, 'plan.json')}`]);
      expect(report.findings).toEqual([]);
      const reasons = report.notEvaluated.map((n) => `${n.ruleId}: ${n.reason}`).join('\n');
      expect(reasons).toMatch(
        /properties\/defaultScope of authorizationServer 'colors-oauth'.*terraform:<plan\.json>#<folder>/,
      );
      expect(reasons).toMatch(/policy of apimService 'contoso-apim'/);
    } finally {
      elsewhere.cleanup();
    }
  });
});

describe('bad input', () => {
  const load = (file: string) => () => loadTerraformPlan(file, `terraform:${file}`, REPO_ROOT);

  it('names the file, line and column of a JSON syntax error', () => {
    const dir = scratchDir();
    try {
      const file = path.join(dir.dir, 'plan.json');
      writeFileSync(file, '{\n  "format_version": "1.2",\n  "planned_values": {,}\n}');
      const error = auditErrorOf(load(file));
      expect(error.code).toBe('source-invalid');
      expect(error.details[0]).toMatch(/plan\.json:3:22: JSON syntax error/);
    } finally {
      dir.cleanup();
    }
  });

  it('rejects JSON that is not a plan, and unsupported format versions', () => {
    const dir = scratchDir();
    try {
      const file = path.join(dir.dir, 'plan.json');
      writeFileSync(file, '{ "values": {} }');
      expect(auditErrorOf(load(file)).message).toMatch(/plan\.json:1:1: not the JSON of a Terraform plan/);
      writeFileSync(file, '{\n  "format_version": "2.0",\n  "planned_values": {}\n}');
      expect(auditErrorOf(load(file)).message).toMatch(
        /plan\.json:2:21: plan JSON format_version 2\.0 is not supported/,
      );
      expect(
        auditErrorOf(() => loadTerraformPlan(`${file}#${dir.dir}/missing`, 'x', REPO_ROOT)).message,
      ).toMatch(/is not a folder/);
    } finally {
      dir.cleanup();
    }
  });

  it('exits 2 through the CLI', async () => {
    const run = await cli(['scan', '--source', 'terraform:test/sources/terraform/fixtures/missing.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /Cannot read Terraform plan test\/sources\/terraform\/fixtures\/missing\.json/,
    );
  });
});

describe('plan positions', () => {
  it('the fixture plan is valid JSON with positions', () => {
    const parsed = parseJsonWithPositions(readFileSync(path.join(REPO_ROOT, COLORS, 'plan.json'), 'utf8'));
    expect('problems' in parsed).toBe(false);
  });
});
