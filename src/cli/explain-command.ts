/**
 * `explain <rule-id>` prints the rule's documentation, as it always did; `explain <error code or pasted message>`
 * prints what the error means, where it shows, the configuration behind it, the rules that prevent it and the scan
 * that runs just those; `explain --list` lists every code. Nothing of the argument is echoed but a shortened,
 * escaped code in an error message (src/util/escape.ts).
 */
import { wrapWords } from '../../reporters/wrap';
import { AuditError } from '../errors';
import { MAX_EXPLAIN_INPUT, RUNTIME_ERRORS, entryName, lookupError, type RuntimeError } from '../explain';
import { unknownRuleMessage, type Registry } from '../registry';
import { escapeText } from '../util/escape';

const TOOL = 'apim-oauth-audit';
/** The README section on the `token` command. */
export const DEBUG_A_401 = 'README.md#debug-a-401';
const TOKEN_COMMAND = `${TOOL} token --source <your sources> --api <api> --method GET --url <path> - < token.txt`;
const WIDTH = 100;
const INDENT = '  ';

/** The scan that runs exactly the rules preventing `entry`, or undefined when none does. */
export function onlyCommand(entry: RuntimeError): string | undefined {
  return entry.rules.length > 0 ? `${TOOL} scan <your sources> --only ${entry.rules.join(',')}` : undefined;
}

function paragraph(text: string, indent = INDENT, rest = indent): string[] {
  return wrapWords(text, WIDTH - indent.length, WIDTH - rest.length).map(
    (line, i) => `${i === 0 ? indent : rest}${line}`,
  );
}

function bullets(items: readonly string[]): string[] {
  return items.flatMap((item) => paragraph(item, `${INDENT}- `, `${INDENT}  `));
}

/** The explanation of one catalogue entry; `titles` gives each rule's title. */
export function formatExplanation(
  entry: RuntimeError,
  titles: Readonly<Record<string, string>>,
  recognised?: string,
): string {
  const [, ...aliases] = entry.codes;
  const lines = [
    `${entryName(entry)}${aliases.length > 0 ? ` (also ${aliases.join(', ')})` : ''}: ${entry.title}`,
  ];
  if (recognised !== undefined) lines.push(`(recognised in the text: ${recognised})`);
  lines.push('', 'Where you see it', ...paragraph(entry.where));
  const preventable = entry.rules.length > 0;
  lines.push('', preventable ? 'Configuration that causes it' : 'What causes it', ...bullets(entry.causes));
  lines.push('', 'Rules that prevent it');
  if (!preventable) {
    lines.push(...paragraph(`None. ${'noRule' in entry ? entry.noRule : ''}`.trim()));
  } else {
    lines.push(...bullets(entry.rules.map((id) => `${id}: ${titles[id] ?? ''}`)));
    lines.push('', 'Audit just that', `${INDENT}${onlyCommand(entry) ?? ''}`);
    lines.push(...paragraph(`How to fix what it finds: ${TOOL} explain <rule-id>.`));
  }
  if (entry.manual !== undefined) lines.push('', 'Check by hand', ...paragraph(entry.manual));
  if (entry.token === true) {
    lines.push(
      '',
      'Debug a token that gets it',
      `${INDENT}${TOKEN_COMMAND}`,
      ...paragraph(
        `Decodes the token locally (no signature check, no network) and runs the checks of the operation's effective inbound policy: the first that fails, its policy element (file:line) and the fix. See ${DEBUG_A_401}.`,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `explain --list`: every entry, its codes and one line of meaning. */
export function formatList(): string {
  const names = RUNTIME_ERRORS.map((entry) =>
    entry.codes.length > 0 ? entry.codes.join(', ') : entryName(entry),
  );
  const column = Math.min(28, Math.max(...names.map((n) => n.length)));
  const lines = [
    `Errors '${TOOL} explain <code>' knows (${RUNTIME_ERRORS.length}); a pasted message works too:`,
    '',
  ];
  RUNTIME_ERRORS.forEach((entry, i) => {
    const name = names[i] ?? '';
    const meaning = `${entry.title}${entry.rules.length === 0 ? ' (no rule: check by hand)' : ''}`;
    if (name.length > column) {
      lines.push(name, ...paragraph(meaning, ' '.repeat(column + 2)));
    } else {
      lines.push(...paragraph(meaning, name.padEnd(column + 2), ' '.repeat(column + 2)));
    }
  });
  return `${lines.join('\n')}\n`;
}

/** A word of the argument, safe to quote in a message: control characters escaped, at most 60 characters. */
function quoted(text: string): string {
  const escaped = escapeText(text);
  return escaped.length > 60 ? `${escaped.slice(0, 57)}...` : escaped;
}

/** A rule id in form (kebab-case, or `<plugin>/<rule-id>`): an unknown one gets the rule "did you mean". */
const RULE_ID_FORM = /^([a-z0-9]+(-[a-z0-9]+)*\/)?[a-z0-9]+(-[a-z0-9]+)+$/;

/**
 * What `explain` prints for `target` (a rule id of `registry`, an error code or a pasted message), or `--list`
 * (target undefined). Throws AuditError (exit 2) for an unknown rule id or code, and for both or neither.
 */
export function explainText(target: string | undefined, list: boolean, registry: Registry): string {
  if (list && target !== undefined) {
    throw new AuditError('usage', 'explain: give a rule id or an error code, or --list, not both.');
  }
  if (target === undefined) {
    if (list) return formatList();
    throw new AuditError(
      'usage',
      `explain: name a rule id or an error code (e.g. explain AADSTS50011), or run '${TOOL} explain --list'.`,
    );
  }
  const rule = registry.rules.find((r) => r.id === target);
  if (rule) {
    const doc = registry.docs[rule.id]?.docs;
    return doc ?? `# ${rule.meta.title}\n\n(No documentation was found for rule '${rule.id}'.)\n`;
  }
  const found = lookupError(target);
  if (found.kind === 'found') {
    const titles = Object.fromEntries(registry.rules.map((r) => [r.id, r.meta.title]));
    const exact = target.trim().toLowerCase() === found.by.toLowerCase();
    return formatExplanation(found.entry, titles, exact ? undefined : found.by);
  }
  if (found.kind === 'too-long') {
    throw new AuditError(
      'usage',
      `explain: the argument is ${found.length} characters long (at most ${MAX_EXPLAIN_INPUT}); paste only the line with the error code.`,
    );
  }
  if (RULE_ID_FORM.test(target)) {
    throw new AuditError(
      'rule-unknown',
      unknownRuleMessage(
        target,
        registry.rules.map((r) => r.id),
      ),
    );
  }
  if (found.token === undefined && /while authorizing access via/i.test(target)) {
    throw new AuditError(
      'usage',
      "explain: this is the developer portal's wrapper around an Entra error; the code (AADSTS...) follows it in the popup: paste the whole message, or run 'apim-oauth-audit explain --list'.",
    );
  }
  const what =
    found.token !== undefined
      ? `unknown error code '${quoted(found.token)}'`
      : 'no error code or message it knows in the text';
  const near = found.suggestions.length > 0 ? `; closest known: ${found.suggestions.join(', ')}` : '';
  throw new AuditError(
    'usage',
    `explain: ${what}${near}. Run '${TOOL} explain --list' for every code it knows, or '${TOOL} rules' for the rule ids.`,
  );
}
