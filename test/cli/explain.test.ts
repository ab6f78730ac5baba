/**
 * `explain <error code | pasted message>`, `explain --list`, and `explain <rule-id>` as before. The scan command an
 * explanation prints is run through the CLI against the bundled sample: it must run exactly the rules it names.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_RULE_IDS, builtinRules } from '../../rules';
import { RUNTIME_ERRORS, entryName, knownCodes } from '../../src/explain';
import { cli } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/sample';

const SAMPLE = 'examples/contoso/snapshot.json';

/** The `apim-oauth-audit scan ...` line of an explanation, as argv with the sample in place of the sources. */
function printedScan(stdout: string): string[] | undefined {
  const line = stdout.split('\n').find((l) => l.trim().startsWith('apim-oauth-audit scan '));
  if (line === undefined) return undefined;
  const words = line.trim().split(/\s+/).slice(1).join(' ').replace('<your sources>', SAMPLE).split(' ');
  return words;
}

/** The rules a SARIF run enabled (the rules that ran), by id. */
function rulesRun(sarif: string): string[] {
  const log = JSON.parse(sarif) as { runs: { tool: { driver: { rules: { id: string }[] } } }[] };
  return (log.runs[0]?.tool.driver.rules ?? []).map((r) => r.id).sort();
}

describe('explain <error code>', () => {
  it.each(RUNTIME_ERRORS.map((entry) => [entryName(entry), entry] as const))(
    '%s: meaning, where, causes, and the rules that prevent it with the scan that runs them (or why none)',
    async (_name, entry) => {
      const typed = entry.codes[0] ?? entry.messages[0] ?? '';
      const { code, stdout, stderr } = await cli(['explain', typed]);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout.split('\n')[0]).toContain(entry.title);
      expect(stdout).toContain('\nWhere you see it\n');
      expect(stdout).toContain('\nRules that prevent it\n');
      if (entry.rules.length === 0) {
        expect(stdout).toMatch(/\n {2}None\. /);
        expect(stdout).toContain('\nCheck by hand\n');
        expect(printedScan(stdout)).toBeUndefined();
      } else {
        const folded = stdout.replace(/\s+/g, ' ');
        for (const id of entry.rules) expect(folded).toContain(`- ${id}: ${builtinRules[id].meta.title}`);
        expect(stdout).toContain(`apim-oauth-audit scan <your sources> --only ${entry.rules.join(',')}\n`);
      }
    },
  );

  it('the printed scan runs exactly the rules it names on the sample, and they find what they prevent', async () => {
    const explained = await cli(['explain', 'AADSTS50011']);
    const argv = printedScan(explained.stdout);
    expect(argv).toEqual([
      'scan',
      SAMPLE,
      '--only',
      'client-redirect-uri-matches-portal,redirect-uri-safe,sources-consistent',
    ]);
    const sarif = await cli([
      ...(argv ?? []),
      '--format',
      'sarif',
      '--no-config',
      '--now',
      '2026-12-01T00:00:00Z',
    ]);
    expect(sarif.code).toBe(1); // the sample is broken on purpose
    expect(rulesRun(sarif.stdout)).toEqual(
      ['client-redirect-uri-matches-portal', 'redirect-uri-safe', 'sources-consistent'].sort(),
    );
    const json = await cli([
      ...(argv ?? []),
      '--format',
      'json',
      '--no-config',
      '--now',
      '2026-12-01T00:00:00Z',
    ]);
    const report = JSON.parse(json.stdout) as {
      findings: { ruleId: string }[];
      notEvaluated: { ruleId: string }[];
    };
    const seen = new Set([...report.findings, ...report.notEvaluated].map((f) => f.ruleId));
    // Findings of the two rules the sample breaks, and nothing of any other rule (sources-consistent has one source
    // to compare here: nothing to say).
    expect([...seen].sort()).toEqual(['client-redirect-uri-matches-portal', 'redirect-uri-safe']);
  });

  it('every printed scan command is a valid --only for the CLI', async () => {
    for (const entry of RUNTIME_ERRORS.filter((e) => e.rules.length > 0)) {
      const typed = entry.codes[0] ?? entry.messages[0] ?? '';
      const argv = printedScan((await cli(['explain', typed])).stdout) ?? [];
      const run = await cli([...argv, '--format', 'sarif', '--no-config', '--now', '2026-12-01T00:00:00Z']);
      expect({ typed, code: run.code === 0 || run.code === 1 }).toEqual({ typed, code: true });
      expect(rulesRun(run.stdout)).toEqual([...entry.rules].sort());
    }
  });

  it('finds the code in a pasted message, says what it recognised, and echoes nothing of the text', async () => {
    const pasted =
      "AADSTS50011: The redirect URI 'https://contoso.developer.azure-api.net/signin-oauth/code/callback/Entra' specified in the request does not match the redirect URIs configured for the application '0000'.";
    const { code, stdout } = await cli(['explain', pasted]);
    expect(code).toBe(0);
    expect(stdout.startsWith('AADSTS50011: ')).toBe(true);
    expect(stdout).toContain('(recognised in the text: AADSTS50011)');
    expect(stdout).not.toContain('contoso.developer');
    const lower = await cli(['explain', 'idx10214']);
    expect(lower.stdout.startsWith('IDX10214 (also TokenAudienceNotAllowed): ')).toBe(true);
    expect(lower.stdout).not.toContain('recognised');
    const message = await cli(['explain', 'JWT not present.']);
    expect(message.stdout.startsWith('TokenNotPresent (also TokenNotFound): ')).toBe(true);
  });

  it('an unknown code: exit 2, the closest known codes and the hint to list them', async () => {
    const { code, stdout, stderr } = await cli(['explain', 'AADSTS50012']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      "unknown error code 'AADSTS50012'; closest known: AADSTS50011, AADSTS50020, AADSTS50001",
    );
    expect(stderr).toContain("Run 'apim-oauth-audit explain --list'");
    const idx = await cli(['explain', 'IDX10206']);
    expect(idx.code).toBe(2);
    expect(idx.stderr).toMatch(/closest known: IDX10205, /);
    const text = await cli(['explain', 'the gateway said no']);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain('no error code or message it knows in the text');
    const wrapper = await cli([
      'explain',
      'An error has occurred while authorizing access via entra-auth: invalid_request',
    ]);
    expect(wrapper.code).toBe(2);
    expect(wrapper.stderr).toContain("the developer portal's wrapper around an Entra error");
  });

  it('never echoes control characters from the argument, and bounds its length', async () => {
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
    const evil = await cli(['explain', 'AADSTS1\u001b[31m\n::error::x']);
    expect(evil.code).toBe(2);
    expect(evil.stderr).not.toMatch(CONTROL);
    expect(evil.stderr).not.toMatch(/^::/m);
    // A word of its own is quoted in the message: escaped, never raw.
    const word = await cli(['explain', 'TokenExpird\u001b]0;owned\u0007']);
    expect(word.code).toBe(2);
    expect(word.stderr).toContain(
      "unknown error code 'TokenExpird\\x1B]0;owned\\x07'; closest known: TokenExpired",
    );
    expect(word.stderr).not.toMatch(CONTROL);
    const long = await cli(['explain', `AADSTS50011 ${'x'.repeat(5000)}`]);
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/5012 characters long \(at most 4096\)/);
    expect(long.stderr).not.toContain('xxxx');
  });

  it('a rule id works exactly as before: the rule doc, byte for byte; an unknown one gets the rule did-you-mean', async () => {
    for (const id of BUILTIN_RULE_IDS) {
      const { code, stdout } = await cli(['explain', id]);
      expect(code).toBe(0);
      expect(stdout).toBe(readFileSync(path.join(REPO_ROOT, 'rules', `${id}.md`), 'utf8'));
    }
    const typo = await cli(['explain', 'redirect-uri-safer']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(
      "apim-oauth-audit: unknown rule 'redirect-uri-safer'; did you mean 'redirect-uri-safe'? (run 'apim-oauth-audit rules' for the list)\n",
    );
  });
});

describe('the README', () => {
  it('shows the output explain really prints', async () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const block = /```text\n\$ npx apim-oauth-audit explain "([^"]+)"\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    const { stdout } = await cli(['explain', block?.[1] ?? '']);
    expect(stdout).toBe(block?.[2]);
  });
});

describe('explain --list', () => {
  it('lists every code and name with a one-line meaning', async () => {
    const { code, stdout } = await cli(['explain', '--list']);
    expect(code).toBe(0);
    for (const known of knownCodes()) expect(stdout).toContain(known);
    for (const entry of RUNTIME_ERRORS) expect(stdout.replace(/\s+/g, ' ')).toContain(entry.title);
    expect(stdout).toContain('"Unable to authenticate due to internal error"');
    expect(stdout).toMatch(/IDX10223, TokenExpired +The token has expired \(no rule: check by hand\)/);
  });

  it('with a code, or with nothing at all, is a usage error', async () => {
    const both = await cli(['explain', 'AADSTS50011', '--list']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
    const neither = await cli(['explain']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('explain --list');
  });

  it('--help shows the new signature', async () => {
    const help = await cli(['explain', '--help']);
    expect(help.stdout).toContain('explain [rule-id-or-error]');
    expect(help.stdout).toContain('--list');
  });
});
