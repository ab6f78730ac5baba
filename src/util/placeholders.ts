/**
 * Placeholders in manifests that a tool substitutes before the manifest reaches Entra (domain reference §11):
 * Teams Toolkit / Microsoft 365 Agents Toolkit `${{VAR}}` (at provision time), token-replacement tasks `#{Token}#`
 * and `__Token__`, Azure Pipelines `$(var)`, and template engines `{{name}}` / `{%name%}` (when a project is
 * generated from a template). A value holding one is not the value Entra will see, so the manifest source carries it
 * as unknown (`Origin.unknown`) with the reason this module gives, never as a literal.
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

/** The placeholders in a text, in order of appearance per kind, with the kind of the first. */
function placeholdersIn(text: string, found: Map<string, string>): void {
  let rest = text;
  for (const kind of KINDS) {
    rest = rest.replace(kind.pattern, (match) => {
      if (!found.has(match)) found.set(match, kind.when);
      return ' ';
    });
  }
}

/**
 * Why a value is unknown when it holds placeholders (`placeholder ${{TAB_DOMAIN}} is substituted at provision time`),
 * or undefined when it holds none. A list is unknown as a whole when any of its strings holds one.
 */
export function placeholderReason(value: unknown): string | undefined {
  // The common case (no placeholder) allocates nothing: this runs for every value of every manifest.
  const texts = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
  if (!texts?.some((text) => typeof text === 'string' && MAYBE.test(text))) return undefined;
  const found = new Map<string, string>();
  for (const text of texts) if (typeof text === 'string') placeholdersIn(text, found);
  const [first] = found.values();
  if (first === undefined) return undefined;
  const names = [...found.keys()];
  return names.length === 1
    ? `placeholder ${names[0] ?? ''} is substituted ${first}`
    : `placeholders ${names.join(', ')} are substituted ${first}`;
}
