/**
 * The reporters with a baseline (`scan --baseline`): the text report lists only new findings, then one line with the
 * unchanged and fixed counts and the fixed entries; JSON marks each finding and adds a `baseline` object; SARIF sets
 * `baselineState` on each result and never writes a fixed entry as a result (code scanning would open an alert for
 * it). Every format states the baseline as a weakening of the gate. Without a baseline nothing of this appears.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { jsonReporter } from '../../reporters/json';
import { sarifReporter } from '../../reporters/sarif';
import { textReporter } from '../../reporters/text';
import { compareWithBaseline } from '../../src/engine/baseline';
import type { AuditResult, BaselineEntry, Finding } from '../../src/engine/types';
import { OPTIONS, fullResult } from './sample-result';

const NOW = new Date('2026-11-25T12:00:00Z');

function entryOf(finding: Finding, firstRecorded: string): BaselineEntry {
  const { kind, name, id } = finding.resource;
  return {
    fingerprint: finding.fingerprint,
    ruleId: finding.ruleId,
    resource: { kind, name, id },
    message: finding.message,
    firstRecorded,
  };
}

const FIXED: BaselineEntry = {
  fingerprint: 'e'.repeat(32),
  ruleId: 'auth-server-v2-endpoints',
  resource: {
    kind: 'authorizationServer',
    name: 'old-server',
    id: '/apim/contoso/authorizationServers/old-server',
  },
  message: "Authorization server 'old-server' uses the v1 token endpoint.",
  firstRecorded: '2026-02-01',
};

/** The sample result compared with a baseline recording its first two active findings (one of them old) and a fixed one. */
function withBaseline(): { result: AuditResult; accepted: Finding[] } {
  const result = fullResult();
  const accepted = result.findings.filter((f) => !f.suppressed).slice(0, 2);
  // An entry of a rule that is off in this run: not checked, so not reported as fixed.
  const offRule = { ...FIXED, fingerprint: 'd'.repeat(32), ruleId: 'implicit-grant-disabled' };
  const entries = [entryOf(accepted[0]!, '2026-03-01'), entryOf(accepted[1]!, '2026-11-20'), FIXED, offRule];
  const source = { file: '.audit-baseline.json', inWorkingTree: true };
  const compared = compareWithBaseline(result, { source, entries, maxAgeDays: 90 }, NOW);
  const configuration = { ...compared.configuration!, baseline: { ...source, entries: entries.length } };
  return { result: { ...compared, configuration }, accepted };
}

describe('reporters with a baseline', () => {
  it('text: new findings as usual, then unchanged and fixed counts, the fixed entries and the age warning', () => {
    const { result, accepted } = withBaseline();
    const text = textReporter(result, OPTIONS);
    const active = result.findings.filter((f) => !f.suppressed);
    for (const finding of accepted) expect(text).not.toContain(finding.message);
    for (const finding of active.filter((f) => f.baseline === 'new')) expect(text).toContain(finding.message);
    expect(text).toContain(
      '  baseline .audit-baseline.json (in the working tree, so a pull request can add its own findings to it; a pull-request gate takes it from the base branch): the 4 findings it records do not fail the gate',
    );
    expect(text).toContain(
      [
        'Baseline .audit-baseline.json: 2 unchanged (not listed), 1 fixed, 1 not checked (their rules did not run):',
        "  fixed  auth-server-v2-endpoints on authorization server 'old-server' (recorded 2026-02-01)",
        'Warning: baseline .audit-baseline.json: 1 of the findings it accepts was recorded more than 90 days ago (oldest: 2026-03-01, 269 days); fix it, or suppress it in the config with a justification and an expiry.',
      ].join('\n'),
    );
    const newCount = active.length - 2;
    expect(text).toMatch(new RegExp(`^${newCount} new findings: `, 'm'));
  });

  it('JSON: baselineState on every finding, and the baseline with counts, the absent entries and the stale ones', () => {
    const { result, accepted } = withBaseline();
    const report = JSON.parse(jsonReporter(result, OPTIONS)) as {
      findings: { fingerprint: string; baselineState: string }[];
      baseline: Record<string, unknown>;
      configuration: { baseline: unknown };
    };
    const unchanged = new Set(accepted.map((f) => f.fingerprint));
    for (const finding of report.findings) {
      expect(finding.baselineState).toBe(unchanged.has(finding.fingerprint) ? 'unchanged' : 'new');
    }
    const active = result.findings.filter((f) => !f.suppressed).length;
    expect(report.baseline).toEqual({
      file: '.audit-baseline.json',
      inWorkingTree: true,
      entries: 4,
      counts: { new: active - 2, unchanged: 2, absent: 1, notChecked: 1 },
      absent: [FIXED],
      stale: { maxAgeDays: 90, count: 1, oldest: { firstRecorded: '2026-03-01', days: 269 } },
    });
    expect(report.configuration.baseline).toEqual({
      file: '.audit-baseline.json',
      inWorkingTree: true,
      entries: 4,
    });
  });

  it('SARIF: baselineState new / unchanged, no result for a fixed entry, notes and a configuration notification; valid 2.1.0', () => {
    const { result } = withBaseline();
    const log = JSON.parse(sarifReporter(result, OPTIONS));
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const schema = JSON.parse(
      readFileSync(path.join(__dirname, '..', 'fixtures', 'sarif-schema-2.1.0.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(ajv.validate(schema, log)).toBe(true);
    const [run] = log.runs;
    expect(run.results).toHaveLength(result.findings.length);
    expect(run.results.map((r: { baselineState: string }) => r.baselineState)).toEqual(
      result.findings.map((f) => f.baseline),
    );
    expect(JSON.stringify(run.results)).not.toContain(FIXED.fingerprint);
    const invocation = run.invocations[0];
    expect(
      invocation.toolConfigurationNotifications.map((n: { message: { text: string } }) => n.message.text),
    ).toContain(
      'baseline .audit-baseline.json (in the working tree, so a pull request can add its own findings to it; a pull-request gate takes it from the base branch): the 4 findings it records do not fail the gate',
    );
    expect(invocation.toolExecutionNotifications).toEqual(
      expect.arrayContaining([
        {
          level: 'note',
          message: {
            text: "fixed since the baseline: auth-server-v2-endpoints on authorization server 'old-server' (recorded 2026-02-01)",
          },
        },
        expect.objectContaining({
          level: 'warning',
          message: { text: expect.stringContaining('more than 90 days ago') },
        }),
      ]),
    );
    expect(run.properties.baseline.counts).toEqual({
      new: result.findings.filter((f) => !f.suppressed).length - 2,
      unchanged: 2,
      absent: 1,
      notChecked: 1,
    });
  });

  it('a kind this version does not know (a newer or hand-edited baseline) is shown as written', () => {
    const result = fullResult();
    const odd = { ...FIXED, resource: { ...FIXED.resource, kind: 'gatewayHostname' } };
    const compared = compareWithBaseline(
      result,
      { source: { file: 'b.json', inWorkingTree: false }, entries: [odd], maxAgeDays: 400 },
      NOW,
    );
    expect(textReporter(compared, OPTIONS)).toContain(
      "  fixed  auth-server-v2-endpoints on gatewayHostname 'old-server'",
    );
  });

  it('without a baseline, no report mentions one', () => {
    const result = fullResult();
    expect(textReporter(result, OPTIONS)).not.toMatch(/baseline/i);
    expect(jsonReporter(result, OPTIONS)).not.toMatch(/baseline/i);
    expect(sarifReporter(result, OPTIONS)).not.toMatch(/baseline/i);
  });
});
