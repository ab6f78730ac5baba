/**
 * The outline of a policy section as the HTML report shows it (src/engine/policy-chains.ts): rebuilt from the parsed
 * policy, never copied from its text, so that the value of a literal secret is never rebuilt; each line located in
 * its file, marked, and flagged where a finding points. Bounded per section and by a budget shared by the whole view.
 */
import type { PositionIndex } from '../json/types';
import type { PolicyDocument } from '../policy/documents';
import { includedFragmentId } from '../policy/fragments';
import { literalSecretsIn } from '../policy/secrets';
import type { PolicyElement } from '../policy/types';
import { locateTextOffset } from './locate';
import type { ChainLine, ChainMark } from './policy-chain-types';
import type { Location } from './types';

/** Lines of one section's outline. */
export const MAX_OUTLINE_LINES = 80;
/** Longest text of an outline line, and of one attribute value in it (characters). */
export const MAX_TEXT = 200;
const MAX_VALUE = 120;
const REDACTED = '[redacted]';

/** What happens to each token validation (and each included fragment holding one) on a path. */
export interface Marks {
  /** Key: the element, or `fragment:<id>` for an `<include-fragment>`, within its policy. */
  statements: Map<PolicyDocument, Map<PolicyElement | string, { mark: ChainMark; note: string }>>;
  /** Policies whose inbound has no `<base />` and drops what broader scopes run: `lost` when a token validation. */
  drops: Map<PolicyDocument, { mark: ChainMark; note: string }>;
}

export interface OutlineContext {
  files: Readonly<Record<string, PositionIndex>>;
  /** Where the chain's findings point (`lineKey`). */
  lines: ReadonlySet<string>;
  /** Outline lines the whole view may still take. */
  budget: { lines: number };
}

/**
 * Where a finding points, to match outline lines against: file, line and column when it has one (a policy in a
 * JSON string is one line of the file), else file and line.
 */
export function lineKey(location: Location, withColumn = true): string {
  const column = withColumn ? (location.column ?? '') : '';
  return `${location.file ?? ''}\u0000${location.line ?? ''}\u0000${column}`;
}

export function locateIn(
  document: PolicyDocument,
  offset: number,
  files: OutlineContext['files'],
): Location | undefined {
  const { origin } = document;
  if (!origin?.file) return undefined;
  return locateTextOffset({ origin, offset }, files) ?? { file: origin.file };
}

/**
 * The section as indented lines: each element's start tag (attributes in full up to MAX_VALUE characters), each
 * text and CDATA value; comments left out. Values of literal secrets are replaced, never rebuilt. The walk stops at
 * the outline's limit (or when the view's budget is spent), so a huge policy costs no more than a small one.
 */
export function outlineOf(
  section: PolicyElement,
  document: PolicyDocument,
  marks: Marks,
  context: OutlineContext,
): { lines: ChainLine[]; omitted: number } {
  const secrets = new Set(literalSecretsIn(document).map((s) => s.element));
  const byKey = marks.statements.get(document);
  const lines: ChainLine[] = [];
  const limit = Math.min(MAX_OUTLINE_LINES, context.budget.lines);
  const push = (line: ChainLine, offset: number): boolean => {
    if (lines.length >= limit) return false;
    const location = locateIn(document, offset, context.files);
    const finding =
      location?.line !== undefined &&
      (context.lines.has(lineKey(location)) || context.lines.has(lineKey(location, false)));
    lines.push({ ...line, ...(location ? { location } : {}), ...(finding ? { finding: true } : {}) });
    return true;
  };
  const visit = (element: PolicyElement, depth: number): boolean => {
    const key = element.name === 'include-fragment' ? `fragment:${includedFragmentId(element)}` : element;
    const marked = depth === 0 ? marks.drops.get(document) : byKey?.get(key);
    if (!push({ depth, text: startTag(element, secrets.has(element)), ...(marked ?? {}) }, element.offset)) {
      return false;
    }
    for (const node of element.children) {
      if (node.type === 'element') {
        if (!visit(node, depth + 1)) return false;
      } else if (node.type === 'text' || node.type === 'cdata') {
        const text = node.value.replace(/\s+/g, ' ').trim();
        if (text === '') continue;
        const shown = secrets.has(element) ? REDACTED : cut(text, MAX_TEXT);
        if (!push({ depth: depth + 1, text: shown }, node.offset)) return false;
      }
    }
    return true;
  };
  visit(section, 0);
  context.budget.lines -= lines.length;
  return { lines, omitted: outlineSize(section) - lines.length };
}

const outlineSizes = new WeakMap<PolicyElement, number>();

/** How many lines the whole outline of an element has (memoised: readings of equal texts share their trees). */
function outlineSize(element: PolicyElement): number {
  const known = outlineSizes.get(element);
  if (known !== undefined) return known;
  let size = 1;
  for (const node of element.children) {
    if (node.type === 'element') size += outlineSize(node);
    else if ((node.type === 'text' || node.type === 'cdata') && node.value.trim() !== '') size++;
  }
  outlineSizes.set(element, size);
  return size;
}

function startTag(element: PolicyElement, secret: boolean): string {
  const attributes = element.attributes.map((a) => {
    const value = secret && a.name === 'password' ? REDACTED : cut(a.value, MAX_VALUE);
    return ` ${a.name}="${value}"`;
  });
  const empty = element.children.every((n) => n.type === 'comment');
  return cut(`<${element.name}${attributes.join('')}${empty ? ' />' : '>'}`, MAX_TEXT);
}

export function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
