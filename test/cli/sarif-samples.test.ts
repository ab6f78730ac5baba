/**
 * Done-when of the pipeline issue: SARIF of both bundled samples validates against the official SARIF 2.1.0
 * schema, every result has a physical location that lands on the right line, and fingerprints are identical
 * across two runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { cli } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/sample';

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  message: { text: string; markdown: string };
  locations: {
    physicalLocation?: {
      artifactLocation: { uri: string; uriBaseId?: string };
      region: { startLine: number; startColumn: number };
    };
    logicalLocations: { fullyQualifiedName: string }[];
  }[];
  partialFingerprints: Record<string, string>;
}
interface SarifLog {
  runs: { tool: { driver: { rules: { id: string }[] } }; results: SarifResult[] }[];
}

const schema = JSON.parse(
  readFileSync(path.join(REPO_ROOT, 'test/fixtures/sarif-schema-2.1.0.json'), 'utf8'),
) as object;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);

async function sarifOf(...sources: string[]): Promise<SarifLog> {
  const result = await cli([
    'scan',
    ...sources,
    '--format',
    'sarif',
    '--fail-on',
    'none',
    '--now',
    '2026-11-25T12:00:00Z',
  ]);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as SarifLog;
}

describe.each(['examples/contoso/snapshot.json', 'examples/contoso-fixed/snapshot.json'])(
  'SARIF of %s',
  (sample) => {
    it('validates against the official SARIF 2.1.0 schema', async () => {
      const log = await sarifOf(sample);
      const valid = validate(log);
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    });

    it('every result has a physical location on the line of the offending value, and a logical location', async () => {
      const log = await sarifOf(sample);
      const run = log.runs[0];
      const lines = readFileSync(path.join(REPO_ROOT, sample), 'utf8').split('\n');
      for (const result of run?.results ?? []) {
        const location = result.locations[0];
        expect(location?.physicalLocation?.artifactLocation.uri).toBe(sample);
        const region = location?.physicalLocation?.region;
        expect(region?.startLine).toBeGreaterThan(0);
        const line = lines[(region?.startLine ?? 1) - 1] ?? '';
        // The region starts at a JSON value (a string, object, array, literal) or at a policy element inside a
        // policy string, never in the middle of a key.
        expect(line.slice((region?.startColumn ?? 1) - 1)).toMatch(/^["{[\dtfn<-]/);
        expect(location?.logicalLocations[0]?.fullyQualifiedName).toMatch(
          /^\/(subscriptions|applications)\//,
        );
        expect(run?.tool.driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);
      }
    });

    it('fingerprints are identical across two runs', async () => {
      const first = (await sarifOf(sample)).runs[0]?.results.map((r) => r.partialFingerprints);
      const second = (await sarifOf(sample)).runs[0]?.results.map((r) => r.partialFingerprints);
      expect(second).toEqual(first);
      expect(new Set(first?.map((f) => JSON.stringify(f))).size).toBe(first?.length);
    });
  },
);

it('the broken sample has results and the fixed one has none', async () => {
  expect((await sarifOf('examples/contoso/snapshot.json')).runs[0]?.results.length).toBeGreaterThanOrEqual(
    10,
  );
  expect((await sarifOf('examples/contoso-fixed/snapshot.json')).runs[0]?.results).toEqual([]);
});

/** Every file source kind: each result carries a relative URI of a file in the repository and a region in it. */
describe.each([
  ['apiops + manifest', ['apiops:examples/apiops-real/apimartifacts', 'manifest:examples/apiops-real/entra']],
  [
    'arm + snapshot',
    [
      'arm:test/sources/arm/fixtures/colors.json#test/sources/arm/fixtures/colors.parameters.json',
      'test/sources/apiops/fixtures/colors-apps.snapshot.json',
    ],
  ],
  [
    'terraform',
    ['terraform:test/sources/terraform/fixtures/colors/plan.json#test/sources/terraform/fixtures/colors'],
  ],
  ['manifest', ['manifest:test/sources/manifest/fixtures/colors-graph']],
])('SARIF of %s', (_name, sources) => {
  it('validates, and every result has a relative URI, a region in that file and a line hash', async () => {
    const log = await sarifOf(...sources);
    expect(validate(log)).toBe(true);
    const results = log.runs[0]?.results ?? [];
    expect(results.length).toBeGreaterThan(0);
    for (const result of results) {
      const physical = result.locations[0]?.physicalLocation;
      expect(physical?.artifactLocation.uriBaseId).toBe('%SRCROOT%');
      const file = path.join(REPO_ROOT, decodeURIComponent(physical?.artifactLocation.uri ?? '\0'));
      expect(existsSync(file)).toBe(true);
      const lineCount = readFileSync(file, 'utf8').split('\n').length;
      expect(physical?.region.startLine).toBeGreaterThanOrEqual(1);
      expect(physical?.region.startLine).toBeLessThanOrEqual(lineCount);
      expect(result.partialFingerprints['primaryLocationLineHash']).toBe(
        result.partialFingerprints['apimOauthAudit/v1'],
      );
      expect(result.message.markdown.length).toBeGreaterThanOrEqual(result.message.text.length);
    }
  });
});
