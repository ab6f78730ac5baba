/**
 * `scan --fix` and `scan --fix-dry-run`: the fixes of an audit's findings, applied to the files they point into or
 * printed as a unified diff. Live data is never changed: its fixes are commands the reports print.
 */
import type { AuditResult } from '../engine/types';
import { AuditError } from '../errors';
import { applyFixPlan } from '../fixes/apply';
import { unifiedDiff } from '../fixes/diff';
import { planFixes, type FixPlan } from '../fixes/plan';
import type { CliIO } from './io';

export interface FixFlags {
  fix?: boolean;
  fixDryRun?: boolean;
}

export function checkFixFlags(flags: FixFlags): void {
  if (flags.fix && flags.fixDryRun) {
    throw new AuditError('usage', '--fix and --fix-dry-run exclude each other: choose one');
  }
}

/** Says which fixes were left out and why, on stderr (never a secret: reasons are the tool's own words). */
function reportSkipped(plan: FixPlan, io: CliIO): void {
  for (const { finding, reason } of plan.skipped) {
    const where = finding.location.file
      ? `${finding.location.file}:${finding.location.line ?? 1}`
      : finding.logicalLocation.fullyQualifiedName;
    io.stderr(`not fixed: ${where} ${finding.ruleId}: ${reason}\n`);
  }
}

function count(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

/** `--fix-dry-run`: the diff on stdout, a summary on stderr; nothing is written. */
export function printFixDiff(result: AuditResult, io: CliIO, redact: (text: string) => string): void {
  const plan = planFixes(result.findings, io.cwd);
  io.stdout(unifiedDiff(plan.files, redact));
  reportSkipped(plan, io);
  const fixes = plan.files.reduce((n, f) => n + f.findings.length, 0);
  io.stderr(
    `Would fix ${count(fixes, 'finding')} in ${count(plan.files.length, 'file')} (dry run: nothing written).\n`,
  );
}

/** `--fix`: writes the fixes; the caller audits again and reports what remains. Returns the number of fixes made. */
export function applyFixes(result: AuditResult, io: CliIO): number {
  const plan = planFixes(result.findings, io.cwd);
  const applied = applyFixPlan(plan.files, io.cwd);
  reportSkipped(plan, io);
  for (const { file, reason } of applied.failed) io.stderr(`not written: ${file}: ${reason}\n`);
  const fixes = applied.written.reduce((n, f) => n + f.findings.length, 0);
  io.stderr(`Fixed ${count(fixes, 'finding')} in ${count(applied.written.length, 'file')}.\n`);
  return fixes;
}

/** SARIF `fixes`: the exact replacements of each finding, against the files as they are now. */
export function sarifFixes(result: AuditResult, io: CliIO): FixPlan['byFingerprint'] {
  return planFixes(result.findings, io.cwd).byFingerprint;
}
