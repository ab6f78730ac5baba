/**
 * Property tests of the policy parser (fast-check). CI runs a fixed seed and a small budget; a long local run
 * (docs/policy-parser.md, "Fuzzing"; the expression reader and the ARM evaluator have their own fuzz tests):
 *   FUZZ_RUNS=50000 nice -n 10 npx jest test/policy/parser.fuzz --testTimeout=3600000
 * (FUZZ_SEED=<n> picks another seed; a failure prints the seed and path to replay it.)
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { stripBom } from '../../src/json/positions';
import { parsePolicy, type PolicyTextFormat } from '../../src/policy/parser';
import type { PolicyElement } from '../../src/policy/types';
import { FIXTURE_POLICIES } from '../helpers/policies';
import { markupString, mutate, mutation } from './mutations';
import { expression } from './expression-arbitraries';
import { escapeXml, invariantProblems, shape, timeRatio, type Shape } from './helpers';

const RUNS = Number(process.env.FUZZ_RUNS ?? 0) || undefined;
const SEED = Number(process.env.FUZZ_SEED ?? 20251125);
/** Runs per property: the CI default, or FUZZ_RUNS for a long local run. */
const runs = (ciDefault: number) => ({ seed: SEED, numRuns: RUNS ?? ciDefault });
const FORMATS: (PolicyTextFormat | undefined)[] = [undefined, 'rawxml', 'xml'];

/** Seeds: our own fixture policies (the corpus suite runs the same property over third-party files). */
const seeds = readdirSync(FIXTURE_POLICIES)
  .filter((f) => f.endsWith('.xml') || f.endsWith('.tftpl'))
  .sort()
  .map((f) => stripBom(readFileSync(path.join(FIXTURE_POLICIES, f), 'utf8')));

describe('policy parser properties: never throws, always a document or a located error', () => {
  it('on random mutations of the fixture policies', () => {
    fc.assert(
      fc.property(
        fc.nat(seeds.length - 1),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.constantFrom(...FORMATS),
        (index, mutations, format) => {
          const text = mutations.reduce(mutate, seeds[index] ?? '');
          expect(invariantProblems(text, parsePolicy(text, format))).toEqual([]);
        },
      ),
      runs(2000),
    );
  });

  it('on random markup-heavy strings', () => {
    fc.assert(
      fc.property(markupString(200), fc.constantFrom(...FORMATS), (text, format) => {
        expect(invariantProblems(text, parsePolicy(text, format))).toEqual([]);
      }),
      runs(3000),
    );
  });
});

// ----- Generated well-formed documents -----------------------------------------------------------------------

/** Characters of plain values: markup and quotes (escaped when serialized), no expression starters. */
const PLAIN = [...'abcXYZ09 <>&"\'{}()[]=/;:.-_\t\né'];
interface Value {
  text: string;
  expression: boolean;
}
const plainValue = fc.string({ unit: fc.constantFrom(...PLAIN), maxLength: 16 });
const value: fc.Arbitrary<Value> = fc.oneof(
  plainValue.map((text) => ({ text, expression: false })),
  expression.map((text) => ({ text, expression: true })),
);
const nonBlankValue = value.filter((v) => v.text.trim() !== '');

const elementName = fc.oneof(
  fc.constantFrom('policies', 'inbound', 'validate-jwt', 'set-header', 'when', 'value', 'set-body'),
  fc.stringMatching(/^[a-z][a-z0-9.-]{0,6}(:[a-z]{1,4})?$/),
);
const attributeName = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);

interface Model {
  name: string;
  attributes: [string, Value][];
  content:
    | { kind: 'text'; value: Value }
    | { kind: 'cdata' | 'comment'; text: string }
    | { kind: 'elements'; children: Model[] };
}

const { model } = fc.letrec<{ model: Model; content: Model['content'] }>((tie) => ({
  model: fc.record({
    name: elementName,
    attributes: fc.uniqueArray(fc.tuple(attributeName, value), { maxLength: 3, selector: ([n]) => n }),
    content: tie('content'),
  }),
  content: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('text' as const), value: nonBlankValue }),
    fc.record({
      kind: fc.constantFrom('cdata' as const, 'comment' as const),
      text: fc.string({ unit: fc.constantFrom(...PLAIN), maxLength: 12 }).map((t) => t.replace(/[\]-]/g, '')),
    }),
    fc.record({ kind: fc.constant('elements' as const), children: fc.array(tie('model'), { maxLength: 3 }) }),
  ),
}));

/** Serializes the model: `raw` writes expressions as they are (rawxml), otherwise everything is encoded (xml). */
function serialize(m: Model, raw: boolean, quote: '"' | "'"): string {
  const write = (v: Value) => (raw && v.expression ? v.text : escapeXml(v.text));
  const attributes = m.attributes.map(([n, v]) => ` ${n}=${quote}${write(v)}${quote}`).join('');
  const c = m.content;
  let inner: string;
  if (c.kind === 'text') inner = write(c.value);
  else if (c.kind === 'elements') inner = c.children.map((child) => serialize(child, raw, quote)).join('');
  else inner = c.kind === 'cdata' ? `<![CDATA[${c.text}]]>` : `<!--${c.text}-->`;
  return `<${m.name}${attributes}>${inner}</${m.name}>`;
}

function expected(m: Model): Shape {
  const c = m.content;
  let children: Shape[];
  if (c.kind === 'text') children = [{ text: c.value.text, expression: c.value.expression }];
  else if (c.kind === 'elements') children = c.children.map(expected);
  else children = [c.kind === 'cdata' ? { cdata: c.text } : { comment: c.text }];
  return { element: m.name, attributes: m.attributes.map(([n, v]) => [n, v.text]), children };
}

describe('policy parser properties: generated documents round-trip', () => {
  it('rawxml (expressions unescaped, either attribute quote) and xml (entity-encoded) read back the same tree', () => {
    fc.assert(
      fc.property(model, fc.constantFrom<'"' | "'">('"', "'"), (m, quote) => {
        const want = expected(m);
        const raw = serialize(m, true, quote);
        const xml = serialize(m, false, '"');
        for (const [text, format] of [
          [raw, 'rawxml'],
          [raw, undefined],
          [xml, 'xml'],
          [xml, undefined],
        ] as const) {
          const result = parsePolicy(text, format);
          expect({ format, error: result.error, warnings: result.warnings }).toEqual({
            format,
            error: undefined,
            warnings: [],
          });
          expect(shape(result.root as PolicyElement)).toEqual(want);
        }
      }),
      runs(1000),
    );
  });
});

// ----- Complexity ----------------------------------------------------------------------------------------------

describe('policy parser: time grows linearly on pathological input', () => {
  const cases: [string, (n: number) => string][] = [
    ['unclosed placeholders', (n) => `<a>${'${'.repeat(n)}</a>`],
    ['stray < and &', (n) => `<a>${'< & '.repeat(n)}</a>`],
    [
      'many attributes',
      (n) => `<a ${Array.from({ length: n }, (_, i) => `a${i}="@(x[&quot;${i}&quot;])"`).join(' ')} />`,
    ],
    ['duplicate attributes', (n) => `<a ${'x="1" '.repeat(n)}/>`],
    ['many siblings', (n) => `<a>${'<b c="@(d)" />'.repeat(n)}</a>`],
    ['ancestor closes', (n) => `<r>${'<a><b><c></a>'.repeat(n)}</r>`],
    ['char literal starts', (n) => `<a v="@(${"'".repeat(n)})" />`],
    ['unterminated strings', (n) => `<a>@{ ${'"x\n'.repeat(n)} }</a>`],
  ];
  it.each(cases)('%s: 10x the input takes at most ~30x as long', (_, make) => {
    // Linear is ~10x, quadratic ~100x.
    const small = make(300);
    const large = make(3_000);
    const ratio = timeRatio(
      () => parsePolicy(small, undefined),
      () => parsePolicy(large, undefined),
      30,
    );
    expect(ratio).toBeLessThan(30);
  });
});
