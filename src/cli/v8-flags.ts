/**
 * The V8 flags the CLI sets for itself, before it loads anything else (compile-cache-install.ts calls it first: V8
 * accepts cached code only under the flags it was made with, and scripts/compile-cache.js records the cache through
 * the CLI, so under the same ones).
 *
 * `--no-turbo-inlining`: a scan runs most of its code (each rule, each source's reader) over one large input once,
 * so the optimizing compiler works on hundreds of functions that each get hot once; inlining makes each of those
 * compilations several times larger (708 optimizations of a 5,000-API scan took 3.7 s of compiler threads, 1.9 s
 * without inlining), and where processors are few those threads take time from the scan's own two. Measured
 * (Node.js 20, alternated pairs against the same build without it): on 2 vCPUs the 5,000-API scan 0.95 x the wall
 * time and 0.89 x the CPU, 1,000 APIs 0.90 x, 10,000 manifests 0.98 x the wall time and 0.87 x the CPU; on one
 * processor (pinned) 1,000 APIs 0.79 x. The main thread's own CPU time is the same either way (2.8 s), so with
 * processors to spare the scan takes as long as before. What loses is a hot loop that inlining speeds up: the
 * policy parser's benchmark parses 1.3 to 1.6 x slower without it. It is set for the CLI only, not the library
 * (src/index.ts), and not by processor count: a container's CPU quota is not in `os.availableParallelism()`.
 *
 * `--heap-growing-percent=200`: after each full collection V8 lets the old generation grow to a multiple of what is
 * live before the next one, a factor it works out from how fast collecting is against allocating, up to 4. A scan
 * allocates fast and keeps most of what it reads, so it got the largest factor: a 5,000-API scan's last full
 * collection ran at 260 MB of heap, over four times the 58 MB the one before left live. A factor of 3 (`200` percent
 * more) keeps a large scan's heap smaller at no cost in time: alternated pairs against the same build without it
 * (Node.js 20, 2 vCPUs), the 5,000-API tree 0.979 x the wall time and 0.976 x the CPU with 15 MiB less peak RSS (12 pairs), the same tree with
 * one validation at the gateway 1.000 x with 35 MiB less (8), 10,000 manifests 0.994 x (15); smaller trees, which
 * stay far below that, pay for the extra collections: 1,000 APIs 1.010 x (7 MiB less), 500 APIs 1.028 x (12). The
 * heap limit still bounds the heap (`--max-old-space-size`: a 5,000-API scan completes with 230 MB). V8 reads it
 * whenever it sets the next limit, so setting it here is enough (test/cli/v8-flags.test.ts checks that it applies).
 *
 * `--expose-gc`: lets `collectAfterAudit` (memory.ts) ask for one full collection between a large scan's audit and its
 * reports. Set here, with the others, so that the compile cache is made and read under the same flags; it exposes
 * `gc` only to a context made after it (not the main one, which exists already), so nothing the CLI loads sees it.
 *
 * A flag the user gives Node.js (`node --turbo-inlining`, NODE_OPTIONS) wins: it is not set again.
 */
import { setFlagsFromString } from 'node:v8';

export const CLI_V8_FLAGS: readonly string[] = [
  '--no-turbo-inlining',
  '--heap-growing-percent=200',
  '--expose-gc',
];

/** `--no-turbo_inlining=1` -> `turbo-inlining`: the flag a command-line argument is about. */
function flagName(argument: string): string {
  const [name = ''] = argument.replace(/^--?(no-?)?/, '').split('=');
  return name.replace(/_/g, '-');
}

/** The flags of `wanted` that neither Node.js's arguments nor NODE_OPTIONS already say something about. */
export function flagsToSet(
  execArgv: readonly string[],
  nodeOptions: string | undefined,
  wanted: readonly string[] = CLI_V8_FLAGS,
): string[] {
  const given = new Set(
    [...execArgv, ...(nodeOptions ?? '').split(/\s+/)]
      .filter((argument) => argument.startsWith('-'))
      .map(flagName),
  );
  return wanted.filter((flag) => !given.has(flagName(flag)));
}

/** Sets the CLI's V8 flags (those the user did not give); returns the ones it set. */
export function setCliV8Flags(
  execArgv: readonly string[] = process.execArgv,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const flags = flagsToSet(execArgv, env['NODE_OPTIONS']);
  for (const flag of flags) setFlagsFromString(flag);
  return flags;
}
