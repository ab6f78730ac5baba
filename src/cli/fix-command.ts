/**
 * `scan --fix` and `scan --fix-dry-run`: the fixes of an audit's findings, applied to the files they point into or
 * printed as a unified diff. Live data is never changed: its fixes are commands the reports print.
 */
import type { AuditResult } from '../engine/types';
import { AuditError } from '../errors';
import { applyFixPlan } from '../fixes/apply';
import { unifiedDiff } from '../fixes/diff';
import { OVERLAP, planFixes, type FixPlan } from '../fixes/plan';
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

/** Passes of `--fix` at most (ESLint's bound): each fixes what the one before left because of an overlap. */
export const MAX_FIX_PASSES = 10;

/**
 * `--fix`: writes the fixes, audits again (`audit`), and repeats while a pass fixed something and fixes it held back
 * for an overlap remain, at most MAX_FIX_PASSES times. Returns the last audit's result (what remains).
 */
export async function applyFixes(
  first: AuditResult,
  io: CliIO,
  audit: () => Promise<AuditResult>,
): Promise<AuditResult> {
  let result = first;
  let fixed = 0;
  const files = new Set<string>();
  for (let pass = 1; pass <= MAX_FIX_PASSES; pass++) {
    const plan = planFixes(result.findings, io.cwd);
    const applied = applyFixPlan(plan.files, io.cwd);
    for (const { file, reason } of applied.failed) io.stderr(`not written: ${file}: ${reason}\n`);
    const made = applied.written.reduce((n, f) => n + f.findings.length, 0);
    for (const file of applied.written) files.add(file.file);
    fixed += made;
    if (made === 0) break;
    // A Terraform plan is made before the .tf edits: audited again it still holds the old values, and a second pass
    // would compute its fixes from them (a list set as a whole would drop the first pass's edit). Plan again first.
    const terraform = applied.written.some((f) => f.file.endsWith('.tf'));
    if (terraform) {
      io.stderr(
        'Terraform files were fixed: the plan still holds the old values; run terraform plan and terraform show -json again, then scan.\n',
      );
      break;
    }
    result = await audit();
    if (!plan.skipped.some((s) => s.reason === OVERLAP)) break;
  }
  // What is left with an edit that was not made, and why (judged on the files as they are now).
  reportSkipped(planFixes(result.findings, io.cwd), io);
  io.stderr(`Fixed ${count(fixed, 'finding')} in ${count(files.size, 'file')}.\n`);
  return result;
}

/** SARIF `fixes`: the exact replacements of each finding, against the files as they are now. */
export function sarifFixes(result: AuditResult, io: CliIO): FixPlan['byFingerprint'] {
  return planFixes(result.findings, io.cwd).byFingerprint;
}
