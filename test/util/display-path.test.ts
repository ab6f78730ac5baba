/**
 * `displayPath` takes a shortcut for a normalized file inside a normalized working directory; every path must
 * show as the resolving definition shows it.
 */
import path from 'node:path';
import { displayPath } from '../../src/util/package-root';

/** The definition: relative to the working directory, `/`-separated, the file's name when it is the directory. */
function reference(file: string, cwd: string): string {
  const relative = path.relative(cwd, path.resolve(cwd, file));
  return (relative === '' ? path.basename(file) : relative).split(path.sep).join('/');
}

const CWDS = ['/work/repo', '/work/repo/', '/work/./repo', '/work/x/../repo', '/', '/w'];
const SEGMENTS = ['a', 'b.json', '.', '..', '', 'repo', 'work', '.hidden', '...', 'a b', 'ü'];

/** Every path of up to four segments from SEGMENTS, absolute under each cwd and relative (a fixed, seeded set). */
function paths(): string[] {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    const n = 1 + Math.floor(random() * 4);
    const parts = Array.from({ length: n }, () => SEGMENTS[Math.floor(random() * SEGMENTS.length)] ?? 'a');
    const tail = parts.join('/') + (random() < 0.1 ? '/' : '');
    const cwd = CWDS[Math.floor(random() * CWDS.length)] ?? '/';
    out.add(tail);
    out.add(`${cwd}/${tail}`);
    out.add(`${cwd}${tail}`);
  }
  return [...out];
}

describe('displayPath', () => {
  it.each(CWDS)('shows every path as the definition does (cwd %s)', (cwd) => {
    const differing = paths().filter((file) => displayPath(file, cwd) !== reference(file, cwd));
    expect(differing).toEqual([]);
  });

  it('shows a file inside the working directory as the path below it', () => {
    expect(displayPath('/work/repo/apis/a/policy.xml', '/work/repo')).toBe('apis/a/policy.xml');
    expect(displayPath('/work/repo', '/work/repo')).toBe('repo');
    expect(displayPath('/work/other/x.json', '/work/repo')).toBe('../other/x.json');
  });
});
