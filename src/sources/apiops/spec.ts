/**
 * Operations of an APIOps API from its `specification.json` / `specification.yaml` (OpenAPI 3.0/3.1 or
 * Swagger 2.0, as APIM exports them: `operationId` is the operation's resource name). APIOps writes an
 * `operations/<name>/` folder only for operations with a policy, so the specification is where the other
 * operations are listed.
 *
 * JSON is parsed with positions (json/positions.ts), YAML by spec-yaml.ts (the block-style subset exports use by
 * yaml-subset.ts, anything else by the `yaml` package; positions composed on demand), each into a plain value plus
 * a JSON-pointer index, and one walker reads the operations from the value.
 * A specification that cannot be read completely is a problem naming the file and why (the caller turns it into
 * a gap), never zero operations.
 */
import type { Origin } from '../../inventory/types';
import type { Reread } from '../../json/lazy';
import type { Position, PositionIndex } from '../../json/types';
import { joinPointer, parseJsonWithPositions, pointerTokens } from '../../json/positions';
import { decodeUtf8, FileReadError } from '../../util/files';
import { isRecord, ownString } from '../../util/json';
import {
  lazyYamlIndex,
  MAX_DEPTH,
  MAX_REF_CHAIN,
  parseYaml,
  TOO_DEEP,
  type Parsed,
  type Problem,
} from './spec-yaml';

export { yamlValue } from './spec-yaml';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Bounds on the work one file may cause, far above what APIM exports (a guard, not a format rule). */
const MAX_BYTES = 16 * 1024 * 1024;

export interface SpecOperation {
  name: string;
  properties: { displayName?: string; method: string; urlTemplate: string };
  origin: Origin;
}

export type SpecResult = { operations: SpecOperation[]; index: PositionIndex } | { problem: string };

type Json = Record<string, unknown>;

/** A `specification.json`: its bytes (or already decoded text) and its path as shown to the user. */
export function jsonSpecOperations(source: string | Uint8Array, file: string): SpecResult {
  return specOperations(source, file, parseJson);
}

/**
 * A `specification.yaml` / `.yml` (any YAML 1.2, `<<` merge keys included). `again`: how to read the file's text
 * again for a position (`specText` of its bytes; then `source` is not kept), else `source` is kept.
 */
export function yamlSpecOperations(source: string | Uint8Array, file: string, again?: Reread): SpecResult {
  return specOperations(source, file, parseYaml, again);
}

/**
 * `yamlSpecOperations(bytes, file)` when the operations were already read from the same bytes (on the read-ahead
 * thread, by spec-ahead.ts, and packed there: `packOperations`): they are made with the file's name, and the index is
 * composed from the bytes on first lookup, as `yamlSpecOperations` does.
 */
export function preparedYamlSpec(
  packed: PackedOperations,
  bytes: Uint8Array,
  file: string,
  again?: Reread,
): SpecResult {
  return { operations: unpackOperations(packed, file), index: lazyYamlIndex(again ?? new Decoded(bytes)) };
}

/** A specification's text decoded again from its `source`, which is kept (bytes stay off the JS heap). */
class Decoded implements Reread {
  constructor(private readonly source: string | Uint8Array) {}

  reread(): string | undefined {
    return specText(this.source);
  }
}

/** The text of a specification's bytes as it is parsed (UTF-8 or UTF-16, no BOM), or undefined when it is not text. */
export function specText(source: string | Uint8Array): string | undefined {
  const text = decode(source);
  return typeof text === 'string' ? text : undefined;
}

/**
 * Operations as they cross threads (spec-ahead.ts): `PACKED_FIELDS` values each, in one flat list of strings (what
 * `specOperation` is made from). A list of records costs the read-ahead thread four times as much to send as this,
 * and the main thread eight times as much to receive (25,000 operations: 99 ms against 12).
 */
export type PackedOperations = (string | null)[];

const PACKED_FIELDS = 6;

/** The operations of a specification read without a file name, packed (`PackedOperations`). */
export function packOperations(operations: SpecOperation[]): PackedOperations {
  const packed: PackedOperations = [];
  for (const { name, properties, origin } of operations) {
    const named = origin.unknown?.['name'] === undefined;
    packed.push(
      named ? name : null,
      properties.displayName ?? null,
      properties.method,
      properties.urlTemplate,
      origin.pointer ?? '',
      origin.paths?.['properties/urlTemplate'] ?? '',
    );
  }
  return packed;
}

/** The operations of `packOperations`, named after `file`: what the walker makes of the same specification. */
export function unpackOperations(packed: PackedOperations, file: string): SpecOperation[] {
  const operations: SpecOperation[] = [];
  for (let i = 0; i + PACKED_FIELDS <= packed.length; i += PACKED_FIELDS) {
    operations.push(
      specOperation(
        file,
        packed[i] ?? undefined,
        packed[i + 1] ?? undefined,
        packed[i + 2] ?? '',
        packed[i + 3] ?? '',
        packed[i + 4] ?? '',
        packed[i + 5] ?? '',
      ),
    );
  }
  return operations;
}

/**
 * One operation of a specification: `method` as it is written there (upper-cased here), the pointer of the operation
 * and of its path item. Without an operationId APIM names the operation itself on import: the operation is kept
 * (it is served and its API's policies apply to it), under a stand-in name marked unknown, never left out.
 */
function specOperation(
  file: string,
  operationId: string | undefined,
  summary: string | undefined,
  method: string,
  urlTemplate: string,
  pointer: string,
  itemPointer: string,
): SpecOperation {
  const properties: SpecOperation['properties'] = { method: method.toUpperCase(), urlTemplate };
  if (summary !== undefined) properties.displayName = summary;
  const origin: Origin = {
    file,
    pointer,
    paths: {
      // Literal suffixes (names that need no escaping), not `joinPointer`: its '/' + token is a new string for each
      // of a large tree's operations (25,000 copies of each suffix, about 1 MB kept for the whole audit).
      'properties/displayName': `${pointer}/summary`,
      'properties/method': pointer,
      'properties/urlTemplate': itemPointer,
      name: `${pointer}/operationId`,
    },
  };
  if (operationId === undefined) {
    origin.unknown = {
      name: 'the specification gives no operationId, so APIM names the operation when it imports it',
    };
  }
  return { name: operationId ?? `${method.toUpperCase()} ${urlTemplate}`, properties, origin };
}

function specOperations(
  source: string | Uint8Array,
  file: string,
  parse: (text: string, reread: Reread) => Parsed,
  again?: Reread,
): SpecResult {
  const text = decode(source);
  // Decoded again only for a position: from the file read again when the caller can (`again`), else from the source,
  // which is kept (not the text: bytes stay off the JS heap).
  const parsed = typeof text === 'string' ? parse(text, again ?? new Decoded(source)) : text;
  return 'problem' in parsed
    ? { problem: located(file, parsed.position, parsed.problem) }
    : walk(parsed, file);
}

function located(file: string, position: Position | undefined, message: string): string {
  return position ? `${file}:${position.line}:${position.column}: ${message}` : `${file}: ${message}`;
}

/**
 * UTF-16 with a byte order mark, else UTF-8 (BOM optional), as text without the BOM. Invalid UTF-8 (a file saved
 * as Windows-1252, say) is reported with the line of the first bad byte, never replaced silently; NUL characters
 * mean the text is not UTF-8 at all.
 */
function decode(source: string | Uint8Array): string | Problem {
  if (source.length > MAX_BYTES) return { problem: `it is larger than ${MAX_BYTES / 1024 / 1024} MiB` };
  let text: string;
  if (typeof source === 'string') text = source.replace(/^\uFEFF/, '');
  else if (source[0] === 0xff && source[1] === 0xfe) text = new TextDecoder('utf-16le').decode(source);
  else if (source[0] === 0xfe && source[1] === 0xff)
    text = new TextDecoder('utf-16le').decode(swap16(source));
  else if (source.includes(0)) text = '\u0000';
  else {
    try {
      text = decodeUtf8(source).replace(/^\uFEFF/, '');
    } catch (error) {
      if (!(error instanceof FileReadError) || error.line === undefined) throw error;
      return { problem: `line ${error.line}: it is not valid UTF-8 (save the file as UTF-8)` };
    }
  }
  return text.includes('\u0000')
    ? { problem: 'it contains NUL characters: UTF-16 without a byte order mark, UTF-32 or a binary file' }
    : text;
}

function swap16(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(bytes.subarray(0, bytes.length - (bytes.length % 2)), (_, i) =>
    i % 2 === 0 ? (bytes[i + 1] ?? 0) : (bytes[i - 1] ?? 0),
  );
}

function parseJson(text: string): Parsed {
  if (jsonDepth(text) > MAX_DEPTH) return { problem: TOO_DEEP };
  const parsed = parseJsonWithPositions(text);
  if (!('problems' in parsed)) return { root: parsed.value, index: parsed.index };
  const first = parsed.problems[0];
  return first ? { problem: first.message, position: first } : { problem: 'invalid JSON' };
}

/** Nesting depth of a JSON text, counted without parsing (the parser recurses once per level). */
function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length && max <= MAX_DEPTH; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') max = Math.max(max, ++depth);
    else if (c === '}' || c === ']') depth--;
  }
  return max;
}

/** The one operation walker of both formats: `paths` -> path item (through local `$ref`s) -> methods. */
function walk({ root, index }: { root: unknown; index: PositionIndex }, file: string): SpecResult {
  const at = (pointer: string, message: string) => ({
    problem: located(file, index.locate(pointer), message),
  });
  if (root === null || root === undefined) return at('', 'the document is empty');
  if (!isRecord(root)) return at('', 'not an OpenAPI or Swagger document: its top level is not a mapping');
  const required = pathsRequired(root);
  if (typeof required === 'string') return at('', required);
  const paths = root['paths'];
  if (paths === undefined && !required) return { operations: [], index };
  if (!isRecord(paths))
    return at(
      paths === undefined ? '' : '/paths',
      `"paths" is ${paths === undefined ? 'missing' : 'not a mapping'}`,
    );
  const operations: SpecOperation[] = [];
  for (const [urlTemplate, entry] of Object.entries(paths)) {
    if (urlTemplate.startsWith('x-')) continue; // extensions, not paths
    const itemPointer = joinPointer('/paths', urlTemplate);
    const chain = pathItemChain(root, itemPointer, entry);
    const methods = 'problem' in chain ? chain : methodsOf(chain);
    if ('problem' in methods) return at(methods.at, `path item '${urlTemplate}': ${methods.problem}`);
    for (const [method, { pointer, operation }] of methods) {
      const operationId = operation['operationId'];
      const summary = operation['summary'];
      // Copied: a value sliced out of the specification keeps its whole text alive.
      operations.push(
        specOperation(
          file,
          typeof operationId === 'string' ? ownString(operationId) : undefined,
          typeof summary === 'string' ? ownString(summary) : undefined,
          method,
          urlTemplate,
          pointer,
          itemPointer,
        ),
      );
    }
  }
  return { operations, index };
}

/** Whether `paths` is required (OpenAPI 3.0, Swagger 2.0; optional from 3.1), or why this is no specification. */
function pathsRequired(root: Json): boolean | string {
  const [key, value] = 'openapi' in root ? ['openapi', root['openapi']] : ['swagger', root['swagger']];
  if (value === undefined) return 'not an OpenAPI or Swagger document: it has no "openapi" or "swagger" key';
  const version = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  if (key === 'swagger') return /^2(\.0)?$/.test(version) ? true : `Swagger version '${version}' is not 2.0`;
  if (!/^3(\.|$)/.test(version)) return `OpenAPI version '${version}' is not 3.x`;
  return Number(version.split('.')[1] ?? 0) < 1;
}

interface ChainLink {
  pointer: string;
  item: Json;
}

/** A path item and the items its `$ref`s lead to (nearest first), or why they cannot be followed. */
function pathItemChain(
  root: Json,
  pointer: string,
  entry: unknown,
): ChainLink[] | { problem: string; at: string } {
  const chain: ChainLink[] = [];
  let link: { pointer: string; value: unknown } = { pointer, value: entry };
  for (;;) {
    if (!isRecord(link.value)) {
      // An empty path item (`/items:`) has no operations; anything else is not a path item.
      if (chain.length === 0 && link.value === null) return [];
      return { problem: `${link.pointer} is not a mapping`, at: link.pointer };
    }
    chain.push({ pointer: link.pointer, item: link.value });
    const ref = link.value['$ref'];
    if (ref === undefined) return chain;
    const at = joinPointer(link.pointer, '$ref');
    if (typeof ref !== 'string') return { problem: '$ref is not a string', at };
    if (!ref.startsWith('#')) return { problem: `$ref '${ref}' is in another file, which is not read`, at };
    const target = localPointer(ref);
    if (target === undefined) return { problem: `$ref '${ref}' is not a JSON pointer`, at };
    if (chain.some((c) => c.pointer === target)) return { problem: `$ref '${ref}' is cyclic`, at };
    if (chain.length > MAX_REF_CHAIN) return { problem: `more than ${MAX_REF_CHAIN} $refs in a chain`, at };
    const value = valueAt(root, target);
    if (value === undefined) return { problem: `$ref '${ref}' points at nothing`, at };
    link = { pointer: target, value };
  }
}

/** `#/a/b~1c` (percent-encoded, RFC 6901 §6) as the normalized pointer `/a/b~1c`. */
function localPointer(ref: string): string | undefined {
  try {
    const pointer = decodeURIComponent(ref.slice(1));
    return pointer === ''
      ? ''
      : pointer.startsWith('/')
        ? joinPointer('', ...pointerTokens(pointer))
        : undefined;
  } catch {
    return undefined;
  }
}

function valueAt(root: unknown, pointer: string): unknown {
  let value = root;
  for (const token of pointerTokens(pointer)) {
    if (Array.isArray(value) && /^(0|[1-9]\d*)$/.test(token)) value = value[Number(token)];
    else if (isRecord(value) && Object.prototype.hasOwnProperty.call(value, token)) value = value[token];
    else return undefined;
  }
  return value;
}

/** The operations of a path item chain by method key: an item's own override those of what it refers to. */
function methodsOf(
  chain: ChainLink[],
): Map<string, { pointer: string; operation: Json }> | { problem: string; at: string } {
  const methods = new Map<string, { pointer: string; operation: Json }>();
  for (const link of [...chain].reverse()) {
    for (const [method, operation] of Object.entries(link.item)) {
      if (!METHODS.includes(method.toLowerCase()) || operation === null) continue;
      const pointer = joinPointer(link.pointer, method);
      if (!isRecord(operation)) return { problem: `${pointer} is not a mapping`, at: pointer };
      methods.set(method, { pointer, operation });
    }
  }
  return methods;
}
