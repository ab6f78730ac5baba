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
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const bomShift = source === text ? 0 : 1;
  const errors: ParseError[] = [];
  const root = parseTree(source, errors, { allowTrailingComma: false, disallowComments: true });
  const toPosition = makeOffsetToPosition(text);
  if (errors.length > 0 || !root) {
    const problems = errors.map((e) => ({
      message: `JSON syntax error: ${printParseErrorCode(e.error)}`,
      ...toPosition(e.offset + bomShift),
    }));
    return { problems: problems.length ? problems : [{ message: 'empty document', line: 1, column: 1 }] };
  }
  const offsets = new Map<string, number>();
  indexNode(root, '', offsets);
  const index: PositionIndex = {
    locate(pointer) {
      const offset = offsets.get(pointer);
      return offset === undefined ? undefined : toPosition(offset + bomShift);
    },
  };
  return { value: toValue(root), index };
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
        if (keyNode && valueNode) result[String(keyNode.value)] = toValue(valueNode);
      }
      return result;
    }
    case 'array':
      return (node.children ?? []).map(toValue);
    default:
      return node.value;
  }
}
