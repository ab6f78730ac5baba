/**
 * Safe edits of a policy text for `FixHint.policy`: replace an attribute value or an element's text, remove an
 * attribute, insert a child first in an element. Offsets are into the text exactly as given (`PolicyContract.value`,
 * a fragment's `properties.value`), as the parser's are. An edit is offered only where it is purely textual: the
 * value replaced is a literal (no `{{named value}}`, no policy expression, whose author meant something the rule
 * cannot rewrite), and the text is where the element's offsets point.
 */
import type { PolicyTextFix } from './contract';
import type { Origin } from '../../src/inventory/types';
import { isFragmentText, type PolicyText } from '../../src/policy/fragments';
import { attribute, childElements } from '../../src/policy/parser';
import type { StatementSource } from '../../src/policy/statements';
import type { PolicyElement } from '../../src/policy/types';

/** A policy text and where it lives: what an edit's offsets refer to. */
export interface EditableText {
  text: string;
  origin: Origin;
}

/** The text a statement is written in (the fragment's when inlined from one), or undefined when it has no origin. */
export function sourceText(source: StatementSource): EditableText | undefined {
  return source.fragment ? editable(source.fragment) : editable(source.document);
}

/** A policy document's or fragment's text, or undefined when it has no origin (nothing to edit). */
export function editable(text: PolicyText): EditableText | undefined {
  const value = isFragmentText(text) ? text.fragment.props.value : text.contract.value;
  return text.origin && value !== undefined ? { text: value, origin: text.origin } : undefined;
}

/** `&`, `<`, `>`, `"` and `'` escaped, for text and attribute values in either quote. */
export function xmlEscape(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Whether a written value is a plain literal: no named value, no policy expression. */
function isLiteral(raw: string): boolean {
  return !raw.includes('{{') && !raw.trimStart().startsWith('@');
}

function edit(at: EditableText, start: number, end: number, text: string): PolicyTextFix {
  return { origin: at.origin, start, end, text };
}

/** Replaces the value of attribute `name` of `element` by `value` (escaped); undefined when not a literal. */
export function replaceAttributeValue(
  at: EditableText | undefined,
  element: PolicyElement,
  name: string,
  value: string,
): PolicyTextFix | undefined {
  const a = attribute(element, name);
  if (!at || !a) return undefined;
  const quote = at.text.charAt(a.valueOffset - 1);
  if (quote !== '"' && quote !== "'") return undefined;
  const end = at.text.indexOf(quote, a.valueOffset);
  if (end < 0 || !isLiteral(at.text.slice(a.valueOffset, end))) return undefined;
  return edit(at, a.valueOffset, end, xmlEscape(value));
}

/**
 * Removes attribute `name` of `element` with the whitespace before it (` require-expiration-time="false"`);
 * undefined when it is not written as `name="value"`.
 */
export function removeAttribute(
  at: EditableText | undefined,
  element: PolicyElement,
  name: string,
): PolicyTextFix | undefined {
  const a = attribute(element, name);
  if (!at || !a) return undefined;
  const quote = at.text.charAt(a.valueOffset - 1);
  const end = at.text.indexOf(quote, a.valueOffset);
  if ((quote !== '"' && quote !== "'") || end < 0) return undefined;
  let start = a.offset;
  while (start > element.offset && /\s/.test(at.text.charAt(start - 1))) start--;
  return edit(at, start, end + 1, '');
}

/**
 * Replaces the text content of `element` (`<issuer>old</issuer>`) by `value` (escaped); undefined when the element
 * holds anything but literal text (child elements, comments, CDATA, a named value).
 */
export function replaceElementText(
  at: EditableText | undefined,
  element: PolicyElement,
  value: string,
): PolicyTextFix | undefined {
  if (!at || element.selfClosing || element.children.some((c) => c.type !== 'text')) return undefined;
  const start = startTagEnd(at.text, element);
  const end = at.text.lastIndexOf('</', element.end - 1);
  if (start === undefined || end < start || !isLiteral(at.text.slice(start, end))) return undefined;
  return edit(at, start, end, xmlEscape(value));
}

/** Removes `element` (start tag to end tag) from the text. */
export function removeElement(
  at: EditableText | undefined,
  element: PolicyElement,
): PolicyTextFix | undefined {
  return at ? edit(at, element.offset, element.end, '') : undefined;
}

/**
 * Inserts `xml` (already markup) first in `element`, just after its start tag, on a line of its own when the first
 * child is (with the same indentation); undefined for `<x />`.
 */
export function insertFirst(
  at: EditableText | undefined,
  element: PolicyElement,
  xml: string,
): PolicyTextFix | undefined {
  if (!at || element.selfClosing) return undefined;
  const start = startTagEnd(at.text, element);
  if (start === undefined) return undefined;
  const lead = /^\r?\n[ \t]*/.exec(at.text.slice(start, element.end))?.[0] ?? '';
  return edit(at, start, start, `${lead}${xml}`);
}

/**
 * Inserts `xml` (already markup) last in `element`, after its last child, on a line of its own when that child is
 * (with the same indentation); undefined for `<x />`.
 */
export function insertLast(
  at: EditableText | undefined,
  element: PolicyElement,
  xml: string,
): PolicyTextFix | undefined {
  if (!at || element.selfClosing) return undefined;
  const end = at.text.lastIndexOf('</', element.end - 1);
  if (end <= element.offset) return undefined;
  const last = childElements(element).at(-1);
  const lead = last ? /\r?\n[ \t]*$/.exec(at.text.slice(element.offset, last.offset))?.[0] : undefined;
  if (!last || lead === undefined) return edit(at, end, end, xml);
  return edit(at, last.end, last.end, `${lead}${xml}`);
}

/** Inserts ` name="value"` at the end of `element`'s start tag (after its last attribute). */
export function addAttribute(
  at: EditableText | undefined,
  element: PolicyElement,
  name: string,
  value: string,
): PolicyTextFix | undefined {
  if (!at || attribute(element, name)) return undefined;
  const end = startTagEnd(at.text, element);
  if (end === undefined) return undefined;
  // Before `>` or `/>`, keeping what separates the last attribute from the tag's end.
  let pos = end - 1;
  if (at.text.charAt(pos - 1) === '/') pos--;
  while (pos > element.offset && /\s/.test(at.text.charAt(pos - 1))) pos--;
  return edit(at, pos, pos, ` ${name}="${xmlEscape(value)}"`);
}

/** The offset just after the `>` of `element`'s start tag (quoted attribute values skipped). */
function startTagEnd(text: string, element: PolicyElement): number | undefined {
  if (text.charAt(element.offset) !== '<') return undefined;
  let quote: string | undefined;
  for (let i = element.offset + 1; i < element.end; i++) {
    const c = text.charAt(i);
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i + 1;
  }
  return undefined;
}
