/**
 * Severities and the gate threshold: ground-floor facts shared by config, rules, engine, reporters and CLI.
 */
export const SEVERITIES = ['error', 'warning', 'note'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type SeverityLevel = Severity | 'off';
export type FailOn = Severity | 'none';

/** `failOn` / `--fail-on` values: a severity, or `none` (findings never fail the run). */
export const FAIL_ON = [...SEVERITIES, 'none'] as const satisfies readonly FailOn[];

/** The gate when neither `--fail-on` nor the config's `failOn` says otherwise. */
export const DEFAULT_FAIL_ON: FailOn = 'error';

/** How serious each severity is; the gate compares with it and nothing else does. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { note: 1, warning: 2, error: 3 };

/** True when a finding of `severity` fails a gate set to `failOn`. */
export function failsGate(severity: Severity, failOn: FailOn): boolean {
  return failOn !== 'none' && SEVERITY_RANK[severity] >= SEVERITY_RANK[failOn];
}
