/**
 * Issue 12 (start-up): the CLI compiles its modules from the code cache the build writes (src/cli/compile-cache.ts).
 * A module compiled from the cache behaves as one Node.js compiles; a module whose source changed, a cache made for
 * another runtime or a damaged file is never used; APIM_AUDIT_COMPILE_CACHE=off turns it off.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  compileModule,
  installCompileCache,
  MAGIC,
  readCache,
  runModule,
  runtime,
  sourceKey,
  uninstallCompileCache,
  writeCache,
} from '../../src/cli/compile-cache';
import { REPO_ROOT } from '../helpers/sample';
import { makeTempDir } from '../helpers/temp';

const A = `#!/usr/bin/env node
'use strict';
const b = require('./b');
module.exports = {
  sum: b.add(2, 3),
  dirname: __dirname,
  filename: __filename,
  resolved: require.resolve('./b'),
  isMain: require.main === module,
  fromThis: this === module.exports,
  stackLine: new Error('here').stack.split('\\n')[1],
  later: () => import('node:path').then((p) => typeof p.join),
};
`;
// `k` is set by the module's top-level code, which the cache holds compiled.
const B = `exports.add = (x, y) => x + y;\nexports.k = 1;\n`;

/** The two modules in a folder of their own. */
function modules(): string {
  const dir = makeTempDir('compile-cache');
  mkdirSync(path.join(dir, 'mod'));
  writeFileSync(path.join(dir, 'mod', 'a.js'), A);
  writeFileSync(path.join(dir, 'mod', 'b.js'), B);
  return dir;
}

/**
 * Runs `body` in a child Node.js (jest loads modules its own way, the CLI with Node.js's loader), with `cc` the
 * compile-cache module (from the TypeScript sources), `dir` the modules' folder and `load()` loading `a.js` fresh;
 * returns what it prints as JSON.
 */
function child(dir: string, body: string): Record<string, unknown> {
  const script = path.join(dir, 'child.js');
  writeFileSync(
    script,
    `'use strict';
     const path = require('node:path');
     const cc = require(${JSON.stringify(path.join(REPO_ROOT, 'src', 'cli', 'compile-cache.ts'))});
     const dir = ${JSON.stringify(dir)};
     const load = () => {
       for (const name of ['a.js', 'b.js']) delete require.cache[path.join(dir, 'mod', name)];
       return require(path.join(dir, 'mod', 'a.js'));
     };
     /** A cache of a.js and b.js as they are now, made the way scripts/compile-cache.js makes it. */
     const makeCache = (file, data, resolutions = {}) => {
       const entries = new Map();
       for (const name of ['a.js', 'b.js']) {
         const text = require('node:fs').readFileSync(path.join(dir, 'mod', name), 'utf8');
         // (Compiled only without \`data\`: V8 keeps what it compiled, and would then not look at \`data\`.)
         entries.set(cc.sourceKey(text), data ?? cc.compileModule(text, path.join(dir, 'mod', name)).createCachedData());
       }
       require('node:fs').writeFileSync(file, cc.writeCache(entries, new Map(Object.entries(resolutions))));
       return file;
     };
     (async () => {
       ${body}
     })().then((out) => process.stdout.write(JSON.stringify(out)));`,
  );
  const stdout = execFileSync(
    process.execPath,
    ['-r', path.join(REPO_ROOT, 'test', 'helpers', 'ts-require.js'), script],
    {
      encoding: 'utf8',
    },
  );
  return JSON.parse(stdout) as Record<string, unknown>;
}

// A cache installed in this process (jest's worker) is removed again.
afterEach(() => uninstallCompileCache());

describe('compile cache', () => {
  it('compiles modules from the cache, and they behave as compiled by Node.js', () => {
    const dir = modules();
    const out = child(
      dir,
      `const describe = async (m) => ({ ...m, later: await m.later() });
       const plain = await describe(load());
       const cache = makeCache(path.join(dir, 'cache.bin'));
       const installed = cc.installCompileCache(cache, {});
       const before = cc.compileCacheHits();
       const cached = await describe(load());
       return { plain, cached, installed, hits: cc.compileCacheHits() - before };`,
    );
    expect(out['installed']).toBe(true);
    expect(out['hits']).toBe(2);
    expect(out['cached']).toEqual(out['plain']);
    expect(out['cached']).toMatchObject({ sum: 5, fromThis: true, isMain: false, later: 'function' });
    expect((out['cached'] as { stackLine: string }).stackLine).toContain(
      `${path.join(dir, 'mod', 'a.js')}:11:`,
    );
  });

  it('never uses the cache for a module whose source changed', () => {
    const dir = modules();
    const out = child(
      dir,
      `const cache = makeCache(path.join(dir, 'cache.bin'));
       // The same length (all V8 itself checks): stale code would still say k = 1.
       require('node:fs').writeFileSync(path.join(dir, 'mod', 'b.js'), 'exports.add = (x, y) => x * y;\\nexports.k = 2;\\n');
       cc.installCompileCache(cache, {});
       const before = cc.compileCacheHits();
       const b = require(path.join(dir, 'mod', 'b.js'));
       return { sum: load().sum, k: b.k, hits: cc.compileCacheHits() - before };`,
    );
    // a.js only: b.js changed since the cache was made, and runs as it is now.
    expect(out).toEqual({ sum: 6, k: 2, hits: 1 });
  });

  it('compiles a module whose cached code V8 rejects from its source', () => {
    // A process of its own: V8 keeps what it compiled once, and would not look at the cache again.
    const dir = modules();
    const out = child(
      dir,
      `cc.installCompileCache(makeCache(path.join(dir, 'rejected.bin'), Buffer.from('not code')), {});
       const before = cc.compileCacheHits();
       return { sum: load().sum, hits: cc.compileCacheHits() - before };`,
    );
    expect(out).toEqual({ sum: 5, hits: 0 });
  });

  it('uses no cache made for another runtime, no damaged or missing file, and none when turned off', () => {
    const dir = modules();
    const bytes = writeCache(new Map([[sourceKey(B), Buffer.from('x')]]));
    expect(readCache(bytes)?.header.entries).toEqual({ [sourceKey(B)]: [0, 1] });
    expect(readCache(bytes)?.header.resolutions).toEqual({});
    const badResolutions = Buffer.from(JSON.stringify({ ...runtime(), entries: {}, resolutions: 'x' }));
    const badSize = Buffer.alloc(4);
    badSize.writeUInt32LE(badResolutions.length);
    expect(readCache(Buffer.concat([Buffer.from(MAGIC, 'latin1'), badSize, badResolutions]))).toBeUndefined();
    const header = Buffer.from(JSON.stringify({ ...runtime(), node: 'v0.0.0', entries: {} }));
    const size = Buffer.alloc(4);
    size.writeUInt32LE(header.length);
    expect(readCache(Buffer.concat([Buffer.from(MAGIC, 'latin1'), size, header]))).toBeUndefined();
    expect(readCache(Buffer.from('not a cache'))).toBeUndefined();
    expect(readCache(Buffer.from(MAGIC, 'latin1'))).toBeUndefined();
    const damaged = path.join(dir, 'damaged.bin');
    writeFileSync(damaged, Buffer.concat([Buffer.from(MAGIC, 'latin1'), Buffer.from([255, 255, 255, 0])]));
    expect(installCompileCache(damaged, {})).toBe(false);
    expect(installCompileCache(path.join(dir, 'missing.bin'), {})).toBe(false);
    const good = path.join(dir, 'good.bin');
    writeFileSync(good, bytes);
    expect(installCompileCache(good, { APIM_AUDIT_COMPILE_CACHE: 'off' })).toBe(false);
    expect(installCompileCache(good, {})).toBe(true);
  });

  it('resolves relative requires between its own modules from the cache while the file it names is there', () => {
    const dir = modules();
    const out = child(
      dir,
      `const key = cc.resolutionKey(dir, path.join(dir, 'mod'), './b');
       const run = (name, target) => {
         cc.installCompileCache(makeCache(path.join(dir, name), undefined, { [key]: target }), {});
         // Node.js remembers where a require led while that module is loaded: each run starts from none.
         delete require.cache[path.join(dir, 'mod', 'c.js')];
         const before = cc.compileCacheResolutions();
         const { sum, resolved } = load();
         return { sum, resolved: path.relative(dir, resolved), fromCache: cc.compileCacheResolutions() - before };
       };
       require('node:fs').writeFileSync(path.join(dir, 'mod', 'c.js'), 'exports.add = (x, y) => x - y;\\n');
       return {
         key,
         named: run('named.bin', 'mod/c.js'),
         same: run('same.bin', 'mod/b.js'),
         gone: run('gone.bin', 'mod/gone.js'),
         folder: run('folder.bin', 'mod'),
         damaged: run('damaged.bin', 42),
       };`,
    );
    expect(out['key']).toBe('mod\0./b');
    // The file the cache names is the one loaded (\`require\` and \`require.resolve\`): nothing looks further.
    expect(out['named']).toEqual({ sum: -1, resolved: path.join('mod', 'c.js'), fromCache: 2 });
    expect(out['same']).toEqual({ sum: 5, resolved: path.join('mod', 'b.js'), fromCache: 2 });
    // A file that is gone, or not a file: Node.js resolves the require.
    expect(out['gone']).toEqual({ sum: 5, resolved: path.join('mod', 'b.js'), fromCache: 0 });
    expect(out['folder']).toEqual({ sum: 5, resolved: path.join('mod', 'b.js'), fromCache: 0 });
    expect(out['damaged']).toEqual({ sum: 5, resolved: path.join('mod', 'b.js'), fromCache: 0 });
  });

  it('takes no file outside its folder that a damaged cache names', () => {
    const dir = modules();
    const out = child(
      dir,
      `// The cache in mod/ (its folder), naming the file c.js beside mod/ for a require of a.js.
       require('node:fs').writeFileSync(path.join(dir, 'c.js'), 'exports.add = () => 0;\\n');
       const key = cc.resolutionKey(path.join(dir, 'mod'), path.join(dir, 'mod'), './b');
       cc.installCompileCache(makeCache(path.join(dir, 'mod', 'cache.bin'), undefined, { [key]: '../c.js' }), {});
       const before = cc.compileCacheResolutions();
       return { key, sum: load().sum, fromCache: cc.compileCacheResolutions() - before };`,
    );
    expect(out).toEqual({ key: '.\0./b', sum: 5, fromCache: 0 });
  });

  it('resolves no require of a module outside the cache folder from it', () => {
    const dir = modules();
    const out = child(
      dir,
      `const inner = path.join(dir, 'inner');
       require('node:fs').mkdirSync(inner);
       // Made for the folder \`inner\`: mod/ is outside it, even with a key that would match.
       const key = cc.resolutionKey(inner, path.join(dir, 'mod'), './b');
       cc.installCompileCache(makeCache(path.join(inner, 'cache.bin'), undefined, { [key]: 'x.js' }), {});
       require('node:fs').writeFileSync(path.join(inner, 'x.js'), 'exports.add = () => 0;\\n');
       const before = cc.compileCacheResolutions();
       return { key, sum: load().sum, fromCache: cc.compileCacheResolutions() - before };`,
    );
    expect(out).toEqual({ key: '../mod\0./b', sum: 5, fromCache: 0 });
  });

  it('runs a compiled module with its own module, exports and paths', () => {
    const dir = makeTempDir('compile-cache-run');
    const file = path.join(dir, 'm.js');
    const module = { exports: {}, require: (id: string) => (id === 'x' ? 42 : undefined) } as never;
    const script = compileModule('module.exports = { x: require("x"), here: __filename };', file);
    runModule(script, module, file);
    expect((module as { exports: unknown }).exports).toEqual({ x: 42, here: file });
  });
});
