import MarkdownIt from 'markdown-it';
import { MARKDOWN_LIMIT, markdownReporter } from '../../reporters/markdown';
import { OPTIONS, fullResult, cleanResult } from './sample-result';
import { baselineComparison, findingAt, hostileFinding, resultWith } from './ci-formats-helpers';

/** CommonMark with GFM tables and strike-through, raw HTML allowed (as GitHub allows a safe subset of it). */
const markdown = new MarkdownIt({ html: true, linkify: false });

function render(report: string): string {
  return markdown.render(report);
}

describe('markdown reporter', () => {
  it('states the verdict and counts, then the findings grouped by resource with links', () => {
    const report = markdownReporter(
      resultWith([
        findingAt(1, 'error'),
        findingAt(1, 'warning', { fingerprint: 'x' }),
        findingAt(2, 'note'),
      ]),
      OPTIONS,
    );
    expect(report.split('\n')[0]).toBe('### ❌ apim-oauth-audit: 1 finding at or above `error`');
    const html = render(report);
    expect(html).toContain('<td>error</td>\n<td style="text-align:right">1</td>');
    expect(html).toContain('<a href="entra/app-1.json#L2">entra/app-1.json:2:3</a>');
    // Both findings of app-1 under one heading.
    expect(report.match(/\*\*application 'app-1'\*\*/g)).toHaveLength(1);
  });

  it('says so when nothing fails the gate', () => {
    expect(markdownReporter(cleanResult(), OPTIONS)).toMatch(/^### ✅ apim-oauth-audit: no findings\n/);
    const belowGate = resultWith([findingAt(1, 'note')]);
    expect(markdownReporter(belowGate, OPTIONS)).toMatch(
      /^### ✅ apim-oauth-audit: no findings at or above `error`/,
    );
  });

  it('renders hostile values as text: no HTML, image, link, mention, heading or table cell of theirs', () => {
    const html = render(markdownReporter(resultWith([hostileFinding()]), OPTIONS));
    expect(html).not.toMatch(/<img|<script|<h[1-6]>\s*heading|href="https:\/\/evil/);
    // Exactly one link: ours, to the file (its path percent-encoded).
    expect(html.match(/<a /g)).toHaveLength(1);
    expect(html).toContain('href="apis/a%2Cb%3Ac/pol%25icy%20%281%29.xml#L3"');
    // The mention is broken by a zero-width space; the text is still there for a reader.
    expect(html).toContain('@\u200Bocto-org/admins');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // The table is the reporter's: one table, every row of it three cells. The name's `|` is escaped in the
    // Markdown (a cell holding it keeps its row) and shows as text.
    expect(html.match(/<table>/g)).toHaveLength(1);
    const rows = html.match(/<tr>[\s\S]*?<\/tr>/g) ?? [];
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row.match(/<t[dh][ >]/g)).toHaveLength(3);
    const report = markdownReporter(resultWith([hostileFinding()]), OPTIONS);
    expect(report).toContain('(https://evil.example) \\| cell');
    expect(html).toContain('(https://evil.example) | cell');
  });

  it('links to the blob view with --link-base', () => {
    const report = markdownReporter(resultWith([findingAt(1, 'error')]), {
      ...OPTIONS,
      linkBase: 'https://github.com/o/r/blob/abc123/',
    });
    expect(render(report)).toContain('href="https://github.com/o/r/blob/abc123/entra/app-1.json#L2"');
  });

  it(`stays under ${MARKDOWN_LIMIT} characters, counting what it cut`, () => {
    const long = 'x'.repeat(190);
    const findings = Array.from({ length: 3000 }, (_, i) =>
      findingAt(i, i % 3 === 0 ? 'error' : 'warning', { message: `${i} ${long}`, fix: { text: long } }),
    );
    const report = markdownReporter(resultWith(findings), OPTIONS);
    expect(report.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    const shown = report.split('\n').filter((l) => l.startsWith('- ')).length;
    const cut = /… and (\d+) more findings not shown/.exec(report);
    expect(cut).not.toBeNull();
    expect(shown + Number(cut?.[1])).toBe(3000);
    expect(shown).toBeGreaterThan(100);
    // The end of the report survives the cut.
    expect(report.trimEnd().endsWith('see the full report.*')).toBe(true);
  });

  it('keeps to a smaller limit when asked, and still says what was cut', () => {
    const findings = Array.from({ length: 50 }, (_, i) => findingAt(i, 'error'));
    const report = markdownReporter(resultWith(findings), { ...OPTIONS, maxLength: 5000 });
    expect(report.length).toBeLessThanOrEqual(5000);
    expect(report).toMatch(/… and \d+ more findings not shown/);
  });

  it('collapses what was not evaluated and states what weakens the gate and what limits the report', () => {
    const result = fullResult();
    result.configuration = {
      file: '.auditrc.json',
      failOn: 'none',
      suppressions: { count: 2, wildcard: [] },
      rulesOff: ['redirect-uri-safe'],
      lowered: [],
    };
    const report = markdownReporter(result, OPTIONS);
    const html = render(report);
    expect(html).toMatch(/<details>\n<summary>Not evaluated: \d+ rules/);
    expect(report).toContain('**The configuration weakens the gate** (config: .auditrc.json):');
    expect(report).toContain('- failOn none: findings never fail the run');
    expect(report).toContain('**Limits of this report:**');
    expect(report).toContain('### ⛔ apim-oauth-audit: audit incomplete');
  });
});

describe('markdown reporter with a baseline', () => {
  it('lists only new findings, passes when only recorded ones reach the gate, and counts both', () => {
    const result = resultWith([
      findingAt(1, 'warning', { baseline: 'new' }),
      findingAt(2, 'error', { baseline: 'unchanged' }),
    ]);
    result.baseline = baselineComparison({ new: 1, unchanged: 1 }, [
      {
        fingerprint: 'f',
        ruleId: 'redirect-uri-safe',
        resource: { kind: 'application', name: 'x', id: '/applications/x' },
        message: 'm',
        firstRecorded: '2026-01-01',
      },
    ]);
    const report = markdownReporter(result, OPTIONS);
    expect(report).toMatch(/^### ✅ apim-oauth-audit: no findings at or above `error`/);
    expect(report).toContain('Baseline: 1 new finding, 1 recorded in it (not listed), 1 entry fixed since.');
    expect(report).toContain('app-1');
    expect(report).not.toContain("application 'app-2'");
  });
});
