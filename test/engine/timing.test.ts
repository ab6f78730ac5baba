/**
 * `scan --timing`: the table of how long each step took (src/engine/timing.ts), and the CLI printing it to stderr
 * without changing the report.
 */
import { builtinRules } from '../../rules';
import { formatTimings, Timings, type TimedStep } from '../../src/engine/timing';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp';

const SAMPLE = [
  'scan',
  'examples/contoso/snapshot.json',
  '--now',
  '2026-12-01T00:00:00Z',
  '--fail-on',
  'none',
];

/** The rows of a printed table: label -> [ms, share]. */
function rows(table: string): Map<string, [number, string]> {
  const out = new Map<string, [number, string]>();
  for (const line of table.split('\n')) {
    const match = /^(.+?)\s+(\d+\.\d)\s+(\S+)$/.exec(line);
    if (match?.[1] && match[2] && match[3]) out.set(match[1], [Number(match[2]), match[3]]);
  }
  return out;
}

describe('formatTimings', () => {
  const steps: TimedStep[] = [
    { label: 'read sources', ms: 40, kind: 'phase' },
    { label: 'rule fast-rule', ms: 5, kind: 'rule' },
    { label: 'build the model', ms: 10, kind: 'phase' },
    { label: 'rule slow-rule', ms: 25, kind: 'rule' },
  ];

  it('lists the phases in the order they ran, then the rules slowest first, then the rest and the total', () => {
    const table = formatTimings(steps, 100);
    const labels = [...rows(table).keys()];
    expect(labels).toEqual([
      'read sources',
      'build the model',
      'rule slow-rule',
      'rule fast-rule',
      'other (configuration, judging)',
      'total',
    ]);
    expect(rows(table).get('other (configuration, judging)')).toEqual([20, '20.0%']);
    expect(rows(table).get('rule slow-rule')).toEqual([25, '25.0%']);
    expect(rows(table).get('total')).toEqual([100, '100.0%']);
    expect(table).toMatch(/charged for the shared work it asks for first/);
  });

  it('never shows a negative rest when the steps add up to more than the total (clock granularity)', () => {
    expect(rows(formatTimings(steps, 50)).get('other (configuration, judging)')?.[0]).toBe(0);
  });
});

describe('Timings', () => {
  it('adds up a step that runs more than once and keeps the order steps first ran in', () => {
    const timings = new Timings();
    timings.add('b', 2, 'phase');
    timings.add('a', 1, 'rule');
    timings.add('b', 3, 'phase');
    expect(timings.list()).toEqual([
      { label: 'b', ms: 5, kind: 'phase' },
      { label: 'a', ms: 1, kind: 'rule' },
    ]);
  });

  it('counts a step that throws, and passes the error on', () => {
    const timings = new Timings();
    expect(() =>
      timings.time('failing', () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(timings.list().map((s) => s.label)).toEqual(['failing']);
  });

  it('returns what the timed work returns', async () => {
    const timings = new Timings();
    expect(timings.time('x', () => 42)).toBe(42);
    await expect(timings.timeAsync('y', () => Promise.resolve('done'))).resolves.toBe('done');
    expect(timings.list().map((s) => [s.label, s.kind])).toEqual([
      ['x', 'phase'],
      ['y', 'phase'],
    ]);
  });
});

describe('scan --timing', () => {
  it('prints every step and every rule that ran to stderr, and leaves the report as it is', async () => {
    const plain = await cli([...SAMPLE, '--format', 'json']);
    const timed = await cli([...SAMPLE, '--format', 'json', '--timing']);
    expect(timed.code).toBe(plain.code);
    const strip = (json: string) => {
      const report = JSON.parse(json) as { findings: unknown[]; summary: unknown };
      return { findings: report.findings, summary: report.summary };
    };
    expect(strip(timed.stdout)).toEqual(strip(plain.stdout));
    expect(plain.stderr).not.toMatch(/read sources/);
    const table = rows(timed.stderr);
    for (const step of ['read sources', 'build the model', 'report json', 'total']) {
      expect(table.has(step)).toBe(true);
    }
    const ruleRows = [...table.keys()].filter((label) => label.startsWith('rule ')).sort();
    const ran = Object.values(builtinRules)
      .map((r) => `rule ${r.id}`)
      .sort();
    expect(ruleRows).toEqual(ran);
    const total = table.get('total')?.[0] ?? 0;
    expect(total).toBeGreaterThan(0);
    const parts = [...table].filter(([label]) => label !== 'total').reduce((sum, [, [ms]]) => sum + ms, 0);
    // Each row is rounded to 0.1 ms: the rows add up to the total within that.
    expect(Math.abs(parts - total)).toBeLessThanOrEqual(0.05 * table.size + 0.1);
  });

  const dir = makeTempDir('timing');

  it('times each report of a run with several', async () => {
    const sarif = path.join(dir, 'audit.sarif');
    const timed = await cli([...SAMPLE, '--format', 'text', '--report', `sarif=${sarif}`, '--timing']);
    expect(timed.stdout).toMatch(/apim-oauth-audit|finding/i);
    const table = rows(timed.stderr);
    expect(table.has('report text')).toBe(true);
    expect(table.has('report sarif')).toBe(true);
  });
});
