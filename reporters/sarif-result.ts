/**
 * The parts of a SARIF result made from a finding's three texts and its fix: `message.markdown` (message, detail,
 * fix, the live command as a code block), the GitHub line hash, and `fixes[]` from the exact replacements the caller
 * computed (ReporterOptions.fixes). Pure: nothing here reads a file.
 */
import type { Finding } from '../src/engine/types';
import { artifactLocation, type ArtifactUri } from './sarif-uri';
import type { TextReplacement } from './types';

/**
 * A SARIF `fix`, declared here rather than taken from `@types/sarif` (a development dependency), so that the
 * published declarations need nothing that is not installed with the package.
 */
export interface SarifFix {
  description: { text: string };
  artifactChanges: {
    artifactLocation: ArtifactUri;
    replacements: {
      deletedRegion: {
        charOffset: number;
        charLength: number;
        startLine: number;
        startColumn: number;
        endLine: number;
        endColumn: number;
      };
      insertedContent: { text: string };
    }[];
  }[];
}

type SarifReplacement = SarifFix['artifactChanges'][number]['replacements'][number];

/**
 * `primaryLocationLineHash` is our fingerprint itself (GitHub treats it as an opaque string): the same value as long
 * as the fingerprint is, wherever the line moves and whatever it says.
 */
export function lineHash(fingerprint: string): string {
  return fingerprint;
}

/**
 * Backslash-escapes what Markdown would read as markup in text we quote: a policy element `<validate-jwt>` would
 * otherwise vanish as an HTML tag, and `*` or `_` in a scope or URL turn into emphasis.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|~&#]/g, (c) => `\\${c}`);
}

/** A fenced code block that no backtick run inside `code` can close early. */
function codeBlock(code: string, language: string): string {
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${code}\n${fence}`;
}

/** Message, then why it fails at runtime, then the fix (and the live command to run, printed, never run). */
export function messageMarkdown(finding: Pick<Finding, 'message' | 'detail' | 'fix'>): string {
  const parts = [escapeMarkdown(finding.message)];
  if (finding.detail !== undefined && finding.detail !== '') parts.push(escapeMarkdown(finding.detail));
  if (finding.fix !== undefined) {
    parts.push(`**Fix:** ${escapeMarkdown(finding.fix.text)}`);
    if (finding.fix.command !== undefined) parts.push(codeBlock(finding.fix.command, 'sh'));
  }
  return parts.join('\n\n');
}

function replacementOf(edit: TextReplacement): SarifReplacement {
  return {
    deletedRegion: {
      charOffset: edit.offset,
      charLength: edit.length,
      startLine: edit.startLine,
      startColumn: edit.startColumn,
      endLine: edit.endLine,
      endColumn: edit.endColumn,
    },
    insertedContent: { text: edit.text },
  };
}

/**
 * One SARIF fix for a finding's replacements: described by the fix text, its changes grouped by file in the order
 * the files first appear. Undefined without a replacement.
 */
export function sarifFix(
  finding: Pick<Finding, 'message' | 'fix'>,
  replacements: readonly TextReplacement[],
  baseDir: string | undefined,
): SarifFix | undefined {
  if (replacements.length === 0) return undefined;
  const byFile = new Map<string, TextReplacement[]>();
  for (const edit of replacements) byFile.set(edit.file, [...(byFile.get(edit.file) ?? []), edit]);
  return {
    description: { text: finding.fix?.text ?? finding.message },
    artifactChanges: [...byFile].map(([file, edits]) => ({
      artifactLocation: artifactLocation(file, baseDir),
      replacements: edits.map(replacementOf),
    })),
  };
}
