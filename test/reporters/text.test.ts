import { textReporter } from '../../reporters/text';
import { expectGolden } from './golden';
import { OPTIONS, cleanResult, fullResult, reversed } from './sample-result';

const ESC = '\u001b[';

describe('text reporter', () => {
  it('matches the golden report (colour off)', () => {
    expectGolden('full.text.txt', textReporter(fullResult(), OPTIONS));
  });

  it('matches the golden clean report', () => {
    expectGolden('clean.text.txt', textReporter(cleanResult(), OPTIONS));
  });

  it('is deterministic, and keeps the order it is given (the engine decides it)', () => {
    expect(textReporter(fullResult(), OPTIONS)).toBe(textReporter(fullResult(), OPTIONS));
    const given = reversed(fullResult());
    const report = textReporter(given, OPTIONS);
    const positions = given.findings.map((f) => report.indexOf(f.message));
    expect(positions.every((p) => p >= 0)).toBe(true);
    // Active findings are grouped by resource, suppressed ones listed after them: within a group, the given order.
    const portal = given.findings.filter((f) => f.resource.name === 'Contoso Portal' && !f.suppressed);
    const server = given.findings.filter((f) => f.resource.name === 'entra-auth');
    for (const group of [portal, server]) {
      const at = group.map((f) => report.indexOf(f.message));
      expect(at).toEqual([...at].sort((a, b) => a - b));
    }
    expect(report).not.toBe(textReporter(fullResult(), OPTIONS));
  });

  it('groups findings by resource, sorted by file, line, column and rule', () => {
    const lines = textReporter(fullResult(), OPTIONS).split('\n');
    const headings = lines.filter((line) => /^\w+ '/.test(line));
    expect(headings).toEqual([
      "application 'Contoso Backend API'  examples/contoso/snapshot.json",
      "authorizationServer 'entra-auth'  examples/contoso/snapshot.json",
      "application 'Contoso Portal'  tenant exports/app manifest.json",
      "application 'Legacy Client'  tenant exports/legacy.json",
    ]);
    const v2 = lines.filter((line) => line.includes('auth-server-v2-endpoints  '));
    expect(v2.map((line) => line.match(/\((.*)\)$/)?.[1])).toEqual([
      'examples/contoso/snapshot.json:118:9',
      'examples/contoso/snapshot.json:120:9',
    ]);
    expect(lines).toContain(
      "  error    redirect-uri-safe         App 'Legacy Client' has redirect URI https://*.contoso.com/callback with a wildcard; list each host.  (tenant exports/legacy.json)",
    );
  });

  it('lists suppressed findings separately, with their justification, not among the findings', () => {
    const report = textReporter(fullResult(), OPTIONS);
    const [main, rest] = report.split('Suppressed (1):');
    expect(main).not.toContain('client-secret-expiry');
    expect(rest).toContain("App 'Contoso Portal' secret 'apim' expires in 12 days");
    expect(rest).toContain('justification: Rotated by the release pipeline (until 2027-06-30)');
    expect(report).toContain('1 suppressed.');
  });

  it('lists rules not evaluated once per rule, reason and kind, counting and naming the entities', () => {
    const report = textReporter(fullResult(), OPTIONS);
    expect(report).toContain('Not evaluated (3 rules: 1 not run, 2 in part):');
    expect(report).toContain('  backend-scope-exposed (not run)\n    - needs Entra app registrations');
    const lines = report.split('\n');
    const at = lines.findIndex((line) => line.includes("the client app '4444"));
    expect(lines.slice(at, at + 2)).toEqual([
      "    - 2 authorization servers — the client app '44444444-4444-4444-4444-444444444444' is not among the applications given",
      "        'entra-auth', 'partner-auth'",
    ]);
    expect(report).toContain(
      "        'team-app-0', 'team-app-1', 'team-app-2', 'team-app-3', 'team-app-4', 'team-app-5', 'team-app-6', 'team-app-7' and 2 more",
    );
    expect(report).toContain("    - application 'Contoso Portal' — Not fully evaluated: web/redirectUris");
  });

  it('counts the rules not evaluated the same way in the section and in the summary, and names the security ones', () => {
    const report = textReporter(fullResult(), OPTIONS);
    expect(report).toContain('Evaluated 5 of 8 rules (2 of them in part, 1 not run, 1 off, 1 crashed)');
    expect(report).toContain('Security rule not (fully) evaluated: redirect-uri-safe.');
    expect(textReporter(cleanResult(), OPTIONS)).not.toContain('Security rule');
  });

  it('reports expired suppressions, crashes, gaps and an incomplete audit', () => {
    const report = textReporter(fullResult(), OPTIONS);
    expect(report).toContain(
      'suppression for client-secret-expiry on application:Legacy Client expired on 2026-01-31; it no longer applies',
    );
    expect(report).toContain(
      "rule api-oauth-enabled crashed: Cannot read properties of undefined (reading 'length')",
    );
    expect(report).toContain(
      'apiops:apim-artifacts: could not read policy of api colors-api: apis/colors-api/policy.xml is not valid XML',
    );
    expect(report).toContain('Audit incomplete (1 rule crash, 1 source gap)');
    expect(report).toContain('5 findings: 4 errors, 0 warnings, 1 note.');
    expect(report).not.toContain('No findings.');
  });

  it('says explicitly when there is nothing to report, and what was evaluated', () => {
    const report = textReporter(cleanResult(), OPTIONS);
    expect(report).toBe(
      'No findings.\nEvaluated 7 of 7 rules over 1 source: examples/contoso-fixed/snapshot.json.\n',
    );
  });

  it('a result without findings that is incomplete is not called clean', () => {
    const result = {
      ...cleanResult(),
      complete: false,
      gaps: [{ source: 'graph', what: '/applications', reason: '403' }],
    };
    const report = textReporter(result, OPTIONS);
    expect(report).toContain('No findings.');
    expect(report).toContain(
      'Audit incomplete (1 source gap): this report is not evidence of a clean configuration.',
    );
  });

  it('uses ANSI colour only when asked', () => {
    const plain = textReporter(fullResult(), { ...OPTIONS, color: false });
    const coloured = textReporter(fullResult(), { ...OPTIONS, color: true });
    expect(plain).not.toContain(ESC);
    expect(coloured).toContain(`${ESC}31merror  ${ESC}39m`);
    expect(coloured).toContain(`${ESC}36mnote   ${ESC}39m`);
    expect(coloured).toContain(`${ESC}1m${ESC}31mAudit incomplete`);
    // Stripping the escapes gives back the plain report: colour never changes the content.
    // eslint-disable-next-line no-control-regex
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plain);
    expect(textReporter(cleanResult(), { ...OPTIONS, color: true })).toContain(
      `${ESC}32mNo findings.${ESC}39m`,
    );
  });
});
