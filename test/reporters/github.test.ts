import { escapeText } from '../../src/util/escape';
import { githubReporter, ANNOTATIONS_PER_LEVEL } from '../../reporters/github';
import { OPTIONS, fullResult } from './sample-result';
import { HOSTILE, baselineComparison, findingAt, hostileFinding, resultWith } from './ci-formats-helpers';

/** A workflow command as the runner reads one line: `::name key=value,...::message`. */
const COMMAND = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/;

/** The runner's unescaping (actions/runner `ActionCommand` unescape). */
function unescape(value: string): string {
  return value
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');
}

function parse(line: string) {
  const match = COMMAND.exec(line);
  if (!match) return undefined;
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',').filter((p) => p !== '')) {
    const at = pair.indexOf('=');
    properties[pair.slice(0, at)] = unescape(pair.slice(at + 1));
  }
  return { level: match[1], properties, message: unescape(match[3] ?? '') };
}

function lines(report: string): string[] {
  return report.trimEnd().split('\n');
}

describe('github reporter', () => {
  it('annotates each finding on its file, line and column, titled with the rule', () => {
    const report = githubReporter(
      resultWith([findingAt(1, 'error'), findingAt(2, 'warning'), findingAt(3, 'note')]),
      OPTIONS,
    );
    const [error, warning, notice, summary] = lines(report).map((l) => parse(l) ?? l);
    expect(error).toEqual({
      level: 'error',
      properties: { file: 'entra/app-1.json', line: '2', col: '3', title: 'redirect-uri-safe (error)' },
      message: "App 'app-1' has redirect URI http://app-1.contoso.com/signin; use https.",
    });
    expect(warning).toMatchObject({ level: 'warning', properties: { file: 'entra/app-2.json' } });
    expect(notice).toMatchObject({ level: 'notice', properties: { file: 'entra/app-3.json' } });
    expect(summary).toBe('apim-oauth-audit: 3 findings (1 error, 1 warning, 1 note).');
  });

  it('escapes every value so that no input can end the command or start another', () => {
    const report = githubReporter(resultWith([hostileFinding()]), OPTIONS);
    const all = lines(report);
    // One command per finding plus the plain summary line; no other line is a workflow command.
    expect(all).toHaveLength(2);
    const annotation = parse(all[0] ?? '');
    expect(annotation?.properties['file']).toBe(HOSTILE.file);
    expect(annotation?.message).toBe(escapeText(HOSTILE.message));
    // eslint-disable-next-line no-control-regex -- no control character reaches the log
    expect(annotation?.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(all[1]).not.toMatch(/^\s*::/);
  });

  it(`caps annotations at ${ANNOTATIONS_PER_LEVEL} per level and counts the rest`, () => {
    const findings = [
      ...Array.from({ length: 25 }, (_, i) => findingAt(i, 'error')),
      ...Array.from({ length: 12 }, (_, i) => findingAt(100 + i, 'warning')),
      findingAt(200, 'note'),
    ];
    const all = lines(githubReporter(resultWith(findings), OPTIONS));
    const parsed = all.map(parse);
    expect(parsed.filter((p) => p?.level === 'error')).toHaveLength(10);
    expect(parsed.filter((p) => p?.level === 'warning')).toHaveLength(10);
    expect(parsed.filter((p) => p?.level === 'notice')).toHaveLength(1);
    expect(all.at(-1)).toContain('38 findings (25 errors, 12 warnings, 1 note); 17 not annotated');
  });

  it('states an incomplete audit first, in one of the error slots', () => {
    const findings = Array.from({ length: 12 }, (_, i) => findingAt(i, 'error'));
    const result = resultWith(findings, {
      complete: false,
      gaps: [{ source: 'azure:/subscriptions/x', what: 'policies of API colors', reason: '403 Forbidden' }],
    });
    const parsed = lines(githubReporter(result, OPTIONS)).map(parse);
    expect(parsed[0]).toMatchObject({
      level: 'error',
      properties: { title: 'apim-oauth-audit: audit incomplete' },
    });
    expect(parsed[0]?.message).toContain(
      'azure:/subscriptions/x: could not read policies of API colors: 403 Forbidden',
    );
    expect(parsed.filter((p) => p?.level === 'error')).toHaveLength(10);
  });

  it('annotates live findings on the run (no file) with their resource id, and leaves suppressed ones out', () => {
    const live = findingAt(1, 'error', { location: {} });
    const suppressed = findingAt(2, 'error', { suppressed: { justification: 'accepted' } });
    const parsed = lines(githubReporter(resultWith([live, suppressed]), OPTIONS)).map(parse);
    expect(parsed[0]).toEqual({
      level: 'error',
      properties: { title: 'redirect-uri-safe (error)' },
      message: expect.stringContaining('[/applications/1]') as unknown as string,
    });
    expect(parsed.filter((p) => p !== undefined)).toHaveLength(1);
  });

  it('never annotates a path outside the repository', () => {
    const outside = findingAt(1, 'error', { location: { file: '../elsewhere/a.json', line: 1 } });
    expect(parse(lines(githubReporter(resultWith([outside]), OPTIONS))[0] ?? '')?.properties).toEqual({
      title: 'redirect-uri-safe (error)',
    });
  });

  it('reports the sample result', () => {
    const report = githubReporter(fullResult(), OPTIONS);
    expect(lines(report).filter((l) => l.startsWith('::')).length).toBeGreaterThan(0);
  });
});

describe('github reporter with a baseline', () => {
  it('annotates only new findings and counts the ones the baseline records', () => {
    const result = resultWith([
      findingAt(1, 'error', { baseline: 'new' }),
      findingAt(2, 'error', { baseline: 'unchanged' }),
    ]);
    result.baseline = baselineComparison({ new: 1, unchanged: 1 });
    const all = lines(githubReporter(result, OPTIONS));
    expect(all.map(parse).filter((p) => p !== undefined)).toHaveLength(1);
    expect(all.at(-1)).toContain('1 recorded in the baseline (not annotated), 0 fixed since');
  });
});
