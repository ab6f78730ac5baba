/**
 * Operations of an APIOps API from its `specification.json` / `specification.yaml` (OpenAPI 3.0/3.1 or
 * Swagger 2.0, as APIM exports them: `operationId` is the operation's resource name). APIOps writes an
 * `operations/<name>/` folder only for operations with a policy, so the specification is where the other
 * operations are listed.
 *
 * Both formats are parsed by libraries that keep positions (jsonc-parser, yaml) into a plain value plus a
 * JSON-pointer index, and one walker reads the operations from the value. YAML in the block-style subset that
 * exports use is read by yaml-subset.ts instead, to the same value (positions are composed by `yaml` on demand).
 * A specification that cannot be read completely is a problem naming the file and why (the caller turns it into
 * a gap), never zero operations.
 */
import type { CST, Document, YAMLMap } from 'yaml';
import type { Origin } from '../../inventory/types';
import type { Position, PositionIndex } from '../../json/types';
import { joinPointer, parseJsonWithPositions } from '../../json/positions';
import { decodeUtf8, FileReadError } from '../../util/files';
import { isRecord } from '../../util/json';
import { parseYamlSubset } from './yaml-subset';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Bounds on the work one file may cause, far above what APIM exports (a guard, not a format rule). */
const MAX_BYTES = 16 * 1024 * 1024;
const MAX_DEPTH = 256;
const MAX_ALIAS_COUNT = 1000;
const MAX_REF_CHAIN = 16;

export interface SpecOperation {
  name: string;
  properties: { displayName?: string; method: string; urlTemplate: string };
  origin: Origin;
}

export type SpecResult = { operations: SpecOperation[]; index: PositionIndex } | { problem: string };

type Json = Record<string, unknown>;
type Yaml = typeof import('yaml');
type Problem = { problem: string; position?: Position };
type Parsed = { root: unknown; index: PositionIndex } | Problem;

/** A `specification.json`: its bytes (or already decoded text) and its path as shown to the user. */
export function jsonSpecOperations(source: string | Uint8Array, file: string): SpecResult {
  return specOperations(source, file, parseJson);
}

/** A `specification.yaml` / `.yml` (any YAML 1.2, `<<` merge keys included). */
export function yamlSpecOperations(source: string | Uint8Array, file: string): SpecResult {
  return specOperations(source, file, parseYaml);
}

function specOperations(
  source: string | Uint8Array,
  file: string,
  parse: (text: string, reread: () => string) => Parsed,
): SpecResult {
  const text = decode(source);
  // Decoded again only for a position (the source is kept, not the text: bytes stay off the JS heap).
  const reread = () => decode(source) as string;
  const parsed = typeof text === 'string' ? parse(text, reread) : text;
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

const TOO_DEEP = `it nests more than ${MAX_DEPTH} levels deep`;

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

/**
 * The `yaml` package (72 modules), loaded when a YAML specification is first parsed: most scans read none, and
 * every start of the CLI would otherwise pay for it.
 */
function yaml(): Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
  return require('yaml') as Yaml;
}

/**
 * The YAML document is not kept: a position (rare: a finding or a problem located in the specification) composes
 * it again from the source, on first lookup.
 */
function parseYaml(text: string, reread: () => string): Parsed {
  // The common block-style subset is read without the `yaml` package (issue 12: it was a third of a large scan).
  const parsed = parseYamlSubset(text) ?? yamlValue(text);
  return 'problem' in parsed ? parsed : { root: parsed.value, index: lazyYamlIndex(reread) };
}

/**
 * The value of a YAML text as the `yaml` package composes it, or the problem it reports: the reference that
 * parseYamlSubset must agree with (exported for its tests only).
 */
export function yamlValue(text: string): { value: unknown } | Problem {
  const composed = composeYaml(text);
  if ('problem' in composed) return composed;
  try {
    return { value: composed.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (e) {
    const reason = e instanceof ReferenceError ? `more than ${MAX_ALIAS_COUNT} alias expansions` : String(e);
    return { problem: `its YAML aliases cannot be expanded (${reason})` };
  }
}

function lazyYamlIndex(reread: () => string): PositionIndex {
  let index: PositionIndex | undefined;
  const built = (): PositionIndex => {
    if (!index) {
      const composed = composeYaml(reread());
      // The same text composed without a problem the first time (or was read by the subset reader, which
      // accepts no text that `yaml` rejects).
      index =
        'problem' in composed
          ? { locate: () => undefined, locateOffset: () => undefined }
          : yamlIndex(composed.doc, composed.position);
    }
    return index;
  };
  return {
    locate: (pointer) => built().locate(pointer),
    // Nothing in a specification is located by offset (policies live in policy.xml files).
    locateOffset: () => undefined,
  };
}

function composeYaml(
  text: string,
): { doc: Document.Parsed; position: (offset: number) => Position } | Problem {
  const { isScalar, visit } = yaml();
  const lineCounter = new (yaml().LineCounter)();
  // The composer recurses once per level; the parser does not, so its tokens are measured first (and then
  // composed, instead of parsing the text a second time).
  const tokens = [...new (yaml().Parser)(lineCounter.addNewLine).parse(text)];
  if (yamlDepth(tokens) > MAX_DEPTH) return { problem: TOO_DEEP };
  const doc = composeFirst(tokens, text.length);
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const [error] = doc.errors;
  if (error) return { problem: `YAML syntax error: ${error.message}`, position: position(error.pos[0]) };
  // OpenAPI says these are strings: a plain `operationId: 1234` means '1234', not the number.
  visit(doc, {
    Pair(_, { key, value }) {
      const stringly = keyText(key) === 'operationId' || keyText(key) === 'summary';
      if (
        stringly &&
        isScalar(value) &&
        typeof value.value !== 'string' &&
        typeof value.source === 'string'
      ) {
        value.value = value.source;
      }
    },
  });
  return { doc, position };
}

/** The first document of the tokens, as `parseDocument` composes it (a second document is an error). */
function composeFirst(tokens: CST.Token[], length: number): Document.Parsed {
  const { Composer, YAMLParseError } = yaml();
  let doc: Document.Parsed | undefined;
  for (const next of new Composer({ merge: true, prettyErrors: false }).compose(tokens, true, length)) {
    if (!doc) doc = next;
    else {
      doc.errors.push(
        new YAMLParseError(
          [next.range[0], next.range[1]],
          'MULTIPLE_DOCS',
          'Source contains multiple documents; please use YAML.parseAllDocuments()',
        ),
      );
      break;
    }
  }
  // compose(…, true) always ends with a document, an empty one for an empty text.
  if (!doc) throw new Error('the YAML composer produced no document');
  return doc;
}

function yamlDepth(tokens: Iterable<CST.Token>): number {
  const { CST } = yaml();
  let max = 0;
  const stack: [CST.Token | null | undefined, number][] = [...tokens].map((t) => [t, 0]);
  for (let next = stack.pop(); next && max <= MAX_DEPTH; next = stack.pop()) {
    const [token, depth] = next;
    if (token?.type === 'document') stack.push([token.value, depth]);
    else if (CST.isCollection(token)) {
      max = Math.max(max, depth + 1);
      for (const item of token.items) stack.push([item.key, depth + 1], [item.value, depth + 1]);
    }
  }
  return max;
}

/**
 * Pointer -> position in a YAML document, resolved on demand through aliases and `<<` merge keys (so an alias
 * bomb costs nothing here). A block mapping or sequence has no text of its own: its key is its position.
 */
function yamlIndex(doc: Document.Parsed, position: (offset: number) => Position): PositionIndex {
  const { isAlias, isCollection, isMap, isNode, isSeq } = yaml();
  const deref = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);
  const find = (map: YAMLMap, token: string, depth: number): { key: unknown; value: unknown } | undefined => {
    const own = map.items.find((pair) => keyText(pair.key) === token);
    if (own || depth > MAX_REF_CHAIN) return own; // a `<<` chain is bounded like a $ref chain
    for (const pair of map.items.filter((p) => isMergeKey(p.key))) {
      const merged = deref(pair.value);
      for (const source of isSeq(merged) ? merged.items.map(deref) : [merged]) {
        const found = isMap(source) ? find(source, token, depth + 1) : undefined;
        if (found) return found;
      }
    }
    return undefined;
  };
  return {
    locate(pointer) {
      let entry: { key?: unknown; value: unknown } = { value: doc.contents };
      for (const token of pointer === '' ? [] : pointerTokens(pointer.slice(1))) {
        const node = deref(entry.value);
        const item = isSeq(node) && /^(0|[1-9]\d*)$/.test(token) ? node.items[Number(token)] : undefined;
        const next = isMap(node) ? find(node, token, 0) : item === undefined ? undefined : { value: item };
        if (!next) return undefined;
        entry = next;
      }
      const { key, value } = entry;
      const valueStart = isNode(value) ? value.range?.[0] : undefined;
      const textless = (isCollection(value) && !value.flow) || valueStart === undefined || isEmpty(value);
      const offset = textless && isNode(key) ? key.range?.[0] : valueStart;
      return offset === undefined ? undefined : position(offset);
    },
    // Nothing in a specification is located by offset (policies live in policy.xml files).
    locateOffset: () => undefined,
  };
}

function keyText(key: unknown): string | undefined {
  const { isScalar } = yaml();
  return isScalar(key) && typeof key.value !== 'symbol' ? String(key.value) : undefined;
}

function isMergeKey(key: unknown): boolean {
  const { isScalar } = yaml();
  return isScalar(key) && typeof key.value === 'symbol' && key.value.description === '<<';
}

function isEmpty(node: unknown): boolean {
  const { isScalar } = yaml();
  return isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1];
}

/** The reference tokens of a JSON pointer without its leading `/` (RFC 6901). */
function pointerTokens(body: string): string[] {
  return body.split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
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
      const properties: SpecOperation['properties'] = { method: method.toUpperCase(), urlTemplate };
      if (typeof operation['summary'] === 'string') properties.displayName = operation['summary'];
      const origin: Origin = {
        file,
        pointer,
        paths: {
          'properties/displayName': joinPointer(pointer, 'summary'),
          'properties/method': pointer,
          'properties/urlTemplate': itemPointer,
          name: joinPointer(pointer, 'operationId'),
        },
      };
      // Without an operationId APIM names the operation itself on import: the operation is kept (it is served
      // and its API's policies apply to it), under a stand-in name marked unknown, never left out.
      if (typeof operationId !== 'string') {
        origin.unknown = {
          name: 'the specification gives no operationId, so APIM names the operation when it imports it',
        };
      }
      operations.push({
        name: typeof operationId === 'string' ? operationId : `${method.toUpperCase()} ${urlTemplate}`,
        properties,
        origin,
      });
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
        ? joinPointer('', ...pointerTokens(pointer.slice(1)))
        : undefined;
  } catch {
    return undefined;
  }
}

function valueAt(root: unknown, pointer: string): unknown {
  let value = root;
  for (const token of pointer === '' ? [] : pointerTokens(pointer.slice(1))) {
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
