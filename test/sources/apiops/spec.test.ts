import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { locate } from '../../../src/engine/locate';
import type { Entity } from '../../../src/model/types';
import {
  jsonSpecOperations,
  packOperations,
  unpackOperations,
  yamlSpecOperations,
  type SpecOperation,
  type SpecResult,
} from '../../../src/sources/apiops/spec';
import { loadApiopsFolder } from '../../../src/sources/apiops';
import { REPO_ROOT } from '../../helpers/sample';
import { makeTempDir } from '../../helpers/temp';
import { scanJson } from '../iac-helpers';

const SPECS = 'test/sources/apiops/fixtures/specs';
const FOLDER = `${SPECS}/folder`;

function bytesOf(name: string): Buffer {
  return readFileSync(path.join(REPO_ROOT, SPECS, name));
}

/** Reads a fixture (or given bytes) the way the APIOps source does, by its extension. */
function read(name: string, bytes: Uint8Array = bytesOf(name)): SpecResult {
  const shown = `${SPECS}/${name}`;
  return name.endsWith('.json') ? jsonSpecOperations(bytes, shown) : yamlSpecOperations(bytes, shown);
}

function readOk(name: string, bytes?: Uint8Array): Extract<SpecResult, { operations: unknown }> {
  const result = read(name, bytes);
  if ('problem' in result) throw new Error(`unexpected problem: ${result.problem}`);
  return result;
}

function problemOf(name: string, bytes?: Uint8Array): string {
  const result = read(name, bytes);
  if (!('problem' in result))
    throw new Error(`expected a problem, got ${result.operations.length} operations`);
  return result.problem;
}

/** name, method, urlTemplate of each operation. */
function triples(operations: SpecOperation[]): [string, string, string][] {
  return operations.map((o) => [o.name, o.properties.method, o.properties.urlTemplate]);
}

function operationNamed(operations: SpecOperation[], name: string): SpecOperation {
  const found = operations.find((o) => o.name === name);
  if (!found) throw new Error(`no operation ${name}`);
  return found;
}

/** The text of a file from a 1-based line and column on (a BOM is not a column). */
function textAt(text: string, line: number, column: number): string {
  return (text.replace(/^\uFEFF/, '').split(/\r?\n/)[line - 1] ?? '').slice(column - 1);
}

/**
 * Where the engine puts a finding on `path` (`name`, `properties/method`...) of the operation: line, column
 * and the text found there.
 */
function where(
  result: Extract<SpecResult, { operations: unknown }>,
  operation: SpecOperation,
  path: string,
  text: string,
): [number, number, string] | undefined {
  const files = { [operation.origin.file ?? '']: result.index };
  const { line, column } = locate({ origin: operation.origin } as Entity, path, files);
  return line === undefined || column === undefined ? undefined : [line, column, textAt(text, line, column)];
}

describe('OpenAPI specifications: YAML as people and APIM write it', () => {
  it('flow mapping: `paths: { }` (APIM export of an API without operations) is zero operations, not a gap', () => {
    const result = readOk('flow-paths.yaml');
    expect(result.operations).toEqual([]);
    expect(result.index.locate('/paths')).toEqual({ line: 9, column: 8 });
  });

  it('path keys containing `:` (Azure AI service APIs)', () => {
    const text = bytesOf('colon-keys.yaml').toString('utf8');
    const result = readOk('colon-keys.yaml');
    expect(triples(result.operations)).toEqual([
      ['DocumentModels_AnalyzeDocument', 'POST', '/documentModels/{modelId}:analyze'],
      ['DocumentModels_BuildModel', 'POST', '/documentModels:build'],
      ['DocumentModels_GetAnalyzeResult', 'GET', '/documentModels/{modelId}/analyzeResults/{resultId}'],
    ]);
    const analyze = operationNamed(result.operations, 'DocumentModels_AnalyzeDocument');
    expect(analyze.properties.displayName).toBe('Analyze document');
    expect(analyze.origin).toEqual({
      file: `${SPECS}/colon-keys.yaml`,
      pointer: '/paths/~1documentModels~1{modelId}:analyze/post',
      paths: {
        'properties/displayName': '/paths/~1documentModels~1{modelId}:analyze/post/summary',
        'properties/method': '/paths/~1documentModels~1{modelId}:analyze/post',
        'properties/urlTemplate': '/paths/~1documentModels~1{modelId}:analyze',
        name: '/paths/~1documentModels~1{modelId}:analyze/post/operationId',
      },
    });
    // A block mapping has no text of its own: it is located at its key.
    expect(where(result, analyze, 'properties/urlTemplate', text)).toEqual([
      6,
      3,
      '/documentModels/{modelId}:analyze:',
    ]);
    expect(where(result, analyze, 'properties/method', text)).toEqual([7, 5, 'post:']);
    expect(where(result, analyze, 'name', text)).toEqual([9, 20, 'DocumentModels_AnalyzeDocument']);
    expect(where(result, analyze, 'properties/displayName', text)).toEqual([8, 16, 'Analyze document']);
  });

  it('quoted keys and values (single, double, explicit `?` keys)', () => {
    const text = bytesOf('quoted-keys.yaml').toString('utf8');
    const result = readOk('quoted-keys.yaml');
    expect(triples(result.operations)).toEqual([
      ['get-item', 'GET', '/items/{id}'],
      ['list-item-tags', 'POST', '/items/{id}/tags:list'],
      ['set-item-owner', 'PUT', '/items/{id}/owner'],
    ]);
    expect(result.operations.map((o) => o.properties.displayName)).toEqual([
      "Item's details",
      'List "tags"',
      undefined,
    ]);
    const tags = operationNamed(result.operations, 'list-item-tags');
    expect(where(result, tags, 'name', text)).toEqual([12, 20, '"list-item-tags"']);
    expect(where(result, tags, 'properties/urlTemplate', text)).toEqual([9, 3, '"/items/{id}/tags:list":']);
    const owner = operationNamed(result.operations, 'set-item-owner');
    expect(where(result, owner, 'properties/method', text)).toEqual([14, 5, 'put:']);
  });

  it('anchors, aliases and `<<` merge keys: located where the text is', () => {
    const text = bytesOf('anchors.yaml').toString('utf8');
    const result = readOk('anchors.yaml');
    expect(triples(result.operations)).toEqual([
      ['list-items', 'GET', '/items'],
      ['list-things', 'GET', '/things'],
      ['get-thing', 'GET', '/things/{id}'],
    ]);
    expect(result.operations.map((o) => o.properties.displayName)).toEqual([
      undefined,
      'Read things',
      'Get one thing',
    ]);
    const listItems = operationNamed(result.operations, 'list-items');
    // `/items: *items`: the path is where the alias is; the operation is in the anchored mapping.
    expect(where(result, listItems, 'properties/urlTemplate', text)).toEqual([17, 11, '*items']);
    expect(where(result, listItems, 'name', text)).toEqual([14, 18, 'list-items']);
    // A merged summary is located in the mapping it was merged from; an own key wins over a merged one.
    const listThings = operationNamed(result.operations, 'list-things');
    expect(where(result, listThings, 'properties/displayName', text)).toEqual([10, 14, 'Read things']);
    const getThing = operationNamed(result.operations, 'get-thing');
    expect(where(result, getThing, 'properties/displayName', text)).toEqual([25, 16, 'Get one thing']);
    expect(result.index.locate('/paths/~1things/get/responses/200/description')).toEqual({
      line: 8,
      column: 20,
    });
  });

  it('comments, including commented-out paths and operations', () => {
    const text = bytesOf('comments.yaml').toString('utf8');
    const result = readOk('comments.yaml');
    expect(triples(result.operations)).toEqual([['list-orders', 'GET', '/orders']]);
    const [orders] = result.operations as [SpecOperation];
    expect(orders.properties.displayName).toBe('List orders');
    expect(where(result, orders, 'name', text)).toEqual([15, 20, 'list-orders # the resource name']);
  });

  it('block scalars (literal, folded, keep) in descriptions and summaries', () => {
    const text = bytesOf('block-scalars.yaml').toString('utf8');
    const result = readOk('block-scalars.yaml');
    expect(triples(result.operations)).toEqual([
      ['list-reports', 'GET', '/reports'],
      ['create-report', 'POST', '/reports'],
    ]);
    expect(result.operations[0]?.properties.displayName).toBe('List reports');
    const create = operationNamed(result.operations, 'create-report');
    expect(where(result, create, 'name', text)).toEqual([25, 20, 'create-report']);
  });

  describe('bytes: line endings and encodings', () => {
    let dir: string;
    beforeAll(() => {
      dir = makeTempDir('spec'); // removed when the suite ends
    });

    /** The fixture's text with CRLF line endings, as written to disk and read back. */
    function crlf(name: string, prefix: Buffer = Buffer.alloc(0)): Buffer {
      const file = path.join(dir, name);
      writeFileSync(
        file,
        Buffer.concat([prefix, Buffer.from(bytesOf(name).toString('utf8').replace(/\n/g, '\r\n'))]),
      );
      return readFileSync(file);
    }

    it('CRLF line endings: same operations, same positions', () => {
      const bytes = crlf('comments.yaml');
      expect(bytes.includes('\r\n')).toBe(true);
      const result = readOk('comments.yaml', bytes);
      const [orders] = result.operations as [SpecOperation];
      expect(orders.properties.displayName).toBe('List orders');
      expect(where(result, orders, 'name', bytes.toString('utf8'))).toEqual([
        15,
        20,
        'list-orders # the resource name',
      ]);
      const blocks = readOk('block-scalars.yaml', crlf('block-scalars.yaml'));
      expect(blocks.operations.map((o) => o.properties.displayName)).toEqual(['List reports', undefined]);
    });

    it('UTF-8 byte order mark: not a column', () => {
      const bytes = crlf('colon-keys.yaml', Buffer.from([0xef, 0xbb, 0xbf]));
      const result = readOk('colon-keys.yaml', bytes);
      expect(result.operations).toHaveLength(3);
      expect(result.index.locate('/openapi')).toEqual({ line: 1, column: 10 });
      const build = operationNamed(result.operations, 'DocumentModels_BuildModel');
      expect(where(result, build, 'properties/urlTemplate', bytes.toString('utf8'))).toEqual([
        10,
        3,
        '/documentModels:build:',
      ]);
      const json = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytesOf('openapi-3.0.json')]);
      expect(readOk('openapi-3.0.json', json).index.locate('/openapi')).toEqual({ line: 2, column: 14 });
    });

    it('UTF-16 with a byte order mark is decoded (Windows PowerShell 5 writes it)', () => {
      const text = bytesOf('swagger-2.0.yaml').toString('utf8');
      const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
      const be = Buffer.from(le).swap16();
      for (const bytes of [le, be]) {
        expect(triples(readOk('swagger-2.0.yaml', bytes).operations)).toEqual([
          ['Accounts_Get', 'GET', '/accounts/{id}'],
          ['Accounts_Update', 'PATCH', '/accounts/{id}'],
        ]);
      }
    });

    it('Windows-1252 text (invalid UTF-8) is a gap naming the line, never replaced silently', () => {
      const original = bytesOf('swagger-2.0.yaml').toString('utf8');
      const line = original.slice(0, original.indexOf('Legacy')).split('\n').length;
      const latin1 = Buffer.from(original.replace('Legacy', 'Caf\u00e9'), 'latin1');
      expect(problemOf('swagger-2.0.yaml', latin1)).toContain(
        `line ${line}: it is not valid UTF-8 (save the file as UTF-8)`,
      );
    });

    it('UTF-16 without a byte order mark, or a binary file, is a gap, not zero operations', () => {
      const text = bytesOf('swagger-2.0.yaml').toString('utf8');
      const notText = /contains NUL characters: UTF-16 without a byte order mark, UTF-32 or a binary file/;
      expect(problemOf('swagger-2.0.yaml', Buffer.from(text, 'utf16le'))).toMatch(notText);
      expect(
        problemOf('openapi-3.0.json', Buffer.from(bytesOf('openapi-3.0.json').toString(), 'utf16le')),
      ).toMatch(notText);
      const gzip = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]);
      expect(problemOf('swagger-2.0.yaml', gzip)).toBe(
        `${SPECS}/swagger-2.0.yaml: it contains NUL characters: UTF-16 without a byte order mark, UTF-32 or a binary file`,
      );
    });
  });
});

describe('OpenAPI specifications: formats and versions', () => {
  it('JSON: the same walker, located on the JSON values; method keys are case-insensitive', () => {
    const result = readOk('openapi-3.0.json');
    expect(triples(result.operations)).toEqual([
      ['list-widgets', 'GET', '/widgets'],
      ['create-widget', 'POST', '/widgets'],
      ['archive-widget', 'POST', '/widgets/{id}:archive'],
    ]);
    const text = bytesOf('openapi-3.0.json').toString('utf8');
    const list = operationNamed(result.operations, 'list-widgets');
    expect(list.origin.pointer).toBe('/paths/~1widgets/get');
    expect(where(result, list, 'name', text)).toEqual([6, 58, '"list-widgets" },']);
    expect(where(result, list, 'properties/method', text)).toEqual([
      6,
      14,
      '{ "summary": "List widgets", "operationId": "list-widgets" },',
    ]);
  });

  it('OpenAPI 3.0: operations by method; parameters and extensions are not operations; one without operationId is kept with its name unknown', () => {
    const result = readOk('openapi-3.0.yaml');
    expect(triples(result.operations)).toEqual([
      ['listPets', 'GET', '/pets'],
      ['createPet', 'POST', '/pets'],
      ['GET /pets/{petId}', 'GET', '/pets/{petId}'],
      ['deletePet', 'DELETE', '/pets/{petId}'],
    ]);
    // APIM names an operation without operationId on import: it is audited (its API's policies apply), never
    // left out, and nothing is concluded from the stand-in name.
    expect(result.operations[2]?.origin.unknown).toEqual({
      name: 'the specification gives no operationId, so APIM names the operation when it imports it',
    });
    expect(result.operations[0]?.origin.unknown).toBeUndefined();
    expect(result.operations[1]?.origin.pointer).toBe('/paths/~1pets/Post');
    // A plain `operationId: 1234` is the string APIM names the operation with, not a number.
    const plain = Buffer.from(
      'openapi: 3.0.1\npaths:\n  /a:\n    get:\n      operationId: 0100\n      summary: 2024\n',
    );
    expect(readOk('x.yaml', plain).operations.map((o) => [o.name, o.properties.displayName])).toEqual([
      ['0100', '2024'],
    ]);
  });

  it('OpenAPI 3.1: path items in components/pathItems and behind `#/paths/...` (percent-encoded); webhooks are not operations', () => {
    const text = bytesOf('openapi-3.1.yaml').toString('utf8');
    const result = readOk('openapi-3.1.yaml');
    expect(triples(result.operations)).toEqual([
      ['listPets', 'GET', '/pets'],
      ['createPet', 'POST', '/pets'],
      ['getPet', 'GET', '/pets/{petId}'],
      ['getPet', 'GET', '/pets/{petId}/legacy'],
    ]);
    const create = operationNamed(result.operations, 'createPet');
    expect(create.origin.pointer).toBe('/components/pathItems/Pets/post');
    expect(create.origin.paths?.['properties/urlTemplate']).toBe('/paths/~1pets');
    expect(where(result, create, 'properties/method', text)).toEqual([22, 7, 'post:']);
    expect(where(result, create, 'name', text)).toEqual([23, 22, 'createPet']);
    expect(where(result, create, 'properties/urlTemplate', text)).toEqual([6, 3, '/pets:']);
    expect(readOk('openapi-3.1-no-paths.yaml').operations).toEqual([]);
  });

  it('Swagger 2.0', () => {
    const text = bytesOf('swagger-2.0.yaml').toString('utf8');
    const result = readOk('swagger-2.0.yaml');
    expect(triples(result.operations)).toEqual([
      ['Accounts_Get', 'GET', '/accounts/{id}'],
      ['Accounts_Update', 'PATCH', '/accounts/{id}'],
    ]);
    const update = operationNamed(result.operations, 'Accounts_Update');
    expect(where(result, update, 'properties/method', text)).toEqual([12, 5, 'patch:']);
  });
});

describe('operations packed to cross threads (the read-ahead thread reads YAML specifications)', () => {
  it.each([
    'openapi-3.0.yaml',
    'openapi-3.1.yaml',
    'swagger-2.0.yaml',
    'ref-local.yaml',
    'anchors.yaml',
    'quoted-keys.yaml',
    'openapi-3.0.json',
  ])('%s: unpacked, the operations the walker reads, named after the file', (name) => {
    const operations = readOk(name).operations;
    const packed = packOperations(operations);
    // Strings (and null for what is absent) only: a flat list, not records.
    expect(packed.every((v) => v === null || typeof v === 'string')).toBe(true);
    expect(unpackOperations(packed, `${SPECS}/${name}`)).toEqual(operations);
  });

  it('keeps what is absent absent: no summary, no operationId (a stand-in name marked unknown)', () => {
    const yaml = [
      'openapi: 3.0.1',
      'info: { title: T, version: "1" }',
      'paths:',
      '  /items:',
      '    get:',
      '      operationId: list',
      '    post:',
      '      summary: ""',
      '',
    ].join('\n');
    const operations = readOk('inline.yaml', Buffer.from(yaml)).operations;
    expect(
      operations.map((o) => [o.name, o.properties.displayName, o.origin.unknown?.['name'] !== undefined]),
    ).toEqual([
      ['list', undefined, false],
      ['POST /items', '', true],
    ]);
    expect(unpackOperations(packOperations(operations), `${SPECS}/inline.yaml`)).toEqual(operations);
  });
});

describe('OpenAPI specifications: local $ref path items', () => {
  it('follows local JSON pointers (`~0`, `~1`), chains, and own operations next to a $ref', () => {
    const text = bytesOf('ref-local.yaml').toString('utf8');
    const result = readOk('ref-local.yaml');
    expect(triples(result.operations)).toEqual([
      ['get-tilde', 'GET', '/a~b'],
      ['get-second', 'GET', '/chained'],
      ['put-first', 'PUT', '/chained'],
      ['get-tilde', 'GET', '/shared'],
    ]);
    expect(result.operations.map((o) => o.origin.pointer)).toEqual([
      '/x-path-items/tilde~0item/get',
      '/x-path-items/second/get',
      '/x-path-items/first/put',
      '/x-path-items/tilde~0item/get',
    ]);
    const putFirst = operationNamed(result.operations, 'put-first');
    expect(where(result, putFirst, 'name', text)).toEqual([19, 20, 'put-first']);
  });

  it('a $ref to another file or a URL is a gap naming it, located on the $ref', () => {
    expect(problemOf('ref-remote.yaml')).toBe(
      `${SPECS}/ref-remote.yaml:10:11: path item '/remote': $ref 'https://example.com/specs/common.yaml#/paths/~1remote' is in another file, which is not read`,
    );
    expect(problemOf('ref-other-file.json')).toBe(
      `${SPECS}/ref-other-file.json:5:25: path item '/split': $ref './paths/split.json' is in another file, which is not read`,
    );
  });

  it('a cyclic $ref is a gap', () => {
    expect(problemOf('ref-cyclic.yaml')).toBe(
      `${SPECS}/ref-cyclic.yaml:13:13: path item '/ping': $ref '#/components/pathItems/Ping' is cyclic`,
    );
  });

  it('a path item or operation that is not a mapping (e.g. an unresolved `!include`) is a gap', () => {
    const yaml = (body: string) => Buffer.from(`openapi: 3.0.1\npaths:\n${body}`);
    expect(problemOf('x.yaml', yaml('  /a: !include paths/a.yaml\n'))).toBe(
      `${SPECS}/x.yaml:3:16: path item '/a': /paths/~1a is not a mapping`,
    );
    expect(problemOf('x.yaml', yaml('  /a:\n    get: [list-a]\n'))).toBe(
      `${SPECS}/x.yaml:4:10: path item '/a': /paths/~1a/get is not a mapping`,
    );
    // Empty path items and operations are legal and list nothing.
    expect(readOk('x.yaml', yaml('  /a:\n  /b:\n    get:\n')).operations).toEqual([]);
  });

  it('a $ref to nothing, or a chain too long to follow, is a gap', () => {
    const yaml = (body: string) => Buffer.from(`openapi: 3.0.1\npaths:\n${body}`);
    expect(problemOf('x.yaml', yaml("  /a:\n    $ref: '#/nowhere'\n"))).toBe(
      `${SPECS}/x.yaml:4:11: path item '/a': $ref '#/nowhere' points at nothing`,
    );
    expect(problemOf('x.yaml', yaml("  /a:\n    $ref: '#/info'\ninfo: 1\n"))).toBe(
      `${SPECS}/x.yaml:5:7: path item '/a': /info is not a mapping`,
    );
    const chain = Array.from({ length: 40 }, (_, i) => `  x-${i}:\n    $ref: '#/paths/x-${i + 1}'\n`).join(
      '',
    );
    expect(problemOf('x.yaml', yaml(`  /a:\n    $ref: '#/paths/x-0'\n${chain}`))).toMatch(
      /path item '\/a': more than 16 \$refs in a chain$/,
    );
  });
});

describe('OpenAPI specifications: what cannot be read is a gap, never zero operations', () => {
  it('not an OpenAPI or Swagger document, or not a mapping', () => {
    expect(problemOf('not-a-spec.yaml')).toBe(
      `${SPECS}/not-a-spec.yaml:1:1: not an OpenAPI or Swagger document: it has no "openapi" or "swagger" key`,
    );
    expect(problemOf('not-a-mapping.json')).toBe(
      `${SPECS}/not-a-mapping.json:1:1: not an OpenAPI or Swagger document: its top level is not a mapping`,
    );
    expect(problemOf('paths-not-mapping.yaml')).toBe(
      `${SPECS}/paths-not-mapping.yaml:5:1: "paths" is not a mapping`,
    );
    expect(problemOf('x.yaml', Buffer.from('# nothing but a comment\n'))).toBe(
      `${SPECS}/x.yaml: the document is empty`,
    );
    expect(problemOf('x.yaml', Buffer.from('openapi: 3.0.1\ninfo: {}\n'))).toBe(
      `${SPECS}/x.yaml:1:1: "paths" is missing`,
    );
    expect(problemOf('x.yaml', Buffer.from('openapi: 4.0.0\npaths: {}\n'))).toBe(
      `${SPECS}/x.yaml:1:1: OpenAPI version '4.0.0' is not 3.x`,
    );
  });

  it('a YAML syntax error, located line:col', () => {
    const misaligned =
      'openapi: 3.0.1\npaths:\n  /items:\n    get:\n      operationId: list-items\n     summary: x\n';
    expect(problemOf('x.yaml', Buffer.from(misaligned))).toBe(
      `${SPECS}/x.yaml:6:1: YAML syntax error: All mapping items must start at the same column`,
    );
    expect(problemOf('x.yaml', Buffer.from('openapi: 3.0.1\npaths:\n  /a: {}\n  /a: {}\n'))).toBe(
      `${SPECS}/x.yaml:4:3: YAML syntax error: Map keys must be unique`,
    );
    expect(problemOf('x.yaml', Buffer.from('openapi: 3.0.1\npaths: {}\n---\nopenapi: 3.0.1\n'))).toMatch(
      /^test\/sources\/apiops\/fixtures\/specs\/x\.yaml:3:1: YAML syntax error: Source contains multiple documents/,
    );
    expect(problemOf('x.json', Buffer.from('{ "openapi": "3.0.1", "paths": { } '))).toBe(
      `${SPECS}/x.json:1:36: JSON syntax error: CloseBraceExpected`,
    );
  });

  it('an alias bomb (billion laughs) is a gap, not an exhausted process', () => {
    const lines = ['openapi: 3.0.1', 'x-lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `x-lol${i}: &l${i} [${Array(9)
          .fill(`*l${i - 1}`)
          .join(', ')}]`,
      );
    lines.push('paths:', '  /lol:', '    get:', '      operationId: laugh', '      x-payload: *l9');
    expect(problemOf('x.yaml', Buffer.from(lines.join('\n')))).toBe(
      `${SPECS}/x.yaml: its YAML aliases cannot be expanded (more than 1000 alias expansions)`,
    );
  });

  it('absurdly deep nesting is a gap, not a stack overflow; 256 levels are read', () => {
    const deep = (n: number) => `openapi: 3.0.1\npaths: {}\nx-deep: ${'['.repeat(n)}${']'.repeat(n)}\n`;
    expect(problemOf('x.yaml', Buffer.from(deep(10_000)))).toBe(
      `${SPECS}/x.yaml: it nests more than 256 levels deep`,
    );
    expect(readOk('x.yaml', Buffer.from(deep(255))).operations).toEqual([]);
    let block = 'openapi: 3.0.1\npaths: {}\nx-deep:\n';
    for (let i = 1; i <= 1000; i++) block += `${' '.repeat(i)}k:\n`;
    expect(problemOf('x.yaml', Buffer.from(block))).toBe(
      `${SPECS}/x.yaml: it nests more than 256 levels deep`,
    );
    const json = (n: number) => `{ "openapi": "3.0.1", "paths": {}, "x": ${'['.repeat(n)}${']'.repeat(n)} }`;
    expect(problemOf('x.json', Buffer.from(json(10_000)))).toBe(
      `${SPECS}/x.json: it nests more than 256 levels deep`,
    );
    expect(readOk('x.json', Buffer.from(json(250))).operations).toEqual([]);
  });

  it('a file larger than 16 MiB is a gap', () => {
    const huge = Buffer.alloc(16 * 1024 * 1024 + 1, 0x20);
    expect(problemOf('x.yaml', huge)).toBe(`${SPECS}/x.yaml: it is larger than 16 MiB`);
  });
});

describe('OpenAPI specifications in an APIOps folder', () => {
  it('operations from a YAML specification with colon paths, next to `paths: { }`, WSDL and GraphQL APIs', () => {
    const inventory = loadApiopsFolder(path.join(REPO_ROOT, FOLDER), `apiops:${FOLDER}`, REPO_ROOT);
    expect(inventory.gaps).toEqual([]);
    const apis = inventory.services[0]?.apis ?? [];
    expect(apis.map((a) => [a.name, a.operations?.map((o) => o.name)])).toEqual([
      ['document-intelligence', ['DocumentModels_AnalyzeDocument', 'DocumentModels_BuildModel']],
      ['empty-api', undefined],
      ['graphql-api', ['query-orders']],
      ['soap-api', ['GetQuote']],
    ]);
    const specFile = `${FOLDER}/apis/document-intelligence/specification.yaml`;
    const analyze = apis[0]?.operations?.[0];
    expect(analyze?.origin.file).toBe(specFile);
    expect(inventory.files[specFile]?.locate(analyze?.origin.pointer ?? '')).toEqual({ line: 9, column: 5 });
    expect(analyze?.policy?.origin?.file).toBe(
      `${FOLDER}/apis/document-intelligence/operations/DocumentModels_AnalyzeDocument/policy.xml`,
    );
  });

  it('scans end to end through the CLI: complete, no gap (exit 0)', async () => {
    const { code, report } = await scanJson([`apiops:${FOLDER}`]);
    expect(report.gaps).toEqual([]);
    expect(report.complete).toBe(true);
    expect(code).toBe(0);
  });

  it('an unreadable specification is a gap naming the file and why (exit 3)', async () => {
    const dir = makeTempDir('spec');
    const api = path.join(dir, 'apis/broken-api');
    mkdirSync(api, { recursive: true });
    writeFileSync(path.join(api, 'apiInformation.json'), '{ "properties": { "path": "broken" } }');
    writeFileSync(path.join(api, 'specification.yaml'), 'openapi: 3.0.1\npaths:\n  /a: [\n');
    const { code, report } = await scanJson([`apiops:${dir}#fabrikam`], { cwd: dir });
    expect(report.gaps).toEqual([
      {
        source: `apiops:${dir}#fabrikam`,
        what: 'apis/broken-api',
        reason: expect.stringMatching(
          /^its specification cannot be read \(apis\/broken-api\/specification\.yaml:4:1: YAML syntax error: .*\), so operations without an operations\/<name>\/policy\.xml are not audited$/,
        ) as unknown as string,
      },
    ]);
    expect(code).toBe(3);
  });
});
