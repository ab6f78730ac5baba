import fc from 'fast-check';
import {
  joinPointer,
  jsonKeyPath,
  jsonPositionIndex,
  locatePointer,
  parseJsonWithPositions,
  pointerTokens,
  textFileIndex,
  unescapePointerToken,
} from '../../src/json/positions';

function parsed(text: string) {
  const result = parseJsonWithPositions(text);
  if ('problems' in result) throw new Error(JSON.stringify(result.problems));
  return result;
}

describe('position-keeping JSON', () => {
  it('locates values by pointer, including escaped keys', () => {
    const { index } = parsed('{\n  "a/b": { "c~d": [1, 22] }\n}');
    expect(index.locate('/a~1b/c~0d/1')).toEqual({ line: 2, column: 23 });
    expect(index.locate('/nope')).toBeUndefined();
  });

  it('maps an offset in a decoded string value back to the raw JSON text across escapes', () => {
    const policy = '<policies>\n  <inbound>\n    <set-header name="X">\n';
    const text = `{\n  "value": ${JSON.stringify(policy)}\n}`;
    const { index, value } = parsed(text);
    const decoded = (value as { value: string }).value;
    const offset = decoded.indexOf('<set-header');
    const position = index.locateOffset('/value', offset);
    const line = text.split('\n')[(position?.line ?? 0) - 1] ?? '';
    expect(line.slice((position?.column ?? 0) - 1).startsWith('<set-header name=\\"X\\">')).toBe(true);
    const quoteOffset = decoded.indexOf('"X"') + 1;
    const x = index.locateOffset('/value', quoteOffset);
    expect(line.slice((x?.column ?? 0) - 1).startsWith('X\\"')).toBe(true);
    expect(index.locateOffset('/value', decoded.length + 5)).toBeUndefined();
  });

  it('handles \\u escapes and a BOM (not counted as a column)', () => {
    const text = '\ufeff{"v": "caf\\u00e9 <x/>"}';
    const { index, value } = parsed(text);
    const decoded = (value as { v: string }).v;
    expect(index.locate('/v')).toEqual({ line: 1, column: 7 });
    expect(index.locateOffset('/v', decoded.indexOf('<x/>'))).toEqual({ line: 1, column: 18 });
  });

  it('locates in nested arrays and objects, escaped keys, duplicate keys (the last wins) and literals', () => {
    const text = '{"a":[{"k\\"q":[true,null,-1.5e3,"s"]},[]],"d":1,"d":{"x":"y"},"e":{}}';
    const { index, value } = parsed(text);
    const at = (pointer: string) => index.locate(pointer)?.column;
    expect(at('')).toBe(1);
    expect(at('/a/0/k"q/2')).toBe(text.indexOf('-1.5e3') + 1);
    expect(at('/a/0/k"q/3')).toBe(text.indexOf('"s"') + 1);
    expect(at('/a/1')).toBe(text.indexOf('[]') + 1);
    expect(at('/d/x')).toBe(text.indexOf('"y"') + 1);
    expect(at('/e')).toBe(text.lastIndexOf('{}') + 1);
    expect(at('/a/2')).toBeUndefined();
    expect(at('/a/01')).toBeUndefined();
    expect((value as { d: unknown }).d).toEqual({ x: 'y' });
  });

  it('finds keys written with escapes, keys that are prefixes of others, and literals before any delimiter', () => {
    const text = '{"caf\\u00e9":1,"ab":[2,3],"a":{"x\\/y":true},"a\\"b":null,"abc":-0.5e-3}\r\n';
    const { index } = parsed(text);
    const column = (pointer: string) => index.locate(pointer)?.column;
    expect(column('/café')).toBe(text.indexOf('1,') + 1);
    expect(column('/ab/1')).toBe(text.indexOf('3]') + 1);
    expect(column('/a/x~1y')).toBe(text.indexOf('true') + 1);
    expect(column('/a"b')).toBe(text.indexOf('null') + 1);
    expect(column('/abc')).toBe(text.indexOf('-0.5e-3') + 1);
    expect(column('/caf')).toBeUndefined();
    expect(column('/a/x')).toBeUndefined();
    expect(column('/abcd')).toBeUndefined();
  });

  it('counts lines at LF only (a CR is a column), with a position for every line start', () => {
    const { index } = parsed('{\r\n"a": 1,\n\n  "b": [\n true]}');
    expect(index.locate('/a')).toEqual({ line: 2, column: 6 });
    expect(index.locate('/b/0')).toEqual({ line: 5, column: 2 });
  });

  it('reports syntax errors with their position', () => {
    const result = parseJsonWithPositions('{\n  "a": 1,\n}');
    expect('problems' in result && result.problems[0]).toEqual({
      message: 'JSON syntax error: PropertyNameExpected',
      line: 3,
      column: 1,
    });
  });

  it('text file index: offsets into the file without its BOM', () => {
    const index = textFileIndex('\ufeff<policies>\r\n  <inbound />\r\n</policies>');
    expect(index.locateOffset('', 0)).toEqual({ line: 1, column: 1 });
    expect(index.locateOffset('', '<policies>\r\n  '.length)).toEqual({ line: 2, column: 3 });
    expect(index.locateOffset('/x', 0)).toBeUndefined();
  });
});

/** Every pointer of a parsed value, and pointers that are not there (below each, past each list, odd indexes). */
function pointersOf(value: unknown, pointer = '', out: string[] = []): string[] {
  out.push(pointer, `${pointer}/missing`, `${pointer}/0`, `${pointer}/-`, `${pointer}/01`);
  if (Array.isArray(value)) {
    value.forEach((item, i) => pointersOf(item, joinPointer(pointer, i), out));
    out.push(joinPointer(pointer, value.length));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) pointersOf(item, joinPointer(pointer, key), out);
  }
  return out;
}

function sameAsIndex(text: string): void {
  const index = jsonPositionIndex(text);
  for (const pointer of pointersOf(JSON.parse(text)))
    expect([pointer, locatePointer(text, pointer)]).toEqual([pointer, index.locate(pointer)]);
}

describe('locatePointer (one scan along the pointer)', () => {
  it('answers as the index does: nesting, escaped keys, duplicate keys (the last wins), literals, lines', () => {
    for (const text of [
      '{"a":[{"k\\"q":[true,null,-1.5e3,"s"]},[]],"d":1,"d":{"x":"y"},"e":{}}',
      '{"caf\\u00e9":1,"ab":[2,3],"a":{"x\\/y":true},"a\\"b":null,"abc":-0.5e-3}\r\n',
      '{\r\n"a": 1,\n\n  "b": [\n true]}',
      '{\n  "a/b": { "c~d": [1, 22] },\n  "s": "}]{[\\"\\\\",\n  "t": [ [ ], { }, [[1]], "x" ]\n}',
      ' [ 1 , { "a" : [ ] } ] ',
      '"just a string"',
      '42',
    ])
      sameAsIndex(text);
    const duplicates = '{"d":1,"d":{"x":"y"}}';
    expect(locatePointer(duplicates, '/d')).toEqual({ line: 1, column: 12 });
    expect(locatePointer(duplicates, '/d/x')).toEqual({ line: 1, column: 17 });
    expect(locatePointer('{"café":1}', '/caf')).toBeUndefined();
  });

  it('ends a string at the first quote that an even run of backslashes (or none) precedes', () => {
    // `"a\\"` ends after two backslashes; `"b\\\"c"` goes on past an escaped quote.
    const text = '{"s":"a\\\\","t":"b\\\\\\"c","u":1}';
    expect(JSON.parse(text)).toEqual({ s: 'a\\', t: 'b\\"c', u: 1 });
    const { index } = parsed(text);
    for (const [pointer, column] of [
      ['/t', 16],
      ['/u', 29],
    ] as const) {
      expect(locatePointer(text, pointer)).toEqual({ line: 1, column });
      expect(index.locate(pointer)).toEqual({ line: 1, column });
    }
  });

  it('answers as the index does for any JSON value, however it is laid out', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2, '\t'), (value, indent) => {
        sameAsIndex(JSON.stringify(value, null, indent) ?? 'null');
      }),
      { numRuns: 300 },
    );
  });
});

describe('position indexes keep their text to themselves', () => {
  const secret = 's3cr3t-v4lue-0123456789';

  it('a JSON index: serializing it shows no part of the text, before and after a lookup', () => {
    const parsed = parseJsonWithPositions(`{ "properties": { "value": "${secret}" } }`);
    if ('problems' in parsed) throw new Error('valid JSON expected');
    expect(JSON.stringify(parsed.index)).not.toContain(secret);
    expect(parsed.index.locate('/properties/value')).toEqual({ line: 1, column: 28 });
    expect(JSON.stringify(parsed.index)).not.toContain(secret);
  });

  it('a text file index: serializing it shows no part of the text', () => {
    const index = textFileIndex(`<policies>\n  <inbound>${secret}</inbound>\n</policies>`);
    expect(index.locateOffset('', 12)).toEqual({ line: 2, column: 2 });
    expect(JSON.stringify(index)).not.toContain(secret);
    expect(Object.keys(index)).toEqual([]);
  });
});

describe('JSON pointer tokens', () => {
  it('splits and unescapes a pointer, the inverse of joinPointer', () => {
    expect(pointerTokens('')).toEqual([]);
    expect(pointerTokens('/')).toEqual(['']);
    expect(pointerTokens('/a/0/b')).toEqual(['a', '0', 'b']);
    // `~01` is `~1` escaped: unescaped once, it stays `~1` (not `/`).
    expect(pointerTokens('/a~1b/c~0d/~01')).toEqual(['a/b', 'c~d', '~1']);
    expect(unescapePointerToken('plain')).toBe('plain');
    fc.assert(
      fc.property(fc.array(fc.string()), (tokens) => {
        expect(pointerTokens(joinPointer('', ...tokens))).toEqual(tokens);
      }),
    );
  });

  it('names a pointer by its keys and indexes', () => {
    expect(jsonKeyPath(pointerTokens('/resources/3/properties/x'))).toBe('resources[3].properties.x');
    expect(jsonKeyPath(pointerTokens('/0/a'))).toBe('[0].a');
    expect(jsonKeyPath([])).toBe('');
  });
});
