/**
 * Text for a terminal or a CI log, made from input-derived strings (names, paths, messages quoting values): control
 * characters are shown as escapes instead of being interpreted, and no line can start a GitHub workflow command
 * (`::error::`, `::add-mask::`, `::stop-commands::`) and no Azure Pipelines command (`##vso[...]`) can run. The text reporter and everything the CLI writes to stderr go
 * through here; the JSON and SARIF reports are escaped by JSON itself.
 */
import { mapStrings } from './json';

/**
 * C0 and C1 controls (ESC, OSC's BEL/ST, CR, LF, ...), DEL, the Unicode line/paragraph separators and the bidi
 * controls that reorder what a reader sees (Trojan Source).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same, keeping LF: for multi-line text whose line breaks are the tool's own (error lists, stack traces). */
const UNSAFE_BUT_LF =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`
    : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** One line of text with every control character shown as an escape (`\x1B`, `\n`, `\u202E`). */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** The tool's own SGR colour codes, which may precede a line's first visible character. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const SGR = /\u001b\[[0-9;]*m/g;
/**
 * A line the GitHub runner reads as a workflow command: `::` after leading white space (it trims with .NET's
 * `TrimStart`, which also drops U+0085 and the Unicode spaces).
 */
const COMMAND_LINE = /^[\s\u0085]*::/;

/**
 * An Azure Pipelines logging command (`##vso[task.setvariable ...]`) or formatting command (`##[error]`): the
 * agent looks for them anywhere in a line, in any case.
 */
const AZURE_COMMAND = /##(vso)?\[/gi;

/** `##vso[` as `##vso\x5B`: text that quotes the input can no longer run an Azure Pipelines command. */
export function neutralizeAzureCommands(text: string): string {
  return text.replace(AZURE_COMMAND, (command) => `${command.slice(0, -1)}\\x5B`);
}

/**
 * Lines that would start a GitHub workflow command get their first colon escaped (`\x3A:error::...`), and Azure
 * Pipelines commands anywhere are neutralized.
 */
export function neutralizeCommandLines(text: string): string {
  return neutralizeAzureCommands(text)
    .split('\n')
    .map((line) => (COMMAND_LINE.test(line.replace(SGR, '')) ? line.replace('::', '\\x3A:') : line))
    .join('\n');
}

/**
 * Multi-line text for a terminal or log: every control character but LF escaped, and no line starting a workflow
 * command. A leading CR (a progress line redrawn in place) is the caller's and kept.
 */
export function escapeLines(text: string): string {
  const lead = text.startsWith('\r') ? '\r' : '';
  return lead + neutralizeCommandLines(text.slice(lead.length).replace(UNSAFE_BUT_LF, escapeChar));
}

/** A copy of `value` with `escapeText` applied to every string in it (arrays and plain objects, recursively). */
export function escapeStrings<T>(value: T): T {
  return mapStrings(value, escapeText) as T;
}
