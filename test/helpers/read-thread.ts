/**
 * The read thread (src/util/read-thread.ts) as its worker runs it: compiled JavaScript. Under jest the sources are
 * TypeScript, so tests compile read-thread-worker.ts and the modules it imports (read-thread.ts, files.ts) into a
 * temp folder.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TypeScript from 'typescript';
import { REPO_ROOT } from './sample';
import { makeTempDir } from './temp';

/** The worker script compiled next to the modules it imports; the path of read-thread-worker.js. */
export function compiledReadThread(): string {
  // Node's own require: through jest's module registry, loading the compiler takes seconds.
  const ts = createRequire(__filename)('typescript') as typeof TypeScript;
  const dir = makeTempDir('read-thread-js');
  // Nothing else is imported but node: modules.
  for (const name of ['files', 'read-thread', 'read-thread-worker']) {
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
  return path.join(dir, 'read-thread-worker.js');
}
