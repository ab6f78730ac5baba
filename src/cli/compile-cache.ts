/**
 * Start-up (issue 12): the V8 code of the CLI's modules, compiled and cached when the package is built
 * (scripts/compile-cache.js writes `dist/compile-cache.bin`), so that a run does not compile them again. On Node.js
 * 20 a third of an offline scan of the sample is compiling JavaScript (`wrapSafe`); Node.js 22's
 * `module.enableCompileCache` does the same, but writes its cache at run time, where this reads only.
 *
 * Safe by construction:
 * - A module's code is looked up by the SHA-1 of its source text, so a changed file never runs stale code (V8
 *   itself checks only the length of the source).
 * - The whole cache is used only by the Node.js, V8 and architecture it was built with. V8 rejects data that does
 *   not fit its flags (the module is then compiled as usual).
 * - It is read, never written, at run time. It lives in the package, beside the code it stands for.
 * - A module not in the cache, and every module when the cache is absent or unusable, compiles as Node.js does.
 *   `APIM_AUDIT_COMPILE_CACHE=off` turns it off.
 * - It also holds where the relative `require`s between the modules beside it led when it was made
 *   (`resolveFromCache`), taken only while that file is there; every other `require` resolves as Node.js does.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/** The first bytes of the file; a header (JSON) of `HEADER_BYTES` length follows, then the code of every module. */
export const MAGIC = 'apim-oauth-audit compile cache 1\n';
const HEADER_BYTES = 4;

/** What the cache was built for, and where each module's code is in it (by the SHA-1 of its source). */
export interface CacheHeader {
  node: string;
  v8: string;
  arch: string;
  entries: Record<string, [offset: number, length: number]>;
  /**
   * Where the relative `require`s of the package's own modules led when the cache was made (`resolutionKey` ->
   * the file, relative to the cache's folder): `resolveFromCache`.
   */
  resolutions?: Record<string, string>;
}

/** The parts of Node.js's module system the hook uses (internal, stable since Node.js 0.x). */
interface CjsModule {
  exports: unknown;
  /** The module's file and its folder (Node.js sets both; a module made by hand may have neither). */
  filename?: string;
  path?: string;
  require(id: string): unknown;
  _compile(content: string, filename: string): unknown;
}
interface CjsModuleClass {
  prototype: CjsModule;
  wrap(content: string): string;
  _resolveFilename(
    request: string,
    parent: CjsModule | undefined,
    isMain: boolean,
    options?: unknown,
  ): string;
  _resolveLookupPaths(request: string, parent: CjsModule): string[] | null;
  _extensions: unknown;
  _cache: unknown;
}

/** Modules compiled from the cache so far, `require`s it resolved, and the hooks' originals (to uninstall them). */
let hits = 0;
let resolved = 0;
let original: CjsModule['_compile'] | undefined;
let originalResolve: CjsModuleClass['_resolveFilename'] | undefined;

/** How many modules were compiled from the cache so far (tests, diagnostics). */
export function compileCacheHits(): number {
  return hits;
}

/** How many `require`s the cache resolved so far (tests, diagnostics). */
export function compileCacheResolutions(): number {
  return resolved;
}

/**
 * The key of a relative `require` in `CacheHeader.resolutions`: the requiring module's folder relative to the
 * cache's folder (`/`-separated, `.` for the folder itself), and the request as written.
 */
export function resolutionKey(base: string, folder: string, request: string): string {
  return `${path.relative(base, folder).split(path.sep).join('/') || '.'}\0${request}`;
}

/**
 * Whether the cache records and answers a `require`: a relative request without options, made by a module in
 * `base` (the cache's folder) or below it. The build records such a request only when it led to a file in `base`.
 */
export function isOwnRelativeRequire(
  base: string,
  request: string,
  folder: string | undefined,
  options: unknown,
): folder is string {
  return (
    options === undefined &&
    request.startsWith('.') &&
    folder !== undefined &&
    `${folder}${path.sep}`.startsWith(base + path.sep)
  );
}

/** The cache file beside the compiled CLI: `dist/compile-cache.bin` (none when running the TypeScript sources). */
export function cacheFile(): string {
  return path.join(__dirname, '..', '..', 'compile-cache.bin');
}

export function sourceKey(content: string): string {
  return createHash('sha1').update(content).digest('hex');
}

/** What this process must match to use a cache. */
export function runtime(): Omit<CacheHeader, 'entries'> {
  return { node: process.version, v8: process.versions.v8, arch: process.arch };
}

/** Dynamic `import()` in a cached module resolves as in any other (Node.js 20.12 and later). */
function importLoader(): symbol | undefined {
  return (vm.constants as unknown as { USE_MAIN_CONTEXT_DEFAULT_LOADER?: symbol } | undefined)
    ?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
}

/**
 * A CommonJS module's source as a script, the way the cache was made (a `#!` line kept as a comment of the same
 * length, so that every position stays where it was).
 */
export function compileModule(content: string, filename: string, cachedData?: Buffer): vm.Script {
  const source = content.startsWith('#!') ? `//${content.slice(2)}` : content;
  const loader = importLoader();
  return new vm.Script((Module as unknown as CjsModuleClass).wrap(source), {
    filename,
    ...(cachedData ? { cachedData } : {}),
    ...(loader
      ? { importModuleDynamically: loader as unknown as vm.ScriptOptions['importModuleDynamically'] }
      : {}),
  });
}

/** Runs a compiled module as `Module.prototype._compile` does: with its own `require`, `module` and paths. */
export function runModule(script: vm.Script, module: CjsModule, filename: string): unknown {
  const ModuleClass = Module as unknown as CjsModuleClass;
  const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
  const moduleRequire = Object.assign((id: string) => module.require(id), {
    resolve: Object.assign(
      (request: string, options?: unknown) => ModuleClass._resolveFilename(request, module, false, options),
      { paths: (request: string) => ModuleClass._resolveLookupPaths(request, module) },
    ),
    // As Node.js sets it: the entry module (`require.main === module` in the entry point itself).
    main: (process as { mainModule?: unknown }).mainModule,
    extensions: ModuleClass._extensions,
    cache: ModuleClass._cache,
  });
  return wrapper.call(
    module.exports,
    module.exports,
    moduleRequire,
    module,
    filename,
    path.dirname(filename),
  );
}

/** The cache in `bytes`, when it was made for this runtime; undefined otherwise. */
export function readCache(bytes: Buffer): { header: CacheHeader; body: Buffer } | undefined {
  if (bytes.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) return undefined;
  const at = MAGIC.length;
  if (bytes.length < at + HEADER_BYTES) return undefined;
  const size = bytes.readUInt32LE(at);
  let header: CacheHeader;
  try {
    header = JSON.parse(
      bytes.subarray(at + HEADER_BYTES, at + HEADER_BYTES + size).toString('utf8'),
    ) as CacheHeader;
  } catch {
    return undefined; // damaged
  }
  if (typeof header.entries !== 'object' || header.entries === null) return undefined;
  const { resolutions } = header;
  if (resolutions !== undefined && (typeof resolutions !== 'object' || resolutions === null))
    return undefined;
  const own = runtime();
  if (header.node !== own.node || header.v8 !== own.v8 || header.arch !== own.arch) return undefined;
  return { header, body: bytes.subarray(at + HEADER_BYTES + size) };
}

/**
 * The cache file's bytes for `entries` (SHA-1 of a module's source -> its code) and `resolutions` (`resolutionKey`
 * -> the file it leads to, relative to the cache's folder, `/`-separated).
 */
export function writeCache(
  entries: ReadonlyMap<string, Buffer>,
  resolutions: ReadonlyMap<string, string> = new Map(),
): Buffer {
  const index: CacheHeader['entries'] = {};
  let offset = 0;
  for (const [key, data] of entries) {
    index[key] = [offset, data.length];
    offset += data.length;
  }
  const header = Buffer.from(
    JSON.stringify({
      ...runtime(),
      entries: index,
      resolutions: Object.fromEntries(resolutions),
    } satisfies CacheHeader),
  );
  const size = Buffer.alloc(HEADER_BYTES);
  size.writeUInt32LE(header.length);
  return Buffer.concat([Buffer.from(MAGIC, 'latin1'), size, header, ...entries.values()]);
}

/**
 * Compiles every module loaded from now on from the cache when it holds the module's code; returns whether the cache
 * is in use. Called first thing by the CLI's entry point.
 */
export function installCompileCache(
  file: string = cacheFile(),
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env['APIM_AUDIT_COMPILE_CACHE'] === 'off' || !importLoader()) return false;
  let cache: ReturnType<typeof readCache>;
  try {
    cache = readCache(readFileSync(file));
  } catch {
    return false; // no cache (the sources, or a build without one): compiled as usual
  }
  if (!cache) return false;
  const { header, body } = cache;
  const proto = (Module as unknown as CjsModuleClass).prototype;
  uninstallCompileCache();
  if (header.resolutions) resolveFromCache(path.dirname(file), header.resolutions);
  const compile = proto._compile;
  original = compile;
  proto._compile = function (this: CjsModule, content: string, filename: string): unknown {
    const key = sourceKey(content);
    const entry = Object.prototype.hasOwnProperty.call(header.entries, key) ? header.entries[key] : undefined;
    if (!entry) return compile.call(this, content, filename);
    const [offset, length] = entry;
    const script = compileModule(content, filename, body.subarray(offset, offset + length));
    // Rejected (V8 run with other flags): compiled from the source instead, by the same call.
    if (!script.cachedDataRejected) hits++;
    return runModule(script, this, filename);
  };
  return true;
}

/**
 * Relative `require`s between the package's own modules resolve from the cache: Node.js looks for each one's file
 * (a `stat` per candidate name, the real path of the one found), which cost a scan about 9 ms of its start for the
 * 300 or so of them. The file the cache names is taken when it is still a regular file (not a link) in the cache's
 * folder; any other `require` (a package, a module outside the folder, one the cache does not know or names a file
 * outside the folder for, a file that is gone) resolves as Node.js resolves it. The cache is written by the build,
 * which first empties the folder: its files are the ones the answers were recorded against.
 */
function resolveFromCache(base: string, resolutions: Record<string, string>): void {
  const ModuleClass = Module as unknown as CjsModuleClass;
  const resolve = ModuleClass._resolveFilename;
  originalResolve = resolve;
  const inside = base + path.sep;
  ModuleClass._resolveFilename = function (request, parent, isMain, options) {
    const folder = parent?.path;
    if (isOwnRelativeRequire(base, request, folder, options)) {
      const key = resolutionKey(base, folder, request);
      const target: unknown = Object.prototype.hasOwnProperty.call(resolutions, key)
        ? resolutions[key]
        : undefined;
      const file = typeof target === 'string' ? path.join(base, target) : undefined;
      if (
        file?.startsWith(inside) === true &&
        lstatSync(file, { throwIfNoEntry: false })?.isFile() === true
      ) {
        resolved++;
        return file;
      }
    }
    return resolve.call(this, request, parent, isMain, options);
  };
}

/** Modules compile and resolve as Node.js does again (tests). */
export function uninstallCompileCache(): void {
  if (original) (Module as unknown as CjsModuleClass).prototype._compile = original;
  if (originalResolve) (Module as unknown as CjsModuleClass)._resolveFilename = originalResolve;
  original = undefined;
  originalResolve = undefined;
}
