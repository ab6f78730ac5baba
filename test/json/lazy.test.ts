import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseTree, type Node as JsonNode } from 'jsonc-parser';
import { joinPointer } from '../../src/json/positions';
import { decodeText } from '../../src/sources/manifest';
import { LazyJsonIndex } from '../../src/json/lazy';
import { REPO_ROOT } from '../helpers/sample';

const FIXTURES = path.join(REPO_ROOT, 'test/sources/manifest/fixtures');

/** Every manifest fixture that is valid JSON (malformed.json is not): its bytes, and its text as the source decodes it. */
function fixtures(): { name: string; bytes: Buffer; text: string }[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.json') && name !== 'malformed.json') files.push(full);
    }
  };
  walk(FIXTURES);
  return files.map((file) => {
    const bytes = readFileSync(file);
    return { name: path.relative(FIXTURES, file), bytes, text: decodeText(bytes) };
  });
}

/**
 * Every pointer of a text with its 1-based position, from jsonc-parser's tree (an eager parse written by others),
 * the last of duplicate keys winning as in `JSON.parse`.
 */
function eagerPositions(text: string): Map<string, { line: number; column: number }> {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const position = (offset: number) => {
    let line = 0;
    while (line + 1 < lineStarts.length && (lineStarts[line + 1] ?? 0) <= offset) line++;
    return { line: line + 1, column: offset - (lineStarts[line] ?? 0) + 1 };
  };
  const out = new Map<string, { line: number; column: number }>();
  const visit = (node: JsonNode, pointer: string) => {
    out.set(pointer, position(node.offset));
    if (node.type === 'array') node.children?.forEach((child, i) => visit(child, joinPointer(pointer, i)));
    if (node.type === 'object') {
      for (const property of node.children ?? []) {
        const [key, value] = property.children ?? [];
        if (key && value) visit(value, joinPointer(pointer, key.value as string));
      }
    }
  };
  const root = parseTree(text);
  if (!root) throw new Error('fixture is not JSON');
  visit(root, '');
  return out;
}

describe('LazyJsonIndex', () => {
  const all = fixtures();

  it('covers the fixtures of both formats, lists, pages and UTF-16', () => {
    expect(all.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'az-ad-app-list.json',
        'graph-page.json',
        'colors-legacy/oauth-backend-app.json',
        'colors-graph/oauth-client-app.json',
        'powershell-utf16.json',
      ]),
    );
  });

  it.each(all.map((f) => [f.name, f] as const))(
    '%s: read again, the same line and column as an eager parse of its text, for every pointer',
    (_name, { bytes, text }) => {
      const eager = eagerPositions(text);
      const index = new LazyJsonIndex({ reread: () => decodeText(bytes) });
      expect(eager.size).toBeGreaterThan(10);
      for (const [pointer, position] of eager)
        expect([pointer, index.locate(pointer)]).toEqual([pointer, position]);
      expect(index.locate('/no such key')).toBeUndefined();
    },
  );

  it('reads a file again when a lookup needs it, keeps the last 64 texts read so, a large one for good; a text is used as it is', () => {
    const reads = new Map<string, number>();
    const reading = (name: string, text: string) => ({
      reread: () => {
        reads.set(name, (reads.get(name) ?? 0) + 1);
        return text;
      },
    });
    const index = new LazyJsonIndex(reading('a', '{\n  "a": [1, "x"]\n}'));
    expect(reads.get('a')).toBeUndefined();
    expect(index.locate('/a/1')).toEqual({ line: 2, column: 12 });
    expect(index.locate('/a/0')).toEqual({ line: 2, column: 9 });
    // The index is built from the text read last, then kept among the recently used ones.
    expect(index.locateOffset('/a/1', 0)).toEqual({ line: 2, column: 13 });
    expect(index.locateOffset('/a/1', 0)).toEqual({ line: 2, column: 13 });
    expect(reads.get('a')).toBe(1);
    // 64 other files read: the text and the index of the first one are gone, and it is read again.
    for (let i = 0; i < 64; i++) new LazyJsonIndex(reading(`f${i}`, `{"n": ${i}}`)).locateOffset('/n', 0);
    expect(index.locateOffset('/a/1', 0)).toEqual({ line: 2, column: 13 });
    expect(reads.get('a')).toBe(2);
    expect(reads.get('f0')).toBe(1);
    const largeText = `{"pad": "${'x'.repeat(1024 * 1024)}", "b": [true]}`;
    const large = new LazyJsonIndex(reading('large', largeText));
    expect(large.locate('/b/0')).toEqual({ line: 1, column: largeText.indexOf('true') + 1 });
    expect(large.locate('/b')).toEqual({ line: 1, column: largeText.indexOf('[') + 1 });
    expect(large.locateOffset('/pad', 1)).toEqual({ line: 1, column: 11 });
    for (let i = 0; i < 64; i++) new LazyJsonIndex(reading(`g${i}`, `{"n": ${i}}`)).locateOffset('/n', 0);
    expect(large.locate('/pad')).toEqual({ line: 1, column: 9 });
    expect(reads.get('large')).toBe(1);
    const fromText = new LazyJsonIndex('{"b": true}');
    expect(fromText.locate('/b')).toEqual({ line: 1, column: 7 });
  });

  it('locates nothing in a file that cannot be read again, and tries it once while it is among the last read', () => {
    let reads = 0;
    const index = new LazyJsonIndex({
      reread: () => {
        reads++;
        return undefined;
      },
    });
    expect(index.locate('/a')).toBeUndefined();
    expect(index.locate('/a')).toBeUndefined();
    expect(index.locate('/a')).toBeUndefined();
    expect(index.locateOffset('/a', 0)).toBeUndefined();
    expect(reads).toBe(1);
  });

  it('does not show the text it keeps when serialized (a manifest holds secret values)', () => {
    const text = '{"passwordCredentials": [{"secretText": "s3cr3t"}]}';
    for (const index of [new LazyJsonIndex(text), new LazyJsonIndex({ reread: () => text })]) {
      index.locate('/passwordCredentials/0');
      expect(JSON.stringify(index)).toBe('{}');
    }
  });
});
