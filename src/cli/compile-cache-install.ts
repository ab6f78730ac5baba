/**
 * Imported first by the CLI's entry point (main.ts), before anything else it loads: the CLI's V8 flags (v8-flags.ts),
 * then, from here on, modules compile from the build's code cache when it has them (compile-cache.ts). In this order:
 * V8 takes cached code only under the flags it was made with.
 */
import { installCompileCache } from './compile-cache';
import { setCliV8Flags } from './v8-flags';

setCliV8Flags();
installCompileCache();
