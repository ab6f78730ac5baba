import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyFixPlan } from '../../src/fixes/apply';
import { unifiedDiff } from '../../src/fixes/diff';
import { planFixes } from '../../src/fixes/plan';
import type { Finding, FixEdit } from '../../src/engine/types';
import { makeTempDir } from '../helpers/temp';

function finding(fingerprint: string, edit: FixEdit): Finding {
  return {
    ruleId: 'r',
    severity: 'error',
    message: 'm',
    fix: { text: 't', edit },
    resource: { kind: 'api', id: fingerprint, name: fingerprint },
    location: { file: edit.file, line: 1 },
    logicalLocation: { fullyQualifiedName: fingerprint, kind: 'api', name: fingerprint },
    fingerprint,
  };
}

/** A file of `n` numbered lines. */
function numbered(n: number, eol = '\n'): string {
  return Array.from({ length: n }, (_, i) => `line ${i + 1}${eol}`).join('');
}

function at(text: string, needle: string): number {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`no ${needle}`);
  return i;
}

/** `git apply` of the diff in a copy of the files gives exactly the fixed texts. */
function gitApplies(dir: string, diff: string, files: Record<string, string>): void {
  const copy = makeTempDir('fixdiff');
  for (const file of Object.keys(files)) {
    mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    writeFileSync(path.join(copy, file), readFileSync(path.join(dir, file)));
  }
  writeFileSync(path.join(copy, 'fix.diff'), diff);
  execFileSync('git', ['apply', '--unsafe-paths', '--whitespace=nowarn', 'fix.diff'], { cwd: copy });
  for (const [file, text] of Object.entries(files)) {
    expect(readFileSync(path.join(copy, file), 'utf8')).toBe(text);
  }
}

describe('fix plans and their diff', () => {
  it('makes a diff git applies, with separate and merged hunks, and --fix writes the same texts', () => {
    const dir = makeTempDir('fixplan');
    const text = numbered(40);
    const crlf = numbered(5, '\r\n');
    mkdirSync(path.join(dir, 'apis'));
    writeFileSync(path.join(dir, 'apis/a.txt'), text);
    writeFileSync(path.join(dir, 'b.txt'), crlf);
    const edits: FixEdit[] = [
      {
        kind: 'text',
        file: 'apis/a.txt',
        start: at(text, 'line 2\n'),
        end: at(text, 'line 2\n') + 6,
        text: 'two',
      },
      // 4 lines later: one hunk with the first.
      {
        kind: 'text',
        file: 'apis/a.txt',
        start: at(text, 'line 6\n'),
        end: at(text, 'line 6\n') + 7,
        text: '',
      },
      // Far away: a hunk of its own, inserting lines.
      {
        kind: 'text',
        file: 'apis/a.txt',
        start: at(text, 'line 30'),
        end: at(text, 'line 30'),
        text: 'new a\nnew b\n',
      },
      // At the very end, without a final newline after it.
      { kind: 'text', file: 'apis/a.txt', start: text.length - 1, end: text.length, text: '' },
      { kind: 'text', file: 'b.txt', start: at(crlf, 'line 3'), end: at(crlf, 'line 3') + 6, text: 'three' },
    ];
    const plan = planFixes(
      edits.map((e, i) => finding(`f${i}`, e)),
      dir,
    );
    expect(plan.skipped).toEqual([]);
    const expected = {
      'apis/a.txt': text
        .replace('line 2\n', 'two\n')
        .replace('line 6\n', '')
        .replace('line 30', 'new a\nnew b\nline 30')
        .slice(0, -1),
      'b.txt': crlf.replace('line 3', 'three'),
    };
    expect(Object.fromEntries(plan.files.map((f) => [f.file, f.after]))).toEqual(expected);
    const diff = unifiedDiff(plan.files);
    expect(diff.match(/^@@/gm)).toHaveLength(4);
    expect(diff).toContain('\\ No newline at end of file');
    gitApplies(dir, diff, expected);
    const applied = applyFixPlan(plan.files, dir);
    expect(applied.failed).toEqual([]);
    expect(readFileSync(path.join(dir, 'apis/a.txt'), 'utf8')).toBe(expected['apis/a.txt']);
    expect(readFileSync(path.join(dir, 'b.txt'), 'utf8')).toBe(expected['b.txt']);
  });

  it('redacts the diff, keeps the first of two overlapping fixes and skips files it must not touch', () => {
    const dir = makeTempDir('fixsafe');
    const outside = makeTempDir('fixoutside');
    writeFileSync(path.join(dir, 'p.xml'), '<a key="s3cr3t-value"/>\n');
    writeFileSync(path.join(outside, 'o.xml'), '<a/>\n');
    symlinkSync(path.join(outside, 'o.xml'), path.join(dir, 'link.xml'));
    const plan = planFixes(
      [
        finding('first', { kind: 'text', file: 'p.xml', start: 1, end: 2, text: 'b' }),
        finding('second', { kind: 'text', file: 'p.xml', start: 1, end: 2, text: 'c' }),
        finding('link', { kind: 'text', file: 'link.xml', start: 1, end: 2, text: 'b' }),
        finding('out', {
          kind: 'text',
          file: path.relative(dir, path.join(outside, 'o.xml')),
          start: 1,
          end: 2,
          text: 'b',
        }),
      ],
      dir,
    );
    expect(plan.files.map((f) => f.after)).toEqual(['<b key="s3cr3t-value"/>\n']);
    expect(plan.skipped.map((s) => [s.finding.fingerprint, s.reason])).toEqual([
      ['second', expect.stringMatching(/same text/)],
      ['link', 'the file is a symbolic link'],
      ['out', 'the file is outside the working directory'],
    ]);
    const diff = unifiedDiff(plan.files, (t) => t.replace(/s3cr3t-value/g, '***'));
    expect(diff).not.toContain('s3cr3t');
    expect(diff).toContain('+<b key="***"/>');
    // A file changed between planning and writing is left alone.
    writeFileSync(path.join(dir, 'p.xml'), '<z/>\n');
    expect(applyFixPlan(plan.files, dir).failed).toEqual([
      { file: 'p.xml', reason: expect.stringMatching(/changed/) },
    ]);
    expect(readFileSync(path.join(outside, 'o.xml'), 'utf8')).toBe('<a/>\n');
  });

  it('makes one edit for two findings with the same fix, and nothing for a fix already in the file', () => {
    const dir = makeTempDir('fixsame');
    writeFileSync(path.join(dir, 'a.txt'), 'abc\n');
    const same: FixEdit = { kind: 'text', file: 'a.txt', start: 1, end: 2, text: 'X' };
    const done: FixEdit = { kind: 'text', file: 'a.txt', start: 0, end: 1, text: 'a' };
    const plan = planFixes([finding('one', same), finding('two', same), finding('done', done)], dir);
    expect(plan.skipped).toEqual([]);
    expect(plan.files).toEqual([expect.objectContaining({ after: 'aXc\n', findings: ['one', 'two'] })]);
    expect(plan.files[0]?.replacements).toHaveLength(1);
    expect([...plan.byFingerprint.keys()]).toEqual(['one', 'two']);
  });

  it('shows the lines a replacement spans without changing them as context, not as removed and added', () => {
    const dir = makeTempDir('fixctx');
    const text = '<policies>\n  <inbound>\n    <x />\n  </inbound>\n</policies>\n';
    writeFileSync(path.join(dir, 'policy.xml'), text);
    const at = text.indexOf('<inbound>') + '<inbound>'.length;
    const plan = planFixes(
      [finding('base', { kind: 'text', file: 'policy.xml', start: at, end: at, text: '\n    <base />' })],
      dir,
    );
    const diff = unifiedDiff(plan.files);
    expect(diff).toContain(' <policies>\n   <inbound>\n+    <base />\n     <x />\n');
    expect(diff).not.toContain('-  <inbound>');
    gitApplies(dir, diff, { 'policy.xml': plan.files[0]?.after ?? '' });
  });
});
