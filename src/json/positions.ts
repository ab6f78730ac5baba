/**
 * Position-keeping JSON parsing: the parsed value plus a pointer -> line/column index, so findings can point
 * at the exact value inside a file instead of searching text.
 */
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { Position, PositionIndex } from '../inventory/types';

export interface JsonParseProblem {
  message: string;
  line: number;
  column: number;
}

/**
 * Deepest nesting of arrays and objects accepted in a JSON input. Real templates, snapshots and manifests stay
 * far below it; the parser and every walker of the value recurse, so a hostile file nested 100,000 deep must be
 * refused before it is parsed.
 */
export const MAX_JSON_DEPTH = 1000;

export interface ParsedJson {
  value: unknown;
  index: PositionIndex;
}

/** Escapes one reference token of a JSON pointer (RFC 6901). */
export function escapePointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function joinPointer(base: string, ...tokens: (string | number)[]): string {
  return base + tokens.map((t) => '/' + escapePointerToken(t)).join('');
}

/** Turns a character offset into a 1-based line/column using precomputed line starts. */
export function makeOffsetToPosition(text: string): (offset: number) => Position {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  }
  return (offset) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (lineStarts[lo] ?? 0) + 1 };
  };
}

/**
 * Parses strict JSON (a UTF-8 BOM is tolerated). Returns the value and a position index, or every syntax
 * problem with its line and column.
 */
export function parseJsonWithPositions(text: string): ParsedJson | { problems: JsonParseProblem[] } {
  // Positions are counted as editors show them: a UTF-8 BOM is not a column.
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const tooDeep = jsonDepthProblem(source);
  if (tooDeep) return { problems: [tooDeep] };
  const errors: ParseError[] = [];
  const root = parseTree(source, errors, { allowTrailingComma: false, disallowComments: true });
  const toPosition = makeOffsetToPosition(source);
  if (errors.length > 0 || !root) {
    const problems = errors.map((e) => ({
      message: `JSON syntax error: ${printParseErrorCode(e.error)}`,
      ...toPosition(e.offset),
    }));
    return { problems: problems.length ? problems : [{ message: 'empty document', line: 1, column: 1 }] };
  }
  const offsets = new Map<string, number>();
  indexNode(root, '', offsets);
  const index: PositionIndex = {
    locate(pointer) {
      const offset = offsets.get(pointer);
      return offset === undefined ? undefined : toPosition(offset);
    },
    locateOffset(pointer, decodedOffset) {
      const start = offsets.get(pointer);
      if (start === undefined || source.charCodeAt(start) !== 0x22 /* " */) return undefined;
      const raw = rawOffsetInString(source, start, decodedOffset);
      return raw === undefined ? undefined : toPosition(raw);
    },
  };
  return { value: toValue(root), index };
}

/**
 * A linear scan (no recursion) for nesting deeper than `limit`: the problem located at the first bracket past
 * the limit, or undefined. Strings are skipped, so brackets inside them do not count.
 */
export function jsonDepthProblem(text: string, limit: number = MAX_JSON_DEPTH): JsonParseProblem | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) {
        const position = makeOffsetToPosition(text)(i);
        return { message: `JSON nested deeper than ${limit} levels`, ...position };
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return undefined;
}

/**
 * Offset in the JSON text of the character at `decodedOffset` in the decoded value of the string literal
 * starting at `quote`. Escapes (`\n`, `\"`, `\u00e9`) are one decoded character but several raw ones;
 * a surrogate pair written as two `\u` escapes is two decoded UTF-16 units, like JavaScript strings.
 */
function rawOffsetInString(text: string, quote: number, decodedOffset: number): number | undefined {
  let raw = quote + 1;
  for (let decoded = 0; decoded < decodedOffset; decoded++) {
    const c = text.charCodeAt(raw);
    if (Number.isNaN(c) || c === 0x22) return undefined;
    if (c !== 0x5c /* \ */) raw += 1;
    else raw += text.charCodeAt(raw + 1) === 0x75 /* u */ ? 6 : 2;
  }
  return raw;
}

/**
 * Index of a plain text file (e.g. an APIOps `policy.xml`): pointer `''` is the whole file, and offsets are
 * into the text without its UTF-8 BOM (use `stripBom` on the text handed to the policy parser).
 */
export function textFileIndex(text: string): PositionIndex {
  const body = stripBom(text);
  const toPosition = makeOffsetToPosition(body);
  return {
    locate: (pointer) => (pointer === '' ? { line: 1, column: 1 } : undefined),
    locateOffset: (pointer, offset) =>
      pointer === '' && offset >= 0 && offset <= body.length ? toPosition(offset) : undefined,
  };
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function indexNode(node: Node, pointer: string, offsets: Map<string, number>): void {
  offsets.set(pointer, node.offset);
  if (node.type === 'object') {
    for (const property of node.children ?? []) {
      const [keyNode, valueNode] = property.children ?? [];
      if (!keyNode || !valueNode) continue;
      indexNode(valueNode, joinPointer(pointer, String(keyNode.value)), offsets);
    }
  } else if (node.type === 'array') {
    (node.children ?? []).forEach((child, i) => indexNode(child, joinPointer(pointer, i), offsets));
  }
}

function toValue(node: Node): unknown {
  switch (node.type) {
    case 'object': {
      const result: Record<string, unknown> = {};
      for (const property of node.children ?? []) {
        const [keyNode, valueNode] = property.children ?? [];
        if (!keyNode || !valueNode) continue;
        const key = String(keyNode.value);
        // An own property named "__proto__", never the prototype (plain assignment would set it).
        if (key === '__proto__') {
          Object.defineProperty(result, key, {
            value: toValue(valueNode),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else {
          result[key] = toValue(valueNode);
        }
      }
      return result;
    }
    case 'array':
      return (node.children ?? []).map(toValue);
    default:
      return node.value;
  }
}
