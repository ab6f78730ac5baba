/**
 * One error class with a closed set of codes. Every user-facing problem is an AuditError; anything else that
 * escapes is a bug and is shown with its stack under --verbose.
 */

export const EXIT = {
  /** Nothing at or above --fail-on. */
  ok: 0,
  /** Findings at or above --fail-on, or a rule named by --fail-on-not-evaluated not (fully) evaluated. */
  findings: 1,
  /** Invalid usage, configuration or input. */
  usage: 2,
  /** Audit incomplete: a source could not be read fully, or a rule crashed. */
  incomplete: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export type ErrorCode =
  | 'usage'
  | 'config-invalid'
  | 'config-unreadable'
  | 'source-unreadable'
  | 'source-invalid'
  | 'source-unknown-kind'
  | 'rule-unknown'
  | 'plugin-invalid'
  | 'credential-failed';

export class AuditError extends Error {
  readonly code: ErrorCode;
  /** Each problem on its own line, already located (`file:line:col: message` or `key.path: message`). */
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, details: readonly string[] = []) {
    super(message);
    this.name = 'AuditError';
    this.code = code;
    this.details = details;
  }

  /** The full human text: message plus one indented line per detail. */
  render(): string {
    return [this.message, ...this.details.map((d) => `  ${d}`)].join('\n');
  }
}

export function exitCodeFor(_code: ErrorCode): ExitCode {
  return EXIT.usage;
}
