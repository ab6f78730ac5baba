/**
 * Imported first by the CLI's entry point (main.ts), before anything else it loads: from here on, modules compile
 * from the build's code cache when it has them (compile-cache.ts).
 */
import { installCompileCache } from './compile-cache';

installCompileCache();
