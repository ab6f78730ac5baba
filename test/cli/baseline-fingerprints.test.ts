/**
 * A baseline is only usable when its fingerprints survive the edits a repository sees every day: the offending element
 * moved down by unrelated lines, the JSON re-indented and the keys of objects reordered. Each source kind is recorded,
 * edited that way and scanned again with `--baseline`: every finding stays `unchanged`, none is new, none fixed. A
 * change of the offending value itself is a new finding, and the old one is fixed.
 */
import { cpSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/sample';
import { makeTempDir } from '../helpers/temp';

const NOW = ['--now', '2026-11-25T12:00:00Z'];

interface Report {
  findings: {
    ruleId: string;
    fingerprint: string;
    baselineState: string;
    location: { file: string | null };
  }[];
  baseline: {
    counts: { new: number; unchanged: number; absent: number; notChecked: number };
    absent: { fingerprint: string }[];
  };
}

/** Copies `from` (a file or folder of the repository) into a new working directory. */
function workingCopy(from: string, to: string): string {
  const dir = makeTempDir('baseline-fp');
  cpSync(path.join(REPO_ROOT, from), path.join(dir, to), { recursive: true });
  return dir;
}

async function record(dir: string, sources: string[]): Promise<number> {
  const run = await cli(['baseline', ...sources, '--no-config', ...NOW], { cwd: dir });
  expect(run.code).toBe(0);
  const recorded = JSON.parse(readFileSync(path.join(dir, '.audit-baseline.json'), 'utf8')) as {
    findings: unknown[];
  };
  expect(recorded.findings.length).toBeGreaterThan(0);
  return recorded.findings.length;
}

async function compare(dir: string, sources: string[]): Promise<Report> {
  const run = await cli(
    ['scan', ...sources, '--no-config', '--baseline', '.audit-baseline.json', '--format', 'json', ...NOW],
    { cwd: dir },
  );
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as Report;
}

function edit(file: string, change: (text: string) => string): void {
  const before = readFileSync(file, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  writeFileSync(file, after);
}

/** Every object's keys in reverse order (arrays keep theirs: their order means something). */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .reverse()
      .map(([key, item]) => [key, reverseKeys(item)]),
  );
}

/** Re-indented with tabs and every object's keys reversed: the same JSON value, every line moved. */
function reformatJson(file: string, tweak: (value: Record<string, unknown>) => void = () => undefined): void {
  edit(file, (text) => {
    const value = JSON.parse(text) as Record<string, unknown>;
    tweak(value);
    return `${JSON.stringify(reverseKeys(value), null, '\t')}\n`;
  });
}

function filesUnder(dir: string, ending: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return filesUnder(full, ending);
    return name.endsWith(ending) ? [full] : [];
  });
}

function expectAllUnchanged(report: Report, recorded: number): void {
  expect(report.findings.filter((f) => f.baselineState === 'new')).toEqual([]);
  expect(report.baseline.counts).toEqual({ new: 0, unchanged: recorded, absent: 0, notChecked: 0 });
  expect(report.findings.every((f) => f.baselineState === 'unchanged')).toBe(true);
}

/** Which findings became new and which entries fixed, by rule. */
function changed(report: Report, before: Report): { new: string[]; fixed: string[] } {
  const rules = new Map(before.findings.map((f) => [f.fingerprint, f.ruleId]));
  return {
    new: report.findings.filter((f) => f.baselineState === 'new').map((f) => f.ruleId),
    fixed: report.baseline.absent.map((e) => rules.get(e.fingerprint) ?? '?'),
  };
}

const UNRELATED_POLICY = [
  '<!-- unrelated: a header for the backend, added later -->',
  '<set-header name="X-Unrelated" exists-action="override">',
  '  <value>unrelated</value>',
  '</set-header>',
  '<rate-limit calls="100" renewal-period="60" />',
].join('\n    ');

const UNRELATED_RESOURCE: Record<string, unknown> = {
  type: 'Microsoft.Storage/storageAccounts',
  apiVersion: '2023-01-01',
  name: 'unrelatedstorage',
  location: 'westeurope',
  sku: { name: 'Standard_LRS' },
  kind: 'StorageV2',
};

describe('baseline fingerprints survive line moves and reformatting', () => {
  it('an APIOps folder and its app manifests', async () => {
    const dir = workingCopy('examples/apiops-real', 'repo');
    const sources = ['--source', 'apiops:repo/apimartifacts', '--source', 'manifest:repo/entra'];
    const recorded = await record(dir, sources);
    const before = await compare(dir, sources);
    expectAllUnchanged(before, recorded);

    const apis = path.join(dir, 'repo/apimartifacts/apis');
    // Unrelated elements and comments above each offending element; the policy file re-indented.
    for (const api of ['payments-api', 'reports-api', 'returns-api', 'shipping-api', 'billing-api']) {
      edit(path.join(apis, api, 'policy.xml'), (text) =>
        text
          .replace(/<inbound>\s*<base \/>/, (m) => `\n\n${m}\n    ${UNRELATED_POLICY}`)
          .replace(/\n {4}/g, '\n      '),
      );
    }
    edit(path.join(apis, 'pricing-api/operations/update-price/policy.xml'), (text) =>
      text
        .replace('<policies>', `<!-- moved down -->\n\n<policies>`)
        .replace('<inbound>', `<inbound>\n    <!-- unrelated -->`),
    );
    // Every information file and manifest re-indented, its keys reordered.
    for (const file of [
      ...filesUnder(path.join(dir, 'repo/apimartifacts'), '.json'),
      ...filesUnder(path.join(dir, 'repo/entra'), '.json'),
    ]) {
      reformatJson(file);
    }
    const moved = await compare(dir, sources);
    expectAllUnchanged(moved, recorded);
    expect(moved.findings.map((f) => f.fingerprint).sort()).toEqual(
      before.findings.map((f) => f.fingerprint).sort(),
    );

    // The offending value changed: the Graph audience of reports-api becomes another first-party audience.
    edit(path.join(apis, 'reports-api/policy.xml'), (text) =>
      text.replace('https://graph.microsoft.com', 'https://management.azure.com'),
    );
    expect(changed(await compare(dir, sources), before)).toEqual({
      new: ['jwt-audience-matches-token-version'],
      fixed: ['jwt-audience-matches-token-version'],
    });
  });

  it('an ARM template (policies inside JSON strings, Graph applications)', async () => {
    const dir = workingCopy('test/sources/arm/fixtures', 'infra');
    const sources = ['--source', 'arm:infra/colors.json#infra/colors.parameters.json'];
    const recorded = await record(dir, sources);
    const before = await compare(dir, sources);
    expectAllUnchanged(before, recorded);

    const template = path.join(dir, 'infra/colors.json');
    reformatJson(template, (value) => {
      // An unrelated resource first (symbolic names: languageVersion 2.0): every other resource moves down.
      const resources = {
        unrelatedStorage: UNRELATED_RESOURCE,
        ...(value['resources'] as Record<string, Record<string, unknown>>),
      };
      value['resources'] = resources;
      // Unrelated elements at the start of every policy written in the template.
      for (const resource of Object.values(resources)) {
        const properties = resource['properties'] as Record<string, unknown> | undefined;
        if (typeof properties?.['value'] === 'string' && properties['value'].includes('<inbound>')) {
          properties['value'] = properties['value'].replace(
            '<inbound>',
            `<inbound>\n    ${UNRELATED_POLICY}\n`,
          );
        }
      }
    });
    const moved = await compare(dir, sources);
    expectAllUnchanged(moved, recorded);

    // The offending value changed: the plain-http redirect URI now points at another host.
    edit(template, (text) =>
      text.replace('http://developer.contoso.com/signin-oauth', 'http://portal.contoso.com/signin-oauth'),
    );
    const after = changed(await compare(dir, sources), before);
    expect(after.new).toContain('redirect-uri-safe');
    expect(after.fixed).toContain('redirect-uri-safe');
  });

  it('an ARM template with a resource array and a nested deployment', async () => {
    const dir = workingCopy('test/sources/arm/fixtures', 'infra');
    const sources = ['--source', 'arm:infra/nested.json#infra/nested.parameters.json'];
    const recorded = await record(dir, sources);
    const before = await compare(dir, sources);
    expectAllUnchanged(before, recorded);
    reformatJson(path.join(dir, 'infra/nested.json'), (value) => {
      // An unrelated resource first: every other resource's index in the array changes.
      (value['resources'] as unknown[]).unshift(UNRELATED_RESOURCE);
    });
    reformatJson(path.join(dir, 'infra/nested.parameters.json'));
    expectAllUnchanged(await compare(dir, sources), recorded);

    // Another wrong value for the same problem (the token endpoint is still v1) is the same finding: the fingerprint
    // names what is wrong (rule, entity, key), not the text of the value.
    edit(path.join(dir, 'infra/nested.json'), (text) =>
      text.replace(/oauth2\/token/, 'oauth2/token?unrelated=1'),
    );
    expectAllUnchanged(await compare(dir, sources), recorded);
    // The value made right: the finding is fixed, nothing new.
    edit(path.join(dir, 'infra/nested.json'), (text) =>
      text.replace('oauth2/token?unrelated=1', 'oauth2/v2.0/token'),
    );
    expect(changed(await compare(dir, sources), before)).toEqual({
      new: [],
      fixed: ['auth-server-v2-endpoints'],
    });
  });

  it('a snapshot', async () => {
    const dir = workingCopy('examples/contoso/snapshot.json', 'tenant.json');
    const sources = ['tenant.json'];
    const recorded = await record(dir, sources);
    const before = await compare(dir, sources);
    expectAllUnchanged(before, recorded);

    reformatJson(path.join(dir, 'tenant.json'), (value) => {
      // An unrelated app registration first: every other one moves down a place in the array.
      (value['applications'] as unknown[]).unshift({
        id: 'f0e1d2c3-0000-4000-8000-000000000001',
        appId: 'f0e1d2c3-0000-4000-8000-000000000002',
        displayName: 'unrelated-app',
      });
    });
    expectAllUnchanged(await compare(dir, sources), recorded);

    edit(path.join(dir, 'tenant.json'), (text) => text.replace(/"http:\/\/([^"/]+)\//, '"http://moved.$1/'));
    const after = changed(await compare(dir, sources), before);
    expect(after.new.length).toBeGreaterThan(0);
    expect(after.fixed.length).toBe(after.new.length);
  });
});
