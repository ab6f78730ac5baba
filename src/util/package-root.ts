import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/** The folder holding this package's package.json, from source (ts-jest) or from dist alike. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'apim-oauth-audit') return (cached = dir);
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('apim-oauth-audit: cannot find its own package.json');
    dir = parent;
  }
}

export function toolVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** A path relative to the working directory with `/` separators, as findings report it. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const below = plainlyBelow(file, cwd);
  if (below !== undefined) return below;
  const relative = path.relative(cwd, path.resolve(cwd, file));
  return (relative === '' ? path.basename(file) : relative).split(path.sep).join('/');
}

/** `dir` with a path separator at its end (once): the `base` of `isBaseAndShown`. */
export function withSeparator(dir: string): string {
  return dir.endsWith(path.sep) ? dir : `${dir}${path.sep}`;
}

/**
 * Whether `file` is `base` (a folder's path with its separator, `withSeparator`) followed by `shown` (the path shown for the file):
 * then what reads the file again can keep `shown`, which its findings keep anyway, and the shared `base` instead of a
 * string of the whole path (a tenant-sized folder has 10,000 files).
 */
export function isBaseAndShown(file: string, base: string, shown: string): boolean {
  return file.length === base.length + shown.length && file.startsWith(base) && file.endsWith(shown);
}

/**
 * The common case without resolving anything (a source reads every file through here): on POSIX, an absolute
 * normalized `file` inside a normalized `cwd` is shown as what follows `cwd/`. Undefined for anything else.
 */
function plainlyBelow(file: string, cwd: string): string | undefined {
  if (path.sep !== '/' || cwd.length < 2) return undefined;
  // A normalized relative path (a source given as `apiops:artifacts`) is shown as it is.
  if (file[0] !== '/') return plainRest(file) && isNormalized(cwd) ? file : undefined;
  if (!file.startsWith(cwd) || file[cwd.length] !== '/') return undefined;
  const rest = file.slice(cwd.length + 1);
  return plainRest(rest) && isNormalized(cwd) ? rest : undefined;
}

/** Whether a relative path is normalized: no empty, `.` or `..` segment, no trailing `/`. */
function plainRest(rest: string): boolean {
  return !(
    rest === '' ||
    rest[0] === '/' ||
    rest.endsWith('/') ||
    rest.includes('//') ||
    DOT_SEGMENT.test(rest)
  );
}

const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;
const normalizedDirs = new Map<string, boolean>();

function isNormalized(dir: string): boolean {
  let known = normalizedDirs.get(dir);
  if (known === undefined) {
    known = path.resolve(dir) === dir;
    // Bounded: a run has one working directory (tests may use a few).
    if (normalizedDirs.size < 64) normalizedDirs.set(dir, known);
  }
  return known;
}
