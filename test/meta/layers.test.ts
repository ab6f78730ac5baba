/**
 * The house follows the data flow. Every module of the package belongs to one room, the rooms stand in one order
 * (the list in README "Contributing", bottom first here), and a module imports only from its own room or from the
 * rooms below it. Cycles are refused everywhere, inside a room too. This test reads the imports as the compiler
 * does (TypeScript's own scanner), so a type-only import counts like any other.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../helpers/sample';

/** Bottom first. A room is a folder (every file under it) or one file. */
export const LAYERS: readonly string[] = [
  'src/util/',
  'src/errors.ts',
  'src/severity.ts',
  'src/entra/',
  'src/json/',
  'src/inventory/',
  'src/config/',
  'src/sources/',
  'src/model/',
  'src/policy/',
  'rules/support/',
  'rules/',
  'src/engine/',
  'src/registry/',
  'src/explain/',
  'src/token/',
  'src/testing/',
  'reporters/',
  'src/fixes/',
  'src/audit.ts',
  'src/cli/',
  'src/action/',
  'src/index.ts',
];

const PACKAGE_FOLDERS = ['src', 'rules', 'reporters'];

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listTs(full));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

function relative(file: string): string {
  return path.relative(REPO_ROOT, file).split(path.sep).join('/');
}

/** The room of a repository-relative path: the longest room that contains it. */
export function roomOf(file: string): number {
  let best = -1;
  for (const [i, room] of LAYERS.entries()) {
    const inside = room.endsWith('/') ? file.startsWith(room) : file === room;
    if (inside && (best < 0 || room.length > (LAYERS[best] ?? '').length)) best = i;
  }
  return best;
}

function resolveImport(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

export function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((i) => i.fileName)
    .filter((s) => s.startsWith('.'))
    .map((s) => resolveImport(file, s) ?? `${path.resolve(path.dirname(file), s)} (unresolved)`);
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, indices.get(w) ?? 0));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indices.has(v)) visit(v);
  return found;
}

const files = PACKAGE_FOLDERS.flatMap((f) => listTs(path.join(REPO_ROOT, f))).sort();
const graph = new Map(files.map((f) => [relative(f), importsOf(f).map(relative)]));

describe('layers', () => {
  it('puts every module of the package in a room', () => {
    expect([...graph.keys()].filter((f) => roomOf(f) < 0)).toEqual([]);
  });

  it('imports only from the same room or a room below', () => {
    const uphill: string[] = [];
    for (const [file, imports] of graph) {
      for (const target of imports) {
        const to = roomOf(target);
        if (to < 0) uphill.push(`${file} -> ${target}: outside the package's rooms`);
        else if (to > roomOf(file)) {
          uphill.push(
            `${file} -> ${target}: ${LAYERS[roomOf(file)]} imports ${LAYERS[to]}, which is above it`,
          );
        }
      }
    }
    expect(uphill).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('is the order README "Contributing" documents', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const block = /<!-- layers: top first -->\s*```text\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    const documented = (block?.[1] ?? '')
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[0] ?? '')
      .filter((room) => room.length > 0)
      .reverse();
    expect(documented).toEqual(LAYERS);
  });
});

describe('the checks themselves', () => {
  it('finds a cycle and a self-import, and no cycle in a chain', () => {
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
          ['d', ['a']],
        ]),
      ),
    ).toEqual([['a', 'b', 'c']]);
    expect(cycles(new Map([['a', ['a']]]))).toEqual([['a']]);
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('gives a file its innermost room', () => {
    expect(LAYERS[roomOf('rules/support/jwt.ts')]).toBe('rules/support/');
    expect(LAYERS[roomOf('rules/api-validate-jwt.ts')]).toBe('rules/');
    expect(LAYERS[roomOf('src/errors.ts')]).toBe('src/errors.ts');
    expect(roomOf('bench/index.ts')).toBe(-1);
  });
});
