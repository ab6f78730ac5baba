/**
 * JSON and SARIF reports written to a file in pieces (reporters/common.ts `jsonTextChunks`): the pieces join to
 * exactly the text the reporter returns, for any JSON-shaped value, hostile strings included, and the CLI's file
 * is that text byte for byte.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { jsonText, jsonTextChunks } from '../../reporters/common';
import { jsonReporter, jsonReportPieces } from '../../reporters/json';
import { sarifReporter, sarifReportPieces } from '../../reporters/sarif';
import { cli } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp';
import { OPTIONS, fullResult, liveResult } from './sample-result';

const joined = (pieces: Iterable<string>) => [...pieces].join('');

/** Where two texts first differ (-1: equal), shown with some context: a diff of two long texts takes minutes. */
function firstDifference(a: string, b: string): string | -1 {
  if (a === b) return -1;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}: ${JSON.stringify(a.slice(Math.max(0, i - 40), i + 40))} vs ${JSON.stringify(b.slice(Math.max(0, i - 40), i + 40))}`;
}

describe('jsonTextChunks', () => {
  it('joins to jsonText for any JSON value, nested deeper than it splits', () => {
    const strings = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom('##vso[task.setvariable variable=x]1', '##[error]x', '\u2028\u009b\u202e', '', '"\\'),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        strings,
        fc.integer(),
        fc.double({ noNaN: false }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('node'), { maxLength: 5 }),
        fc.dictionary(strings, tie('node'), { maxKeys: 5 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        expect(firstDifference(joined(jsonTextChunks(v)), jsonText(v))).toBe(-1);
      }),
      { numRuns: 500, endOnFailure: true },
    );
    // Long lists (written member by member) at several depths, with anything around and inside them.
    const long = fc.array(value, { minLength: 64, maxLength: 80 });
    const report = fc.oneof(
      long,
      fc.record({ a: value, list: long, z: value }),
      fc.array(fc.record({ results: long, tool: value }), { minLength: 1, maxLength: 2 }),
      fc.record({
        runs: fc.array(fc.record({ results: long }), { maxLength: 2 }),
        gone: fc.constant(undefined),
      }),
    );
    fc.assert(
      fc.property(report, (v) => {
        expect(firstDifference(joined(jsonTextChunks(v)), jsonText(v))).toBe(-1);
      }),
      // A failure on lists this long is shown as found: shrinking them would take minutes.
      { numRuns: 100, endOnFailure: true },
    );
  });

  it('writes what JSON.stringify leaves out or replaces the same way', () => {
    const value = {
      gone: undefined,
      fn: () => 1,
      // eslint-disable-next-line no-sparse-arrays -- a hole is written as null, like undefined
      list: [undefined, () => 1, Symbol('s'), 1, , new Date(0), { toJSON: () => 'mine' }],
      date: new Date(0),
      map: new Map([[1, 2]]),
      empty: { list: [], object: {}, nested: [[], [{}]] },
      nullProto: Object.assign(Object.create(null) as object, { a: [1, { b: '##vso[x' }] }),
    };
    expect(joined(jsonTextChunks(value))).toBe(jsonText(value));
    expect(joined(jsonTextChunks([]))).toBe(jsonText([]));
    expect(joined(jsonTextChunks('##[x'))).toBe(jsonText('##[x'));
  });

  it('gives a large report in pieces of bounded size (none of them the whole text)', () => {
    const report = {
      results: Array.from({ length: 20_000 }, (_, i) => ({ id: i, text: 'x'.repeat(50), list: [i, i + 1] })),
    };
    const pieces = [...jsonTextChunks(report)];
    const whole = jsonText(report);
    expect(firstDifference(pieces.join(''), whole)).toBe(-1);
    expect(pieces.length).toBeGreaterThan(whole.length / (128 * 1024));
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(128 * 1024);
    // A long list inside a member of a short list (a SARIF log's runs) is written in pieces too.
    const log = { runs: [{ tool: { name: 't' }, results: report.results }] };
    const logPieces = [...jsonTextChunks(log)];
    expect(firstDifference(logPieces.join(''), jsonText(log))).toBe(-1);
    expect(Math.max(...logPieces.map((p) => p.length))).toBeLessThan(128 * 1024);
  });
});

describe('reports in pieces', () => {
  it.each([
    ['json', jsonReporter, jsonReportPieces],
    ['sarif', sarifReporter, sarifReportPieces],
  ] as const)('%s: the pieces join to the report text', (_name, whole, pieces) => {
    for (const result of [fullResult(), liveResult()]) {
      expect(firstDifference(joined(pieces(result, OPTIONS)), whole(result, OPTIONS))).toBe(-1);
    }
  });

  it('the CLI writes a file report equal to the one it prints', async () => {
    const dir = makeTempDir('pieces');
    for (const format of ['json', 'sarif']) {
      const file = path.join(dir, `report.${format}`);
      const args = [
        'scan',
        'examples/contoso/snapshot.json',
        '--now',
        '2026-12-01T00:00:00Z',
        '--format',
        format,
      ];
      const printed = await cli(args);
      const written = await cli([...args, '--output', file]);
      expect(written.code).toBe(printed.code);
      expect(firstDifference(readFileSync(file, 'utf8'), printed.stdout)).toBe(-1);
    }
  });
});
