/**
 * SARIF of a live audit, against the emulator serving the sample tenant (the real SDKs over HTTPS on 127.0.0.1):
 * with `--snapshot-out` every result has a relative file URI and a region on the line of its entity in the snapshot
 * the same run wrote, and scanning that snapshot later gives the same results; without it, SARIF of live data is a
 * usage error raised before any request.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parseTree, type Node as JsonNode } from 'jsonc-parser';
import { cli } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/sample';
import {
  CLIENT_SECRET,
  CONTOSO_FILE,
  CONTOSO_SERVICE_ID,
  startFixture,
  type LiveFixture,
} from '../sources/live/helpers';

interface SarifResult {
  ruleId: string;
  message: { text: string; markdown?: string };
  locations: {
    physicalLocation?: {
      artifactLocation: { uri: string; uriBaseId?: string };
      region: { startLine: number; startColumn?: number };
    };
    logicalLocations: { fullyQualifiedName: string }[];
  }[];
  partialFingerprints: Record<string, string>;
}
interface SarifLog {
  runs: { results: SarifResult[]; artifacts: { location: { uri: string } }[] }[];
}

const NOW = ['--now', '2026-11-25T12:00:00Z'];
const LIVE = ['--source', 'graph', '--source', `azure:${CONTOSO_SERVICE_ID}`];
const SNAPSHOT = 'audit/tenant.json';

const validate = (() => {
  const schema = JSON.parse(
    readFileSync(path.join(REPO_ROOT, 'test/fixtures/sarif-schema-2.1.0.json'), 'utf8'),
  ) as object;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema);
})();

let fixture: LiveFixture;
beforeAll(async () => {
  fixture = await startFixture();
  mkdirSync(path.join(fixture.dir, 'audit'), { recursive: true });
});
afterAll(() => fixture.emulator.close());
beforeEach(() => fixture.emulator.reset());

/** The CLI in the fixture's folder (the "repository"), so that the snapshot is inside the working directory. */
const inRepo = (argv: string[]) => cli(argv, { cwd: fixture.dir, env: fixture.env });

/** Line span (1-based, inclusive) of every JSON object with an `id`, by that id (lower case). */
function recordSpans(text: string): Map<string, { first: number; last: number }> {
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  const spans = new Map<string, { first: number; last: number }>();
  const visit = (node: JsonNode) => {
    if (node.type === 'object') {
      const id = node.children?.find((p) => p.children?.[0]?.value === 'id')?.children?.[1]?.value as unknown;
      if (typeof id === 'string') {
        spans.set(id.toLowerCase(), { first: lineOf(node.offset), last: lineOf(node.offset + node.length) });
      }
    }
    node.children?.forEach(visit);
  };
  const root = parseTree(text);
  if (root) visit(root);
  return spans;
}

/** What identifies a result and where it is, for comparing two runs. */
const placed = (log: SarifLog) =>
  (log.runs[0]?.results ?? [])
    .map((r) =>
      [
        r.ruleId,
        r.partialFingerprints['apimOauthAudit/v1'],
        r.locations[0]?.physicalLocation?.artifactLocation.uri,
        r.locations[0]?.physicalLocation?.region.startLine,
        r.locations[0]?.physicalLocation?.region.startColumn,
        r.message.text,
      ].join(' | '),
    )
    .sort();

describe('scan of live sources --format sarif --snapshot-out', () => {
  let log: SarifLog;
  let snapshot: string;
  let stderr: string;
  beforeAll(async () => {
    const run = await inRepo([
      'scan',
      ...LIVE,
      '--format',
      'sarif',
      '--snapshot-out',
      SNAPSHOT,
      '--fail-on',
      'none',
      ...NOW,
    ]);
    expect(run.code).toBe(0);
    stderr = run.stderr;
    log = JSON.parse(run.stdout) as SarifLog;
    snapshot = readFileSync(path.join(fixture.dir, SNAPSHOT), 'utf8');
  });

  it('validates against the SARIF 2.1.0 schema and says where the snapshot went', () => {
    expect(validate(log)).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
    expect(stderr).toBe(`Wrote snapshot to ${SNAPSHOT}\n`);
    expect(log.runs[0]?.results.length).toBeGreaterThan(10);
    expect(log.runs[0]?.artifacts.map((a) => a.location.uri)).toEqual([SNAPSHOT]);
  });

  it('puts every result at a relative URI and at a line of its own entity in the snapshot', () => {
    const spans = recordSpans(snapshot);
    const lines = snapshot.split('\n');
    const results = log.runs[0]?.results ?? [];
    // Each entity at its own line, not every result at one place; policy findings at the element in the policy text.
    expect(
      new Set(results.map((r) => r.locations[0]?.physicalLocation?.region.startLine)).size,
    ).toBeGreaterThan(5);
    expect(
      results.some((r) => {
        const region = r.locations[0]?.physicalLocation?.region;
        return (lines[(region?.startLine ?? 1) - 1] ?? '')
          .slice((region?.startColumn ?? 1) - 1)
          .startsWith('<');
      }),
    ).toBe(true);
    for (const result of log.runs[0]?.results ?? []) {
      const [location] = result.locations;
      expect(location?.physicalLocation?.artifactLocation).toEqual({ uri: SNAPSHOT, uriBaseId: '%SRCROOT%' });
      const region = location?.physicalLocation?.region;
      expect(region?.startLine).toBeGreaterThanOrEqual(1);
      expect(region?.startColumn).toBeGreaterThanOrEqual(1);
      // The logical location stays the Azure resource id / Graph object.
      const logical = location?.logicalLocations[0]?.fullyQualifiedName ?? '';
      expect(logical).toMatch(/^\/(subscriptions|applications)\//);
      // Apps are recorded by object id, APIM resources by resource id.
      const id = logical.startsWith('/applications/') ? logical.slice('/applications/'.length) : logical;
      const span = spans.get(id.toLowerCase());
      expect(span).toBeDefined();
      const line = region?.startLine ?? 0;
      expect(line).toBeGreaterThanOrEqual(span?.first ?? Infinity);
      expect(line).toBeLessThanOrEqual(span?.last ?? -1);
      // The region starts at a JSON value or at a policy element inside a policy string, never inside a key.
      expect((lines[line - 1] ?? '').slice((region?.startColumn ?? 1) - 1)).toMatch(/^["{[\dtfn<-]/);
    }
  });

  it('keeps the fixes of live data commands for the tenant, never edits of the snapshot it wrote', () => {
    const results = log.runs[0]?.results ?? [];
    const markdown = results.map((r) => r.message.markdown ?? '');
    expect(markdown.some((m) => /az (ad app update --id|rest --method patch --uri)/.test(m))).toBe(true);
    expect(markdown.filter((m) => m.includes(`In ${SNAPSHOT}`))).toEqual([]);
    expect(results.filter((r) => (r as { fixes?: unknown[] }).fixes !== undefined)).toEqual([]);
  });

  it('writes the snapshot the snapshot command writes: no secret, and a later scan of it gives the same results', async () => {
    expect(snapshot).not.toContain(CLIENT_SECRET);
    expect(snapshot).not.toMatch(/secretText|"origin"|access_token|eyJ/);
    const offline = await inRepo(['scan', SNAPSHOT, '--format', 'sarif', '--fail-on', 'none', ...NOW]);
    expect(offline.code).toBe(0);
    expect(placed(JSON.parse(offline.stdout) as SarifLog)).toEqual(placed(log));
    const live = JSON.parse(
      (await inRepo(['scan', ...LIVE, '--format', 'json', '--fail-on', 'none', ...NOW])).stdout,
    ) as { findings: { ruleId: string; fingerprint: string }[] };
    expect(live.findings.map((f) => `${f.ruleId} ${f.fingerprint}`).sort()).toEqual(
      (log.runs[0]?.results ?? [])
        .map((r) => `${r.ruleId} ${r.partialFingerprints['apimOauthAudit/v1']}`)
        .sort(),
    );
  });

  it('on a terminal, ends the progress line before saying where the snapshot went', async () => {
    const run = await cli(
      ['scan', ...LIVE, '--format', 'sarif', '--snapshot-out', SNAPSHOT, '--fail-on', 'none', ...NOW],
      { cwd: fixture.dir, env: fixture.env, stderrTty: true },
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^\r.*: \d+\/\d+/);
    expect(run.stderr).toMatch(/\nWrote snapshot to audit\/tenant\.json\n$/);
  });

  it('a bad --snapshot-out path is a usage error naming the flag, before any request', async () => {
    const run = await inRepo([
      'scan',
      ...LIVE,
      '--format',
      'sarif',
      '--snapshot-out',
      'missing/tenant.json',
      ...NOW,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--snapshot-out missing/tenant.json: the folder missing does not exist');
    expect(fixture.emulator.requests).toEqual([]);
  });
});

describe('--snapshot-out with a file source beside a live one', () => {
  it('keeps the file locations of entities from files and locates the live ones in the snapshot', async () => {
    const sample = JSON.parse(readFileSync(path.join(REPO_ROOT, CONTOSO_FILE), 'utf8')) as Record<
      string,
      unknown
    >;
    delete sample['apim'];
    writeFileSync(path.join(fixture.dir, 'apps.json'), JSON.stringify(sample, null, 2));
    const run = await inRepo([
      'scan',
      'apps.json',
      '--source',
      `azure:${CONTOSO_SERVICE_ID}`,
      '--format',
      'sarif',
      '--snapshot-out',
      SNAPSHOT,
      '--fail-on',
      'none',
      ...NOW,
    ]);
    expect(run.code).toBe(0);
    const results = (JSON.parse(run.stdout) as SarifLog).runs[0]?.results ?? [];
    const where = (r: SarifResult) => r.locations[0]?.physicalLocation?.artifactLocation.uri;
    const logical = (r: SarifResult) => r.locations[0]?.logicalLocations[0]?.fullyQualifiedName ?? '';
    const apps = results.filter((r) => logical(r).startsWith('/applications/'));
    const apim = results.filter((r) => logical(r).startsWith('/subscriptions/'));
    expect(apps.length).toBeGreaterThan(0);
    expect(apim.length).toBeGreaterThan(0);
    expect(apps.every((r) => where(r) === 'apps.json')).toBe(true);
    expect(apim.every((r) => where(r) === SNAPSHOT)).toBe(true);
  });
});

describe('SARIF of live sources without --snapshot-out', () => {
  it('is a usage error (exit 2) telling the user to add --snapshot-out, raised before any request', async () => {
    for (const sources of [
      LIVE,
      ['--source', 'graph'],
      [path.join(REPO_ROOT, 'examples/contoso/snapshot.json'), '--source', `azure:${CONTOSO_SERVICE_ID}`],
    ]) {
      const run = await inRepo(['scan', ...sources, '--format', 'sarif', ...NOW]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(
        /^apim-oauth-audit: SARIF needs a file and line for every finding, and live data \((graph|azure:)[^)]*\) has none: add --snapshot-out <file> with a path inside the repository/,
      );
    }
    // Live sources named by the config, not the command line, too.
    const configured = path.join(fixture.dir, 'configured');
    mkdirSync(configured, { recursive: true });
    writeFileSync(path.join(configured, '.auditrc.json'), JSON.stringify({ sources: ['graph'] }));
    const fromConfig = await cli(['scan', '--format', 'sarif', ...NOW], {
      cwd: configured,
      env: fixture.env,
    });
    expect(fromConfig.code).toBe(2);
    expect(fromConfig.stderr).toContain('live data (graph) has none: add --snapshot-out <file>');
    expect(fixture.emulator.requests).toEqual([]);
  });

  it('other formats still read live data without a snapshot (findings keep only their logical location)', async () => {
    const run = await inRepo(['scan', ...LIVE, '--format', 'json', '--fail-on', 'none', ...NOW]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { findings: { location: { file: string | null } }[] };
    expect(report.findings.length).toBeGreaterThan(10);
    expect(report.findings.every((f) => f.location.file === null)).toBe(true);
  });
});
