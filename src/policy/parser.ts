/**
 * The tolerant APIM policy parser: policy text (`rawxml`, `xml` or unknown) -> `ParsedPolicy`. It reads what
 * APIM reads — unescaped policy expressions in `rawxml`, entity-encoded ones in `xml` — never resolves DTDs or
 * external entities, keeps an offset on every node, and never throws on bad input: problems it can read past
 * are `warnings`, a document broken beyond repair is `error` with its offset. See docs/policy-parser.md.
 */
import { makeOffsetToPosition } from '../json/positions';
import type { Position } from '../json/types';
import type { ParsedPolicy, PolicyAttribute, PolicyElement, PolicyNode, PolicyParseError } from './types';
import { PolicySyntaxError, Tokenizer, type ScanContext, type ScanMode, type Token } from './tokenizer';
import { none } from '../util/lists';

export type PolicyTextFormat = 'xml' | 'rawxml';

/** Deepest element nesting accepted; real policies nest about ten levels. Deeper input is an error. */
export const MAX_NESTING_DEPTH = 256;

/** Warnings kept per document; past this one more warning says how many were left out. */
export const MAX_WARNINGS = 100;

/** Prefix of the error message returned if the parser itself fails (a bug); never expected. */
export const INTERNAL_ERROR = 'internal policy parser error';

/** Name of the element that wraps several top-level elements (a partial snippet). */
export const SYNTHETIC_ROOT = '#document';

/**
 * Parses a policy document. `format` is the ARM `format` of the text (`xml`: expressions entity-encoded,
 * decoded once; `rawxml`: expressions as written). `undefined` detects: the text is read as `rawxml` (a
 * superset), and when an expression in it is evidently entity-encoded the document is read as `xml` if it is
 * well-formed. An `xml` document that only parses as `rawxml` is returned as such, with a warning.
 */
export function parsePolicy(text: string, format: PolicyTextFormat | undefined): ParsedPolicy {
  if (format === undefined) return detect(text);
  const first = parseWith(text, format).parsed;
  if (format === 'rawxml' || first.error === undefined) return first;
  const raw = parseWith(text, 'rawxml').parsed;
  if (raw.error !== undefined) return first;
  const where = formatPosition(text, first.error.offset);
  const note = `format is xml but the text is not well-formed XML at ${where} (${first.error.message}); read as rawxml`;
  return { ...raw, warnings: [{ message: note, offset: first.error.offset }, ...raw.warnings] };
}

function detect(text: string): ParsedPolicy {
  const raw = parseWith(text, 'detect');
  if (!raw.encoded) return raw.parsed;
  const xml = parseWith(text, 'xml').parsed;
  return xml.error === undefined ? xml : raw.parsed;
}

/** 1-based line and column of `offset` in `text` (lines end at `\n`; a `\r` before it is a column). */
export function lineColumn(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  const end = Math.max(0, Math.min(offset, text.length));
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

function formatPosition(text: string, offset: number): string {
  const { line, column } = lineColumn(text, offset);
  return `${line}:${column}`;
}

interface OpenElement {
  element: PolicyElement;
}

interface BuildState {
  ctx: ScanContext;
  stack: OpenElement[];
  topLevel: PolicyNode[];
}

interface Attempt {
  parsed: ParsedPolicy;
  /** An expression was entity-encoded (only tracked when reading raw). */
  encoded: boolean;
}

function parseWith(text: string, mode: ScanMode): Attempt {
  const warnings: PolicyParseError[] = [];
  let dropped = 0;
  let toPosition: ((offset: number) => Position) | undefined;
  const ctx: ScanContext = {
    text,
    mode,
    warn: (message, offset) => {
      if (warnings.length >= MAX_WARNINGS) dropped++;
      else warnings.push({ message: typeof message === 'string' ? message : message(), offset });
    },
    at: (offset) => {
      toPosition ??= makeOffsetToPosition(text);
      const { line, column } = toPosition(offset);
      return `${line}:${column}`;
    },
  };
  const tokenizer = new Tokenizer(ctx);
  const finish = (root: PolicyElement | undefined, error: PolicyParseError | undefined): Attempt => {
    const last = warnings[warnings.length - 1];
    if (dropped > 0 && last)
      warnings.push({ message: `${dropped} more warnings not shown`, offset: last.offset });
    return { parsed: { root, error, warnings }, encoded: tokenizer.sawEncodedExpression };
  };
  try {
    return finish(build(ctx, tokenizer), undefined);
  } catch (e) {
    if (e instanceof PolicySyntaxError) return finish(undefined, { message: e.message, offset: e.offset });
    // A bug, not bad input: still no crash for the caller, and a message the fuzz tests look for.
    return finish(undefined, { message: `${INTERNAL_ERROR}: ${String(e)}`, offset: 0 });
  }
}

function build(ctx: ScanContext, tokenizer: Tokenizer): PolicyElement {
  const state: BuildState = { ctx, stack: [], topLevel: [] };
  for (let token = tokenizer.next(); token !== undefined; token = tokenizer.next()) {
    accept(state, token);
  }
  closeAtEnd(state);
  compact(state.topLevel);
  return chooseRoot(state);
}

/**
 * Trims the arrays filled by `push` while parsing (V8 gives a pushed-to array room for 17 or more entries) to their
 * length: parsed policies stay in memory for the whole audit, and most elements have few children or attributes.
 */
function compact(nodes: PolicyNode[]): void {
  // One frozen empty array for every element without attributes / children (nothing changes a parsed tree).
  const NO_ATTRIBUTES = none<PolicyAttribute>();
  const NO_CHILDREN = none<PolicyNode>();
  const pending: PolicyNode[] = [...nodes];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (node.type !== 'element') continue;
    node.attributes = node.attributes.length > 0 ? node.attributes.slice() : NO_ATTRIBUTES;
    node.children = node.children.length > 0 ? node.children.slice() : NO_CHILDREN;
    for (const child of node.children) if (child.type === 'element') pending.push(child);
  }
}

function accept(state: BuildState, token: Token): void {
  switch (token.type) {
    case 'start':
      return openElement(state, token);
    case 'end':
      return closeElement(state, token);
    case 'text':
      if (token.value.trim() === '') return;
      return append(state, {
        type: 'text',
        value: token.value,
        offset: token.offset,
        expression: token.expression,
      });
    case 'comment':
      return append(state, { type: 'comment', value: token.value, offset: token.offset });
    case 'cdata':
      return append(state, { type: 'cdata', value: token.value, offset: token.offset });
  }
}

function append(state: BuildState, node: PolicyNode): void {
  const parent = state.stack[state.stack.length - 1];
  if (parent) {
    parent.element.children.push(node);
    return;
  }
  if (node.type === 'text' || node.type === 'cdata') {
    state.ctx.warn(
      `${node.type === 'text' ? 'text' : 'CDATA'} outside the root element ignored`,
      node.offset,
    );
    return;
  }
  state.topLevel.push(node);
}

function openElement(state: BuildState, token: Extract<Token, { type: 'start' }>): void {
  const element: PolicyElement = {
    type: 'element',
    name: token.name,
    attributes: token.attributes,
    children: [],
    offset: token.offset,
    end: token.end,
    selfClosing: token.selfClosing,
  };
  append(state, element);
  if (token.selfClosing) return;
  if (state.stack.length >= MAX_NESTING_DEPTH) {
    throw new PolicySyntaxError(`elements nested deeper than ${MAX_NESTING_DEPTH} levels`, token.offset);
  }
  state.stack.push({ element });
}

/**
 * Matches an end tag. The innermost open element: closed. An element further out: the elements in between
 * were left open and are closed here (warning). Differing only in letter case: accepted (warning). Anything
 * else cannot be placed and is an error.
 */
function closeElement(state: BuildState, token: Extract<Token, { type: 'end' }>): void {
  const { ctx, stack } = state;
  const top = stack[stack.length - 1];
  if (top === undefined) {
    throw new PolicySyntaxError(`unexpected closing tag </${token.name}>: no element is open`, token.offset);
  }
  if (top.element.name === token.name) {
    stack.pop();
    top.element.end = token.end;
    return;
  }
  const index = findOpen(stack, token.name);
  if (index < 0 && top.element.name.toLowerCase() === token.name.toLowerCase()) {
    ctx.warn(
      () =>
        `closing tag </${token.name}> differs in case from <${top.element.name}> opened at ${ctx.at(top.element.offset)}`,
      token.offset,
    );
    stack.pop();
    top.element.end = token.end;
    return;
  }
  if (index < 0) {
    throw new PolicySyntaxError(
      `expected </${top.element.name}> to close <${top.element.name}> opened at ${ctx.at(top.element.offset)}, found </${token.name}>`,
      token.offset,
    );
  }
  while (stack.length > index + 1) {
    const open = stack.pop();
    if (open === undefined) break;
    const { element } = open;
    ctx.warn(
      () => `<${element.name}> opened at ${ctx.at(element.offset)} is not closed; closed by </${token.name}>`,
      token.offset,
    );
    element.end = token.offset;
  }
  const matched = stack.pop();
  if (matched) matched.element.end = token.end;
}

function findOpen(stack: OpenElement[], name: string): number {
  for (let i = stack.length - 1; i >= 0; i--) {
    if (stack[i]?.element.name === name) return i;
  }
  return -1;
}

function closeAtEnd(state: BuildState): void {
  const { ctx, stack } = state;
  for (const open of stack) {
    ctx.warn(
      () =>
        `<${open.element.name}> opened at ${ctx.at(open.element.offset)} is not closed at the end of the text`,
      ctx.text.length,
    );
    open.element.end = ctx.text.length;
  }
  stack.length = 0;
}

function chooseRoot(state: BuildState): PolicyElement {
  const elements = state.topLevel.filter((n): n is PolicyElement => n.type === 'element');
  const [first, second] = elements;
  if (first === undefined)
    throw new PolicySyntaxError(
      'no element found: the text is not a policy document',
      firstContent(state.ctx.text),
    );
  if (second === undefined) return first;
  state.ctx.warn(
    `${elements.length} top-level elements (a partial snippet); wrapped in a synthetic <${SYNTHETIC_ROOT}> element`,
    second.offset,
  );
  const nodes = state.topLevel;
  const last = nodes[nodes.length - 1] ?? second;
  return {
    type: 'element',
    name: SYNTHETIC_ROOT,
    attributes: [],
    children: nodes,
    offset: nodes[0]?.offset ?? first.offset,
    end: nodeEnd(last),
    selfClosing: false,
  };
}

/** End of a top-level node (nodes are in document order): a comment is `<!--` + value + `-->`. */
function nodeEnd(node: PolicyNode): number {
  if (node.type === 'element') return node.end;
  return node.type === 'comment' ? node.offset + node.value.length + 7 : node.offset;
}

function firstContent(text: string): number {
  const at = text.search(/[^\s\ufeff]/);
  return at < 0 ? 0 : at;
}

// ----- Helpers for consumers ---------------------------------------------------------------------------------

/** `element` and its descendants named `name`, in document order. */
export function findElements(root: PolicyElement, name: string): PolicyElement[] {
  const found: PolicyElement[] = [];
  const pending: PolicyElement[] = [root];
  for (let element = pending.pop(); element !== undefined; element = pending.pop()) {
    if (element.name === name) found.push(element);
    const children = childElements(element);
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child) pending.push(child);
    }
  }
  return found;
}

/** The elements under `root` (itself included) with one of `names`, each name's in document order: one walk. */
export function findElementsNamed(
  root: PolicyElement,
  names: readonly string[],
): Map<string, PolicyElement[]> {
  const found = new Map<string, PolicyElement[]>(names.map((n) => [n, []]));
  const pending: PolicyElement[] = [root];
  for (let element = pending.pop(); element !== undefined; element = pending.pop()) {
    found.get(element.name)?.push(element);
    const children = childElements(element);
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child) pending.push(child);
    }
  }
  return found;
}

/** The value of attribute `name` (decoded; expressions verbatim), or undefined when absent. */
export function attr(element: PolicyElement, name: string): string | undefined {
  return attribute(element, name)?.value;
}

/** Attribute `name` with its offsets, or undefined when absent (the first one if duplicated). */
export function attribute(element: PolicyElement, name: string): PolicyAttribute | undefined {
  return element.attributes.find((a) => a.name === name);
}

/** The element children (read-only: usually the children array itself, which most elements hold only elements in). */
export function childElements(element: PolicyElement): readonly PolicyElement[] {
  const { children } = element;
  for (let i = 0; i < children.length; i++) {
    if ((children[i] as PolicyNode).type !== 'element') {
      return children.filter((n): n is PolicyElement => n.type === 'element');
    }
  }
  return children as PolicyElement[];
}

/** The element's own text and CDATA, concatenated (not its descendants'); '' when it has none. */
export function elementText(element: PolicyElement): string {
  let text = '';
  for (const node of element.children) {
    if (node.type === 'text' || node.type === 'cdata') text += node.value;
  }
  return text;
}
