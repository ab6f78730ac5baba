import { jsonReporter } from '../../reporters/json';
import { expectGolden } from './golden';
import {
  FINDINGS,
  OPTIONS,
  POLICY,
  SNAPSHOT,
  cleanResult,
  fullResult,
  liveResult,
  reversed,
} from './sample-result';

interface JsonReport {
  version: number;
  tool: { name: string; version: string };
  complete: boolean;
  findings: {
    ruleId: string;
    location: { file: string | null; line: number | null; column: number | null };
    message: string;
    detail: string | null;
    fix: { text: string; command: string | null; edit: Record<string, unknown> | null } | null;
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
      'detail',
      'fix',
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

  it("carries each finding's message, detail and fix (text, command, edit), null where there is none", () => {
    const report = parse(jsonReporter(fullResult(), OPTIONS));
    const byMessage = (part: string) => report.findings.find((f) => f.message.includes(part));
    expect(byMessage('v1 authorization endpoint')).toEqual(
      expect.objectContaining({ detail: null, fix: null }),
    );
    const token = byMessage('v1 token endpoint');
    expect(token?.detail).toContain('IDX10214');
    expect(token?.fix).toEqual({
      text: expect.stringContaining('Use the v2 token endpoint.') as unknown,
      command: null,
      edit: {
        kind: 'json',
        file: SNAPSHOT,
        path: ['resources', 3, 'properties', 'tokenEndpoint'],
        value: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
      },
    });
    expect(byMessage('has redirect URI https://*')?.fix).toEqual({
      text: 'Replace the wildcard by each host the portal is served from.',
      command: null,
      edit: null,
    });
    const live = parse(jsonReporter(liveResult(), OPTIONS));
    expect(live.findings.map((f) => f.fix?.command ?? null)).toEqual([
      "az ad app update --id aaaaaaaa-0000-0000-0000-000000000001 --set api.requestedAccessTokenVersion='2'",
      expect.stringMatching(
        /^az rest --method patch --uri 'https:\/\/management\.azure\.com\/subscriptions\//,
      ) as unknown,
      null,
    ]);
    expect(live.findings[2]?.fix?.edit).toEqual({
      kind: 'text',
      file: POLICY,
      start: 212,
      end: 239,
      text: 'api://contoso-reports',
      literalOnly: false,
    });
  });

  it("writes a fix's edit with its keys in a fixed order per kind", () => {
    const result = liveResult();
    const [first] = result.findings;
    if (!first) throw new Error('sample has findings');
    first.fix = {
      text: 'Remove it.',
      edit: { kind: 'json', file: SNAPSHOT, path: ['applications', 0, 'x'], remove: true },
    };
    const second = { ...first, fingerprint: 'f2' };
    second.fix = {
      text: 'Replace it.',
      edit: { text: 'b', end: 2, start: 1, path: ['p'], file: SNAPSHOT, kind: 'jsonString' },
    };
    result.findings = [first, second];
    const report = parse(jsonReporter(result, OPTIONS));
    expect(report.findings.map((f) => Object.keys(f.fix?.edit ?? {}))).toEqual([
      ['kind', 'file', 'path', 'remove'],
      ['kind', 'file', 'path', 'start', 'end', 'text'],
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
