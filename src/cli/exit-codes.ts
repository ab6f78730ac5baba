/**
 * The CLI's exit codes: documented in the README and in `--help`, never overloaded. Only the CLI exits; the library
 * reports through its result and AuditError.
 */

export const EXIT = {
  /** Nothing at or above --fail-on. */
  ok: 0,
  /**
   * Findings at or above --fail-on (with --baseline: those it does not record), or a rule named by
   * --fail-on-not-evaluated not (fully) evaluated.
   */
  findings: 1,
  /** Invalid usage, configuration or input (every AuditError). */
  usage: 2,
  /** Audit incomplete: a source could not be read fully, or a rule crashed. */
  incomplete: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  nothing at or above --fail-on (default: error)
  1  findings at or above --fail-on (with --baseline: new ones), or a rule named by --fail-on-not-evaluated
     not (fully) evaluated
  2  invalid usage, configuration or input (the message names the place)
  3  audit incomplete: a source could not be read fully, or a rule crashed
     (takes precedence over 1: an incomplete audit is never evidence of a clean configuration)
  token: 0 the token passes every check, 1 rejected, 2 bad input, 3 something the checks need is unknown`;
