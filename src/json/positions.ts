/**
 * Position-keeping JSON parsing: the parsed value plus a pointer -> line/column index, so findings can point
 * at the exact value inside a file instead of searching text.
 */
import type { ParseError } from 'jsonc-parser';
import type { Position, PositionIndex } from './types';
import { RecentlyUsed } from '../util/recent';

export interface JsonParseProblem {
  message: string;
  line: number;
  column: number;
}

/**
 * Deepest nesting of arrays and objects accepted in a JSON input. Real templates, snapshots and manifests stay
 * far below it; the parser and every walker of the value recurse, so a hostile file nested 100,000 deep must be
 * refused before it is parsed.
 */
export const MAX_JSON_DEPTH = 1000;

export interface ParsedJson {
  value: unknown;
  index: PositionIndex;
}

/** Escapes one reference token of a JSON pointer (RFC 6901). */
export function escapePointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** One reference token of a JSON pointer, unescaped (RFC 6901): `b~1c` is `b/c`. */
export function unescapePointerToken(token: string): string {
  return token.includes('~') ? token.replace(/~1/g, '/').replace(/~0/g, '~') : token;
}

/** The reference tokens of a JSON pointer, unescaped: `''` has none, `/a/b~1c` has `a` and `b/c`. */
export function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  const tokens = pointer.slice(1).split('/');
  return pointer.includes('~') ? tokens.map(unescapePointerToken) : tokens;
}

/** `properties.tokenEndpoint`, `resources[3].properties.x`: how messages name a JSON pointer's tokens. */
export function jsonKeyPath(tokens: readonly string[]): string {
  return tokens.map((t, i) => (/^\d+$/.test(t) ? `[${t}]` : i === 0 ? t : `.${t}`)).join('');
}

export function joinPointer(base: string, ...tokens: (string | number)[]): string {
  return base + tokens.map((t) => '/' + escapePointerToken(t)).join('');
}

/** Turns a character offset into a 1-based line/column using precomputed line starts. */
export function makeOffsetToPosition(text: string): (offset: number) => Position {
  const lineStarts = [0];
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lineStarts.push(at + 1);
  return (offset) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (lineStarts[lo] ?? 0) + 1 };
  };
}

/**
 * Parses strict JSON (a UTF-8 BOM is tolerated). Returns the value and a position index, or every syntax
 * problem with its line and column.
 */
export function parseJsonWithPositions(text: string): ParsedJson | { problems: JsonParseProblem[] } {
  // Positions are counted as editors show them: a UTF-8 BOM is not a column.
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const tooDeep = jsonDepthProblem(source);
  if (tooDeep) return { problems: [tooDeep] };
  let value: unknown;
  try {
    // V8's parser is fast and lean (a 250 MB snapshot: ~250 MB of values; a jsonc-parser tree: ~2.5 GB), and
    // it keeps a "__proto__" key as an own property. jsonc-parser is used only to locate syntax errors.
    value = JSON.parse(source);
  } catch (error) {
    return { problems: syntaxProblems(source, error) };
  }
  return { value, index: jsonPositionIndex(source) };
}

/**
 * The position index of a JSON text that `JSON.parse` accepted and `jsonDepthProblem` let through (without its
 * BOM), built on the first lookup: most files no finding points into, and their texts are only kept (not scanned)
 * until then. A text that was not checked goes through `parseJsonWithPositions`.
 */
export function jsonPositionIndex(source: string): PositionIndex {
  return new JsonTextIndex(source);
}

interface BuiltIndex {
  toPosition: (offset: number) => Position;
  root: number | Container;
}

/** Texts from this length (1 MiB) keep their built index; shorter ones share `recentIndexes`. */
export const KEEP_INDEX_FROM = 1024 * 1024;
const recentIndexes = new RecentlyUsed<JsonTextIndex, BuiltIndex>(64);

/**
 * One object per file (a tree of thousands of files keeps one for each): the text, and what the first lookup builds.
 * Private fields, so that serializing an index (`JSON.stringify`) never shows the text, which may hold secrets.
 */
class JsonTextIndex implements PositionIndex {
  readonly #source: string;
  /** What the first lookup built, kept by the index of a large text (costly to build again). */
  #built: BuiltIndex | undefined;

  constructor(source: string) {
    this.#source = source;
  }

  /**
   * The offsets of the text's values and its line starts. A small text's are kept among the recently used ones only
   * (findings about one entity are located one after the other): an audit whose findings point into thousands of
   * files does not keep an index of each for the whole run.
   */
  #build(): BuiltIndex {
    if (this.#built) return this.#built;
    const build = () => ({ toPosition: makeOffsetToPosition(this.#source), root: scanOffsets(this.#source) });
    if (this.#source.length < KEEP_INDEX_FROM) return recentIndexes.get(this, build);
    this.#built = build();
    return this.#built;
  }

  locate(pointer: string): Position | undefined {
    const built = this.#build();
    const offset = lookup(this.#source, built.root, pointer);
    return offset === undefined ? undefined : built.toPosition(offset);
  }

  locateOffset(pointer: string, decodedOffset: number): Position | undefined {
    const built = this.#build();
    const source = this.#source;
    const start = lookup(source, built.root, pointer);
    if (start === undefined || source.charCodeAt(start) !== 0x22 /* " */) return undefined;
    const raw = rawOffsetInString(source, start, decodedOffset);
    return raw === undefined ? undefined : built.toPosition(raw);
  }
}

/**
 * `jsonc-parser` (6 modules), loaded when first needed: for the problems of a text `JSON.parse` rejected, which a
 * scan of valid files never has (every start of the CLI would otherwise pay for it).
 */
export function jsoncParser(): typeof import('jsonc-parser') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
  return require('jsonc-parser') as typeof import('jsonc-parser');
}

function syntaxProblems(source: string, error: unknown): JsonParseProblem[] {
  const { parseTree, printParseErrorCode } = jsoncParser();
  const errors: ParseError[] = [];
  parseTree(source, errors, { allowTrailingComma: false, disallowComments: true });
  const toPosition = makeOffsetToPosition(source);
  const problems = errors.map((e) => ({
    message: `JSON syntax error: ${printParseErrorCode(e.error)}`,
    ...toPosition(e.offset),
  }));
  if (problems.length > 0) return problems;
  if (source.trim() === '') return [{ message: 'empty document', line: 1, column: 1 }];
  return [{ message: `JSON syntax error: ${(error as Error).message}`, line: 1, column: 1 }];
}

/**
 * Where each value of a (valid) JSON text starts, kept lean for 200 MB inputs: a container is its offset, the
 * offsets (or containers) of its children and, for objects, the offsets of their keys (decoded only on lookup).
 */
interface Container {
  at: number;
  kids: (number | Container)[];
  keys: number[] | undefined;
}

/** One pass over text that JSON.parse accepted, without recursion. */
function scanOffsets(text: string): number | Container {
  let root: number | Container | undefined;
  const stack: Container[] = [];
  let pendingKey = -1;
  let i = 0;
  const attach = (node: number | Container) => {
    const parent = stack[stack.length - 1];
    if (!parent) root = node;
    else {
      parent.kids.push(node);
      if (parent.keys) parent.keys.push(pendingKey);
    }
  };
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x2c /* , */ || c === 0x3a /* : */) {
      i++;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const container: Container = { at: i, kids: [], keys: c === 0x7b ? [] : undefined };
      attach(container);
      stack.push(container);
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      i++;
    } else if (c === 0x22 /* " */) {
      const end = skipJsonString(text, i);
      const parent = stack[stack.length - 1];
      // In an object, a string is a key when the parent has as many keys as children (a value is due next).
      if (parent?.keys && pendingKey < 0) pendingKey = i;
      else {
        attach(i);
        pendingKey = -1;
      }
      i = end;
      continue;
    } else {
      // A number, true, false or null: up to the whitespace, comma or bracket after it (at least one character,
      // so that the scan always moves on).
      attach(i);
      pendingKey = -1;
      i++;
      while (i < text.length && !endsLiteral(text.charCodeAt(i))) i++;
      continue;
    }
    if (c === 0x7b || c === 0x5b) pendingKey = -1;
  }
  return root ?? 0;
}

/** Whether a character ends a number or literal in JSON: whitespace, `,`, `]` or `}`. */
function endsLiteral(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x2c || c === 0x5d || c === 0x7d;
}

function lookup(text: string, root: number | Container, pointer: string): number | undefined {
  if (pointer === '') return typeof root === 'number' ? root : root.at;
  let node: number | Container | undefined = root;
  for (const raw of pointer.slice(1).split('/')) {
    if (node === undefined || typeof node === 'number') return undefined;
    const token = unescapePointerToken(raw);
    const keys: number[] | undefined = node.keys;
    let index = -1;
    if (keys) {
      // The last of duplicate keys wins, as in the parsed value.
      for (let k = keys.length - 1; k >= 0 && index < 0; k--) if (isKey(text, keys[k] ?? 0, token)) index = k;
    } else if (/^(0|[1-9]\d*)$/.test(token)) {
      index = Number(token);
    }
    node = index >= 0 ? node.kids[index] : undefined;
  }
  if (node === undefined) return undefined;
  return typeof node === 'number' ? node : node.at;
}

/**
 * Whether the key whose opening quote is at `quote` is `token`: compared in place, character by character, up to
 * the first difference or escape (a key with an escape is decoded).
 */
function isKey(text: string, quote: number, token: string): boolean {
  let at = quote + 1;
  for (let t = 0; t < token.length; t++, at++) {
    const c = text.charCodeAt(at);
    if (c === 0x5c /* \ */) return keyAt(text, quote) === token;
    if (c !== token.charCodeAt(t)) return false;
  }
  // Raw characters left (an escape among them) decode to a longer key.
  return text.charCodeAt(at) === 0x22; /* " */
}

/** The decoded key whose opening quote is at `quote` (escapes included). */
function keyAt(text: string, quote: number): string {
  const close = text.indexOf('"', quote + 1);
  const plain = text.slice(quote + 1, close);
  if (!plain.includes('\\')) return plain;
  let end = quote + 1;
  for (;;) {
    const c = text.charCodeAt(end);
    if (c === 0x5c) end += 2;
    else if (c === 0x22) break;
    else end++;
  }
  return JSON.parse(text.slice(quote, end + 1)) as string;
}

/**
 * The position of the value at `pointer` in a JSON text that `JSON.parse` accepted (without its BOM), found by one
 * scan that descends along the pointer and skips every other value, building nothing: for a file with one or two
 * lookups (a manifest with one finding), instead of the index of every value. The same answers as
 * `jsonPositionIndex(text).locate(pointer)`.
 */
export function locatePointer(text: string, pointer: string): Position | undefined {
  const offset = offsetOf(text, pointer);
  if (offset === undefined) return undefined;
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf('\n'); at >= 0 && at < offset; at = text.indexOf('\n', at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function offsetOf(text: string, pointer: string): number | undefined {
  let at = skipBlank(text, 0);
  if (at >= text.length) return undefined;
  if (pointer === '') return at;
  for (const raw of pointer.slice(1).split('/')) {
    const c = text.charCodeAt(at);
    let next: number;
    if (c === 0x7b /* { */) next = memberOf(text, at, unescapePointerToken(raw));
    else if (c === 0x5b /* [ */ && /^(0|[1-9]\d*)$/.test(raw)) next = elementOf(text, at, Number(raw));
    else return undefined;
    if (next < 0) return undefined;
    at = next;
  }
  return at;
}

/** Offset of the value of the last `key` member of the object at `open` (the last of duplicates wins), or -1. */
function memberOf(text: string, open: number, key: string): number {
  let found = -1;
  let i = skipBlank(text, open + 1);
  while (text.charCodeAt(i) === 0x22 /* " */) {
    const quote = i;
    i = skipBlank(text, skipBlank(text, skipJsonString(text, quote)) + 1); // past the `:`
    if (isKey(text, quote, key)) found = i;
    i = skipBlank(text, skipValue(text, i));
    if (text.charCodeAt(i) !== 0x2c /* , */) break;
    i = skipBlank(text, i + 1);
  }
  return found;
}

/** Offset of element `index` of the array at `open`, or -1. */
function elementOf(text: string, open: number, index: number): number {
  let i = skipBlank(text, open + 1);
  if (text.charCodeAt(i) === 0x5d /* ] */) return -1;
  for (let k = 0; k < index; k++) {
    i = skipBlank(text, skipValue(text, i));
    if (text.charCodeAt(i) !== 0x2c /* , */) return -1;
    i = skipBlank(text, i + 1);
  }
  return i;
}

function skipBlank(text: string, at: number): number {
  let i = at;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

/**
 * Offset just past the closing quote of the string starting at `quote` (past the end of an unterminated one): the
 * first `"` after it that an odd run of backslashes does not escape, found by the native `indexOf`.
 */
function skipJsonString(text: string, quote: number): number {
  let from = quote + 1;
  for (;;) {
    const close = text.indexOf('"', from);
    if (close < 0) return text.length + 1;
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === 0x5c /* \ */) backslashes++;
    if (backslashes % 2 === 0) return close + 1;
    from = close + 1;
  }
}

/** Offset just past the value starting at `at` (a container with everything in it: counted, not recursed). */
function skipValue(text: string, at: number): number {
  const c = text.charCodeAt(at);
  if (c === 0x22) return skipJsonString(text, at);
  if (c !== 0x7b && c !== 0x5b) {
    let i = at + 1;
    while (i < text.length && !endsLiteral(text.charCodeAt(i))) i++;
    return i;
  }
  let depth = 0;
  let i = at;
  while (i < text.length) {
    const d = text.charCodeAt(i);
    if (d === 0x22) {
      i = skipJsonString(text, i);
      continue;
    }
    if (d === 0x7b || d === 0x5b) depth++;
    else if ((d === 0x7d || d === 0x5d) && --depth === 0) return i + 1;
    i++;
  }
  return i;
}

/**
 * A linear scan (no recursion) for nesting deeper than `limit`: the problem located at the first bracket past
 * the limit, or undefined. Strings are skipped, so brackets inside them do not count.
 */
export function jsonDepthProblem(text: string, limit: number = MAX_JSON_DEPTH): JsonParseProblem | undefined {
  // Nesting deeper than `limit` needs more than `limit` opening brackets: counting them with the native indexOf
  // is far cheaper than the scan below, which only runs for texts that have that many.
  if (!moreThan(text, limit)) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) {
        const position = makeOffsetToPosition(text)(i);
        return { message: `JSON nested deeper than ${limit} levels`, ...position };
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return undefined;
}

/**
 * Offset in the JSON text of the character at `decodedOffset` in the decoded value of the string literal
 * starting at `quote`. Escapes (`\n`, `\"`, `\u00e9`) are one decoded character but several raw ones;
 * a surrogate pair written as two `\u` escapes is two decoded UTF-16 units, like JavaScript strings.
 */
export function rawOffsetInString(text: string, quote: number, decodedOffset: number): number | undefined {
  let raw = quote + 1;
  for (let decoded = 0; decoded < decodedOffset; decoded++) {
    const c = text.charCodeAt(raw);
    if (Number.isNaN(c) || c === 0x22) return undefined;
    if (c !== 0x5c /* \ */) raw += 1;
    else raw += text.charCodeAt(raw + 1) === 0x75 /* u */ ? 6 : 2;
  }
  return raw;
}

/**
 * Index of a plain text file (e.g. an APIOps `policy.xml`): pointer `''` is the whole file, and offsets are
 * into the text without its UTF-8 BOM (use `stripBom` on the text handed to the policy parser).
 */
export function textFileIndex(text: string): PositionIndex {
  return new TextFileIndex(stripBom(text));
}

/** One object per file, as `JsonTextIndex` (a tree holds thousands of policy files); lines counted on first use. */
class TextFileIndex implements PositionIndex {
  readonly #body: string;
  #toPosition: ((offset: number) => Position) | undefined;

  constructor(body: string) {
    this.#body = body;
  }

  locate(pointer: string): Position | undefined {
    return pointer === '' ? { line: 1, column: 1 } : undefined;
  }

  locateOffset(pointer: string, offset: number): Position | undefined {
    if (pointer !== '' || offset < 0 || offset > this.#body.length) return undefined;
    this.#toPosition ??= makeOffsetToPosition(this.#body);
    return this.#toPosition(offset);
  }
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Whether `text` holds more than `limit` `{` and `[` characters in all (strings included: an upper bound). */
function moreThan(text: string, limit: number): boolean {
  let count = 0;
  for (const bracket of ['{', '[']) {
    for (let at = text.indexOf(bracket); at >= 0; at = text.indexOf(bracket, at + 1)) {
      if (++count > limit) return true;
    }
  }
  return false;
}
