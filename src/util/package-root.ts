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
  const relative = path.relative(cwd, path.resolve(cwd, file));
  return (relative === '' ? path.basename(file) : relative).split(path.sep).join('/');
}
