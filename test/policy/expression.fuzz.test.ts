/**
 * Property tests of the policy expression reader (`scanCode`, src/policy/expression.ts) and of the parser on
 * expression-heavy policies (fast-check). CI runs a fixed seed and a small budget; a long local run (see
 * docs/policy-parser.md, "Fuzzing"):
 *   FUZZ_RUNS=150000 nice -n 10 npx jest test/policy/expression.fuzz --testTimeout=3600000
 */
import fc from 'fast-check';
import { scanCode, type CodeScan } from '../../src/policy/expression';
import { parsePolicy, type PolicyTextFormat } from '../../src/policy/parser';
import { code, expression } from './expression-arbitraries';
import { escapeXml, invariantProblems } from './helpers';
import { markupString, mutate, mutation, type Mutation } from './mutations';

const RUNS = Number(process.env.FUZZ_RUNS ?? 0) || undefined;
const SEED = Number(process.env.FUZZ_SEED ?? 20251203);
const runs = (ciDefault: number) => ({ seed: SEED, numRuns: RUNS ?? ciDefault });
const FORMATS: (PolicyTextFormat | undefined)[] = [undefined, 'rawxml', 'xml'];
/** Per input: generous for a loaded 2-core machine, far below what a hang or a quadratic scan takes. */
const MAX_MS = 500;

/** Scans and checks what every scan promises: an end inside (open, limit] or -1, string offsets in range. */
function scanProblems(text: string, open: number, limit: number): string[] {
  const start = performance.now();
  const scan: CodeScan = scanCode(text, open, limit);
  const elapsed = performance.now() - start;
  const bound = Math.min(limit, text.length);
  const problems: string[] = [];
  if (elapsed > MAX_MS) problems.push(`took ${Math.round(elapsed)} ms`);
  if (scan.end !== -1 && !(Number.isInteger(scan.end) && scan.end > open && scan.end <= bound)) {
    problems.push(`end ${scan.end} outside (${open}, ${bound}]`);
  }
  if (typeof scan.encoded !== 'boolean') problems.push('encoded is not a boolean');
  for (const s of scan.unterminatedStrings) {
    if (!(Number.isInteger(s) && s > open && s < bound)) problems.push(`unterminated string at ${s}`);
  }
  return problems;
}

/** Expression-flavoured edits: the snippets that open and close literals, holes and brackets. */
const EXPRESSION_SNIPPETS = [
  ...[
    '(',
    ')',
    '{',
    '}',
    '{{',
    '}}',
    '"',
    "'",
    '\\',
    '\\"',
    '@"',
    '$"',
    '$@"',
    '@$"',
    '""',
    '/*',
    '*/',
    '//',
  ],
  ...['\n', '&quot;', '&apos;', '&amp;', '&lt;', '&#34;', '&#x27;', '&quot', '<JObject>', '.As<', '=>'],
];
const expressionMutation: fc.Arbitrary<Mutation> = fc.oneof(
  mutation,
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    text: fc.constantFrom(...EXPRESSION_SNIPPETS),
  }),
);
const mutatedExpression = fc
  .tuple(expression, fc.array(expressionMutation, { minLength: 1, maxLength: 5 }))
  .map(([e, ms]) => ms.reduce(mutate, e));
const limitFraction = fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined });

describe('policy expression reader properties: never throws, ends inside the limit or reports no end', () => {
  it('on random mutations of generated expressions, with and without a limit', () => {
    fc.assert(
      fc.property(mutatedExpression, limitFraction, (text, fraction) => {
        const open = Math.max(0, text.search(/[({]/));
        const limit = fraction === undefined ? text.length : Math.floor(fraction * (text.length + 1));
        expect(scanProblems(text, open, limit)).toEqual([]);
      }),
      runs(3000),
    );
  });

  it('on random expression-character strings after @( and @{', () => {
    const unit = fc.constantFrom(...EXPRESSION_SNIPPETS, ...'ab1 ;,.<>=!?:[]@$&#x');
    fc.assert(
      fc.property(
        fc.constantFrom('(', '{'),
        fc.array(unit, { maxLength: 40 }),
        limitFraction,
        (o, parts, f) => {
          const text = `@${o}${parts.join('')}`;
          const limit = f === undefined ? text.length : Math.floor(f * (text.length + 1));
          expect(scanProblems(text, 1, limit)).toEqual([]);
        },
      ),
      runs(3000),
    );
  });
});

describe('policy expression reader properties: generated expressions end at their own bracket', () => {
  it('raw and entity-encoded, whatever follows them', () => {
    fc.assert(
      fc.property(expression, markupString(12), (e, after) => {
        for (const text of [e, escapeXml(e)]) {
          expect({ text, end: scanCode(text + after, 1).end }).toEqual({ text, end: text.length });
        }
      }),
      runs(3000),
    );
  });

  it('inside an interpolated string hole and a nested bracket', () => {
    fc.assert(
      fc.property(code, fc.constantFrom('$"{ ', '$@"{ ', '@$"x{ '), (c, prefix) => {
        const text = `@(${prefix}${c} }" + (${c}))`;
        expect({ text, end: scanCode(text, 1).end }).toEqual({ text, end: text.length });
      }),
      runs(2000),
    );
  });
});

describe('policy parser properties on expression-heavy policies: a document or a located error', () => {
  const wrap = (e: string, where: number) =>
    [
      `<policies><inbound><set-body>${e}</set-body></inbound></policies>`,
      `<policies><inbound><set-header name="x"><value>${e}</value></set-header></inbound></policies>`,
      `<policies><inbound><choose><when condition="${e}"><base /></when></choose></inbound></policies>`,
      `<policies><inbound><set-variable name='v' value='${e}' /></inbound></policies>`,
    ][where] ?? e;

  it('generated and mutated expressions in element text and attributes, every format', () => {
    fc.assert(
      fc.property(
        fc.oneof(expression, mutatedExpression),
        fc.nat(3),
        fc.boolean(),
        fc.constantFrom(...FORMATS),
        (e, where, encode, format) => {
          const text = wrap(encode ? escapeXml(e) : e, where);
          const start = performance.now();
          const result = parsePolicy(text, format);
          expect(performance.now() - start).toBeLessThan(MAX_MS);
          expect(invariantProblems(text, result)).toEqual([]);
        },
      ),
      runs(2000),
    );
  });
});
