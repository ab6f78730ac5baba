/**
 * Start-up (issue 12): yargs 17 formats the whole help text after every command's handler
 * (`usage.cacheHelpMessage`, in `handleValidationAndGetResult`), so that a handler that calls `showHelp()` shows the
 * help of its command. The CLI's handlers only record the command, and formatting the help (cliui and string widths
 * for every option of the command, on code that runs once) was about 15 ms of every run: an eighth of a scan of the
 * sample. `--help` and the help of a usage error are formatted when shown, as before.
 *
 * `getInternalMethods` is yargs' own way into its parts (not in its typings); on a yargs without it, or whose usage
 * has no `cacheHelpMessage`, nothing changes (test/cli/help-cache.test.ts checks that it applies to the yargs in use).
 */
import type { Argv } from 'yargs';

interface YargsInternals {
  getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } | undefined };
}

/** Turns yargs' caching of the help text after a command's handler off, for `parser`; returns it. */
export function withoutHelpCaching<T>(parser: Argv<T>): Argv<T> {
  const usage = (parser as unknown as YargsInternals).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
  return parser;
}
