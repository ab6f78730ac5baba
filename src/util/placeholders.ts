/**
 * Placeholders that a tool substitutes before a value reaches Entra (domain reference §11): Teams Toolkit /
 * Microsoft 365 Agents Toolkit `${{VAR}}` (at provision time), token-replacement tasks `#{Token}#` and
 * `__Token__`, Azure Pipelines `$(var)`, and template engines `{{name}}` / `{%name%}` (when a project is generated
 * from a template). A value holding one is not the value Entra will see: sources carry it as unknown
 * (`Origin.unknown`), or, for a string of a list kept as written, mark the placeholder-bearing string
 * (`Origin.placeholders`) so that rules judge only the text outside the placeholders (`placeholderSpans`).
 * On the ground floor because sources find placeholders and rules read around them.
 */

interface PlaceholderKind {
  pattern: RegExp;
  /** When the placeholder is replaced, for the reason text. */
  when: string;
}

/** In this order: `${{X}}` first, since it contains the mustache `{{X}}`. */
const KINDS: readonly PlaceholderKind[] = [
  { pattern: /\$\{\{\s*[A-Za-z_][\w.-]*\s*\}\}/g, when: 'at provision time' },
  { pattern: /#\{[^{}#\s]+\}#/g, when: 'at deployment time (token replacement)' },
  { pattern: /__[A-Za-z][\w.-]*?__/g, when: 'at deployment time (token replacement)' },
  { pattern: /\$\([A-Za-z_][\w.-]*\)/g, when: 'at deployment time (pipeline variable)' },
  { pattern: /\{\{\s*[#^/]?[\w.-]+\s*\}\}/g, when: 'when the template is instantiated' },
  { pattern: /\{%\s*[\w.-]+\s*%\}/g, when: 'when the template is instantiated' },
];

/** Cheap test that rules out almost every real value (URIs, GUIDs, names) before the patterns run. */
const MAYBE = /[{(]|__/;

/** A placeholder in a text: `[start, end)` and the placeholder as written. */
export interface PlaceholderSpan {
  start: number;
  end: number;
  text: string;
  /** When it is replaced, for reason texts. */
  when: string;
}

/** The placeholders of a text, in order of position (none: `[]`). */
export function placeholderSpans(text: string): PlaceholderSpan[] {
  if (!MAYBE.test(text)) return [];
  const spans: PlaceholderSpan[] = [];
  let rest = text;
  for (const kind of KINDS) {
    // Found spans are blanked out (same length) so that a later, shorter pattern does not match inside them.
    rest = rest.replace(kind.pattern, (match: string, offset: number) => {
      spans.push({ start: offset, end: offset + match.length, text: match, when: kind.when });
      return ' '.repeat(match.length);
    });
  }
  return spans.sort((a, b) => a.start - b.start);
}

/** Whether a text holds a placeholder. */
export function hasPlaceholder(text: string): boolean {
  return placeholderSpans(text).length > 0;
}

/**
 * Why a value is unknown when it holds placeholders (`placeholder ${{TAB_DOMAIN}} is substituted at provision time`),
 * or undefined when it holds none. A list holds the placeholders of all its strings.
 */
export function placeholderReason(value: unknown): string | undefined {
  // The common case (no placeholder) allocates nothing, not even a list or a callback: this runs for every value
  // of every manifest.
  if (typeof value === 'string') return MAYBE.test(value) ? reasonOf([value]) : undefined;
  if (!Array.isArray(value)) return undefined;
  for (const text of value as unknown[]) {
    if (typeof text === 'string' && MAYBE.test(text)) return reasonOf(value as unknown[]);
  }
  return undefined;
}

/** `placeholderReason` of texts one of which may hold a placeholder. */
function reasonOf(texts: readonly unknown[]): string | undefined {
  const found = new Map<string, string>();
  for (const text of texts) {
    if (typeof text !== 'string') continue;
    for (const span of placeholderSpans(text)) if (!found.has(span.text)) found.set(span.text, span.when);
  }
  const [first] = found.values();
  if (first === undefined) return undefined;
  const names = [...found.keys()];
  return names.length === 1
    ? `placeholder ${names[0] ?? ''} is substituted ${first}`
    : `placeholders ${names.join(', ')} are substituted ${first}`;
}

/**
 * A pattern matching every text the value may become once its placeholders are substituted: the text outside them
 * literally, each placeholder as any text. `flags` as for RegExp (`i` where the comparison ignores case).
 */
export function substitutionPattern(text: string, flags = ''): RegExp {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let source = '';
  let at = 0;
  for (const span of placeholderSpans(text)) {
    source += `${escape(text.slice(at, span.start))}[^]*`;
    at = span.end;
  }
  return new RegExp(`^${source}${escape(text.slice(at))}$`, flags);
}

/**
 * The text with every placeholder replaced by `fill` repeated to the same length, so that positions and the
 * delimiters of the text outside the placeholders (`://`, `/`, `#`) stay where they are.
 */
export function maskPlaceholders(text: string, fill = '\u0000'): string {
  let out = '';
  let at = 0;
  for (const span of placeholderSpans(text)) {
    out += text.slice(at, span.start) + fill.repeat(span.end - span.start);
    at = span.end;
  }
  return out + text.slice(at);
}
