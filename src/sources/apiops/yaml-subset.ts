/**
 * A fast reader for the block-style subset of YAML 1.2 that OpenAPI exports use, so that a scan of thousands of
 * `specification.yaml` files does not spend most of its time in the general `yaml` package.
 *
 * It returns exactly the value the `yaml` package path of spec.ts returns (core schema, `toJS`, and plain
 * `operationId` / `summary` values kept as their source text; its mappings are objects without a prototype, see
 * `mapping`), or `undefined` for anything outside the subset or
 * anything it is not sure about: the caller then parses the text with the `yaml` package, which also reports every
 * error. So it never accepts a text the `yaml` package rejects.
 *
 * The subset: comments, blank lines, an optional leading `---`, LF or CRLF line ends; block mappings with plain
 * or one-line quoted keys; block sequences (compact mappings in items, a sequence at the indentation of its key);
 * one-line plain, single- and double-quoted scalars; `{}` and `[]`; literal and folded block scalars without an
 * indentation indicator. It bails on tabs, control characters, anchors, aliases, tags, directives, flow
 * collections with content, multi-line plain or quoted scalars, explicit (`? `) and merge (`<<`) keys, keys that
 * resolve to anything but a string or a canonical integer, duplicate keys and nesting past MAX_DEPTH.
 */
import { BAIL, blockValue, plainKey, resolvePlain } from './yaml-scalars';

/** Far below the 256 levels spec.ts allows, so that a text accepted here is never too deep for the slow path. */
const MAX_DEPTH = 128;
/** The `yaml` package rejects an implicit key whose `:` is more than 1024 characters after its start. */
const MAX_KEY_LENGTH = 1000;
/** Keys whose plain values spec.ts keeps as source text (OpenAPI says they are strings). */
const STRINGLY_KEYS = new Set(['operationId', 'summary']);

const HEX = /^[0-9a-fA-F]+$/;

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
};

const SPACE = 0x20;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;

/** The value of a YAML text in the subset, or undefined (parse it with the `yaml` package). */
export function parseYamlSubset(text: string): { value: unknown } | undefined {
  const lines = scanLines(text);
  if (!lines) return undefined;
  try {
    return { value: new SubsetReader(text, lines).document() };
  } catch (error) {
    if (error === BAIL) return undefined;
    throw error;
  }
}

/** Per line: offset of its start, of its first non-space character, and of its end (before `\r\n` / `\n`). */
interface Lines {
  start: number[];
  first: number[];
  end: number[];
  /** Lines starting with `---` (a document marker), by index. */
  markers: number[];
}

/**
 * The lines of the text, or undefined when it contains a character the subset leaves to the `yaml` package:
 * tabs, control characters, a `\r` not followed by `\n`, C1 controls, BOM, U+2028/U+2029, a `...` line.
 */
function scanLines(text: string): Lines | undefined {
  const lines: Lines = { start: [], first: [], end: [], markers: [] };
  const length = text.length;
  let start = 0;
  let first = -1;
  for (let i = 0; i <= length; i++) {
    const c = i < length ? text.charCodeAt(i) : 10;
    if (c === 10 || c === 13) {
      if (c === 13 && text.charCodeAt(i + 1) !== 10) return undefined;
      if (i === length && start === length && length > 0) break; // the text ends with a line break
      lines.start.push(start);
      lines.first.push(first === -1 ? i : first);
      lines.end.push(i);
      if (c === 13) i++;
      start = i + 1;
      first = -1;
      continue;
    }
    if (c < SPACE || (c >= 0x7f && c <= 0x9f) || c === 0xfeff || c === 0x2028 || c === 0x2029)
      return undefined;
    if (first === -1 && c !== SPACE) {
      first = i;
      if (i === start && (c === DASH || c === 0x2e) && isDocumentMarker(text, i, c)) {
        if (c !== DASH) return undefined; // `...`: a document end
        lines.markers.push(lines.start.length);
      }
    }
  }
  return lines;
}

function isDocumentMarker(text: string, i: number, c: number): boolean {
  if (text.charCodeAt(i + 1) !== c || text.charCodeAt(i + 2) !== c) return false;
  const next = text.charCodeAt(i + 3);
  return Number.isNaN(next) || next === SPACE || next === 10 || next === 13;
}

class SubsetReader {
  private readonly start: number[];
  private readonly first: number[];
  private readonly end: number[];
  private readonly count: number;
  /** The first line not consumed by the node read last. */
  private line = 0;

  constructor(
    private readonly text: string,
    private readonly lines: Lines,
  ) {
    this.start = lines.start;
    this.first = lines.first;
    this.end = lines.end;
    this.count = lines.start.length;
  }

  document(): unknown {
    let i = this.skip(0);
    const { markers } = this.lines;
    if (markers.length > 1 || (markers.length === 1 && markers[0] !== i)) throw BAIL;
    if (markers.length === 1) {
      // `---` alone on its line (then spaces only).
      if (this.restIsSpace(this.at(this.start, i) + 3, i) === false) throw BAIL;
      i = this.skip(i + 1);
    }
    if (i === this.count) return null;
    const indent = this.indent(i);
    const value = this.isDash(i, this.at(this.first, i))
      ? this.sequence(i, indent, 1, false)
      : this.mapping(i, this.at(this.first, i), indent, 1);
    if (this.skip(this.line) !== this.count) throw BAIL;
    return value;
  }

  /** A block mapping at column `indent` whose first key is on line i at offset p. */
  private mapping(i: number, p: number, indent: number, depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) throw BAIL;
    // A dictionary from the start (no prototype, never a hidden class per key set): a specification's keys are its
    // own (`paths` names the API's URLs), and every first key added to a plain object is a transition from the one
    // empty-object map; after some 1,500 of them V8 adds no more, and every object the process later builds key by
    // key (JSON.parse's included) gets a map of its own, slower to make and to read (issue 12).
    const map = Object.create(null) as Record<string, unknown>;
    for (;;) {
      this.entry(map, i, p, indent, depth);
      const next = this.skip(this.line);
      if (next === this.count) return map;
      const column = this.indent(next);
      if (column < indent) return map;
      if (column > indent || this.isDash(next, this.at(this.first, next))) throw BAIL;
      i = next;
      p = this.at(this.first, next);
    }
  }

  private entry(map: Record<string, unknown>, i: number, p: number, indent: number, depth: number): void {
    const key = this.key(i, p);
    if (!key) throw BAIL;
    const { name, after } = key;
    if (name === '<<' || name === '__proto__' || Object.prototype.hasOwnProperty.call(map, name)) throw BAIL;
    const stringly = STRINGLY_KEYS.has(name);
    const q = this.skipSpaces(after, i);
    map[name] =
      q === this.at(this.end, i) || this.text.charCodeAt(q) === HASH
        ? this.below(i, indent, depth, true, stringly)
        : this.inline(i, q, indent, depth, stringly);
  }

  /** A block sequence at column `indent` whose first item is on line i. */
  private sequence(i: number, indent: number, depth: number, underKey: boolean): unknown[] {
    if (depth > MAX_DEPTH) throw BAIL;
    const items: unknown[] = [];
    for (;;) {
      const q = this.skipSpaces(this.at(this.first, i) + 1, i);
      const end = this.at(this.end, i);
      const c = this.text.charCodeAt(q);
      if (q === end || c === HASH) items.push(this.below(i, indent, depth, false, false));
      else if (c === DASH && this.isDash(i, q))
        throw BAIL; // `- - a`
      else if (this.key(i, q)) items.push(this.mapping(i, q, q - this.at(this.start, i), depth + 1));
      else items.push(this.inline(i, q, indent, depth, false));
      const next = this.skip(this.line);
      if (next === this.count) return items;
      const column = this.indent(next);
      if (column < indent) return items;
      if (column > indent) throw BAIL;
      if (!this.isDash(next, this.at(this.first, next))) {
        if (underKey) return items;
        throw BAIL;
      }
      i = next;
    }
  }

  /** The value of a key or item with nothing after it on line i: a collection on the next lines, or empty. */
  private below(i: number, indent: number, depth: number, ofKey: boolean, stringly: boolean): unknown {
    const next = this.skip(i + 1);
    if (next < this.count) {
      const column = this.indent(next);
      const p = this.at(this.first, next);
      const dash = this.isDash(next, p);
      if (column > indent)
        return dash
          ? this.sequence(next, column, depth + 1, false)
          : this.mapping(next, p, column, depth + 1);
      // YAML lets the sequence of a key start at the key's own column.
      if (column === indent && dash && ofKey) return this.sequence(next, column, depth + 1, true);
    }
    this.line = i + 1;
    return stringly ? '' : null;
  }

  /** A scalar (or `{}` / `[]`) starting at offset p of line i, in a collection at column `indent`. */
  private inline(i: number, p: number, indent: number, depth: number, stringly: boolean): unknown {
    const { text } = this;
    const end = this.at(this.end, i);
    this.line = i + 1;
    switch (text[p]) {
      case "'": {
        const { value, after } = this.singleQuoted(p, end);
        this.trailing(after, i);
        return value;
      }
      case '"': {
        const { value, after } = this.doubleQuoted(p, end);
        this.trailing(after, i);
        return value;
      }
      case '|':
      case '>':
        return this.blockScalar(i, p, indent);
      case '{':
      case '[': {
        // Only an empty one (`{}`, `[ ]`).
        const close = this.skipSpaces(p + 1, i);
        if (depth + 1 > MAX_DEPTH || text.charCodeAt(close) !== (text[p] === '{' ? 0x7d : 0x5d)) throw BAIL;
        this.trailing(close + 1, i);
        return text[p] === '{' ? (Object.create(null) as Record<string, unknown>) : [];
      }
      case '-':
        if (p + 1 === end || text.charCodeAt(p + 1) === SPACE) throw BAIL;
        break;
      case '&':
      case '*':
      case '!':
      case '%':
      case '@':
      case '`':
      case ',':
      case '?':
      case ':':
      case '}':
      case ']':
      case '#':
        throw BAIL;
    }
    let last = p;
    for (let q = p; q < end; q++) {
      const c = text.charCodeAt(q);
      if (c === COLON) {
        if (q + 1 === end || text.charCodeAt(q + 1) === SPACE) throw BAIL; // `key: a: b`
        last = q + 1;
      } else if (c === SPACE) {
        if (text.charCodeAt(q + 1) === HASH) break;
      } else last = q + 1;
    }
    const source = text.slice(p, last);
    return stringly ? source : resolvePlain(source);
  }

  /** A key (plain, or quoted on one line) at offset p of line i and the offset after its `:`, if there is one. */
  private key(i: number, p: number): { name: string; after: number } | undefined {
    const { text } = this;
    const end = this.at(this.end, i);
    const c = text[p];
    if (c === "'" || c === '"') {
      const quoted = c === "'" ? this.singleQuotedKey(p, end) : this.doubleQuotedKey(p, end);
      if (!quoted || text.charCodeAt(quoted.after) !== COLON) return undefined;
      const after = quoted.after + 1;
      if (after !== end && text.charCodeAt(after) !== SPACE) throw BAIL;
      if (after - p > MAX_KEY_LENGTH) throw BAIL;
      return { name: quoted.value, after };
    }
    for (let q = p; q < end; q++) {
      const ch = text.charCodeAt(q);
      if (ch === COLON && (q + 1 === end || text.charCodeAt(q + 1) === SPACE)) {
        if (q === p) throw BAIL; // `: value`
        if (
          text.charCodeAt(q - 1) === SPACE ||
          q - p > MAX_KEY_LENGTH ||
          '-?:,[]{}#&*!|>%@`'.includes(c ?? '')
        )
          throw BAIL;
        return { name: plainKey(text.slice(p, q)), after: q + 1 };
      }
      if (ch === SPACE && text.charCodeAt(q + 1) === HASH) return undefined;
    }
    return undefined;
  }

  private singleQuotedKey(p: number, end: number): { value: string; after: number } | undefined {
    for (let q = p + 1; q < end; q++) {
      if (this.text.charCodeAt(q) === 0x27) {
        if (this.text.charCodeAt(q + 1) !== 0x27) return this.singleQuoted(p, end);
        q++;
      }
    }
    return undefined; // not closed on this line: a multi-line scalar (bails when read as a value)
  }

  private doubleQuotedKey(p: number, end: number): { value: string; after: number } | undefined {
    for (let q = p + 1; q < end; q++) {
      const c = this.text.charCodeAt(q);
      if (c === 0x5c) q++;
      else if (c === 0x22) return this.doubleQuoted(p, end);
    }
    return undefined;
  }

  private singleQuoted(p: number, end: number): { value: string; after: number } {
    const { text } = this;
    let value = '';
    let from = p + 1;
    for (let q = p + 1; q < end; q++) {
      if (text.charCodeAt(q) !== 0x27) continue;
      value += text.slice(from, q);
      if (text.charCodeAt(q + 1) !== 0x27) return { value, after: q + 1 };
      value += "'";
      from = ++q + 1;
    }
    throw BAIL; // continues on the next line
  }

  private doubleQuoted(p: number, end: number): { value: string; after: number } {
    const { text } = this;
    let value = '';
    let from = p + 1;
    for (let q = p + 1; q < end; q++) {
      const c = text.charCodeAt(q);
      if (c === 0x22) return { value: value + text.slice(from, q), after: q + 1 };
      if (c !== 0x5c) continue;
      value += text.slice(from, q);
      const next = text[q + 1];
      if (next === undefined || q + 1 >= end) throw BAIL; // an escaped line break
      const escaped = ESCAPES[next];
      if (escaped !== undefined) {
        value += escaped;
        q += 1;
      } else {
        const length = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
        const hex = text.slice(q + 2, q + 2 + length);
        if (length === 0 || q + 2 + length > end || !HEX.test(hex)) throw BAIL;
        const code = parseInt(hex, 16);
        if (code > 0x10ffff) throw BAIL;
        value += String.fromCodePoint(code);
        q += 1 + length;
      }
      from = q + 1;
    }
    throw BAIL;
  }

  /**
   * A literal or folded block scalar whose header is at offset p of line i, its value computed as the `yaml`
   * package's resolveBlockScalar does from the lines its lexer gives the scalar.
   */
  private blockScalar(i: number, p: number, indent: number): string {
    const { text } = this;
    const folded = text[p] === '>';
    let chomp = '';
    let q = p + 1;
    if (text[q] === '-' || text[q] === '+') chomp = text[q++] ?? '';
    if (q !== this.at(this.end, i) && text.charCodeAt(q) !== SPACE) throw BAIL; // an indentation indicator
    this.trailing(q, i);
    // The first line with text sets the indentation (leading blank lines may not be longer).
    let j = i + 1;
    while (j < this.count && this.isBlank(j)) j++;
    if (j === this.count) throw BAIL;
    const trim = this.indent(j);
    if (trim <= indent) throw BAIL; // an empty scalar
    // Blank lines and lines indented at least as far; a blank line longer than the indentation is content the
    // lexer and composer treat specially: left to the `yaml` package.
    const lines: [number, string][] = [];
    let k = i + 1;
    for (; k < this.count; k++) {
      const blank = this.isBlank(k);
      const width = this.at(this.end, k) - this.at(this.start, k);
      if (blank && width > trim) throw BAIL;
      if (!blank && this.indent(k) < trim) break;
      lines.push(
        blank ? [width, ''] : [this.indent(k), text.slice(this.at(this.first, k), this.at(this.end, k))],
      );
    }
    // The scalar's source ends with a line break unless it runs to the end of a text without a final one.
    if (k < this.count || text.endsWith('\n')) lines.push([0, '']);
    this.line = k;
    return blockValue(lines, trim, folded, chomp);
  }

  /** After a scalar: only spaces, then optionally a comment. */
  private trailing(p: number, i: number): void {
    const q = this.skipSpaces(p, i);
    if (q !== this.at(this.end, i) && (q === p || this.text.charCodeAt(q) !== HASH)) throw BAIL;
  }

  private restIsSpace(p: number, i: number): boolean {
    return this.skipSpaces(p, i) === this.at(this.end, i);
  }

  private skipSpaces(p: number, i: number): number {
    const end = this.at(this.end, i);
    while (p < end && this.text.charCodeAt(p) === SPACE) p++;
    return p;
  }

  /** The first line from i on that is neither blank nor a comment. */
  private skip(i: number): number {
    while (i < this.count) {
      const p = this.at(this.first, i);
      if (p !== this.at(this.end, i) && this.text.charCodeAt(p) !== HASH) return i;
      i++;
    }
    return i;
  }

  private isBlank(i: number): boolean {
    return this.at(this.first, i) === this.at(this.end, i);
  }

  /** `-` followed by a space or the end of the line: a sequence item. */
  private isDash(i: number, p: number): boolean {
    if (this.text.charCodeAt(p) !== DASH) return false;
    return p + 1 === this.at(this.end, i) || this.text.charCodeAt(p + 1) === SPACE;
  }

  private indent(i: number): number {
    return this.at(this.first, i) - this.at(this.start, i);
  }

  private at(offsets: number[], i: number): number {
    const offset = offsets[i];
    if (offset === undefined) throw BAIL;
    return offset;
  }
}
