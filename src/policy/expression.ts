/**
 * Finds where a policy expression ends: a small C# lexer that balances the expression's own bracket while
 * skipping string literals (regular `"..."` with escapes, verbatim `@"..."` with `""`, interpolated `$"..{x}.."`
 * and `$@"..."` with nested holes), char literals (`'"'`) and comments. Everything else — `<`, `>`, `&&`,
 * generics like `As<JObject>()` — is opaque. Quotes may also be entity-encoded (`&quot;`, `&apos;`), so the
 * same scan works for `xml`-format policies; a string opened by `&quot;` closes only at `&quot;`, one opened by
 * `"` only at `"`. Iterative with an explicit frame stack: no recursion, linear in the scanned length.
 */
import { isDecodableReference, readReference } from './entities';

export interface CodeScan {
  /** Offset just after the closing bracket, or -1 when the code is not closed before the limit. */
  end: number;
  /** True when an XML reference (`&quot;`, `&lt;`, ...) appears outside string literals: the code is entity-encoded. */
  encoded: boolean;
  /** Offsets of regular string literals that reach the end of their line unterminated. */
  unterminatedStrings: number[];
}

interface CodeFrame {
  kind: 'code';
  open: number;
  close: number;
  depth: number;
}

interface InterpolatedFrame {
  kind: 'interpolated';
  verbatim: boolean;
  encoded: boolean;
  start: number;
}

type Frame = CodeFrame | InterpolatedFrame;

interface ScanState {
  text: string;
  limit: number;
  frames: Frame[];
  encoded: boolean;
  unterminatedStrings: number[];
}

type Opener = {
  kind: 'regular' | 'verbatim' | 'char' | 'interpolated' | 'interpolated-verbatim';
  encoded: boolean;
  width: number;
};

const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Scans the code whose opening bracket `(` or `{` is at `open`, up to `limit` (exclusive), and returns the
 * offset after the matching closing bracket.
 */
export function scanCode(text: string, open: number, limit: number = text.length): CodeScan {
  const openChar = text.charCodeAt(open);
  const close = openChar === 0x28 ? 0x29 : CLOSE_BRACE;
  const state: ScanState = {
    text,
    limit: Math.min(limit, text.length),
    frames: [{ kind: 'code', open: openChar, close, depth: 1 }],
    encoded: false,
    unterminatedStrings: [],
  };
  let i = open + 1;
  while (i < state.limit) {
    const frame = state.frames[state.frames.length - 1];
    if (frame === undefined) break;
    i = frame.kind === 'code' ? stepCode(state, frame, i) : stepInterpolated(state, frame, i);
    if (state.frames.length === 0)
      return { end: i, encoded: state.encoded, unterminatedStrings: state.unterminatedStrings };
  }
  return { end: -1, encoded: state.encoded, unterminatedStrings: state.unterminatedStrings };
}

function stepCode(state: ScanState, frame: CodeFrame, i: number): number {
  const { text } = state;
  const c = text.charCodeAt(i);
  if (c === frame.open) {
    frame.depth++;
    return i + 1;
  }
  if (c === frame.close) {
    frame.depth--;
    if (frame.depth === 0) state.frames.pop();
    return i + 1;
  }
  if (c === 0x2f /* / */) return skipComment(state, i);
  const opener = stringOpener(text, i);
  if (opener) {
    state.encoded ||= opener.encoded;
    return skipLiteral(state, opener, i);
  }
  noteReference(state, i);
  return i + 1;
}

function stepInterpolated(state: ScanState, frame: InterpolatedFrame, i: number): number {
  const { text } = state;
  const quote = quoteWidth(text, i, '"', frame.encoded);
  if (quote > 0) {
    if (frame.verbatim && quoteWidth(text, i + quote, '"', frame.encoded) > 0) return i + 2 * quote;
    state.frames.pop();
    return i + quote;
  }
  const c = text.charCodeAt(i);
  if (!frame.verbatim && c === BACKSLASH) return i + 1 + logicalWidth(text, i + 1);
  if (!frame.verbatim && c === NEWLINE) {
    state.unterminatedStrings.push(frame.start);
    state.frames.pop();
    return i;
  }
  if (c === OPEN_BRACE) {
    if (text.charCodeAt(i + 1) === OPEN_BRACE) return i + 2;
    state.frames.push({ kind: 'code', open: OPEN_BRACE, close: CLOSE_BRACE, depth: 1 });
    return i + 1;
  }
  if (c === CLOSE_BRACE && text.charCodeAt(i + 1) === CLOSE_BRACE) return i + 2;
  return i + 1;
}

/** Skips a line or block comment; a reference in it is evidence of encoding like one in code. */
function skipComment(state: ScanState, i: number): number {
  const { text, limit } = state;
  const next = text.charCodeAt(i + 1);
  if (next === 0x2f /* / */) {
    let j = i + 2;
    for (; j < limit && text.charCodeAt(j) !== NEWLINE; j++) noteReference(state, j);
    return j;
  }
  if (next !== 0x2a /* * */) return i + 1;
  for (let j = i + 2; j + 1 < limit; j++) {
    if (text.charCodeAt(j) === 0x2a && text.charCodeAt(j + 1) === 0x2f) return j + 2;
    noteReference(state, j);
  }
  return limit;
}

function noteReference(state: ScanState, i: number): void {
  if (!state.encoded && state.text.charCodeAt(i) === 0x26 /* & */ && isDecodableReference(state.text, i)) {
    state.encoded = true;
  }
}

function skipLiteral(state: ScanState, opener: Opener, i: number): number {
  const from = i + opener.width;
  switch (opener.kind) {
    case 'regular':
      return skipRegularString(state, from, opener.encoded, i);
    case 'verbatim':
      return skipVerbatimString(state, from, opener.encoded);
    case 'char':
      return skipCharLiteral(state.text, from, opener.encoded, state.limit);
    case 'interpolated':
    case 'interpolated-verbatim':
      state.frames.push({
        kind: 'interpolated',
        verbatim: opener.kind === 'interpolated-verbatim',
        encoded: opener.encoded,
        start: i,
      });
      return from;
  }
}

function skipRegularString(state: ScanState, from: number, encoded: boolean, start: number): number {
  const { text, limit } = state;
  let j = from;
  while (j < limit) {
    const quote = quoteWidth(text, j, '"', encoded);
    if (quote > 0) return j + quote;
    const c = text.charCodeAt(j);
    if (c === NEWLINE) {
      state.unterminatedStrings.push(start);
      return j;
    }
    j += c === BACKSLASH ? 1 + logicalWidth(text, j + 1) : 1;
  }
  return limit;
}

function skipVerbatimString(state: ScanState, from: number, encoded: boolean): number {
  const { text, limit } = state;
  let j = from;
  while (j < limit) {
    const quote = quoteWidth(text, j, '"', encoded);
    if (quote === 0) {
      j++;
      continue;
    }
    if (quoteWidth(text, j + quote, '"', encoded) === 0) return j + quote;
    j += 2 * quote;
  }
  return limit;
}

/**
 * A char literal is short: `'x'`, `'\''`, `'\u0041'`. When no closing quote follows closely the quote is taken
 * as a stray character, so one odd apostrophe cannot swallow the rest of the expression.
 */
function skipCharLiteral(text: string, from: number, encoded: boolean, limit: number): number {
  let j = from;
  if (text.charCodeAt(j) === BACKSLASH) {
    j += 1 + logicalWidth(text, j + 1);
    for (let n = 0; n < 8 && j < limit && text.charCodeAt(j) !== NEWLINE; n++) {
      const quote = quoteWidth(text, j, "'", encoded);
      if (quote > 0) return j + quote;
      j++;
    }
    return from;
  }
  if (j >= limit || text.charCodeAt(j) === NEWLINE) return from;
  j += logicalWidth(text, j);
  const quote = quoteWidth(text, j, "'", encoded);
  return quote > 0 && j + quote <= limit ? j + quote : from;
}

/** Recognises the start of a string or char literal at `i`: `"`, `'`, `@"`, `$"`, `$@"`, `@$"`, raw or encoded. */
function stringOpener(text: string, i: number): Opener | undefined {
  const c = text.charCodeAt(i);
  if (c === 0x40 /* @ */ || c === 0x24 /* $ */) return prefixedOpener(text, i, c);
  const dq = anyQuote(text, i, '"');
  if (dq) return { kind: 'regular', encoded: dq.encoded, width: dq.width };
  const sq = anyQuote(text, i, "'");
  if (sq) return { kind: 'char', encoded: sq.encoded, width: sq.width };
  return undefined;
}

function prefixedOpener(text: string, i: number, c: number): Opener | undefined {
  const other = c === 0x40 ? 0x24 : 0x40;
  const doubled = text.charCodeAt(i + 1) === other;
  const quote = anyQuote(text, i + (doubled ? 2 : 1), '"');
  if (!quote) return undefined;
  const width = quote.width + (doubled ? 2 : 1);
  if (doubled) return { kind: 'interpolated-verbatim', encoded: quote.encoded, width };
  return { kind: c === 0x40 ? 'verbatim' : 'interpolated', encoded: quote.encoded, width };
}

function anyQuote(
  text: string,
  i: number,
  quote: '"' | "'",
): { encoded: boolean; width: number } | undefined {
  if (quoteWidth(text, i, quote, false) > 0) return { encoded: false, width: 1 };
  const encodedWidth = quoteWidth(text, i, quote, true);
  return encodedWidth > 0 ? { encoded: true, width: encodedWidth } : undefined;
}

/** Width of the quote `quote` at `i` in the given form (raw `"` or encoded `&quot;`), 0 when there is none. */
function quoteWidth(text: string, i: number, quote: '"' | "'", encoded: boolean): number {
  if (!encoded) return text[i] === quote ? 1 : 0;
  const entity = quote === '"' ? '&quot;' : '&apos;';
  return text.startsWith(entity, i) ? entity.length : 0;
}

/** Width of one logical character: a reference (`&quot;`, `&lt;`, `&#39;`) counts as the one character it stands for. */
function logicalWidth(text: string, i: number): number {
  if (text.charCodeAt(i) !== 0x26 /* & */) return 1;
  const ref = readReference(text, i);
  return ref.kind === 'decoded' ? ref.length : 1;
}
