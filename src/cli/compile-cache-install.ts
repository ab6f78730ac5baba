/**
 * Imported first by the CLI's entry point (main.ts), before anything else it loads: the CLI's V8 flags (v8-flags.ts),
 * then, from here on, modules compile from the build's code cache when it has them (compile-cache.ts). Both before
 * any other module: V8 takes cached code only under the flags it was made with, and scripts/compile-cache.js records
 * the cache through the CLI (and fails the build when `--version` compiles nothing from it).
 */
import { installCompileCache } from './compile-cache';
import { setCliV8Flags } from './v8-flags';

setCliV8Flags();
installCompileCache();
