/**
 * `node -r ./load-hook.js src/cli/main.ts ...`: runs the CLI from its TypeScript sources (each file transpiled on
 * load, no type check) and, at exit, writes every module file the CLI loaded to $LOADED_MODULES_FILE as JSON.
 * Used by startup-modules.test.ts; works on a fresh clone (no build).
 */
'use strict';
const { writeFileSync } = require('node:fs');
const Module = require('node:module');
require('../../helpers/ts-require');

// Counted from here on: typescript itself (loaded above) is the harness, not the CLI.
const loaded = new Set();
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const exported = load.apply(this, arguments);
  try {
    loaded.add(Module._resolveFilename(request, parent, isMain));
  } catch {
    loaded.add(request);
  }
  return exported;
};
process.on('exit', () => {
  writeFileSync(process.env.LOADED_MODULES_FILE, JSON.stringify([...loaded].sort(), null, 1));
});
