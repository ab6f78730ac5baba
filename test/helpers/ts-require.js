/**
 * `node -r test/helpers/ts-require.js src/.../file.ts`: runs TypeScript sources without a build (each file
 * transpiled on load, no type check), for tests that start the CLI or the action as a real process on a fresh
 * clone. The startup test's load hook builds on it.
 */
'use strict';
const { readFileSync } = require('node:fs');
const ts = require('typescript');

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  resolveJsonModule: true,
  sourceMap: false,
};
require.extensions['.ts'] = (module, filename) => {
  const source = readFileSync(filename, 'utf8');
  module._compile(ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText, filename);
};
