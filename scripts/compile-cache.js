#!/usr/bin/env node
/**
 * Writes dist/compile-cache.bin (src/cli/compile-cache.ts): the V8 code of every module the CLI loads for its common
 * commands, compiled as they ran, so that a run of the built CLI does not compile them again (issue 12: start-up).
 *
 * Each command runs in a child `node` with a hook (`--record`) that compiles modules the way the cache is read and
 * keeps their code after the command ran (functions compiled on the way included). For a module several commands
 * load, the largest code is kept. `npm run build` runs it after `tsc`; the cache is valid only for the Node.js it
 * was made with (another one compiles as usual).
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const cacheModule = path.join(dist, 'src', 'cli', 'compile-cache.js');

/** The commands whose modules are cached: start-up, the sample, each source kind and report format of the examples. */
const COMMANDS = [
  ['--version'],
  ['--help'],
  ['rules'],
  ['scan', 'examples/contoso/snapshot.json', '--fail-on', 'none'],
  ['scan', 'examples/contoso/snapshot.json', '--fail-on', 'none', '--format', 'json'],
  ['scan', 'examples/contoso/snapshot.json', '--fail-on', 'none', '--format', 'sarif'],
  [
    'scan',
    '--source',
    'apiops:examples/apiops-real/apimartifacts',
    '--source',
    'manifest:examples/apiops-real/entra',
    '--fail-on',
    'none',
  ],
];

function record() {
  const Module = require('node:module');
  const { compileModule, isOwnRelativeRequire, resolutionKey, runModule, sourceKey } = require(cacheModule);
  const scripts = [];
  Module.prototype._compile = function (content, filename) {
    const script = compileModule(content, filename);
    scripts.push([sourceKey(content), script]);
    return runModule(script, this, filename);
  };
  // Where each relative `require` between modules of dist/ led (compile-cache.ts `resolveFromCache`).
  const resolutions = {};
  const resolve = Module._resolveFilename;
  const inside = (file) => file.startsWith(dist + path.sep);
  Module._resolveFilename = function (request, parent, isMain, options) {
    const file = resolve.call(this, request, parent, isMain, options);
    if (isOwnRelativeRequire(dist, request, parent?.path, options) && inside(file)) {
      resolutions[resolutionKey(dist, parent.path, request)] = path
        .relative(dist, file)
        .split(path.sep)
        .join('/');
    }
    return file;
  };
  process.on('exit', () => {
    const code = {};
    for (const [key, script] of scripts) code[key] = script.createCachedData().toString('base64');
    writeFileSync(process.env.APIM_AUDIT_COMPILE_CACHE_RECORD, JSON.stringify({ code, resolutions }));
  });
}

/** In a child run with the cache written: how many modules compiled from it, written at exit (`checkCache`). */
function report() {
  const { compileCacheHits } = require(cacheModule);
  process.on('exit', () =>
    writeFileSync(process.env.APIM_AUDIT_COMPILE_CACHE_HITS, String(compileCacheHits())),
  );
}

/**
 * Runs `--version` with the cache just written and fails the build when no module compiled from it: V8 takes cached
 * code only under the flags it was made with, so a CLI that set its own flags (src/cli/v8-flags.ts) after installing
 * the cache, or recorded under others, would start as slowly as without one, and nothing else would tell.
 */
function checkCache(work) {
  const out = path.join(work, 'hits');
  execFileSync(process.execPath, ['-r', __filename, path.join(dist, 'src', 'cli', 'main.js'), '--version'], {
    cwd: root,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      APIM_AUDIT_COMPILE_CACHE: 'on',
      APIM_AUDIT_COMPILE_CACHE_HITS: out,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const hits = Number(readFileSync(out, 'utf8'));
  if (!(hits > 0)) {
    throw new Error(
      'compile cache: V8 rejected the code it was just given (no module of `--version` compiled from it): the CLI ' +
        'must set the same V8 flags when it records and when it runs, before any module compiles from the cache ' +
        '(src/cli/compile-cache-install.ts)',
    );
  }
  return hits;
}

function main() {
  const { writeCache } = require(cacheModule);
  const work = mkdtempSync(path.join(tmpdir(), 'aoa-compile-cache-'));
  const entries = new Map();
  const resolutions = new Map();
  const conflicting = new Set();
  try {
    COMMANDS.forEach((args, i) => {
      const out = path.join(work, `${i}.json`);
      execFileSync(process.execPath, ['-r', __filename, path.join(dist, 'src', 'cli', 'main.js'), ...args], {
        cwd: root,
        // Recorded under the CLI's own V8 flags only: a build's NODE_OPTIONS (--max-old-space-size in a CI job)
        // would change the flags V8 checks cached code against, and no user run would take it.
        env: {
          ...process.env,
          NODE_OPTIONS: '',
          APIM_AUDIT_COMPILE_CACHE: 'off',
          APIM_AUDIT_COMPILE_CACHE_RECORD: out,
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const recorded = JSON.parse(readFileSync(out, 'utf8'));
      for (const [key, data] of Object.entries(recorded.code)) {
        const code = Buffer.from(data, 'base64');
        if (!entries.has(key) || entries.get(key).length < code.length) entries.set(key, code);
      }
      for (const [key, file] of Object.entries(recorded.resolutions)) {
        // The same request from the same folder leads to the same file in every command; one that did not would
        // be left to Node.js.
        if (resolutions.has(key) && resolutions.get(key) !== file) conflicting.add(key);
        resolutions.set(key, file);
      }
    });
    for (const key of conflicting) resolutions.delete(key);
    const bytes = writeCache(entries, resolutions);
    writeFileSync(path.join(dist, 'compile-cache.bin'), bytes);
    const hits = checkCache(work);
    process.stdout.write(
      `compile cache: ${entries.size} modules, ${resolutions.size} relative requires, ${(bytes.length / 1024).toFixed(0)} KiB (--version compiles ${hits} from it)\n`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.env.APIM_AUDIT_COMPILE_CACHE_RECORD) record();
else if (process.env.APIM_AUDIT_COMPILE_CACHE_HITS) report();
else if (require.main === module) main();
