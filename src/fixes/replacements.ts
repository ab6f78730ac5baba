/**
 * A finding's `fix.edit` made exact against a file's current text: the replacements that apply it, touching only
 * the characters that change, or the reason it cannot be applied safely (the value there is an ARM expression, a
 * placeholder or a Terraform expression; the property is gone). Pure: the caller reads the file.
 */
import type { FormattingOptions, Node } from 'jsonc-parser';
import type { FixEdit } from '../engine/types';
import { jsoncParser, makeOffsetToPosition, rawOffsetInString } from '../json/positions';
import type { Position } from '../json/types';
import { hasPlaceholder } from '../util/placeholders';
import type { TextReplacement } from '../../reporters/types';

/** A replacement before lines and columns are known. */
interface RawReplacement {
  offset: number;
  length: number;
  text: string;
}

export type Exact = { replacements: TextReplacement[] } | { reason: string };

export function exactReplacements(edit: FixEdit, text: string): Exact {
  const raw = rawReplacements(edit, text);
  if ('reason' in raw) return raw;
  const positionOf = makeOffsetToPosition(text);
  return { replacements: raw.map((r) => withPosition(edit.file, r, positionOf)) };
}

function rawReplacements(edit: FixEdit, text: string): RawReplacement[] | { reason: string } {
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  switch (edit.kind) {
    case 'json':
      return jsonProperty(edit, text);
    case 'jsonString':
      return jsonStringRange(edit, text);
    case 'text': {
      const start = edit.start + bom;
      const end = edit.end + bom;
      if (start < bom || end < start || end > text.length)
        return { reason: 'the file changed since it was read' };
      if (edit.literalOnly && !isHclLiteral(text.slice(start, end))) {
        return {
          reason: 'the attribute is an expression, not a literal: change it where its value comes from',
        };
      }
      const written = text.slice(start, end);
      const laidOut = edit.items && written.includes('\n') ? listLike(written, edit.items) : edit.text;
      return [{ offset: start, length: end - start, text: laidOut }];
    }
  }
}

// ----- JSON properties ----------------------------------------------------------------------------------------

function jsonProperty(
  edit: Extract<FixEdit, { kind: 'json' }>,
  text: string,
): RawReplacement[] | { reason: string } {
  const root = jsoncParser().parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  if (!root) return { reason: 'the file is no longer valid JSON' };
  const current = jsoncParser().findNodeAtLocation(root, edit.path);
  const blocked = current ? notLiteral(current) : undefined;
  if (blocked) return { reason: blocked };
  if (!current && !parentExists(root, edit.path)) {
    return { reason: 'the object that should hold the property is not written in the file' };
  }
  if (edit.remove && !current) return [];
  if (
    current &&
    !edit.remove &&
    !text.slice(current.offset, current.offset + current.length).includes('\n')
  ) {
    // A value written on one line stays on one line (`"grantTypes": ["authorizationCode", "implicit"]`).
    const written = text.slice(current.offset, current.offset + current.length);
    return [
      { offset: current.offset, length: current.length, text: oneLine(edit.value, /,\s/.test(written)) },
    ];
  }
  const edits = jsoncParser().modify(text, edit.path, edit.remove ? undefined : edit.value, {
    formattingOptions: formattingOf(text),
  });
  return edits.map((e) => ({ offset: e.offset, length: e.length, text: e.content }));
}

/** A JSON value on one line, with a space after commas (and colons) when the text it replaces has them. */
function oneLine(value: unknown, spaced: boolean): string {
  if (Array.isArray(value)) return `[${value.map((v) => oneLine(v, spaced)).join(spaced ? ', ' : ',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(
      ([k, v]) => `${JSON.stringify(k)}:${spaced ? ' ' : ''}${oneLine(v, spaced)}`,
    );
    return spaced ? `{ ${entries.join(', ')} }` : `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Why a JSON value may not be replaced by a literal: an ARM expression or a placeholder computes it. */
function notLiteral(node: Node): string | undefined {
  const strings: string[] = [];
  collectStrings(node, strings);
  if (strings.some((s) => s.startsWith('[') && !s.startsWith('[['))) {
    return 'the value is an ARM template expression: change the parameter or variable it reads';
  }
  if (strings.some(hasPlaceholder))
    return 'the value holds a placeholder substituted later: change it where it is defined';
  return undefined;
}

function collectStrings(node: Node, into: string[]): void {
  if (node.type === 'string' && typeof node.value === 'string') into.push(node.value);
  for (const child of node.children ?? []) collectStrings(child, into);
}

/** Whether the object or array one level up of `path` exists (modify would create missing parents as well). */
function parentExists(root: Node, path: readonly (string | number)[]): boolean {
  if (path.length <= 1) return true;
  const parent = jsoncParser().findNodeAtLocation(root, path.slice(0, -1) as (string | number)[]);
  return parent !== undefined && (parent.type === 'object' || parent.type === 'array');
}

/** The file's own indentation and line ends, so inserted properties look like their neighbours. */
function formattingOf(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  return indent.startsWith('\t')
    ? { insertSpaces: false, tabSize: 1, eol }
    : { insertSpaces: true, tabSize: indent.length, eol };
}

// ----- a range inside a JSON string (a policy in an ARM `value`, a snapshot) ----------------------------------

function jsonStringRange(
  edit: Extract<FixEdit, { kind: 'jsonString' }>,
  text: string,
): RawReplacement[] | { reason: string } {
  const root = jsoncParser().parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  const node = root ? jsoncParser().findNodeAtLocation(root, edit.path) : undefined;
  if (!node || node.type !== 'string' || typeof node.value !== 'string') {
    return { reason: 'the policy text is no longer where it was read' };
  }
  const literal = text.slice(node.offset, node.offset + node.length);
  if (literal.startsWith('"[') && !literal.startsWith('"[[')) {
    return { reason: 'the policy text is an ARM template expression: change it where its value comes from' };
  }
  const start = rawOffsetInString(text, node.offset, edit.start);
  const end = rawOffsetInString(text, node.offset, edit.end);
  if (start === undefined || end === undefined || edit.end < edit.start) {
    return { reason: 'the policy text changed since it was read' };
  }
  return [{ offset: start, length: end - start, text: escapeJson(edit.text) }];
}

/** Text inserted into a JSON string: escaped as JSON.stringify does, without the quotes. */
function escapeJson(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

// ----- Terraform literals -----------------------------------------------------------------------------------

/**
 * List items laid out as the list they replace is (`[`, one item per line with its indentation, a trailing comma if
 * it had one, `]` indented as before), for a list written over several lines.
 */
function listLike(written: string, items: readonly string[]): string {
  const indent = /^\[[ \t]*\r?\n([ \t]*)/.exec(written)?.[1] ?? '  ';
  const close = /\n([ \t]*)\]$/.exec(written)?.[1] ?? '';
  const eol = written.includes('\r\n') ? '\r\n' : '\n';
  if (items.length === 0) return '[]';
  const trailing = /,\s*\]$/.test(written) ? ',' : '';
  return `[${eol}${items.map((i) => `${indent}${i}`).join(`,${eol}`)}${trailing}${eol}${close}]`;
}

/** A quoted string without interpolation, a number, a bool, null, or a list of those. */
export function isHclLiteral(expression: string): boolean {
  const text = expression.trim();
  if (/^(true|false|null|-?\d+(\.\d+)?)$/.test(text)) return true;
  if (/^"(?:[^"\\$%]|\\.|\$(?!\{)|%(?!\{))*"$/.test(text)) return true;
  if (text.startsWith('[') && text.endsWith(']')) {
    const inner = text.slice(1, -1).trim().replace(/,\s*$/, '');
    if (inner === '') return true;
    const items = inner.match(/"(?:[^"\\]|\\.)*"|[^,\s][^,]*/g) ?? [];
    return items.every((item) => isHclLiteral(item));
  }
  return false;
}

// ----- positions ----------------------------------------------------------------------------------------------

function withPosition(
  file: string,
  r: RawReplacement,
  positionOf: (offset: number) => Position,
): TextReplacement {
  const start = positionOf(r.offset);
  const end = positionOf(r.offset + r.length);
  return {
    file,
    offset: r.offset,
    length: r.length,
    text: r.text,
    startLine: start.line,
    startColumn: start.column,
    endLine: end.line,
    endColumn: end.column,
  };
}
