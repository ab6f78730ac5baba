/**
 * One error class with a closed set of codes. Every user-facing problem is an AuditError; anything else that
 * escapes is a bug and is shown with its stack under --verbose.
 */

export type ErrorCode =
  | 'usage'
  | 'config-invalid'
  | 'config-unreadable'
  | 'baseline-invalid'
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
