/**
 * The markup tokenizer of the policy parser: a hand-written scanner over the policy text that yields start
 * tags (with their attributes), end tags, text, comments and CDATA, skipping the XML declaration, processing
 * instructions and DOCTYPEs. In `rawxml`/detect mode, policy expressions `@(...)` / `@{...}` and template
 * placeholders `${...}` / `%{...}` inside attribute values and text are read as opaque balanced code, so their
 * quotes, `&&` and `<`/`>` do not end the value. Problems it can read past go to `warn`; problems it cannot
 * throw a `PolicySyntaxError` with the offset to report.
 */
import type { PolicyAttribute } from './types';
import { decodeAll } from './entities';
import { isMarkup, isNameStart, PolicySyntaxError, ValueScanner, type ScanContext } from './values';

export type { ScanContext, ScanMode } from './values';

export type Token =
  | {
      type: 'start';
      name: string;
      offset: number;
      end: number;
      attributes: PolicyAttribute[];
      selfClosing: boolean;
    }
  | { type: 'end'; name: string; offset: number; end: number }
  | { type: 'text'; value: string; offset: number; expression: boolean }
  | { type: 'comment'; value: string; offset: number }
  | { type: 'cdata'; value: string; offset: number };

export { PolicySyntaxError };
export class Tokenizer {
  private pos: number;
  private readonly values: ValueScanner;

  constructor(private readonly ctx: ScanContext) {
    this.pos = ctx.text.charCodeAt(0) === 0xfeff ? 1 : 0;
    this.values = new ValueScanner(ctx);
  }

  /** Whether an expression was evidently entity-encoded (an `xml`-format document read as raw). */
  get sawEncodedExpression(): boolean {
    return this.values.sawEncodedExpression;
  }

  /** The next token, or undefined at the end of the text. */
  next(): Token | undefined {
    const { text } = this.ctx;
    while (this.pos < text.length) {
      const start = this.pos;
      if (text.charCodeAt(start) !== 0x3c /* < */ || !isMarkup(text, start)) return this.text(start);
      const token = this.markup(start);
      if (token) return token;
    }
    return undefined;
  }

  /** Reads the markup at `<`; returns undefined for markup that yields no token (declarations, PIs, DOCTYPE). */
  private markup(start: number): Token | undefined {
    const { text } = this.ctx;
    if (text.startsWith('</', start)) return this.endTag(start);
    if (text.startsWith('<!--', start)) return this.delimited(start, '<!--', '-->', 'comment');
    if (text.startsWith('<![CDATA[', start)) return this.delimited(start, '<![CDATA[', ']]>', 'cdata');
    if (text.startsWith('<?', start)) {
      this.pos = this.closing(start, '<?', '?>', 'processing instruction');
      return undefined;
    }
    if (/^<!DOCTYPE/i.test(text.slice(start, start + 9))) {
      this.pos = this.doctype(start);
      return undefined;
    }
    if (text.charCodeAt(start + 1) === 0x21) {
      throw new PolicySyntaxError(`unsupported markup ${quoteSnippet(text, start)}`, start);
    }
    return this.startTag(start);
  }

  private delimited(start: number, open: string, close: string, type: 'comment' | 'cdata'): Token {
    const end = this.closing(start, open, close, type === 'comment' ? 'comment' : 'CDATA section');
    this.pos = end;
    return { type, value: this.ctx.text.slice(start + open.length, end - close.length), offset: start };
  }

  /** Offset after the `close` delimiter of the construct opened at `start` by `open`. */
  private closing(start: number, open: string, close: string, what: string): number {
    const at = this.ctx.text.indexOf(close, start + open.length);
    if (at < 0)
      throw new PolicySyntaxError(`unterminated ${what}: no '${close}' before the end of the text`, start);
    return at + close.length;
  }

  /** Skips a DOCTYPE, internal subset included. Its entity declarations are never expanded. */
  private doctype(start: number): number {
    const { text } = this.ctx;
    let depth = 0;
    let quote = 0;
    for (let i = start + 9; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (quote !== 0) {
        if (c === quote) quote = 0;
      } else if (c === 0x22 || c === 0x27) quote = c;
      else if (c === 0x5b /* [ */) depth++;
      else if (c === 0x5d /* ] */) depth = Math.max(0, depth - 1);
      else if (c === 0x3e /* > */ && depth === 0) {
        this.ctx.warn(
          'DOCTYPE ignored: external DTDs are never loaded and declared entities are not expanded',
          start,
        );
        return i + 1;
      }
    }
    throw new PolicySyntaxError("unterminated DOCTYPE: no '>' before the end of the text", start);
  }

  private endTag(start: number): Token {
    const { text } = this.ctx;
    const nameEnd = readName(text, start + 2);
    const name = text.slice(start + 2, nameEnd);
    const close = skipSpace(text, nameEnd);
    if (close >= text.length) {
      throw new PolicySyntaxError(
        `unterminated closing tag </${name}>: no '>' before the end of the text`,
        start,
      );
    }
    if (text.charCodeAt(close) !== 0x3e /* > */) {
      throw new PolicySyntaxError(
        `expected '>' to end the closing tag </${name}> at ${this.ctx.at(start)}, found ${describe(text, close)}`,
        close,
      );
    }
    this.pos = close + 1;
    return { type: 'end', name, offset: start, end: close + 1 };
  }

  private startTag(start: number): Token {
    const { text } = this.ctx;
    const nameEnd = readName(text, start + 1);
    const name = interned(text, start + 1, nameEnd);
    const attributes: PolicyAttribute[] = [];
    let seen: Set<string> | undefined;
    let i = nameEnd;
    for (;;) {
      const spaced = skipSpace(text, i);
      if (spaced >= text.length) {
        throw new PolicySyntaxError(
          `unterminated start tag <${name}>: no '>' before the end of the text`,
          start,
        );
      }
      const c = text.charCodeAt(spaced);
      if (c === 0x3e /* > */) return this.tagEnd(name, start, attributes, spaced + 1, false);
      if (c === 0x2f /* / */ && text.charCodeAt(spaced + 1) === 0x3e) {
        return this.tagEnd(name, start, attributes, spaced + 2, true);
      }
      if (!isNameStart(c)) {
        throw new PolicySyntaxError(
          `unexpected ${describe(text, spaced)} in start tag <${name}> opened at ${this.ctx.at(start)}`,
          spaced,
        );
      }
      if (spaced === i) this.ctx.warn(`missing whitespace before an attribute of <${name}>`, spaced);
      i = this.attribute(spaced, name, start, attributes);
      seen = this.checkDuplicate(name, attributes, seen);
    }
  }

  /** Warns when the attribute just read repeats an earlier one; the name set is built from the second one on. */
  private checkDuplicate(
    element: string,
    attributes: PolicyAttribute[],
    seen: Set<string> | undefined,
  ): Set<string> | undefined {
    const added = attributes[attributes.length - 1];
    if (added === undefined || attributes.length < 2) return seen;
    const names = seen ?? new Set(attributes.slice(0, -1).map((a) => a.name));
    if (names.has(added.name))
      this.ctx.warn(`duplicate attribute ${added.name} of <${element}>`, added.offset);
    names.add(added.name);
    return names;
  }

  private tagEnd(
    name: string,
    offset: number,
    attributes: PolicyAttribute[],
    end: number,
    selfClosing: boolean,
  ): Token {
    this.pos = end;
    return { type: 'start', name, offset, end, attributes, selfClosing };
  }

  /** Reads one attribute at `start` into `into`; returns the offset after it. */
  private attribute(start: number, element: string, tagStart: number, into: PolicyAttribute[]): number {
    const { text } = this.ctx;
    const nameEnd = readName(text, start);
    const name = interned(text, start, nameEnd);
    const eq = skipSpace(text, nameEnd);
    if (text.charCodeAt(eq) !== 0x3d /* = */) {
      this.ctx.warn(`attribute ${name} of <${element}> has no value`, start);
      into.push({ name, value: '', offset: start, valueOffset: nameEnd });
      return nameEnd;
    }
    const v = skipSpace(text, eq + 1);
    if (v >= text.length) {
      throw new PolicySyntaxError(
        `unterminated start tag <${element}>: no '>' before the end of the text`,
        tagStart,
      );
    }
    const q = text.charCodeAt(v);
    if (q === 0x22 || q === 0x27) {
      const scanned = this.values.scan(v + 1, q);
      into.push({ name, value: scanned.value, offset: start, valueOffset: v + 1 });
      return scanned.end + 1;
    }
    const end = unquotedEnd(text, v);
    this.ctx.warn(
      `${end === v ? 'attribute' : 'value of attribute'} ${name} of <${element}> ${end === v ? 'has no value' : 'is not quoted'}`,
      v,
    );
    into.push({ name, value: decodeAll(text.slice(v, end)), offset: start, valueOffset: v });
    return end;
  }

  private text(start: number): Token {
    const scanned = this.values.scan(start, undefined);
    this.pos = scanned.end;
    return { type: 'text', value: scanned.value, offset: start, expression: scanned.expression };
  }
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
}

function readName(text: string, from: number): number {
  let i = from;
  while (i < text.length && isNameChar(text.charCodeAt(i))) i++;
  return i;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

function unquotedEnd(text: string, from: number): number {
  let i = from;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isSpace(c) || c === 0x3e || (c === 0x2f && text.charCodeAt(i + 1) === 0x3e)) break;
  }
  return i;
}

function describe(text: string, at: number): string {
  if (at >= text.length) return 'the end of the text';
  return JSON.stringify(text.slice(at, at + 1));
}

function quoteSnippet(text: string, at: number): string {
  return JSON.stringify(text.slice(at, at + 12));
}

/**
 * Element and attribute names, one string each however many documents use them (thousands of policies share a
 * few dozen names). Bounded: past the limit, further names are kept as sliced.
 */
const names = new Map<string, string>();
const MAX_INTERNED = 10_000;

function interned(text: string, start: number, end: number): string {
  const name = text.slice(start, end);
  const known = names.get(name);
  if (known !== undefined) return known;
  // A flat copy, so the kept name does not keep the whole policy text alive.
  const flat = name.length > 12 ? (' ' + name).slice(1) : name;
  if (names.size < MAX_INTERNED) names.set(flat, flat);
  return flat;
}
