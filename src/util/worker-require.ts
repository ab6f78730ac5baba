/**
 * How a worker thread loads a module of ours by its path (read-ahead.ts). The workers run from the
 * source text of a function (`eval`), so this function is passed to them as source too: it may use nothing from
 * outside itself but `require`.
 */

/**
 * `require(module)` from the worker. A path ending in `.ts` (the tests, which run the sources) is transpiled with the
 * `typescript` package as it loads, as ts-jest does on the main thread; the built package only ever gives `.js`.
 */
/* istanbul ignore next */
export function workerRequire(module: string): unknown {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const fs = require('node:fs') as typeof import('node:fs');
  const nodeModule = require('node:module') as typeof import('node:module') & {
    _extensions: Record<
      string,
      (module: { _compile(code: string, file: string): void }, file: string) => void
    >;
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  if (module.endsWith('.ts') && !nodeModule._extensions['.ts']) {
    const ts = nodeModule.createRequire(module)('typescript') as typeof import('typescript');
    nodeModule._extensions['.ts'] = (m, file) => {
      const source = fs.readFileSync(file, 'utf8');
      const options = {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      };
      m._compile(ts.transpileModule(source, { compilerOptions: options, fileName: file }).outputText, file);
    };
  }
  return nodeModule.createRequire(module)(module);
}

/** The source a worker runs: `worker` called with `workerRequire` (both run from their source text). */
export function workerSource(worker: (load: typeof workerRequire) => void): string {
  return `(${worker.toString()})(${workerRequire.toString()})`;
}
