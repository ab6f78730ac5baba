/**
 * One owner for the order of what an audit lists: the engine (src/engine/order.ts). Every report format shows the
 * findings, not-evaluated records and rules in the order the audit result holds them.
 */
import { reporters } from '../../reporters';
import { BUILTIN_RULES } from '../../rules';
import { defineRule, notEvaluated, violation, type AnyRule } from '../../rules/support/contract';
import { compareFindings, inReportOrder } from '../../src/engine/order';
import { runAudit } from '../../src/engine/run';
import type { AuditResult, Finding } from '../../src/engine/types';
import { normalize } from '../../src/model/normalize';
import { parseSnapshot } from '../../src/sources/snapshot';
import { loadSampleDoc, TEST_NOW } from '../helpers/sample';

const inventory = parseSnapshot(JSON.stringify(loadSampleDoc('contoso'), null, 2), 'snapshot.json');

/** Ties on file, line and rule (two violations on one object point at it), and a record per entity. */
const tiesRule = defineRule({
  id: 'test-ties',
  meta: { title: 't', severity: 'warning', tags: [], requires: ['apim'] },
  *check(model) {
    for (const api of model.apis) {
      yield violation(api, `Zeta on ${api.name}`, { path: 'properties/noSuchA', key: 'a' });
      yield violation(api, `Alpha on ${api.name}`, { path: 'properties/noSuchB', key: 'b' });
      yield notEvaluated(`cannot tell ${api.name}`, api);
    }
  },
});

function audit(rules: readonly AnyRule[]): AuditResult {
  return runAudit(normalize(inventory), {
    rules: [...rules].reverse(),
    settings: {},
    suppressions: [{ rule: 'test-ties', resource: 'api:*', justification: 'test', expires: '2020-01-01' }],
    now: TEST_NOW,
    files: inventory.files,
    sources: ['snapshot:b.json', 'snapshot:a.json', 'snapshot:b.json'],
  });
}

const result = audit([...BUILTIN_RULES, tiesRule]);
const options = { color: false, toolVersion: '0.0.0' };

function finding(file: string | undefined, line: number, ruleId: string, message: string): Finding {
  return {
    ruleId,
    severity: 'error',
    message,
    resource: { kind: 'api', id: 'x', name: 'x' },
    location: file === undefined ? {} : { file, line, column: 1 },
    logicalLocation: { fullyQualifiedName: 'x', kind: 'api', name: 'x' },
    fingerprint: `${file ?? ''}${line}${ruleId}${message}`,
  };
}

describe('the engine orders what an audit lists', () => {
  it('gives every list in report order already', () => {
    expect(result.findings.length).toBeGreaterThan(5);
    expect(result.notEvaluated.length).toBeGreaterThan(1);
    expect(inReportOrder(result)).toEqual(result);
    expect(result.rules.map((r) => r.id)).toEqual([...result.rules.map((r) => r.id)].sort());
    expect(result.sources).toEqual(['snapshot:a.json', 'snapshot:b.json']);
  });

  it('orders findings by file, line, column, rule and message by code point; file-less findings last', () => {
    const sorted = [
      finding('b.json', 1, 'r', 'm'),
      finding(undefined, 1, 'a', 'm'),
      finding('a.json', 2, 'r', 'm'),
      finding('a.json', 1, 'r', 'a message'),
      finding('a.json', 1, 'r', 'B message'),
      finding('a.json', 1, 'Q', 'm'),
    ].sort(compareFindings);
    expect(
      sorted.map((f) => `${f.location.file ?? '-'}:${f.location.line ?? ''} ${f.ruleId} ${f.message}`),
    ).toEqual([
      'a.json:1 Q m',
      // Code points, not the locale: 'B' (U+0042) before 'a' (U+0061).
      'a.json:1 r B message',
      'a.json:1 r a message',
      'a.json:2 r m',
      'b.json:1 r m',
      '-: a m',
    ]);
  });
});

describe('every format shows the engine order', () => {
  it('JSON: findings and not-evaluated records as the result lists them', () => {
    const report = JSON.parse(reporters.json(result, options)) as {
      findings: { fingerprint: string }[];
      notEvaluated: { ruleId: string; reason: string }[];
    };
    expect(report.findings.map((f) => f.fingerprint)).toEqual(result.findings.map((f) => f.fingerprint));
    expect(report.notEvaluated.map((r) => `${r.ruleId} ${r.reason}`)).toEqual(
      result.notEvaluated.map((r) => `${r.ruleId} ${r.reason}`),
    );
  });

  it('SARIF: results, rules and not-evaluated notifications as the result lists them', () => {
    const log = JSON.parse(reporters.sarif(result, options)) as {
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: { partialFingerprints: Record<string, string> }[];
        invocations: { toolExecutionNotifications: { level: string; associatedRule?: { id: string } }[] }[];
      }[];
    };
    const [run] = log.runs;
    expect(run?.results.map((r) => Object.values(r.partialFingerprints)[0])).toEqual(
      result.findings.map((f) => f.fingerprint),
    );
    expect(run?.tool.driver.rules.map((r) => r.id)).toEqual(
      result.rules.filter((r) => r.level !== 'off').map((r) => r.id),
    );
    const notes = run?.invocations[0]?.toolExecutionNotifications.filter((n) => n.level === 'note') ?? [];
    expect(notes.map((n) => n.associatedRule?.id)).toEqual(result.notEvaluated.map((r) => r.ruleId));
  });

  it('text: findings grouped by resource in the order of their first finding, each group in the result order', () => {
    const report = reporters.text(result, options);
    const active = result.findings.filter((f) => !f.suppressed);
    const groups = new Map<string, Finding[]>();
    for (const f of active) groups.set(f.resource.id, [...(groups.get(f.resource.id) ?? []), f]);
    const expected = [...groups.values()].flat();
    const at = expected.map((f) => report.indexOf(`  ${f.message}`));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
  });
});
