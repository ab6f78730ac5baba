import { jsonReporter } from '../../reporters/json';
import { expectGolden } from './golden';
import { FINDINGS, OPTIONS, cleanResult, fullResult, reversed } from './sample-result';

interface JsonReport {
  version: number;
  tool: { name: string; version: string };
  complete: boolean;
  findings: {
    ruleId: string;
    location: { file: string | null; line: number | null; column: number | null };
    fingerprint: string;
    suppressed?: { justification: string; expires: string | null };
  }[];
  notEvaluated: {
    ruleId: string;
    reason: string;
    kind: string | null;
    resources: { kind: string; id: string; name: string }[];
  }[];
  crashes: { ruleId: string; message: string }[];
  gaps: unknown[];
  expiredSuppressions: unknown[];
  summary: Record<string, unknown>;
}

function parse(text: string): JsonReport {
  return JSON.parse(text) as JsonReport;
}

describe('json reporter', () => {
  it('matches the golden report', () => {
    expectGolden('full.json.txt', jsonReporter(fullResult(), OPTIONS));
  });

  it('matches the golden clean report', () => {
    expectGolden('clean.json.txt', jsonReporter(cleanResult(), OPTIONS));
  });

  it('is 2-space indented with a trailing newline', () => {
    const text = jsonReporter(fullResult(), OPTIONS);
    expect(text.endsWith('}\n')).toBe(true);
    expect(
      text.startsWith(
        '{\n  "version": 2,\n  "tool": {\n    "name": "apim-oauth-audit",\n    "version": "1.2.3"\n  },',
      ),
    ).toBe(true);
  });

  it('keeps the order it is given (the engine decides it) and never re-sorts', () => {
    const given = reversed(fullResult());
    const report = parse(jsonReporter(given, OPTIONS));
    expect(report.findings.map((f) => f.fingerprint)).toEqual(given.findings.map((f) => f.fingerprint));
    expect(report.notEvaluated.map((r) => r.reason)).toEqual(given.notEvaluated.map((r) => r.reason));
  });

  it("writes the envelope keys, and each finding's keys, in a fixed order", () => {
    const report = parse(jsonReporter(fullResult(), OPTIONS));
    expect(Object.keys(report)).toEqual([
      'version',
      'tool',
      'complete',
      'configuration',
      'findings',
      'notEvaluated',
      'crashes',
      'gaps',
      'expiredSuppressions',
      'summary',
    ]);
    expect(Object.keys(report.findings[0] ?? {})).toEqual([
      'ruleId',
      'severity',
      'message',
      'resource',
      'location',
      'logicalLocation',
      'fingerprint',
    ]);
    expect(Object.keys(report.summary)).toEqual([
      'error',
      'warning',
      'note',
      'suppressed',
      'notEvaluated',
      'rulesNotEvaluated',
      'securityRulesNotEvaluated',
      'crashed',
      'gaps',
    ]);
  });

  it('sorts findings by file, line, column, rule; passes fingerprints and suppressions through', () => {
    const report = parse(jsonReporter(fullResult(), OPTIONS));
    expect(report.findings.map((f) => [f.location.file, f.location.line, f.ruleId])).toEqual([
      ['examples/contoso/snapshot.json', 12, 'app-access-token-version'],
      ['examples/contoso/snapshot.json', 118, 'auth-server-v2-endpoints'],
      ['examples/contoso/snapshot.json', 120, 'auth-server-v2-endpoints'],
      ['tenant exports/app manifest.json', 14, 'redirect-uri-safe'],
      ['tenant exports/app manifest.json', 30, 'client-secret-expiry'],
      ['tenant exports/legacy.json', null, 'redirect-uri-safe'],
    ]);
    expect(new Set(report.findings.map((f) => f.fingerprint))).toEqual(
      new Set(FINDINGS.map((f) => f.fingerprint)),
    );
    expect(report.findings.filter((f) => f.suppressed)).toEqual([
      expect.objectContaining({
        ruleId: 'client-secret-expiry',
        suppressed: { justification: 'Rotated by the release pipeline', expires: '2027-06-30' },
      }),
    ]);
    expect(report.findings.filter((f) => !f.suppressed).every((f) => !('suppressed' in f))).toBe(true);
  });

  it('reports not-evaluated records with their entities, the rules behind them, crashes without stacks, and completeness', () => {
    const report = parse(jsonReporter(fullResult(), OPTIONS));
    expect(report.complete).toBe(false);
    expect(report.notEvaluated.map((r) => [r.ruleId, r.kind, r.resources.length])).toEqual([
      ['backend-scope-exposed', null, 0],
      ['client-api-permission', 'authorizationServer', 2],
      ['redirect-uri-safe', 'application', 10],
      ['redirect-uri-safe', 'application', 1],
    ]);
    expect(report.notEvaluated[1]?.resources.map((r) => r.name)).toEqual(['entra-auth', 'partner-auth']);
    expect(report.summary).toEqual(
      expect.objectContaining({
        notEvaluated: 4,
        rulesNotEvaluated: {
          notRun: ['backend-scope-exposed'],
          partly: ['client-api-permission', 'redirect-uri-safe'],
        },
        securityRulesNotEvaluated: ['redirect-uri-safe'],
      }),
    );
    expect(report.crashes).toEqual([
      { ruleId: 'api-oauth-enabled', message: "Cannot read properties of undefined (reading 'length')" },
    ]);
  });

  it('a clean report has empty lists and complete: true', () => {
    const report = parse(jsonReporter(cleanResult(), OPTIONS));
    expect(report).toEqual(
      expect.objectContaining({
        complete: true,
        findings: [],
        notEvaluated: [],
        crashes: [],
        gaps: [],
        expiredSuppressions: [],
      }),
    );
  });
});
