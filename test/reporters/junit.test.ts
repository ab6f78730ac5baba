import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { junitReporter } from '../../reporters/junit';
import { OPTIONS, cleanResult, fullResult } from './sample-result';
import { findingAt, hostileFinding, resultWith } from './ci-formats-helpers';

const SCHEMA = readFileSync(path.join(__dirname, '../fixtures/junit.xsd'), 'utf8');
const AT = { ...OPTIONS, timestamp: new Date('2026-12-03T20:15:00Z') };

async function expectValid(xml: string): Promise<void> {
  const result = await validateXML({
    xml: [{ fileName: 'report.xml', contents: xml }],
    schema: [{ fileName: 'junit.xsd', contents: SCHEMA }],
  });
  expect(result.errors.map((e) => e.rawMessage)).toEqual([]);
  expect(result.valid).toBe(true);
}

/** The test cases of one suite, as `name -> outcome element name` (or `passed`). */
function cases(xml: string, suite: string): Record<string, string> {
  const body = new RegExp(`<testsuite name="${suite}"[^>]*>([\\s\\S]*?)</testsuite>`).exec(xml)?.[1] ?? '';
  const out: Record<string, string> = {};
  for (const match of body.matchAll(/<testcase name="([^"]*)"[^>]*?(\/>|>\s*<(\w+))/g)) {
    out[match[1] ?? ''] = match[2] === '/>' ? 'passed' : (match[3] ?? '');
  }
  return out;
}

describe('junit reporter', () => {
  it.each([
    ['the sample result', fullResult],
    ['a clean result', cleanResult],
    ['hostile values (markup, forbidden characters, lone surrogates)', () => resultWith([hostileFinding()])],
  ])('writes XML the Ant JUnit schema accepts: %s', async (_name, make) => {
    await expectValid(junitReporter(make(), AT));
  });

  it('fails a rule and resource at or above the gate, passes below it, skips what was not evaluated', () => {
    const result = resultWith([findingAt(1, 'error'), findingAt(2, 'warning')], {
      notEvaluated: [
        {
          ruleId: 'redirect-uri-safe',
          reason: 'placeholders',
          kind: 'application',
          resources: [{ kind: 'application', id: '/applications/9', name: 'app-9' }],
        },
      ],
    });
    const xml = junitReporter(result, AT);
    expect(cases(xml, 'redirect-uri-safe')).toEqual({
      'application &apos;app-1&apos;': 'failure',
      'application &apos;app-2&apos;': 'passed',
      'application &apos;app-9&apos;': 'skipped',
    });
    expect(xml).toMatch(
      /<testsuite name="redirect-uri-safe"[^>]* tests="3" failures="1" errors="0" skipped="1"/,
    );
    expect(xml).toContain('below the gate (error): entra/app-2.json:3:3: warning [redirect-uri-safe]');
    expect(xml).toContain('timestamp="2026-12-03T20:15:00"');
  });

  it('follows the gate in effect: with failOn warning the warning fails too; with none nothing fails', () => {
    const findings = [findingAt(1, 'error'), findingAt(2, 'warning')];
    const gate = (failOn: 'warning' | 'none') =>
      junitReporter(
        resultWith(findings, {
          configuration: {
            file: null,
            failOn,
            suppressions: { count: 0, wildcard: [] },
            rulesOff: [],
            lowered: [],
          },
        }),
        AT,
      );
    expect(Object.values(cases(gate('warning'), 'redirect-uri-safe'))).toEqual(['failure', 'failure']);
    expect(Object.values(cases(gate('none'), 'redirect-uri-safe'))).toEqual(['passed', 'passed']);
  });

  it('reports crashes and source gaps as errors, suppressed findings as output only', () => {
    const xml = junitReporter(fullResult(), AT);
    expect(xml).toMatch(/<testsuite name="sources"[^>]* errors="1"/);
    expect(xml).toMatch(/<error message="rule [^"]* crashed/);
    expect(xml).toContain('suppressed: ');
  });

  it('has one passing case for a rule with nothing to report, and leaves rules that are off out', () => {
    const xml = junitReporter(cleanResult(), AT);
    expect(cases(xml, 'redirect-uri-safe')).toEqual({ 'redirect-uri-safe: no findings': 'passed' });
    const off = fullResult()
      .rules.filter((r) => r.level === 'off')
      .map((r) => r.id);
    expect(off.length).toBeGreaterThan(0);
    for (const id of off) expect(junitReporter(fullResult(), AT)).not.toContain(`<testsuite name="${id}"`);
  });
});

describe('junit reporter with a baseline', () => {
  it('does not fail on a finding the baseline records', () => {
    const xml = junitReporter(
      resultWith([
        findingAt(1, 'error', { baseline: 'unchanged' }),
        findingAt(2, 'error', { baseline: 'new' }),
      ]),
      AT,
    );
    expect(cases(xml, 'redirect-uri-safe')).toEqual({
      'application &apos;app-1&apos;': 'passed',
      'application &apos;app-2&apos;': 'failure',
    });
    expect(xml).toContain('recorded in the baseline: entra/app-1.json:2:3');
  });
});
