/**
 * `scan --report <format>=<file>`: several reports from one run, every target checked before the audit.
 */
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp';
import { REPO_ROOT } from '../helpers/sample';

const SAMPLE = 'examples/contoso/snapshot.json';

const NOW = ['--now', '2026-12-01T00:00:00Z'];

describe('scan --report', () => {
  it('writes every report from the same run: the same findings in each format', async () => {
    const dir = makeTempDir('reports');
    const file = (name: string) => path.join(dir, name);
    const run = await cli([
      'scan',
      SAMPLE,
      ...NOW,
      '--format',
      'github',
      '--report',
      `json=${file('audit.json')}`,
      '--report',
      `markdown=${file('summary.md')}`,
      '--report',
      `junit=${file('audit.xml')}`,
      '--report',
      `sarif=${file('audit.sarif')}`,
    ]);
    expect(run.code).toBe(1);
    const json = JSON.parse(readFileSync(file('audit.json'), 'utf8')) as { findings: unknown[] };
    const sarif = JSON.parse(readFileSync(file('audit.sarif'), 'utf8')) as { runs: { results: unknown[] }[] };
    expect(json.findings.length).toBeGreaterThan(0);
    expect(sarif.runs[0]?.results).toHaveLength(json.findings.length);
    // Annotations on stdout: one per finding up to the per-level cap, then the count line.
    expect(run.stdout).toMatch(/^::error file=examples\/contoso\/snapshot\.json,line=\d+/);
    expect(run.stdout).toContain(`apim-oauth-audit: ${json.findings.length} findings`);
    expect(readFileSync(file('summary.md'), 'utf8')).toMatch(/^### ❌ apim-oauth-audit/);
    expect(readFileSync(file('audit.xml'), 'utf8')).toMatch(/^<\?xml version="1.0"/);
    expect(run.stderr).toContain(`Wrote junit report (${json.findings.length} findings)`);
  });

  it.each([
    [['--report', 'pdf=x.pdf'], '--report pdf=x.pdf: expected <format>=<file>'],
    [['--report', 'json'], '--report json: expected <format>=<file>'],
    [['--report', 'json=-'], '--report: text and json would both be written to stdout'],
    [
      ['--report', 'json=a.json', '--report', 'sarif=a.json'],
      '--report: a.json is the target of two reports',
    ],
    [['--output', 'a.json', '--report', 'sarif=./a.json'], '--report: ./a.json is the target of two reports'],
    [['--report', 'json=missing/a.json'], '--report missing/a.json: the folder missing does not exist'],
    [['--link-base', 'javascript:alert(1)'], '--link-base javascript:alert(1): expected an http(s) URL'],
    [
      ['--output', 'a.json', '--report', 'json=-', '--fix-dry-run'],
      '--report <format>=-: under --fix-dry-run stdout carries the diff',
    ],
  ])('refuses %j before reading anything (exit 2)', async (args, message) => {
    const dir = makeTempDir('reports-bad');
    const run = await cli(['scan', path.join(REPO_ROOT, SAMPLE), ...NOW, ...args], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(existsSync(path.join(dir, 'a.json'))).toBe(false);
  });

  it('never writes a report through a symbolic link', async () => {
    const dir = makeTempDir('reports-link');
    writeFileSync(path.join(dir, 'target.md'), 'kept');
    symlinkSync(path.join(dir, 'target.md'), path.join(dir, 'summary.md'));
    const run = await cli(['scan', path.join(REPO_ROOT, SAMPLE), ...NOW, '--report', 'markdown=summary.md'], {
      cwd: dir,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--report summary.md is a symbolic link');
    expect(readFileSync(path.join(dir, 'target.md'), 'utf8')).toBe('kept');
  });
});
