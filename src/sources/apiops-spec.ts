/**
 * Operations of an APIOps API from its `specification.json` / `specification.yaml` (OpenAPI 2 or 3, as APIM
 * exports them: `operationId` is the operation's resource name). APIOps writes an `operations/<name>/` folder
 * only for operations with a policy, so the specification is where the other operations are listed.
 *
 * The YAML reader understands the block style APIM exports (`paths:` -> `/path:` -> `get:` -> `operationId:`);
 * anything else is reported as unreadable rather than half-read.
 */
import type { Origin, PositionIndex } from '../inventory/types';
import { joinPointer, parseJsonWithPositions } from '../json/positions';
import { isRecord } from '../util/json';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export interface SpecOperation {
  name: string;
  properties: { displayName?: string; method: string; urlTemplate: string };
  origin: Origin;
}

export type SpecResult = { operations: SpecOperation[]; index?: PositionIndex } | { problem: string };

export function jsonSpecOperations(text: string, file: string): SpecResult {
  const parsed = parseJsonWithPositions(text);
  if ('problems' in parsed) {
    const first = parsed.problems[0];
    return {
      problem: `${file}:${first?.line ?? 1}:${first?.column ?? 1}: ${first?.message ?? 'invalid JSON'}`,
    };
  }
  const paths = isRecord(parsed.value) ? parsed.value['paths'] : undefined;
  const operations: SpecOperation[] = [];
  for (const [urlTemplate, item] of Object.entries(isRecord(paths) ? paths : {})) {
    if (!isRecord(item)) continue;
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.includes(method.toLowerCase()) || !isRecord(operation)) continue;
      const name = operation['operationId'];
      if (typeof name !== 'string') continue;
      const pointer = joinPointer('/paths', urlTemplate, method);
      const properties: SpecOperation['properties'] = { method: method.toUpperCase(), urlTemplate };
      if (typeof operation['summary'] === 'string') properties.displayName = operation['summary'];
      operations.push({
        name,
        properties,
        origin: {
          file,
          pointer,
          paths: {
            'properties/displayName': joinPointer(pointer, 'summary'),
            'properties/method': pointer,
            'properties/urlTemplate': joinPointer('/paths', urlTemplate),
            name: joinPointer(pointer, 'operationId'),
          },
        },
      });
    }
  }
  return { operations, index: parsed.index };
}

interface Line {
  number: number;
  indent: number;
  text: string;
}

function meaningfulLines(text: string): Line[] {
  const lines: Line[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const body = raw.replace(/^\uFEFF/, '');
    const trimmed = body.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    lines.push({ number: i + 1, indent: body.length - body.trimStart().length, text: trimmed });
  });
  return lines;
}

function scalar(value: string): string {
  const v = value.replace(/\s+#.*$/, '').trim();
  if (v.startsWith("'") && v.endsWith("'") && v.length >= 2) return v.slice(1, -1).replace(/''/g, "'");
  if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) return JSON.parse(v) as string;
  return v;
}

/** `key: value` or `key:` of one YAML block-mapping line. */
function keyOf(text: string): { key: string; value: string } | undefined {
  const match = /^('(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|[^'"#][^:#]*?)\s*:(?:\s+(.*))?$/.exec(text);
  if (!match?.[1]) return undefined;
  return { key: scalar(match[1]), value: match[2] ?? '' };
}

export function yamlSpecOperations(text: string, file: string): SpecResult {
  const lines = meaningfulLines(text);
  const start = lines.findIndex((l) => l.indent === 0 && keyOf(l.text)?.key === 'paths');
  if (start < 0) return { operations: [] };
  const pathsLine = lines[start] as Line;
  const inline = keyOf(pathsLine.text)?.value ?? '';
  if (inline === '{}') return { operations: [] };
  if (inline !== '') return { problem: `${file}:${pathsLine.number}: "paths" is not a block mapping` };
  const body: Line[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.indent === 0) break;
    body.push(line);
  }
  const operations: SpecOperation[] = [];
  const pathIndent = body[0]?.indent ?? 0;
  for (let i = 0; i < body.length; i++) {
    const line = body[i] as Line;
    if (line.indent !== pathIndent) continue;
    const pathKey = keyOf(line.text);
    if (!pathKey || pathKey.value !== '') {
      return { problem: `${file}:${line.number}: cannot read the path entry '${line.text}'` };
    }
    let j = i + 1;
    const methodIndent = body[j]?.indent ?? 0;
    for (; j < body.length && (body[j] as Line).indent > pathIndent; j++) {
      const methodLine = body[j] as Line;
      const method = keyOf(methodLine.text);
      if (methodLine.indent !== methodIndent || !method || !METHODS.includes(method.key.toLowerCase()))
        continue;
      const fields = new Map<string, Line & { value: string }>();
      const fieldIndent = body[j + 1]?.indent ?? 0;
      for (let k = j + 1; k < body.length && (body[k] as Line).indent > methodIndent; k++) {
        const field = body[k] as Line;
        const kv = field.indent === fieldIndent ? keyOf(field.text) : undefined;
        if (kv) fields.set(kv.key, { ...field, value: kv.value });
      }
      const id = fields.get('operationId');
      if (!id) continue;
      const properties: SpecOperation['properties'] = {
        method: method.key.toUpperCase(),
        urlTemplate: pathKey.key,
      };
      const summary = fields.get('summary');
      if (summary) properties.displayName = scalar(summary.value);
      operations.push({
        name: scalar(id.value),
        properties,
        origin: { file, line: id.number, column: id.indent + 1 },
      });
    }
    i = j - 1;
  }
  return { operations };
}
