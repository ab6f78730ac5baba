/**
 * The read thread (src/util/read-thread.ts) as its worker runs it: compiled JavaScript. Under jest the sources are
 * TypeScript, so tests compile read-thread.ts and the one module it imports (files.ts) into a temp folder.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TypeScript from 'typescript';
import { REPO_ROOT } from './sample';
import { makeTempDir } from './temp';

/** read-thread.ts compiled next to the files.ts it imports; the path of read-thread.js. */
export function compiledReadThread(): string {
  // Node's own require: through jest's module registry, loading the compiler takes seconds.
  const ts = createRequire(__filename)('typescript') as typeof TypeScript;
  const dir = makeTempDir('read-thread-js');
  // read-thread.ts imports only node: modules and ./files.
  for (const name of ['files', 'read-thread']) {
    const source = readFileSync(path.join(REPO_ROOT, 'src', 'util', `${name}.ts`), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    });
    writeFileSync(path.join(dir, `${name}.js`), outputText);
  }
  return path.join(dir, 'read-thread.js');
}
