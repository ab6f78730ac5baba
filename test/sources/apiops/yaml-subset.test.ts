/**
 * The fast YAML reader against the `yaml` package path of spec.ts: on every input it either bails (undefined)
 * or gives a value equal to the slow path's, and it never accepts a text the slow path rejects. It must also
 * accept the specifications that scans meet most (the bench's generated ones, the typical fixtures), or the
 * speed-up silently disappears.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { writeApiopsTree } from '../../../bench/fixtures/apiops-tree';
import { yamlValue } from '../../../src/sources/apiops/spec';
import { parseYamlSubset } from '../../../src/sources/apiops/yaml-subset';
import { REPO_ROOT } from '../../helpers/sample';
import { makeTempDir } from '../../helpers/temp';

function yamlFilesUnder(dir: string): string[] {
  const found: string[] = [];
  const stack = [dir];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    for (const entry of readdirSync(next, { withFileTypes: true })) {
      const full = path.join(next, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') stack.push(full);
      } else if (/\.ya?ml$/.test(entry.name)) found.push(full);
    }
  }
  return found.sort();
}

const REPO_FILES = ['test', 'examples'].flatMap((d) => yamlFilesUnder(path.join(REPO_ROOT, d)));
const REPO_TEXTS = REPO_FILES.map((f) => readFileSync(f, 'utf8').replace(/^\uFEFF/, ''));

const BENCH_TEXTS = (() => {
  const dir = makeTempDir('yaml-subset');
  writeApiopsTree(dir, { apis: 20 });
  return yamlFilesUnder(dir).map((f) => readFileSync(f, 'utf8'));
})();

/** Why the fast path disagrees with the slow one on a text, or undefined when it agrees (or bails). */
function disagreement(text: string): string | undefined {
  const fast = parseYamlSubset(text);
  if (fast === undefined) return undefined;
  const slow = yamlValue(text);
  if ('problem' in slow) return `accepted a text the yaml package rejects (${slow.problem})`;
  try {
    // The same value, its mappings without a prototype (see the hidden-class test below).
    expect(fast.value).toStrictEqual(withoutPrototypes(slow.value));
    return undefined;
  } catch (error) {
    return String(error);
  }
}

/** `value` with every plain object made a prototype-less copy, as the fast reader makes its mappings. */
function withoutPrototypes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPrototypes);
  if (value === null || typeof value !== 'object') return value;
  const copy = Object.create(null) as Record<string, unknown>;
  for (const [key, item] of Object.entries(value)) copy[key] = withoutPrototypes(item);
  return copy;
}

function expectAgreement(texts: string[]): void {
  const failures = texts.flatMap((text) => {
    const why = disagreement(text);
    return why === undefined ? [] : [`${JSON.stringify(text)}\n${why}`];
  });
  expect(failures).toEqual([]);
}

function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

function accepted(text: string): boolean {
  return parseYamlSubset(text) !== undefined;
}

/** Edge cases, each small, most inside the subset, many just outside it. */
const EDGE_CASES: string[] = [
  '',
  '# only a comment\n',
  '---\n',
  '---\na: 1\n',
  '--- \na: 1\n',
  '# c\n---\na: 1\n',
  '---\na: 1\n---\nb: 2\n',
  'a: 1\n...\n',
  '%YAML 1.2\n---\na: 1\n',
  'a: 1\n  # indented comment\nb: 2 # trailing\n# last',
  'a: 1\r\nb:\r\n  c: x\r\n',
  'a: 1\rb: 2\n',
  "'a: b': 1\n\"c: d\": 2\n'e''f': 3\n\"g\\\"h\": 4\n",
  "'200':\n  description: OK\n200:\n  description: also\n",
  '200:\n  description: OK\n201: x\n',
  '0200: x\n',
  '+200: x\n',
  '1.5: x\n',
  '12345678901234567890: x\n',
  'true: x\n',
  'null: x\n',
  '~: x\n',
  ': x\n',
  '? a\n: b\n',
  '<<: {}\n',
  "'<<': x\n",
  '__proto__: x\n',
  'constructor: x\ntoString: y\nhasOwnProperty: z\n',
  'operationId: 1234\nsummary: 12.5\n',
  'operationId: true\nsummary: null\n',
  'operationId: ~\nsummary:\n',
  'summary: # a comment\n',
  'operationId: \'1234\'\nsummary: "5"\n',
  'operationId: 0x1F\n',
  'x:\n  - operationId: 1\n    summary: false\n',
  'a: ~\nb: null\nc: Null\nd: NULL\ne: nULL\nf:\n',
  'a: true\nb: True\nc: TRUE\nd: tRUE\ne: yes\nf: no\ng: on\n',
  'a: 1\nb: -1\nc: +1\nd: 007\ne: 12345678901234567890\nf: 9007199254740993\ng: -0\n',
  'a: 1.5\nb: .5\nc: 1.\nd: 1e3\ne: -1.5E-3\nf: 1.0\ng: +.5e+2\nh: 1e\ni: 1.2.3\n',
  'a: .inf\nb: -.Inf\nc: .nan\n',
  'a: 0o17\nb: 0x1f\nc: 0b101\n',
  'a: 2024-01-01\nb: 1_000\nc: 1:30\n',
  'a: b: c\n',
  'a: b:\n',
  'a: http://x.y/z?q=1#frag\nb: x #comment\nc: x#notcomment\n',
  'a: &anchor x\nb: *anchor\n',
  'a: !!str 1\n',
  'a: @x\n',
  'a: `x\n',
  'a: %x\n',
  'a: ,x\n',
  'a: ?x\n',
  'a: :x\n',
  'a: -\n',
  'a: - x\n',
  'a: -x\nb: --x\nc: ---\n',
  'a: {}\nb: []\nc: { }\nd: {a: 1}\ne: [1]\n',
  'a: {}x\n',
  'a: {}   # c\n',
  'a: x\n  continued\n',
  'a: x\n\n  continued\n',
  'a:\n  x\n',
  'a:\n b: 1\n  c: 2\n',
  'a:\n  b: 1\n c: 2\n',
  'a: 1\na: 2\n',
  'a: 1\n b: 2\n',
  '\ta: 1\n',
  'a:\n\tb: 1\n',
  'a: x\t\n',
  "a: 'x\n  y'\n",
  'a: "x\n  y"\n',
  'a: "x\\\n  y"\n',
  'a: "\\x41\\u00e9\\U0001F600\\t\\n\\\\\\"\\/\\ \\0\\_"\n',
  'a: "\\q"\n',
  'a: "\\x4"\n',
  'a: "\\U00110000"\n',
  "a: 'it''s'\nb: ''\nc: \"\"\n",
  "a: 'x' y\n",
  "a: 'x'#c\n",
  "a: 'x' #c\n",
  'a: b\nc\n',
  'list:\n- a\n- b\nnext: 1\n',
  'list:\n  - a\n  - b\n',
  'list:\n- a\n  - b\n',
  'list:\n  - a\n  b: 1\n',
  'list:\n  - name: id\n    in: path\n  - name: q\n    schema:\n      type: string\n',
  'list:\n  -   name: id\n      in: path\n',
  'list:\n  - a: 1\n   b: 2\n',
  'list:\n  - a:\n    - x\n    - y\n    b: 1\n',
  'list:\n  - - a\n',
  'list:\n  -\n    a: 1\n  -\n  - # c\n  - x\n',
  'list:\n  - |\n    text\n  - >-\n    folded\n    text\n',
  '- a\n- b: 1\n  c: 2\n',
  'a: 1\n- b\n',
  'scalar at root\n',
  '"quoted root"\n',
  '  a: 1\n  b: 2\n',
  '  a: 1\nb: 2\n',
  'a: |\n  line 1\n  line 2\nb: 1\n',
  'a: |-\n  line 1\n  line 2\n\n\nb: 1\n',
  'a: |+\n  line 1\n  line 2\n\n\nb: 1\n',
  'a: |+\n  line 1\n',
  'a: |+\n  line 1',
  'a: |+\n  line 1\n\n',
  'a: |+\n  line 1\n  ',
  'a: |\n  line 1\n\n',
  'a: >\n  one\n  two\n\n  three\n    more\n    indented\n  back\n',
  'a: >-\n  one\n  two\n\n\n  three\n',
  'a: >+\n  one\n\n',
  'a: |\n\n  after blank\n',
  'a: |\n    \n  less\n',
  'a: |\n  \n  blank with spaces\n  \nb: 1\n',
  'a: |\n  x\n      \nb: 1\n',
  'a: |\n  # not a comment\n  x\n# a comment\nb: 1\n',
  'a: |\n    deeper\n  less\n',
  'a: |2\n  x\n',
  'a: |-2\n  x\n',
  'a: | # header comment\n  x\n',
  'a: |x\n  y\n',
  'a: |\nb: 1\n',
  'a: |\n',
  'a: |\n x\n',
  '- |\n x\n',
  'a:\n  - |\n   x\n',
  'a: |\n  x\n y\n',
  'a: |\n  x\n\ty\n',
  'a: >\n  x\n   y\n  z\n',
  `${'k'.repeat(1020)}: 1\n`,
  `${'k'.repeat(1030)}: 1\n`,
  `'${'k'.repeat(1030)}': 1\n`,
  'a : 1\n',
  'a:1\n',
  'a:\n  b: 1\n\n\n  c: 2\n',
  'a #c: 1\n',
  'a: 1 # c: 2\n',
  '-a: 1\n',
  '.a: 1\n',
  '/pets/{id}:\n  get: {}\n',
  '$ref: "#/x"\n',
  'a: [\n  1]\n',
  'a: "\u0085"\n',
  'a: b\u2028c\n',
  'a: \u0007\n',
  'a: x\u00a0y\n',
  'a: é ü 😀\n',
  '\uFEFFa: 1\n',
  'a:\n  b:\n    c:\n      - d:\n          e: [ ]\n',
  'a: 1 \nb:  2  \n',
  'a: \u3000x\n',
];

/** A block nesting `depth` levels deep. */
function nested(depth: number): string {
  let text = '';
  for (let i = 0; i < depth; i++) text += `${' '.repeat(i)}k${i}:\n`;
  return `${text}${' '.repeat(depth)}leaf: 1\n`;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ': -#\'"|>{}[]\t\n\r+.0123456789abcdefxyzNnTt\\&*!%@`,?~_';

/** A few random edits (delete, insert, duplicate, swap lines) of a text. */
function mutate(text: string, next: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(next() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (out.length + 1));
    const kind = Math.floor(next() * 5);
    const char = ALPHABET[Math.floor(next() * ALPHABET.length)] ?? ' ';
    if (kind === 0) out = out.slice(0, at) + out.slice(at + 1);
    else if (kind === 1) out = out.slice(0, at) + char + out.slice(at);
    else if (kind === 2) out = out.slice(0, at) + out.slice(at, at + 1) + out.slice(at);
    else if (kind === 3) out = out.slice(0, at) + ' '.repeat(1 + Math.floor(next() * 3)) + out.slice(at);
    else {
      const lines = out.split('\n');
      const i = Math.floor(next() * lines.length);
      const j = Math.floor(next() * lines.length);
      const line = lines[i] ?? '';
      lines.splice(i, 1);
      lines.splice(j, 0, line);
      out = lines.join('\n');
    }
  }
  return out;
}

describe('parseYamlSubset', () => {
  it('keeps the keys of specifications out of the hidden classes of the objects made after them', () => {
    // Every first key added to a plain object is a transition from the one empty-object map, and V8 adds no more
    // after some 1,500: then every object built key by key (JSON.parse's too) gets a map of its own, slower to make
    // and to read. The paths of thousands of specifications (one API's URLs each) must not do that.
    setFlagsFromString('--allow-natives-syntax');
    const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
    const kept = Array.from({ length: 3000 }, (_, i) =>
      parseYamlSubset(`paths:\n  /api-${i}/items:\n    get:\n      operationId: op-${i}\n`),
    );
    expect(kept.every((parsed) => parsed !== undefined)).toBe(true);
    const made = () => {
      const record: Record<string, unknown> = {};
      for (const key of ['built-after', 'key-by-key']) record[key] = key;
      return record;
    };
    expect(sameMap(made(), made())).toBe(true);
    expect(Object.getPrototypeOf(kept[0]?.value)).toBeNull();
  });

  it('finds the YAML files of the repository and the generated specifications', () => {
    expect(REPO_FILES.length).toBeGreaterThanOrEqual(30);
    expect(BENCH_TEXTS).toHaveLength(20);
  });

  it('agrees with the yaml package on every YAML file of the repository (LF and CRLF)', () => {
    expectAgreement([...REPO_TEXTS, ...REPO_TEXTS.map(crlf)]);
  });

  it('agrees with the yaml package on the generated bench specifications and accepts all of them', () => {
    expectAgreement([...BENCH_TEXTS, ...BENCH_TEXTS.map(crlf)]);
    expect(BENCH_TEXTS.filter((t) => !accepted(t))).toEqual([]);
    expect(BENCH_TEXTS.map(crlf).filter((t) => !accepted(t))).toEqual([]);
  });

  it('accepts every YAML file of the repository but those using constructs outside the subset', () => {
    const outside = [
      'examples/apiops-real/apimartifacts/apis/catalog-api/specification.yaml', // flow mappings
      'test/sources/apiops/fixtures/specs/anchors.yaml', // anchors, aliases, merge keys
      'test/sources/apiops/fixtures/specs/folder/apis/document-intelligence/specification.yaml', // flow mappings
      'test/sources/apiops/fixtures/specs/quoted-keys.yaml', // an explicit key, flow mappings
    ];
    const refused = REPO_FILES.filter((f, i) => !accepted(REPO_TEXTS[i] ?? ''));
    expect(refused.map((f) => path.relative(REPO_ROOT, f).split(path.sep).join('/')).sort()).toEqual(outside);
  });

  it('agrees with the yaml package on the edge cases (LF and CRLF)', () => {
    expectAgreement([...EDGE_CASES, ...EDGE_CASES.map(crlf)]);
  });

  it.each([
    ['quoted keys with ": " inside', '\'a: b\': 1\n"c: d": 2\n'],
    ["'200' and 200 as keys", "'200':\n  x: 1\n201:\n  x: 2\n"],
    ['operationId and summary as their source text', 'operationId: 1234\nsummary:\nx: null\n'],
    ['CRLF line ends', 'a: 1\r\nb:\r\n  - c\r\n'],
    ['comments everywhere', '# c\na: 1 # c\n  # c\nb:\n# c\n  c: 2\n'],
    ['a sequence at the indentation of its key', 'a:\n- 1\n- 2\nb: 3\n'],
    ['compact mappings in sequences', 'a:\n  - b: 1\n    c:\n      - d: 2\n        e: 3\n'],
    [
      'every chomping indicator',
      'a: |\n  x\n\nb: |-\n  x\n\nc: |+\n  x\n\nd: >\n  x\n  y\ne: >-\n  x\nf: >+\n  x\n\n',
    ],
    ['empty flow collections', 'a: {}\nb: []\n'],
    ['scalars of the core schema', 'a: ~\nb: true\nc: -12\nd: 1.5e3\ne: .5\nf: 1.0.0\n'],
    ['double-quoted escapes', 'a: "\\t\\n\\u00e9\\\\\\""\n'],
  ])('accepts %s (and agrees)', (_, text) => {
    expect(accepted(text)).toBe(true);
    expect(disagreement(text)).toBeUndefined();
  });

  it.each([
    ['duplicate keys', 'a: 1\na: 2\n'],
    ['a nested mapping on one line', 'a: b: c\n'],
    ['a second document', 'a: 1\n---\nb: 2\n'],
    ['tabs', 'a:\n\tb: 1\n'],
    ['an implicit key over 1024 characters', `${'k'.repeat(1030)}: 1\n`],
    ['bad indentation', 'a:\n  b: 1\n c: 2\n'],
    ['anchors and aliases', 'a: &x 1\nb: *x\n'],
    ['merge keys', 'a: {}\nb:\n  <<: {}\n'],
    ['a multi-line plain scalar', 'a: x\n  y\n'],
    ['a flow collection with content', 'a: [1, 2]\n'],
    ['hex, octal and .inf', 'a: 0x1F\n'],
    ['a key resolving to a boolean', 'true: 1\n'],
    ['a block scalar with an indentation indicator', 'a: |2\n  x\n'],
    ['nesting past the bound', nested(200)],
  ])('bails on %s', (_, text) => {
    expect(parseYamlSubset(text)).toBeUndefined();
  });

  it('reads nesting up to its bound and agrees', () => {
    expect(accepted(nested(100))).toBe(true);
    expectAgreement([nested(100), nested(127), nested(128), nested(129), nested(300)]);
  });

  it('keeps the invariant under thousands of random edits of valid inputs', () => {
    const next = random(12);
    const seeds = [...REPO_TEXTS, ...BENCH_TEXTS.slice(0, 5), ...EDGE_CASES.filter(accepted)];
    const texts: string[] = [];
    for (let n = 0; n < 6000; n++) {
      const seed = seeds[Math.floor(next() * seeds.length)] ?? '';
      texts.push(mutate(seed, next));
    }
    expectAgreement(texts);
    // The edits must leave many texts inside the subset, or the invariant is checked on bail-outs only.
    expect(texts.filter(accepted).length).toBeGreaterThan(1500);
  });
});
