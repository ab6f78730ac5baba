/**
 * `explain <code>`: from what the user typed or pasted to a catalogue entry. A code is found anywhere in the text
 * (`AADSTS50011: The redirect URI ...`), case-insensitively; a message without a code is recognised by its words.
 * Pure: the CLI prints the result.
 */
import { editDistance } from '../registry';
import { ENTRA_ERRORS } from './entra-errors';
import { GATEWAY_ERRORS } from './gateway-errors';
import type { RuntimeError } from './types';

/** Every error `explain` knows, in the order `explain --list` shows them: Entra, then gateway and portal. */
export const RUNTIME_ERRORS: readonly RuntimeError[] = [...ENTRA_ERRORS, ...GATEWAY_ERRORS];

/**
 * The longest argument read. A pasted error popup or trace line is a few hundred characters; a whole log is not
 * what `explain` is for, and reading it would only make a stray code in it look like the answer.
 */
export const MAX_EXPLAIN_INPUT = 4096;

export type Lookup =
  | {
      kind: 'found';
      entry: RuntimeError;
      /** The code or message text that matched, as the catalogue spells it. */ by: string;
    }
  | { kind: 'too-long'; length: number }
  /** `token`: the code-like word the suggestions are for, when there was one. */
  | { kind: 'unknown'; token?: string; suggestions: string[] };

const byCode = new Map<string, { entry: RuntimeError; code: string }>();
for (const entry of RUNTIME_ERRORS) {
  for (const code of entry.codes) byCode.set(code.toLowerCase(), { entry, code });
}

/** Every code and name the catalogue knows, as spelled there. */
export function knownCodes(): string[] {
  return RUNTIME_ERRORS.flatMap((entry) => entry.codes);
}

function fold(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The first word of `text` that is a known code (`AADSTS50011:` and `(IDX10205)` included). */
function codeIn(text: string): { entry: RuntimeError; code: string } | undefined {
  for (const [word] of text.matchAll(/[A-Za-z][A-Za-z0-9]*/g)) {
    const known = byCode.get(word.toLowerCase());
    if (known) return known;
  }
  return undefined;
}

/** A bare number: the AADSTS code, else the IDX code, with that number. */
function bareNumber(text: string): { entry: RuntimeError; code: string } | undefined {
  if (!/^\d{1,9}$/.test(text)) return undefined;
  return byCode.get(`aadsts${text}`) ?? byCode.get(`idx${text}`);
}

/** The entry whose message text occurs first in `text`. */
function messageIn(text: string): { entry: RuntimeError; message: string } | undefined {
  const folded = fold(text);
  let best: { entry: RuntimeError; message: string; at: number } | undefined;
  for (const entry of RUNTIME_ERRORS) {
    for (const message of entry.messages) {
      const at = folded.indexOf(fold(message));
      if (at >= 0 && (!best || at < best.at)) best = { entry, message, at };
    }
  }
  return best;
}

const NUMBERED = /^(AADSTS|IDX)(\d+)$/i;

/**
 * The nearest known codes to an unknown one: for `AADSTS50012`, the AADSTS codes whose number is fewest edits away
 * (then numerically nearest); for another word, the codes nearest by edit distance, when near enough to be a typo.
 */
export function nearestCodes(token: string, limit = 3): string[] {
  const numbered = NUMBERED.exec(token);
  if (numbered) {
    const prefix = (numbered[1] ?? '').toUpperCase();
    const digits = numbered[2] ?? '';
    return knownCodes()
      .map((code) => ({ code, match: NUMBERED.exec(code) }))
      .filter(({ match }) => match?.[1] === prefix)
      .map(({ code, match }) => {
        const theirs = match?.[2] ?? '';
        return { code, d: editDistance(digits, theirs), gap: Math.abs(Number(digits) - Number(theirs)) };
      })
      .sort((a, b) => a.d - b.d || a.gap - b.gap || (a.code < b.code ? -1 : 1))
      .slice(0, limit)
      .map(({ code }) => code);
  }
  const lower = token.toLowerCase();
  const threshold = Math.max(3, Math.floor(token.length / 3));
  return knownCodes()
    .map((code) => ({ code, d: editDistance(lower, code.toLowerCase()) }))
    .filter(({ d }) => d <= threshold)
    .sort((a, b) => a.d - b.d || (a.code < b.code ? -1 : 1))
    .slice(0, limit)
    .map(({ code }) => code);
}

/** What the user typed or pasted -> the entry it names, or why none. */
export function lookupError(input: string): Lookup {
  if (input.length > MAX_EXPLAIN_INPUT) return { kind: 'too-long', length: input.length };
  const text = input.trim();
  const code = bareNumber(text) ?? codeIn(text);
  if (code) return { kind: 'found', entry: code.entry, by: code.code };
  const message = messageIn(text);
  if (message) return { kind: 'found', entry: message.entry, by: message.message };
  const token = /\b(?:AADSTS|IDX)\d+\b/i.exec(text)?.[0] ?? (/^\S+$/.test(text) ? text : undefined);
  if (token === undefined) return { kind: 'unknown', suggestions: [] };
  // Suggestions for the word itself, without what trails it (`TokenExpird.`, `IDX10206:`).
  return { kind: 'unknown', token, suggestions: nearestCodes(/^[A-Za-z0-9]+/.exec(token)?.[0] ?? token) };
}
