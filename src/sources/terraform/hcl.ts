/**
 * What the Terraform source does with scanned `.tf` text (hcl-scan.ts finds the blocks): the resource
 * blocks of a file, the text of heredoc strings, a position index that maps plan pointers to lines, and string
 * templates read from attribute expressions, so that a finding from a plan can be shown on the line of the
 * configuration that produced it and an unknown value can be rebuilt.
 */
import type { Position, PositionIndex } from '../../json/types';
import { makeOffsetToPosition, unescapePointerToken } from '../../json/positions';
import type { HclAttribute, HclBlock, HclHeredoc } from './hcl-scan';

export { scanHcl, type HclAttribute, type HclBlock, type HclHeredoc } from './hcl-scan';

/** The `resource "<type>" "<name>"` blocks of a file, keyed `<type>.<name>`. */
export function resourceBlocks(blocks: readonly HclBlock[]): Map<string, HclBlock> {
  const result = new Map<string, HclBlock>();
  for (const block of blocks) {
    if (block.type === 'resource' && block.labels.length === 2) {
      result.set(`${block.labels[0] ?? ''}.${block.labels[1] ?? ''}`, block);
    }
  }
  return result;
}

/**
 * The text a heredoc evaluates to, with a map from each of its characters back to the file offset. Interpolations
 * (`${ref}`) are replaced by what `substitute` returns for them (every character of the replacement maps to the
 * `$`); without `substitute`, or when it cannot resolve one, or for a `%{...}` directive, the result is undefined.
 */
export function heredocText(
  text: string,
  heredoc: HclHeredoc,
  substitute?: (reference: string) => string | undefined,
): { value: string; offsets: number[] } | undefined {
  const indents = heredoc.lines
    .filter((l) => text.slice(l.start, l.end).trim() !== '')
    .map((l) => /^[ \t]*/.exec(text.slice(l.start, l.end))?.[0].length ?? 0);
  // Not Math.min(...indents): a heredoc of more lines than a call takes arguments would throw RangeError.
  const indent = heredoc.indented && indents.length > 0 ? indents.reduce((a, b) => Math.min(a, b)) : 0;
  let value = '';
  const offsets: number[] = [];
  for (const line of heredoc.lines) {
    const start = Math.min(line.start + indent, line.end);
    for (let i = start; i < line.end; i++) {
      const c = text.charAt(i);
      if ((c === '$' || c === '%') && text.charAt(i + 1) === c && text.charAt(i + 2) === '{') {
        // `$${` / `%%{` are escapes for a literal `${` / `%{`.
        offsets.push(i + 1, i + 2);
        value += `${c}{`;
        i += 2;
        continue;
      }
      if (c === '%' && text.charAt(i + 1) === '{') return undefined;
      if (c === '$' && text.charAt(i + 1) === '{') {
        const end = text.indexOf('}', i + 2);
        const reference = end < 0 || end > line.end ? undefined : text.slice(i + 2, end).trim();
        const replacement = reference && TRAVERSAL.test(reference) ? substitute?.(reference) : undefined;
        if (replacement === undefined) return undefined;
        for (let k = 0; k < replacement.length; k++) offsets.push(i);
        value += replacement;
        i = end;
        continue;
      }
      offsets.push(i);
      value += c;
    }
    offsets.push(line.end);
    value += '\n';
  }
  return { value, offsets };
}

/** What the position index of one `.tf` file knows about one plan resource instance. */
export interface TfIndexEntry {
  /** JSON pointer of the resource instance in the plan (`/planned_values/.../resources/3`). */
  prefix: string;
  block: HclBlock;
  /** Verified text mappings of string attributes (heredoc policies), keyed by attribute name. */
  texts: Map<string, number[]>;
  /** The planned `values` of the instance, to find a list element by its value in the attribute's text. */
  values: unknown;
}

/**
 * Position index of a `.tf` file for plan pointers: a pointer under a resource instance resolves to the
 * attribute or nested block it names, else to the `resource` block itself; `locateOffset` maps into a heredoc
 * whose text is the planned value, else to the attribute.
 */
export function terraformFileIndex(text: string, entries: readonly TfIndexEntry[]): PositionIndex {
  const toPosition = makeOffsetToPosition(text);
  const entryFor = (pointer: string) =>
    entries.find((e) => pointer === e.prefix || pointer.startsWith(`${e.prefix}/`));
  const walk = (entry: TfIndexEntry, pointer: string): number => {
    const tokens = pointer.slice(entry.prefix.length).split('/').filter(Boolean).map(unescapePointerToken);
    let block = entry.block;
    if (tokens[0] !== 'values') return block.offset;
    let planned: unknown = entry.values;
    for (let i = 1; i < tokens.length; i++) {
      const token = tokens[i] ?? '';
      planned = child(planned, token);
      const attribute = block.attributes.get(token);
      if (attribute) return elementOffset(text, attribute, tokens.slice(i + 1), planned);
      const nested = nestedBlocks(block, token);
      const next = tokens[i + 1];
      if (nested.length === 0) return block.offset;
      if (next === undefined || !/^\d+$/.test(next)) return (nested[0] as HclBlock).offset;
      // Several blocks of one name (a set in the plan, sorted differently): the enclosing block is the honest answer.
      if (nested.length > 1) return block.offset;
      block = nested[0] as HclBlock;
      planned = child(planned, next);
      i++;
    }
    return block.offset;
  };
  return {
    locate(pointer: string): Position | undefined {
      const entry = entryFor(pointer);
      return entry ? toPosition(walk(entry, pointer)) : undefined;
    },
    valueSpan(pointer: string): { start: number; end: number } | undefined {
      const entry = entryFor(pointer);
      return entry ? attributeSpan(entry, pointer) : undefined;
    },
    locateOffset(pointer: string, offset: number): Position | undefined {
      const entry = entryFor(pointer);
      if (!entry) return undefined;
      const attribute = /\/values\/([^/]+)$/.exec(pointer)?.[1];
      const offsets = attribute ? entry.texts.get(attribute) : undefined;
      const mapped = offsets?.[offset];
      return toPosition(mapped ?? walk(entry, pointer));
    },
  };
}

/** The expression of the attribute a pointer names exactly (`.../values/api/0/requested_access_token_version`). */
function attributeSpan(entry: TfIndexEntry, pointer: string): { start: number; end: number } | undefined {
  const tokens = pointer.slice(entry.prefix.length).split('/').filter(Boolean).map(unescapePointerToken);
  if (tokens[0] !== 'values') return undefined;
  let block = entry.block;
  for (let i = 1; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    const attribute = block.attributes.get(token);
    if (attribute) {
      return i === tokens.length - 1 ? { start: attribute.valueOffset, end: attribute.valueEnd } : undefined;
    }
    const nested = nestedBlocks(block, token);
    const next = tokens[i + 1];
    if (nested.length !== 1 || next === undefined || !/^\d+$/.test(next)) return undefined;
    block = nested[0] as HclBlock;
    i++;
  }
  return undefined;
}

function child(value: unknown, token: string): unknown {
  if (Array.isArray(value)) return /^\d+$/.test(token) ? value[Number(token)] : undefined;
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[token] : undefined;
}

/**
 * Offset of a list element inside an attribute (`redirect_uris = [..., "https://x/cb", ...]`): the quoted
 * planned value found in the attribute's text; else the attribute's expression.
 */
function elementOffset(text: string, attribute: HclAttribute, rest: string[], planned: unknown): number {
  let value = planned;
  for (const token of rest) value = child(value, token);
  if (rest.length === 0 || typeof value !== 'string') return attribute.valueOffset;
  const found = text.slice(attribute.valueOffset, attribute.valueEnd).indexOf(JSON.stringify(value));
  return found < 0 ? attribute.valueOffset : attribute.valueOffset + found;
}

/** Nested blocks named `name`, looking through `dynamic "name" { content { ... } }`. */
function nestedBlocks(block: HclBlock, name: string): HclBlock[] {
  const direct = block.blocks.filter((b) => b.type === name && b.labels.length === 0);
  const dynamic = block.blocks
    .filter((b) => b.type === 'dynamic' && b.labels[0] === name)
    .map((b) => b.blocks.find((c) => c.type === 'content') ?? b);
  return [...direct, ...dynamic];
}

// ----- expressions: just enough to rebuild a value that is unknown at plan time -----------------------------

/** A piece of a string template: literal text, or a reference traversal to resolve. */
export type TemplatePart = { literal: string } | { reference: string };

/**
 * Reads an attribute expression as a list of string templates: a quoted template (`"api://${a.b.c}/x"`), a bare
 * reference (`a.b.c`), or a list of those (`["https://${x.y}/cb", "..."]`). Undefined for anything else
 * (function calls, conditionals, `for` expressions, template directives), which is then not rebuilt.
 */
export function readTemplates(expression: string): TemplatePart[][] | undefined {
  const text = expression.trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    const items = splitTopLevel(text.slice(1, -1));
    const parsed = items.map((item) => readTemplate(item.trim()));
    return parsed.every((p): p is TemplatePart[] => p !== undefined) ? parsed : undefined;
  }
  const single = readTemplate(text);
  return single ? [single] : undefined;
}

const TRAVERSAL = /^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\]|\["[^"\\]*"\])*$/;

function readTemplate(text: string): TemplatePart[] | undefined {
  if (TRAVERSAL.test(text)) return [{ reference: text }];
  if (!(text.startsWith('"') && text.endsWith('"')) || text.length < 2) return undefined;
  const body = text.slice(1, -1);
  const parts: TemplatePart[] = [];
  let literal = '';
  for (let i = 0; i < body.length; i++) {
    const c = body.charAt(i);
    if (c === '\\') {
      const next = body.charAt(i + 1);
      literal +=
        ({ n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' } as Record<string, string>)[next] ?? next;
      i++;
    } else if ((c === '$' || c === '%') && body.charAt(i + 1) === c && body.charAt(i + 2) === '{') {
      literal += `${c}{`;
      i += 2;
    } else if (c === '%' && body.charAt(i + 1) === '{') {
      return undefined;
    } else if (c === '$' && body.charAt(i + 1) === '{') {
      const end = body.indexOf('}', i + 2);
      if (end < 0) return undefined;
      const reference = body.slice(i + 2, end).trim();
      if (!TRAVERSAL.test(reference)) return undefined;
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ reference });
      i = end;
    } else if (c === '"') {
      return undefined;
    } else {
      literal += c;
    }
  }
  if (literal || parts.length === 0) parts.push({ literal });
  return parts;
}

/** Splits a list body on top-level commas (not inside strings or brackets). */
function splitTopLevel(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      items.push(text.slice(start, i));
      start = i + 1;
    }
  }
  const last = text.slice(start);
  if (last.trim() !== '') items.push(last);
  return items.map((item) => item.replace(/(^|\n)\s*(#|\/\/).*$/gm, '').trim()).filter(Boolean);
}
