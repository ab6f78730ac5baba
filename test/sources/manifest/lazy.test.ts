import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseTree, type Node as JsonNode } from 'jsonc-parser';
import { joinPointer } from '../../../src/json/positions';
import { decodeText } from '../../../src/sources/manifest';
import { lazyJsonIndex, once } from '../../../src/sources/manifest/lazy';
import { REPO_ROOT } from '../../helpers/sample';

const FIXTURES = path.join(REPO_ROOT, 'test/sources/manifest/fixtures');

/** Every manifest fixture that is valid JSON (malformed.json is not), and its text as the source decodes it. */
function fixtureTexts(): { name: string; text: string }[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.json') && name !== 'malformed.json') files.push(full);
    }
  };
  walk(FIXTURES);
  return files.map((file) => ({
    name: path.relative(FIXTURES, file),
    text: decodeText(readFileSync(file)),
  }));
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

describe('once', () => {
  it('computes on the first call only, undefined results included', () => {
    let calls = 0;
    const value = once(() => {
      calls++;
      return undefined;
    });
    expect(calls).toBe(0);
    expect(value()).toBeUndefined();
    expect(value()).toBeUndefined();
    expect(calls).toBe(1);
  });
});

describe('lazyJsonIndex', () => {
  const fixtures = fixtureTexts();

  it('covers the fixtures of both formats, lists and pages', () => {
    expect(fixtures.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'az-ad-app-list.json',
        'graph-page.json',
        'colors-legacy/oauth-backend-app.json',
        'colors-graph/oauth-client-app.json',
        'powershell-utf16.json',
      ]),
    );
  });

  it.each(fixtures.map((f) => [f.name, f.text] as const))(
    '%s: the same line and column as an eager parse, for every pointer',
    (_name, text) => {
      const eager = eagerPositions(text);
      const index = lazyJsonIndex(() => text);
      expect(eager.size).toBeGreaterThan(10);
      for (const [pointer, position] of eager)
        expect([pointer, index.locate(pointer)]).toEqual([pointer, position]);
      expect(index.locate('/no such key')).toBeUndefined();
    },
  );

  it('asks for the text once, on the first lookup', () => {
    let reads = 0;
    const index = lazyJsonIndex(() => {
      reads++;
      return '{\n  "a": [1, "x"]\n}';
    });
    expect(reads).toBe(0);
    expect(index.locate('/a/1')).toEqual({ line: 2, column: 12 });
    expect(index.locateOffset('/a/1', 0)).toEqual({ line: 2, column: 13 });
    expect(reads).toBe(1);
  });
});
