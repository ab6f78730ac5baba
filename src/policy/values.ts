/**
 * Reads attribute values and text for the tokenizer: references decoded once, and in `rawxml`/detect mode
 * policy expressions `@(...)` / `@{...}` and template placeholders `${...}` / `%{...}` read as opaque balanced
 * code (see expression.ts), so their quotes, `&&` and `<`/`>` do not end the value.
 */
import { decodeAll, readReference } from './entities';
import { scanCode } from './expression';

export type ScanMode = 'xml' | 'rawxml' | 'detect';

export interface ScanContext {
  text: string;
  mode: ScanMode;
  /** Records a warning; a function message is only built when the warning is kept (see MAX_WARNINGS). */
  warn(message: string | (() => string), offset: number): void;
  /** `line:column` of an offset, for messages. */
  at(offset: number): string;
}

/** A problem the parser cannot read past; becomes `ParsedPolicy.error`. */
export class PolicySyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'PolicySyntaxError';
  }
}

export interface Scanned {
  value: string;
  end: number;
  expression: boolean;
}

/** Longest `${...}` / `%{...}` template placeholder looked for; placeholders never span lines. */
const MAX_PLACEHOLDER = 256;
const NAMED_VALUE = /\{\{[\w.-]{1,256}\}\}/y;
const XML_EXPRESSION = /@(\(|\{(?!\{[\w.-]+\}\}))/;

export class ValueScanner {
  /** Whether an expression was evidently entity-encoded (an `xml`-format document read as raw). */
  sawEncodedExpression = false;

  constructor(private readonly ctx: ScanContext) {}

  /**
   * Scans an attribute value (up to the closing `quote`, which must exist) or text (up to markup or the end),
   * decoding references once and reading expressions and placeholders as opaque code in raw mode.
   */
  scan(start: number, quote: number | undefined): Scanned {
    const { text, mode } = this.ctx;
    const raw = mode !== 'xml';
    let out = '';
    let from = start;
    let expression = false;
    let i = start;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === quote) break;
      if (c === 0x3c /* < */) {
        if (quote === undefined && isMarkup(text, i)) break;
        if (!raw) this.ctx.warn("unescaped '<' kept as text", i);
        else if (quote === undefined) this.ctx.warn("'<' does not start markup; kept as text", i);
        i++;
        continue;
      }
      const piece = (raw ? this.code(i) : undefined) ?? (c === 0x26 /* & */ ? this.reference(i) : undefined);
      if (piece === undefined) {
        i++;
        continue;
      }
      out += text.slice(from, i) + piece.value;
      expression ||= piece.expression;
      i = from = piece.end;
    }
    if (quote !== undefined && i >= text.length) {
      throw new PolicySyntaxError(
        `unterminated attribute value: no closing ${text[start - 1] ?? ''} before the end of the text`,
        start - 1,
      );
    }
    out += text.slice(from, i);
    if (!raw) expression = XML_EXPRESSION.test(out);
    return { value: out, end: i, expression };
  }

  /** A policy expression or template placeholder starting at `i`, read verbatim (decoded when entity-encoded). */
  private code(i: number): Scanned | undefined {
    const { text } = this.ctx;
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (c === 0x40 /* @ */ && (next === 0x28 || next === 0x7b) && !isNamedValue(text, i + 1))
      return this.expression(i);
    if ((c === 0x24 || c === 0x25) && next === 0x7b) return placeholder(text, i); // ${ %{
    return undefined;
  }

  private expression(i: number): Scanned {
    const { text } = this.ctx;
    const scan = scanCode(text, i + 1);
    for (const s of scan.unterminatedStrings) {
      this.ctx.warn(
        () =>
          `unterminated string literal in the policy expression at ${this.ctx.at(i)}; it ends at the end of its line`,
        s,
      );
    }
    if (scan.end < 0) {
      const what = text.slice(i, i + 2);
      throw new PolicySyntaxError(
        `unterminated policy expression ${what}: no matching '${what === '@(' ? ')' : '}'}' before the end of the text`,
        i,
      );
    }
    const raw = text.slice(i, scan.end);
    if (!scan.encoded) return { value: raw, end: scan.end, expression: true };
    if (this.ctx.mode === 'rawxml' && !this.sawEncodedExpression) {
      this.ctx.warn(
        'policy expression is entity-encoded although the format is rawxml; encoded expressions are decoded once',
        i,
      );
    }
    this.sawEncodedExpression = true;
    return { value: decodeAll(raw), end: scan.end, expression: true };
  }

  private reference(i: number): Scanned | undefined {
    const { text, mode } = this.ctx;
    const ref = readReference(text, i);
    switch (ref.kind) {
      case 'decoded':
        return { value: ref.value, end: i + ref.length, expression: false };
      case 'unknown':
        this.ctx.warn(`unknown entity &${ref.name}; kept verbatim`, i);
        return undefined;
      case 'invalid':
        this.ctx.warn(`character reference ${ref.raw} is not an XML character; kept verbatim`, i);
        return undefined;
      case 'bare':
        if (mode === 'xml') this.ctx.warn("unescaped '&' kept as text", i);
        return undefined;
    }
  }
}

/** `${...}` / `%{...}` on one line (Terraform templates), kept verbatim; otherwise the characters are plain text. */
function placeholder(text: string, i: number): Scanned | undefined {
  let limit = Math.min(text.length, i + MAX_PLACEHOLDER);
  const newline = text.indexOf('\n', i);
  if (newline >= 0 && newline < limit) limit = newline;
  const scan = scanCode(text, i + 1, limit);
  return scan.end < 0 ? undefined : { value: text.slice(i, scan.end), end: scan.end, expression: false };
}

function isNamedValue(text: string, at: number): boolean {
  NAMED_VALUE.lastIndex = at;
  return NAMED_VALUE.test(text);
}

/** Whether the `<` at `at` starts markup (a tag, comment, CDATA, declaration) rather than being text. */
export function isMarkup(text: string, at: number): boolean {
  const c = text.charCodeAt(at + 1);
  if (c === 0x21 /* ! */ || c === 0x3f /* ? */) return true;
  if (c === 0x2f /* / */) return isNameStart(text.charCodeAt(at + 2));
  return isNameStart(c);
}

export function isNameStart(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    c === 0x5f ||
    c === 0x3a ||
    (c >= 0x80 && c !== 0xfeff)
  );
}
