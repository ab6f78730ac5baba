import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_RULE_IDS } from '../../rules';
import { cli } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/sample';
import { makeTempDir } from '../helpers/temp';

const NOW = ['--now', '2026-11-25T12:00:00Z'];
const CONTOSO = 'examples/contoso/snapshot.json';
const FIXED = 'examples/contoso-fixed/snapshot.json';

function tempDir(): string {
  return makeTempDir('cli');
}

interface JsonReport {
  version: number;
  complete: boolean;
  findings: {
    ruleId: string;
    severity: string;
    fingerprint: string;
    location: { file?: string; line?: number };
  }[];
  notEvaluated: { ruleId: string; reason: string }[];
  summary: Record<string, number>;
}

async function jsonScan(
  args: string[],
  cwd = REPO_ROOT,
): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const result = await cli(['scan', ...args, '--format', 'json', ...NOW], { cwd });
  return { code: result.code, report: JSON.parse(result.stdout) as JsonReport, stderr: result.stderr };
}

describe('CLI scan on the bundled samples', () => {
  it('the broken sample: findings of every built-in rule; exit 1 with --fail-on error, 0 with none', async () => {
    const { code, report } = await jsonScan([CONTOSO, '--fail-on', 'error']);
    expect(code).toBe(1);
    expect(report.complete).toBe(true);
    // sources-consistent needs two sources: one snapshot cannot disagree with itself (rules/sources-consistent.md).
    // policy-base-inherited: the sample's only dropped protection is the global validate-jwt, which api-validate-jwt
    // reports (one defect, one finding).
    const singleSourceRules = BUILTIN_RULE_IDS.filter(
      (id) => id !== 'sources-consistent' && id !== 'policy-base-inherited',
    );
    expect(new Set(report.findings.map((f) => f.ruleId))).toEqual(new Set(singleSourceRules));
    expect(report.notEvaluated).toEqual([]);
    for (const finding of report.findings) {
      expect(finding.location).toEqual(expect.objectContaining({ file: CONTOSO, line: expect.any(Number) }));
    }
    const none = await cli(['scan', CONTOSO, '--fail-on', 'none', ...NOW]);
    expect(none.code).toBe(0);
  });

  it('the fixed sample audits clean with exit 0', async () => {
    const { code, report } = await jsonScan([FIXED]);
    expect(code).toBe(0);
    expect(report.findings).toEqual([]);
    expect(report.notEvaluated).toEqual([]);
    const text = await cli(['scan', FIXED, ...NOW]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/No findings/);
  });

  it('--source snapshot:<path> is the same as a bare path', async () => {
    const bare = await jsonScan([CONTOSO]);
    const named = await jsonScan(['--source', `snapshot:${CONTOSO}`]);
    expect(named.report.findings).toEqual(bare.report.findings);
  });

  it('--rule overrides a level and --fail-on follows it', async () => {
    const args = BUILTIN_RULE_IDS.flatMap((id) => ['--rule', `${id}=note`]);
    const { code, report } = await jsonScan([CONTOSO, ...args, '--fail-on', 'warning']);
    expect(code).toBe(0);
    expect(new Set(report.findings.map((f) => f.severity))).toEqual(new Set(['note']));
  });

  it('writes the report to --output and says so on stderr', async () => {
    const out = path.join(tempDir(), 'audit.sarif');
    const result = await cli([
      'scan',
      CONTOSO,
      '--format',
      'sarif',
      '--output',
      out,
      '--fail-on',
      'none',
      ...NOW,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/Wrote sarif report/);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(expect.objectContaining({ version: '2.1.0' }));
  });

  it('colour only on a TTY, never with NO_COLOR', async () => {
    const tty = await cli(['scan', CONTOSO, '--fail-on', 'none', ...NOW], { tty: true });
    expect(tty.stdout).toContain('\u001b[');
    const noColor = await cli(['scan', CONTOSO, '--fail-on', 'none', ...NOW], {
      tty: true,
      env: { NO_COLOR: '1' },
    });
    expect(noColor.stdout).not.toContain('\u001b[');
    const pipe = await cli(['scan', CONTOSO, '--fail-on', 'none', ...NOW]);
    expect(pipe.stdout).not.toContain('\u001b[');
  });
});

describe('CLI errors: clear, located, exit 2', () => {
  it('a malformed snapshot', async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'broken.json'),
      '{ "kind": "apim-oauth-audit/snapshot", "version": 1, "apim": [ }',
    );
    const result = await cli(['scan', 'broken.json'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /Snapshot broken\.json is not valid JSON:\n {2}broken\.json:1:64: JSON syntax error/,
    );
  });

  it('an invalid config', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, '.auditrc.json'), '{\n  "failOn": "always"\n}\n');
    const result = await cli(['scan', path.join(REPO_ROOT, FIXED)], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('.auditrc.json:2:13: failOn: must be one of error, warning, note, none');
  });

  it('an unknown rule id, in --rule and in explain', async () => {
    const scan = await cli(['scan', FIXED, '--rule', 'client-secret-expire=off']);
    expect(scan.code).toBe(2);
    expect(scan.stderr).toMatch(
      /--rule client-secret-expire: unknown rule 'client-secret-expire'; did you mean 'client-secret-expiry'\?/,
    );
    const explain = await cli(['explain', 'redirect-uri-safer']);
    expect(explain.code).toBe(2);
    expect(explain.stderr).toMatch(/did you mean 'redirect-uri-safe'/);
  });

  it('an unknown source kind, a missing file, no sources, bad flags', async () => {
    expect((await cli(['scan', '--source', 'ftp:x'])).stderr).toMatch(/Unknown source kind 'ftp'/);
    const missing = await cli(['scan', 'nope.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read source 'nope\.json'/);
    const none = await cli(['scan'], { cwd: tempDir() });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/No sources to audit/);
    const flag = await cli(['scan', FIXED, '--format', 'xml']);
    expect(flag.code).toBe(2);
    expect((await cli(['scan', FIXED, '--now', 'yesterday'])).code).toBe(2);
  });
});

describe('CLI rules, explain, plugins, help', () => {
  it('rules lists every built-in rule; --format json has metadata', async () => {
    const text = await cli(['rules']);
    for (const id of BUILTIN_RULE_IDS) expect(text.stdout).toContain(id);
    const json = JSON.parse((await cli(['rules', '--format', 'json'])).stdout) as {
      rules: { id: string; severity: string }[];
    };
    expect(json.rules.map((r) => r.id)).toEqual([...BUILTIN_RULE_IDS]);
  });

  it('explain prints the rule doc', async () => {
    const result = await cli(['explain', 'client-secret-expiry']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^# /);
    expect(result.stdout).toContain('## Remediation');
  });

  it('loads a custom rule plugin through the config, with its doc and options', async () => {
    const config = 'examples/custom-rule/.auditrc.json';
    const dir = tempDir();
    const doc = JSON.parse(readFileSync(path.join(REPO_ROOT, FIXED), 'utf8')) as {
      apim: { apis: { name: string; properties: { protocols: string[] } }[] }[];
    };
    const api = doc.apim[0]?.apis[0];
    if (api) api.properties.protocols = ['http', 'https'];
    writeFileSync(path.join(dir, 'http.json'), JSON.stringify(doc, null, 2));
    const { code, report } = await jsonScan([path.join(dir, 'http.json'), '--config', config, '--plugins']);
    expect(report.findings.map((f) => [f.ruleId, f.severity])).toEqual([['acme/api-https-only', 'warning']]);
    expect(code).toBe(0);
    const listed = await cli(['rules', '--config', config, '--plugins']);
    expect(listed.stdout).toMatch(/acme\/api-https-only\s+warning/);
    const explained = await cli(['explain', 'acme/api-https-only', '--config', config, '--plugins']);
    expect(explained.stdout).toContain('# APIs accept HTTPS only');
  });

  it('--help documents the exit codes; --version prints the version', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('3  audit incomplete');
    const scanHelp = await cli(['scan', '--help']);
    expect(scanHelp.stdout).toContain('--fail-on');
    expect((await cli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('CLI: incomplete audits and suppressions', () => {
  it('a crashing rule: the others still report, the crash is shown, exit 3 even with --fail-on none', async () => {
    const config = 'test/cli/fixtures/crash-plugin/.auditrc.json';
    const { code, report } = await jsonScan([CONTOSO, '--config', config, '--plugins', '--fail-on', 'none']);
    expect(code).toBe(3);
    expect(report.complete).toBe(false);
    expect(report.findings.length).toBeGreaterThan(0);
    const text = await cli(['scan', CONTOSO, '--config', config, '--plugins', ...NOW]);
    expect(text.code).toBe(3);
    expect(text.stdout).toContain('always-crashes');
    expect(text.stdout).toContain('deliberate failure in a plugin rule');
  });

  it('suppressed findings do not fail the run; expired suppressions stop suppressing and are reported', async () => {
    const config = 'test/cli/fixtures/suppress/.auditrc.json';
    const plain = await jsonScan([CONTOSO]);
    const { report } = await jsonScan([CONTOSO, '--config', config]);
    const suppressed = (report.findings as { ruleId: string; suppressed?: unknown }[]).filter(
      (f) => f.suppressed,
    );
    expect(suppressed.length).toBeGreaterThan(0);
    expect(suppressed.every((f) => f.ruleId === 'client-secret-expiry')).toBe(true);
    expect(report.findings.filter((f) => f.ruleId === 'redirect-uri-safe')).toHaveLength(
      plain.report.findings.filter((f) => f.ruleId === 'redirect-uri-safe').length,
    );
    expect((report as unknown as { expiredSuppressions: unknown[] }).expiredSuppressions).toHaveLength(1);
    const text = await cli(['scan', CONTOSO, '--config', config, ...NOW, '--fail-on', 'none']);
    expect(text.stdout).toMatch(/expired/i);
  });
});
