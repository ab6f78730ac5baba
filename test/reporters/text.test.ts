import { textReporter } from '../../reporters/text';
import { expectGolden } from './golden';
import {
  AUTH_SERVER_ID,
  LEGACY,
  LIVE_FINDINGS,
  MANIFEST,
  OPTIONS,
  POLICY,
  SNAPSHOT,
  cleanResult,
  fullResult,
  liveResult,
  reversed,
} from './sample-result';

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
    // Active findings are grouped by file, suppressed ones listed after them: within a group, the given order.
    const snapshot = given.findings.filter((f) => f.location.file === SNAPSHOT);
    const manifest = given.findings.filter((f) => f.location.file === MANIFEST && !f.suppressed);
    expect(snapshot).toHaveLength(3);
    for (const group of [snapshot, manifest]) {
      const at = group.map((f) => report.indexOf(f.message));
      expect(at).toEqual([...at].sort((a, b) => a - b));
    }
    // Groups come in the order of their first finding: the reversed list starts with the legacy file.
    expect(report.indexOf(`\n${LEGACY}\n`)).toBeLessThan(report.indexOf(`\n${SNAPSHOT}\n`));
    expect(report).not.toBe(textReporter(fullResult(), OPTIONS));
  });

  it('groups findings by file, in report order, each line starting with the full file:line:col', () => {
    const lines = textReporter(fullResult(), OPTIONS).split('\n');
    const headings = lines.filter((line, i) => lines[i + 1]?.startsWith(`  ${line}`) === true);
    expect(headings).toEqual([SNAPSHOT, MANIFEST, LEGACY]);
    expect(
      lines.filter((line) => /^ {2}\S/.test(line) && line.includes(' auth-server-v2-endpoints ')),
    ).toEqual([
      "  examples/contoso/snapshot.json:118:9  error  auth-server-v2-endpoints  Authorization server 'entra-auth' uses the v1 authorization endpoint https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/authorize; use .../oauth2/v2.0/authorize.",
      "  examples/contoso/snapshot.json:120:9  error  auth-server-v2-endpoints  Authorization server 'entra-auth' uses the v1 token endpoint https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/token; use .../oauth2/v2.0/token.",
    ]);
    // A file without a line is still the first column.
    expect(lines).toContain(
      "  tenant exports/legacy.json  error  redirect-uri-safe  App 'Legacy Client' has redirect URI https://*.contoso.com/callback with a wildcard; list each host.",
    );
  });

  it('aligns the location, severity and rule columns within a file', () => {
    const lines = textReporter(fullResult(), OPTIONS).split('\n');
    const group = lines.filter((line) => line.startsWith(`  ${SNAPSHOT}:`));
    expect(group).toHaveLength(3);
    for (const column of ['note', 'auth-server-v2-endpoints', 'App ', 'Authorization server']) {
      const at = group.map((line) => line.indexOf(column)).filter((i) => i >= 0);
      expect(new Set(at).size).toBe(1);
    }
    expect(group[0]).toMatch(
      /^ {2}examples\/contoso\/snapshot\.json:12:5 {3}note {3}app-access-token-version {2}App /,
    );
  });

  it("follows a finding's line with its detail and its fix, indented; a finding without them has none", () => {
    const report = textReporter(fullResult(), OPTIONS);
    expect(report).toContain(
      [
        "  tenant exports/legacy.json  error  redirect-uri-safe  App 'Legacy Client' has redirect URI https://*.contoso.com/callback with a wildcard; list each host.",
        '    Any subdomain, including a taken-over one, would receive the authorization code.',
        '    fix: Replace the wildcard by each host the portal is served from.',
      ].join('\n'),
    );
    const lines = report.split('\n');
    const authorize = lines.findIndex((line) => line.includes('v1 authorization endpoint'));
    expect(lines[authorize + 1]).toMatch(/^ {2}examples\/contoso\/snapshot\.json:120:9 /);
  });

  it('wraps detail and fix to the width, hanging under the fix, never breaking a longer word', () => {
    const width = 60;
    const lines = textReporter(fullResult(), { ...OPTIONS, width }).split('\n');
    const start = lines.findIndex((line) => line.includes('uses the v1 token endpoint'));
    const notes = lines.slice(start + 1, lines.indexOf('', start));
    expect(notes).toEqual([
      '    The v1 endpoint ignores the scope and issues a token for',
      "    a resource: validate-jwt rejects it with 401 'Invalid",
      "    JWT.' (IDX10214: Audience validation failed).",
      '    fix: Use the v2 token endpoint. In',
      '         examples/contoso/snapshot.json, set',
      '         "resources[3].properties.tokenEndpoint" to',
      '         "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token".',
    ]);
    for (const line of notes) {
      // Only a line holding one word longer than the width may overflow.
      if (line.length > width) expect(line.trim()).not.toContain(' ');
    }
  });

  it('uses a width of 100 when none is given', () => {
    const report = textReporter(fullResult(), OPTIONS);
    expect(report).toBe(textReporter(fullResult(), { ...OPTIONS, width: 100 }));
    expect(report).not.toBe(textReporter(fullResult(), { ...OPTIONS, width: 120 }));
    expect(report).toContain(
      [
        '    Entra accepts http only for localhost: the authorization code would cross the network in clear',
        '    text, and sign-in from the https portal fails with AADSTS50011 (the redirect URI does not',
        '    match).',
      ].join('\n'),
    );
  });

  it('groups findings without a file under their logical location, naming the resource in the first column', () => {
    const report = textReporter(liveResult(), OPTIONS);
    const lines = report.split('\n');
    const at = lines.indexOf(AUTH_SERVER_ID);
    expect(at).toBeGreaterThan(-1);
    expect(lines[at + 1]).toMatch(
      /^ {2}authorization server 'entra-auth' {2}error {2}auth-server-v2-endpoints {2}Authorization/,
    );
    const app = lines.indexOf('/applications/aaaaaaaa-0000-0000-0000-000000000001');
    expect(lines[app + 1]).toMatch(
      /^ {2}application 'Contoso Backend API' {2}note {2}app-access-token-version {2}App /,
    );
  });

  it('prints the command for live data after `run:`, wrapped between arguments with shell continuations', () => {
    const report = textReporter(liveResult(), OPTIONS);
    expect(report).toContain(
      [
        '    run: az ad app update --id aaaaaaaa-0000-0000-0000-000000000001 \\',
        "           --set api.requestedAccessTokenVersion='2'",
      ].join('\n'),
    );
    const lines = report.split('\n');
    const run = lines.findIndex((line) => line.startsWith('    run: az rest'));
    const command = lines
      .slice(run, run + 4)
      .map((line, i) => (i === 0 ? line.slice('    run: '.length) : line.trim()));
    // Joined as a shell joins continued lines, it is the command given, unchanged.
    expect(command.join('\n').replace(/ \\\n/g, ' ')).toBe(LIVE_FINDINGS[1]?.fix?.command);
  });

  it('names the resource under a finding only when neither its message nor its first column does', () => {
    const lines = textReporter(liveResult(), OPTIONS).split('\n');
    const policy = lines.findIndex((line) => line.startsWith(`  ${POLICY}:7:6  error`));
    expect(lines[policy + 1]).toBe("    API 'reports-api'");
    expect(lines.filter((line) => /^ {4}(application|authorization server) '/.test(line))).toEqual([]);
    expect(textReporter(fullResult(), OPTIONS)).not.toMatch(/^ {4}application '/m);
  });

  it('--compact writes one line per finding, file:line:col: severity [rule] message, without detail or fix', () => {
    const report = textReporter(fullResult(), { ...OPTIONS, compact: true });
    const [findings] = report.split('\n\n').slice(1);
    expect(findings?.split('\n')).toEqual([
      "examples/contoso/snapshot.json:12:5: note [app-access-token-version] App 'Contoso Backend API' issues v1 access tokens (requestedAccessTokenVersion null); set it to 2.",
      "examples/contoso/snapshot.json:118:9: error [auth-server-v2-endpoints] Authorization server 'entra-auth' uses the v1 authorization endpoint https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/authorize; use .../oauth2/v2.0/authorize.",
      "examples/contoso/snapshot.json:120:9: error [auth-server-v2-endpoints] Authorization server 'entra-auth' uses the v1 token endpoint https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/token; use .../oauth2/v2.0/token.",
      "tenant exports/app manifest.json:14:7: error [redirect-uri-safe] App 'Contoso Portal' has redirect URI http://portal.contoso.com/signin; use https.",
      "tenant exports/legacy.json: error [redirect-uri-safe] App 'Legacy Client' has redirect URI https://*.contoso.com/callback with a wildcard; list each host.",
    ]);
    expect(report).not.toContain('fix:');
    expect(report).toContain(
      "  tenant exports/app manifest.json:30:7: warning [client-secret-expiry] App 'Contoso Portal' secret 'apim' expires in 12 days (2026-12-07). (justification: Rotated by the release pipeline; until 2027-06-30)",
    );
    const live = textReporter(liveResult(), { ...OPTIONS, compact: true });
    expect(live).toContain(
      `${AUTH_SERVER_ID}: error [auth-server-v2-endpoints] Authorization server 'entra-auth'`,
    );
    expect(live).not.toContain('run:');
  });

  it('matches the golden layouts: compact, narrow (60 columns), live data, colour', () => {
    expectGolden('full.compact.text.txt', textReporter(fullResult(), { ...OPTIONS, compact: true }));
    expectGolden('full.width60.text.txt', textReporter(fullResult(), { ...OPTIONS, width: 60 }));
    expectGolden('live.text.txt', textReporter(liveResult(), OPTIONS));
    expectGolden('full.color.text.txt', textReporter(fullResult(), { ...OPTIONS, color: true }));
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
    // Severities padded to their group's column inside the colour; the file heading bold.
    expect(coloured).toContain(`${ESC}31merror${ESC}39m`);
    expect(coloured).toContain(`${ESC}36mnote ${ESC}39m`);
    expect(coloured).toContain(`\n${ESC}1m${SNAPSHOT}${ESC}22m\n`);
    expect(coloured).toContain(`${ESC}32mfix:${ESC}39m Use https.`);
    expect(coloured).toContain(`${ESC}1m${ESC}31mAudit incomplete`);
    // Stripping the escapes gives back the plain report: colour never changes the content.
    // eslint-disable-next-line no-control-regex
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plain);
    expect(textReporter(cleanResult(), { ...OPTIONS, color: true })).toContain(
      `${ESC}32mNo findings.${ESC}39m`,
    );
  });
});
