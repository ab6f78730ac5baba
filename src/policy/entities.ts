/**
 * XML character references, decoded exactly once and never expanded beyond the five predefined entities and
 * numeric references: entities declared in a DOCTYPE are not honoured (no entity-expansion bombs, no external
 * entities), and unknown ones stay verbatim so the caller can warn.
 */

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Longest entity name looked at; longer runs are not treated as references (keeps scanning linear). */
const MAX_REFERENCE_LENGTH = 40;

export type Reference =
  /** A predefined entity or a valid numeric reference: `value` replaces `length` raw characters. */
  | { kind: 'decoded'; value: string; length: number }
  /** `&name;` with a name that is not predefined (kept verbatim). */
  | { kind: 'unknown'; name: string; length: number }
  /** A numeric reference to a code point XML does not allow (kept verbatim). */
  | { kind: 'invalid'; raw: string; length: number }
  /** A `&` that does not start a reference at all. */
  | { kind: 'bare' };

/** Reads the character reference starting at `text[at] === '&'`. */
export function readReference(text: string, at: number): Reference {
  const semicolon = findSemicolon(text, at + 1);
  if (semicolon < 0) return { kind: 'bare' };
  const body = text.slice(at + 1, semicolon);
  const length = semicolon + 1 - at;
  if (body.startsWith('#')) return readNumeric(body, length);
  if (!/^[A-Za-z_:][\w.:-]*$/.test(body)) return { kind: 'bare' };
  const value = PREDEFINED[body];
  return value === undefined ? { kind: 'unknown', name: body, length } : { kind: 'decoded', value, length };
}

/** Whether a predefined or numeric reference starts at `at` (used to spot entity-encoded expressions). */
export function isDecodableReference(text: string, at: number): boolean {
  return text.charCodeAt(at) === 0x26 && readReference(text, at).kind === 'decoded';
}

/** Decodes every predefined and numeric reference in `text` once; anything else stays verbatim. */
export function decodeAll(text: string): string {
  if (!text.includes('&')) return text;
  let out = '';
  let from = 0;
  for (let i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1)) {
    const ref = readReference(text, i);
    if (ref.kind !== 'decoded') continue;
    out += text.slice(from, i) + ref.value;
    from = i + ref.length;
    i = from - 1;
  }
  return out + text.slice(from);
}

function findSemicolon(text: string, from: number): number {
  const limit = Math.min(text.length, from + MAX_REFERENCE_LENGTH);
  for (let i = from; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3b /* ; */) return i;
    if (!isReferenceChar(c)) return -1;
  }
  return -1;
}

function isReferenceChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || // 0-9
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x61 && c <= 0x7a) || // a-z
    c === 0x23 || // #
    c === 0x5f || // _
    c === 0x3a || // :
    c === 0x2d || // -
    c === 0x2e // .
  );
}

function readNumeric(body: string, length: number): Reference {
  const hex = /^#[xX]([0-9A-Fa-f]{1,8})$/.exec(body);
  const dec = /^#([0-9]{1,10})$/.exec(body);
  const digits = hex?.[1] ?? dec?.[1];
  if (digits === undefined) return { kind: 'bare' };
  const code = parseInt(digits, hex ? 16 : 10);
  if (!isXmlChar(code)) return { kind: 'invalid', raw: `&${body};`, length };
  return { kind: 'decoded', value: String.fromCodePoint(code), length };
}

/** XML 1.0 `Char`: tab, LF, CR, and the ranges without surrogates and U+FFFE/U+FFFF. */
function isXmlChar(code: number): boolean {
  if (code === 0x9 || code === 0xa || code === 0xd) return true;
  if (code >= 0x20 && code <= 0xd7ff) return true;
  if (code >= 0xe000 && code <= 0xfffd) return true;
  return code >= 0x10000 && code <= 0x10ffff;
}
