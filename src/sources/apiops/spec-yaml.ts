/**
 * YAML specifications: read to a plain value (by the subset reader, else the `yaml` package), with positions
 * composed again from the text only when one is asked for. The shared guards and the JSON-pointer tokens of
 * spec.ts live here too, so that spec.ts depends on this file and not the other way round.
 */
import type { CST, Document, YAMLMap } from 'yaml';
import { pointerTokens } from '../../json/positions';
import { UNREAD, type Reread } from '../../json/lazy';
import type { Position, PositionIndex } from '../../json/types';
import { parseYamlSubset } from './yaml-subset';

/** Bounds on the work one file may cause, far above what APIM exports (a guard, not a format rule). */
export const MAX_DEPTH = 256;
const MAX_ALIAS_COUNT = 1000;
export const MAX_REF_CHAIN = 16;
export const TOO_DEEP = `it nests more than ${MAX_DEPTH} levels deep`;

type Yaml = typeof import('yaml');
export type Problem = { problem: string; position?: Position };
export type Parsed = { root: unknown; index: PositionIndex } | Problem;

/**
 * The `yaml` package (72 modules), loaded when a YAML specification is first parsed: most scans read none, and
 * every start of the CLI would otherwise pay for it.
 */
function yaml(): Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
  return require('yaml') as Yaml;
}

/**
 * The YAML document is not kept: a position (rare: a finding or a problem located in the specification) composes
 * it again from the source, on first lookup.
 */
export function parseYaml(text: string, reread: Reread): Parsed {
  // The common block-style subset is read without the `yaml` package (issue 12: it was a third of a large scan).
  const parsed = parseYamlSubset(text) ?? yamlValue(text);
  return 'problem' in parsed ? parsed : { root: parsed.value, index: lazyYamlIndex(reread) };
}

/**
 * The value of a YAML text as the `yaml` package composes it, or the problem it reports: the reference that
 * parseYamlSubset must agree with (exported for its tests only).
 */
export function yamlValue(text: string): { value: unknown } | Problem {
  const composed = composeYaml(text);
  if ('problem' in composed) return composed;
  try {
    return { value: composed.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (e) {
    const reason = e instanceof ReferenceError ? `more than ${MAX_ALIAS_COUNT} alias expansions` : String(e);
    return { problem: `its YAML aliases cannot be expanded (${reason})` };
  }
}

/**
 * A specification's position index, composed from `reread()` (its text) on first lookup; one that locates nothing
 * when the text cannot be had again (the file changed since it was parsed).
 */
export function lazyYamlIndex(reread: Reread): PositionIndex {
  return new LazyYamlIndex(reread);
}

/** One object per specification (a 5,000-API tree has 5,000), its index composed on first lookup. */
class LazyYamlIndex implements PositionIndex {
  readonly #reread: Reread;
  #index: PositionIndex | undefined;

  constructor(reread: Reread) {
    this.#reread = reread;
  }

  locate(pointer: string): Position | undefined {
    return this.#built().locate(pointer);
  }

  /** Nothing in a specification is located by offset (policies live in policy.xml files). */
  locateOffset(): Position | undefined {
    return undefined;
  }

  #built(): PositionIndex {
    if (!this.#index) {
      const text = this.#reread.reread();
      const composed = text === undefined ? { problem: 'not read again' } : composeYaml(text);
      // The same text composed without a problem the first time (or was read by the subset reader, which
      // accepts no text that `yaml` rejects).
      this.#index = 'problem' in composed ? UNREAD : yamlIndex(composed.doc, composed.position);
    }
    return this.#index;
  }
}

function composeYaml(
  text: string,
): { doc: Document.Parsed; position: (offset: number) => Position } | Problem {
  const { isScalar, visit } = yaml();
  const lineCounter = new (yaml().LineCounter)();
  // The composer recurses once per level; the parser does not, so its tokens are measured first (and then
  // composed, instead of parsing the text a second time).
  const tokens = [...new (yaml().Parser)(lineCounter.addNewLine).parse(text)];
  if (yamlDepth(tokens) > MAX_DEPTH) return { problem: TOO_DEEP };
  const doc = composeFirst(tokens, text.length);
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const [error] = doc.errors;
  if (error) return { problem: `YAML syntax error: ${error.message}`, position: position(error.pos[0]) };
  // OpenAPI says these are strings: a plain `operationId: 1234` means '1234', not the number.
  visit(doc, {
    Pair(_, { key, value }) {
      const stringly = keyText(key) === 'operationId' || keyText(key) === 'summary';
      if (
        stringly &&
        isScalar(value) &&
        typeof value.value !== 'string' &&
        typeof value.source === 'string'
      ) {
        value.value = value.source;
      }
    },
  });
  return { doc, position };
}

/** The first document of the tokens, as `parseDocument` composes it (a second document is an error). */
function composeFirst(tokens: CST.Token[], length: number): Document.Parsed {
  const { Composer, YAMLParseError } = yaml();
  let doc: Document.Parsed | undefined;
  for (const next of new Composer({ merge: true, prettyErrors: false }).compose(tokens, true, length)) {
    if (!doc) doc = next;
    else {
      doc.errors.push(
        new YAMLParseError(
          [next.range[0], next.range[1]],
          'MULTIPLE_DOCS',
          'Source contains multiple documents; please use YAML.parseAllDocuments()',
        ),
      );
      break;
    }
  }
  // compose(…, true) always ends with a document, an empty one for an empty text.
  if (!doc) throw new Error('the YAML composer produced no document');
  return doc;
}

function yamlDepth(tokens: Iterable<CST.Token>): number {
  const { CST } = yaml();
  let max = 0;
  const stack: [CST.Token | null | undefined, number][] = [...tokens].map((t) => [t, 0]);
  for (let next = stack.pop(); next && max <= MAX_DEPTH; next = stack.pop()) {
    const [token, depth] = next;
    if (token?.type === 'document') stack.push([token.value, depth]);
    else if (CST.isCollection(token)) {
      max = Math.max(max, depth + 1);
      for (const item of token.items) stack.push([item.key, depth + 1], [item.value, depth + 1]);
    }
  }
  return max;
}

/**
 * Pointer -> position in a YAML document, resolved on demand through aliases and `<<` merge keys (so an alias
 * bomb costs nothing here). A block mapping or sequence has no text of its own: its key is its position.
 */
function yamlIndex(doc: Document.Parsed, position: (offset: number) => Position): PositionIndex {
  const { isAlias, isCollection, isMap, isNode, isSeq } = yaml();
  const deref = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);
  const find = (map: YAMLMap, token: string, depth: number): { key: unknown; value: unknown } | undefined => {
    const own = map.items.find((pair) => keyText(pair.key) === token);
    if (own || depth > MAX_REF_CHAIN) return own; // a `<<` chain is bounded like a $ref chain
    for (const pair of map.items.filter((p) => isMergeKey(p.key))) {
      const merged = deref(pair.value);
      for (const source of isSeq(merged) ? merged.items.map(deref) : [merged]) {
        const found = isMap(source) ? find(source, token, depth + 1) : undefined;
        if (found) return found;
      }
    }
    return undefined;
  };
  return {
    locate(pointer) {
      let entry: { key?: unknown; value: unknown } = { value: doc.contents };
      for (const token of pointerTokens(pointer)) {
        const node = deref(entry.value);
        const item = isSeq(node) && /^(0|[1-9]\d*)$/.test(token) ? node.items[Number(token)] : undefined;
        const next = isMap(node) ? find(node, token, 0) : item === undefined ? undefined : { value: item };
        if (!next) return undefined;
        entry = next;
      }
      const { key, value } = entry;
      const valueStart = isNode(value) ? value.range?.[0] : undefined;
      const textless = (isCollection(value) && !value.flow) || valueStart === undefined || isEmpty(value);
      const offset = textless && isNode(key) ? key.range?.[0] : valueStart;
      return offset === undefined ? undefined : position(offset);
    },
    // Nothing in a specification is located by offset (policies live in policy.xml files).
    locateOffset: () => undefined,
  };
}

function keyText(key: unknown): string | undefined {
  const { isScalar } = yaml();
  return isScalar(key) && typeof key.value !== 'symbol' ? String(key.value) : undefined;
}

function isMergeKey(key: unknown): boolean {
  const { isScalar } = yaml();
  return isScalar(key) && typeof key.value === 'symbol' && key.value.description === '<<';
}

function isEmpty(node: unknown): boolean {
  const { isScalar } = yaml();
  return isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1];
}
